/* buurtbalans dashboard: reads /api/v1, draws the map (Leaflet, no background tiles unless
   configured), keeps its state in the query string. Every text from the data is set with
   textContent (never innerHTML), so names cannot inject markup. */
(function () {
  "use strict";
  const TERMS = JSON.parse(document.getElementById("bb-terms").textContent);
  const CONFIG = JSON.parse(document.getElementById("bb-config").textContent);
  const API = "/api/v1";
  const CHANGE_BINS = [-10, -5, -0.5, 0.5, 5, 10];
  const CHANGE_COLOURS = ["#542788", "#998ec3", "#d8daeb", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806"];
  const COVERAGE = [
    ["cov_full", "#0072B2", false], ["cov_part", "#56B4E9", false],
    ["insufficient", "#d9d9d9", true], ["too_small", "#999999", true],
  ];
  const NO_SCORE = "#d9d9d9";
  const state = {
    gemeente: "", spec: "mdi", van: null, jaar: null, weergave: "score", buurt: "",
    tab: "kaart", taal: "nl", vk: "kaart7_veerkracht",
  };
  let gemeenten = [], specs = [], index = null, geo = null, map = null, layer = null;
  let vkmap = null, vklayer = null, vkdata = null;

  // -- words and numbers --------------------------------------------------------------------
  function T(key, values) {
    const entry = TERMS[key];
    let text = entry ? entry[state.taal] || entry.nl : key;
    if (text && typeof text === "object") {  // plural forms, chosen by {n}
      const form = new Intl.PluralRules(state.taal === "nl" ? "nl-NL" : "en-GB").select(Number((values || {}).n));
      text = text[form] || text.other;
    }
    if (values) for (const [k, v] of Object.entries(values)) text = text.split("{" + k + "}").join(v);
    return text;
  }
  function num(v, digits) {
    // fixed decimals when given (86,0 beside 86,7), else at most one
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const opts = digits === undefined ? { maximumFractionDigits: 1 }
      : { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return new Intl.NumberFormat(state.taal === "nl" ? "nl-NL" : "en-GB", opts).format(v);
  }
  function pct(share, digits) {
    // 91 % in both languages
    if (share === null || share === undefined || Number.isNaN(share)) return "–";
    return num(100 * share, digits || 0) + "\u00a0%";  // as the report writes it
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v; else if (k === "cls") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined)
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  function classLabel(label) {
    const c = index && index.spec.classes;
    if (!c || state.taal === "nl" || label === null) return label;
    const i = c.labels_nl.indexOf(label);
    return i >= 0 ? c.labels_en[i] : label;
  }
  function statusLabel(status) {
    if (status === "ok" || !status) return status;
    if (status === "onvoldoende gegevens") return T("insufficient");
    if (status === "te weinig inwoners") return T("too_small");
    return status;
  }
  function domainLabel(id) {
    const d = index && index.spec.domains.find((x) => x.id === id);
    return d ? (state.taal === "nl" ? d.label_nl : d.label_en) : id;
  }

  // -- state in the URL -----------------------------------------------------------------------
  function readUrl() {
    const q = new URLSearchParams(location.search);
    for (const k of Object.keys(state)) if (q.has(k)) state[k] = q.get(k);
    for (const k of ["van", "jaar"]) state[k] = state[k] ? Number(state[k]) : null;
  }
  function writeUrl() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v !== null && v !== "") q.set(k, v);
    const url = location.pathname + "?" + q.toString();
    history.replaceState(null, "", url);
    document.getElementById("share").href = url;
  }
  function params(extra) {
    const q = new URLSearchParams({ spec: state.spec });
    if (state.van) q.set("van", state.van);
    if (state.jaar) q.set("jaar", state.jaar);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return q.toString();
  }

  // -- fetching -----------------------------------------------------------------------------
  async function get(path) {
    // Accept-Language: a refusal (problem detail) comes in the page's language
    const r = await fetch(API + path, { headers: { Accept: "application/json", "Accept-Language": state.taal } });
    if (!r.ok) {
      let detail = r.status + " " + r.statusText;
      try { detail = (await r.json()).detail || detail; } catch (e) { /* not JSON */ }
      const err = new Error(detail); err.status = r.status; throw err;
    }
    return r.json();
  }
  function showError(err) {
    const box = document.getElementById("error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false; box.textContent = T("error") + ": " + err.message;
  }

  // -- static labels ------------------------------------------------------------------------
  function applyTerms() {
    document.documentElement.lang = state.taal;
    for (const node of document.querySelectorAll("[data-t]")) node.textContent = T(node.dataset.t);
    for (const node of document.querySelectorAll("[data-ta]")) node.setAttribute("aria-label", T(node.dataset.ta));
    document.getElementById("lang").setAttribute("lang", state.taal === "nl" ? "en" : "nl");
    document.title = T("app_title");
  }

  // -- controls -------------------------------------------------------------------------------
  function fill(select, options, value) {
    select.replaceChildren(...options.map(([v, label]) => el("option", { value: v, text: label })));
    if (value !== null && value !== undefined) select.value = String(value);
  }
  function fillControls() {
    // without a choice: the gemeente and years the server marks as having index data
    const g = gemeenten.find((x) => x.code === state.gemeente) || gemeenten.find((x) => x.voorkeur) || gemeenten[0];
    if (!g) return;
    state.gemeente = g.code;
    fill(document.getElementById("f-gemeente"), gemeenten.map((x) => [x.code, x.naam + " (" + x.code + ")"]), g.code);
    fill(document.getElementById("f-spec"), specs.map((s) => [s.id, s.naam]), state.spec);
    const pool = g.index_jaren && g.index_jaren.length ? g.index_jaren : g.jaren;
    if (!g.jaren.includes(state.jaar)) state.jaar = pool[pool.length - 1];
    const first = pool.find((y) => y <= state.jaar) ?? state.jaar;
    if (!g.jaren.includes(state.van) || state.van > state.jaar) state.van = first;
    fill(document.getElementById("f-van"), g.jaren.map((y) => [y, y]), state.van);
    fill(document.getElementById("f-jaar"), g.jaren.map((y) => [y, y]), state.jaar);
    const spec = specs.find((s) => s.id === state.spec) || specs[0];
    // one year: no change to show (the ranking says so)
    const views = [["score", T("v_score")], ...(state.van !== state.jaar ? [["change", T("v_change")]] : []), ["coverage", T("v_coverage")]];
    for (const d of spec.domains) views.push(["d:" + d.id, T("v_domain", { d: state.taal === "nl" ? d.label_nl : d.label_en })]);
    if (!views.some((v) => v[0] === state.weergave)) state.weergave = "score";
    fill(document.getElementById("f-view"), views, state.weergave);
    const banner = document.getElementById("banner");
    banner.hidden = !g.synthetisch;
    banner.textContent = g.synthetisch ? T("synthetic") : "";
  }

  // -- the choropleth ---------------------------------------------------------------------------
  function rowsOf(year) {
    const out = new Map();
    if (!index) return out;
    for (const r of index.rows) if (r.period === year) out.set(r.area_code, r);
    return out;
  }
  function styleFor(row) {
    const base = { color: "#333", weight: 1, fillOpacity: 0.9, dashArray: null };
    if (!row) return { ...base, fillColor: "#ffffff", dashArray: "2 3" };
    const v = state.weergave;
    if (v === "coverage") {
      const i = row.status === "te weinig inwoners" ? 3 : row.status !== "ok" ? 2 : row.coverage >= 0.999 ? 0 : 1;
      return { ...base, fillColor: COVERAGE[i][1], dashArray: COVERAGE[i][2] ? "5 4" : null, weight: COVERAGE[i][2] ? 2 : 1 };
    }
    if (row.status !== "ok") return { ...base, fillColor: NO_SCORE, dashArray: "5 4", weight: 2 };
    const c = index.spec.classes;
    if (v === "score") return { ...base, fillColor: c.colours[c.labels_nl.indexOf(row.class)] || NO_SCORE };
    if (v === "change") {
      if (row.delta === null) return { ...base, fillColor: NO_SCORE, dashArray: "5 4", weight: 2 };
      let i = 0; while (i < CHANGE_BINS.length && row.delta > CHANGE_BINS[i]) i++;
      return { ...base, fillColor: CHANGE_COLOURS[i] };
    }
    const value = row[v.slice(2)];
    if (value === null || value === undefined) return { ...base, fillColor: NO_SCORE, dashArray: "5 4", weight: 2 };
    let i = 0; while (i < c.edges.length && value > c.edges[i]) i++;
    return { ...base, fillColor: c.colours[i] };
  }
  function describe(row) {
    if (!row) return T("no_data");
    if (row.status !== "ok") return statusLabel(row.status);
    const v = state.weergave;
    if (v === "score") return T("score") + " " + num(row.score) + ", " + classLabel(row.class);
    if (v === "change") return T("change") + " " + num(row.delta);
    if (v === "coverage") return T("coverage") + " " + pct(row.coverage);
    return domainLabel(v.slice(2)) + " " + num(row[v.slice(2)]);
  }
  function legendItems() {
    const c = index.spec.classes, v = state.weergave, items = [];
    const labels = state.taal === "nl" ? c.labels_nl : c.labels_en;
    if (v === "score") labels.forEach((l, i) => items.push([c.colours[i], l, false]));
    else if (v === "change") {
      const b = CHANGE_BINS;
      const names = ["≤ " + num(b[0]), num(b[0]) + " – " + num(b[1]), num(b[1]) + " – " + num(b[2]),
        T("stable"), num(b[3]) + " – " + num(b[4]), num(b[4]) + " – " + num(b[5]), "> " + num(b[5])];
      names.forEach((n, i) => items.push([CHANGE_COLOURS[i], n, false]));
    } else if (v === "coverage") COVERAGE.forEach(([k, col, dashed]) => items.push([col, T(k), dashed]));
    else {
      const e = [0, ...c.edges, 100];
      for (let i = 0; i < e.length - 1; i++) items.push([c.colours[i], num(e[i], 0) + " – " + num(e[i + 1], 0), false]);
    }
    if (v !== "coverage") items.push([NO_SCORE, T("insufficient"), true]);
    return items;
  }
  function drawLegend(target, title, items) {
    const list = el("ul", { cls: "legend", "aria-label": T("legend") + ": " + title });
    for (const [colour, label, dashed] of items) {
      const sw = el("span", { cls: "swatch" + (dashed ? " swatch--dashed" : ""), "aria-hidden": "true" });
      sw.style.background = colour;
      list.append(el("li", {}, sw, el("span", { text: label })));
    }
    target.replaceChildren(list);
  }
  function mapTitle() {
    const v = state.weergave;
    if (v === "score") return T("v_score") + " " + state.jaar;
    if (v === "change") return T("v_change") + ": " + state.van + "–" + state.jaar + " (" + T("points") + "; " + T("improved_neg") + ")";
    if (v === "coverage") return T("v_coverage") + " " + state.jaar;
    return T("v_domain", { d: domainLabel(v.slice(2)) }) + " " + state.jaar;
  }
  function newMap(id) {
    const m = L.map(id, { zoomSnap: 0.25, attributionControl: Boolean(CONFIG.tiles) });
    if (CONFIG.tiles) L.tileLayer(CONFIG.tiles, { attribution: CONFIG.attribution || "" }).addTo(m);
    return m;
  }
  function focusable(lyr, label, onSelect) {
    const path = lyr.getElement && lyr.getElement();
    if (!path) return;
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", label);
    path.onkeydown = (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onSelect(true); } };
  }
  function drawMap() {
    if (!geo || !index) return;
    if (!map) map = newMap("map");
    if (layer) layer.remove();
    const rows = rowsOf(state.jaar);
    layer = L.geoJSON(geo, {
      style: (f) => styleFor(rows.get(f.properties.code)),
      onEachFeature: (f, lyr) => {
        const row = rows.get(f.properties.code);
        lyr.bindTooltip(() => { const d = el("span"); d.textContent = f.properties.naam + ": " + describe(row); return d; }, { sticky: true });
        lyr.on("click", () => selectBuurt(f.properties.code, false));
      },
    });
    // the view first: Leaflet creates the SVG paths only on a map that has one
    if (!map._bbFitted) { map.fitBounds(layer.getBounds()); map._bbFitted = true; }
    layer.addTo(map);
    layer.eachLayer((lyr) => {
      const f = lyr.feature, row = rows.get(f.properties.code);
      focusable(lyr, (f.properties.naam || f.properties.code) + ": " + describe(row), (kb) => selectBuurt(f.properties.code, kb));
    });
    document.getElementById("map-title").textContent = mapTitle();
    document.getElementById("map").setAttribute("aria-label", mapTitle());
    drawLegend(document.getElementById("legend"), mapTitle(), legendItems());
    drawBasis();
    highlight();
  }
  function drawBasis() {
    // the basis of every number on the tab: reference, boundaries, spec, population year
    const meta = document.getElementById("meta");
    meta.textContent = T("reference") + ": " + (state.taal === "nl" ? index.reference_nl : index.reference_en) +
      " · " + T("vintage") + " " + index.vintage + " · " + T("spec_hash") + " " + index.spec.hash.slice(0, 10) +
      (index.population_year ? " · " + T("residents") + " " + index.population_year : "");
  }
  function highlight() {
    if (!layer) return;
    layer.eachLayer((lyr) => {
      const sel = lyr.feature.properties.code === state.buurt;
      const s = styleFor(rowsOf(state.jaar).get(lyr.feature.properties.code));
      lyr.setStyle(sel ? { ...s, color: "#000", weight: 4, dashArray: null } : s);
      if (sel) lyr.bringToFront();
    });
  }

  // -- ranking and download links ---------------------------------------------------------------
  function downloads(naam, extra) {
    const what = T("dl_" + naam);
    const where = naam.startsWith("buurt_") ? "/buurten/" + extra.buurt + "/tabellen/" + naam.slice(6) : "/tabellen/" + naam;
    if (naam.startsWith("buurt_")) extra = {};
    const base = API + "/gemeenten/" + state.gemeente + where + "?" + params(extra);
    return el("p", { cls: "downloads" },
      el("a", { cls: "btn btn--small", href: base + "&formaat=csv", download: "", text: T("download_csv") + " (" + what + ")" }),
      el("a", { cls: "btn btn--small", href: base + "&formaat=xlsx", download: "", text: T("download_xlsx") + " (" + what + ")" }));
  }
  function table(caption, rows, columns) {
    columns = columns || (rows.length ? Object.keys(rows[0]) : []);
    const head = el("tr", {}, ...columns.map(([k, label, isNum]) => el("th", { scope: "col", cls: isNum ? "num" : null, text: label })));
    const body = el("tbody");
    for (const r of rows) {
      body.append(el("tr", {}, ...columns.map(([k, , isNum, render]) => {
        const v = r[k];
        const td = el("td", { cls: isNum ? "num" : null });
        if (v !== null && v !== undefined) td.dataset.sort = typeof v === "number" ? v : String(v);
        if (render) td.append(render(r)); else td.textContent = isNum ? num(v) : v === null || v === undefined ? "–" : String(v);
        return td;
      })));
    }
    return wrapTable(caption, head, body);
  }
  function wrapTable(caption, head, body) {
    // a scrollable box must be reachable by keyboard (WCAG 2.1.1); headings sort the rows
    const tbl = el("table", {}, el("caption", { text: caption }), el("thead", {}, head), body);
    sortable(tbl);
    return el("div", { cls: "tablewrap", tabindex: "0", role: "region", "aria-label": caption }, tbl);
  }
  function sortable(tbl) {
    const ths = [...tbl.querySelectorAll("thead th")];
    ths.forEach((th, i) => {
      const label = th.textContent;
      const btn = el("button", { type: "button", cls: "sortbtn", text: label, title: T("sort_hint") });
      th.replaceChildren(btn);
      th.setAttribute("aria-sort", "none");
      btn.addEventListener("click", () => {
        const asc = th.getAttribute("aria-sort") !== "ascending";
        ths.forEach((h) => h.setAttribute("aria-sort", "none"));
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        const body = tbl.tBodies[0];
        const key = (tr) => { const td = tr.cells[i]; const v = td && td.dataset.sort; return v === undefined ? null : v; };
        const rows = [...body.rows].sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === null) return 1; if (y === null) return -1;
          const nx = Number(x), ny = Number(y);
          const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x).localeCompare(String(y), state.taal);
          return asc ? c : -c;
        });
        body.replaceChildren(...rows);
      });
    });
  }
  // a table as the server wrote it (report/tables.py): headings and cells already in the
  // page's language, a sort value per cell
  function shown(caption, d, opts) {
    opts = opts || {};
    const cols = d.columns || [];
    if (!cols.length) return "";
    const head = el("tr", {}, ...cols.map((c) => el("th", { scope: "col", cls: c.numeric ? "num" : null, text: c.label })));
    const body = el("tbody");
    for (const r of d.rows || []) {
      body.append(el("tr", {}, ...cols.map((c, i) => {
        const td = el("td", { cls: c.numeric ? "num" : null });
        const v = r.sort[i];
        if (v !== null && v !== undefined) td.dataset.sort = v;
        if (c.kind === "zbar" && typeof r.z === "number") {
          const s = el("span", { cls: "zbar" + (r.z < 0 ? " zbar--neg" : ""), "aria-hidden": "true" });
          s.style.width = Math.min(60, Math.abs(r.z) * 15) + "px";
          td.append(s, " " + r.cells[i]);
        } else if (c.kind === "name" && r.code && opts.link) {
          td.append(el("button", { type: "button", cls: "linkbtn", text: r.cells[i], "data-code": r.code }));
        } else td.textContent = r.cells[i];
        return td;
      })));
    }
    const wrap = wrapTable(caption, head, body);
    // many columns: smaller type (headings still wrap between words only; the box scrolls)
    if (cols.length > 8) wrap.querySelector("table").classList.add("dense");
    return wrap;
  }
  function autoColumns(rows) {
    if (!rows.length) return [];
    return Object.keys(rows[0]).map((k) => [k, k, rows.some((r) => typeof r[k] === "number") && !/^(jaar|period|rang|rank|n_groep|buurten)$/.test(k) ? true : false]);
  }
  function drawRanking() {
    const rows = [...rowsOf(state.jaar).values()].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
    const select = document.getElementById("f-buurt");
    fill(select, [["", "—"], ...[...rows].sort((a, b) => String(a.name).localeCompare(String(b.name))).map((r) => [r.area_code, (r.name || r.area_code) + " (" + r.area_code + ")"])], state.buurt);
    const cols = [
      ["rank", T("tcol_rank"), false], ["name", T("tcol_buurt"), false, (r) => el("button", { type: "button", cls: "linkbtn", text: r.name || r.area_code, "data-code": r.area_code, onclick: null })],
      ["score", T("tcol_score"), true, (r) => document.createTextNode(num(r.score, 1))], ["class", T("tcol_class"), false, (r) => document.createTextNode(r.status === "ok" ? classLabel(r.class) : statusLabel(r.status))],
      ["coverage", T("coverage"), true, (r) => document.createTextNode(pct(r.coverage))],
      ["delta", T("since", { van: state.van }), true, (r) => document.createTextNode(r.delta === null || r.delta === undefined ? "–" : (r.delta > 0 ? "+" : "") + num(r.delta, 1))],
      ["inwoners", T("tcol_inwoners"), true, (r) => document.createTextNode(num(r.inwoners, 0))],
    ].filter(([k]) => k !== "delta" || state.van !== state.jaar);
    const target = document.getElementById("ranking");
    const one = state.van === state.jaar ? [el("p", { cls: "notice", text: T("web_one_year", { jaar: state.jaar }) })] : [];
    target.replaceChildren(el("h2", { text: T("ranking", { jaar: state.jaar }) }), ...one, downloads("index"), table(T("ranking", { jaar: state.jaar }), rows, cols), downloads("verandering"));
    for (const b of target.querySelectorAll("button[data-code]")) b.addEventListener("click", () => selectBuurt(b.dataset.code, true));
  }

  // -- the side panel -------------------------------------------------------------------------
  async function selectBuurt(code, moveFocus) {
    state.buurt = code || "";
    writeUrl();
    highlight();
    document.getElementById("f-buurt").value = state.buurt;
    const panel = document.getElementById("panel");
    if (!code) return;
    let p;
    try { p = await get("/gemeenten/" + state.gemeente + "/buurten/" + code + "?" + params()); }
    catch (err) { panel.replaceChildren(el("h2", { id: "panel-title", tabindex: "-1", text: code }), el("p", { cls: "notice notice--error", text: err.message })); return; }
    const row = p.index.find((r) => r.period === state.jaar) || {};
    const title = el("h2", { id: "panel-title", tabindex: "-1", text: p.naam });
    const n = rowsOf(state.jaar).size;
    const dl = el("dl", {},
      el("dt", { text: T("code") }), el("dd", { text: p.code }),
      el("dt", { text: T("score") + " " + state.jaar }), el("dd", { text: num(row.score) }),
      el("dt", { text: T("rank") }), el("dd", { text: row.rank ? row.rank + " " + T("of") + " " + n : "–" }),
      el("dt", { text: T("class") }), el("dd", { text: row.status === "ok" ? classLabel(row.class) + " (" + (state.taal === "nl" ? index.reference_label_nl : index.reference_label_en) + ")" : "–" }),
      el("dt", { text: T("coverage") }), el("dd", { text: pct(row.coverage || 0) + " (" + (row.domains_used || "").split(",").filter(Boolean).length + "/" + index.spec.domains.length + ")" }),
      el("dt", { text: T("status") }), el("dd", { text: statusLabel(row.status) || "–" }));
    const parts = [title];
    if (row.status && row.status !== "ok") {
      const sp = index.spec;
      const why = row.status === "te weinig inwoners" ? T("why_small")
        : T("why_thin", { cov: pct(row.coverage || 0), min: pct(sp.min_weight_share),
            req: new Intl.ListFormat(state.taal === "nl" ? "nl-NL" : "en-GB", { type: "conjunction" }).format(sp.required_domains.map(domainLabel)) || "–" });
      parts.push(el("p", { cls: "status-warn", text: statusLabel(row.status) + ": " + T("no_score") + " " + why }));
    }
    parts.push(dl);
    if (p.change && state.van !== state.jaar) {
      const ch = p.change;
      parts.push(el("h3", { text: T("since", { van: state.van }) }),
        el("p", { text: (ch.delta === null ? "–" : (ch.delta > 0 ? "+" : "") + num(ch.delta) + " " + T("points")) + (ch.direction ? " (" + translateDirection(ch.direction) + ")" : "") }));
    }
    const bars = el("ul", { cls: "bars", "aria-label": T("domains") });
    for (const d of index.spec.domains) {
      const v = row[d.id];
      const fillBar = el("div", { cls: "fill" }); fillBar.style.width = Math.max(0, Math.min(100, v || 0)) + "%";
      bars.append(el("li", {}, el("span", { text: domainLabel(d.id) }),
        el("div", { cls: "track", role: "img", "aria-label": domainLabel(d.id) + ": " + num(v) }, fillBar),
        el("span", { cls: "num", text: num(v, 0) })));
    }
    parts.push(el("h3", { text: T("domains") + " " + state.jaar }), bars);
    if (p.across_years.length && p.across_years[0].period !== undefined) {
      parts.push(downloads("buurt_jaren", { buurt: p.code }));
      parts.splice(parts.length - 1, 0, table(T("across") + " (" + (state.taal === "nl" ? p.reference_nl : p.reference_en) + ")", p.across_years, [["period", T("year"), false], ["score", T("score"), true, (r) => document.createTextNode(num(r.score, 1))], ["rank", T("rank"), false], ["class", T("class"), false, (r) => document.createTextNode(r.status === "ok" ? classLabel(r.class) : statusLabel(r.status))]]));
    }
    // one row per indicator: its value in the first and the shown year, with the source
    const byInd = new Map();
    for (const r of p.indicators) {
      if (r.period !== state.jaar && r.period !== state.van) continue;
      const e = byInd.get(r.indicator) || { indicator: r.indicator, label_nl: r.label_nl, label_en: r.label_en };
      e[r.period === state.jaar ? "now" : "then"] = r;
      byInd.set(r.indicator, e);
    }
    const value = (o) => (o ? num(o.value) + (o.status !== "ok" ? " (" + (TERMS["status_" + String(o.status).replace(/ /g, "_")] ? T("status_" + String(o.status).replace(/ /g, "_")) : T("no_data")) + ")" : "") : "–");
    const cols = [["label_nl", T("indicator"), false, (r) => document.createTextNode((state.taal === "nl" ? r.label_nl : r.label_en) || r.indicator)]];
    if (state.van !== state.jaar) cols.push(["then", String(state.van), true, (r) => document.createTextNode(value(r.then))]);
    cols.push(["now", String(state.jaar), true, (r) => document.createTextNode(value(r.now))],
      ["source", T("source"), false, (r) => { const o = r.now || r.then; return document.createTextNode(o ? (o.title || o.table_id) + " (" + o.period + ")" : "–"); }]);
    parts.push(table(T("indicators"), [...byInd.values()], cols), downloads("buurt_indicatoren", { buurt: p.code }));
    panel.replaceChildren(...parts);
    if (moveFocus) title.focus();
  }
  function translateDirection(d) {
    const map = { verbeterd: "improved", verslechterd: "worsened", "ongeveer gelijk": "stable" };
    return state.taal === "nl" ? d : map[d] ? T(map[d]) : d;
  }

  // -- other views ----------------------------------------------------------------------------
  function withNames(rows) {
    // tables keyed by code only get the buurt name next to the code
    const names = rowsOf(state.jaar);
    return rows.map((r) => (r.area_code && !("name" in r)
      ? { area_code: r.area_code, name: (names.get(r.area_code) || {}).name || null, ...r } : r));
  }
  async function drawPriorities() {
    const box = document.getElementById("p-prioriteiten");
    box.replaceChildren(el("p", { text: T("loading") }));
    try {
      const d = (await get("/gemeenten/" + state.gemeente + "/prioriteiten?" + params({ taal: state.taal }))).display;
      const parts = [el("h2", { text: T("options") + " (" + state.jaar + ")" }), downloads("prioriteiten"), shown(T("options"), d.summary)];
      for (const l of d.lists) parts.push(el("h3", { text: l.title }), shown(l.title, l.table, { link: true }));
      parts.push(downloads("prioriteiten_lijsten"), el("h3", { text: T("overlap_t") }), shown(T("overlap_t"), d.overlap, { link: true }), downloads("overlap"),
        el("h3", { text: T("robust_t") }), shown(T("robust_t"), d.robustness, { link: true }), downloads("robuustheid"));
      box.replaceChildren(...parts);
      linkButtons(box);
    } catch (err) { box.replaceChildren(el("p", { cls: "notice", text: err.message })); }
  }
  function linkButtons(box) {
    for (const b of box.querySelectorAll("button[data-code]")) b.addEventListener("click", () => { showTab("kaart", false); selectBuurt(b.dataset.code, true); });
  }
  async function drawVeerkracht() {
    const box = document.getElementById("vktable");
    if (state.van === state.jaar) {  // the maps compare two years: say so, ask nothing
      box.replaceChildren(el("h2", { text: T("veerkracht") }), el("p", { cls: "notice", text: T("web_vk_two_years", { van: state.van, jaar: state.jaar }) }));
      document.getElementById("vkextra").replaceChildren();
      document.getElementById("vklegend").replaceChildren();
      document.getElementById("vkmap").hidden = true;
      document.getElementById("f-vk").closest(".field").hidden = true;
      return;
    }
    document.getElementById("f-vk").closest(".field").hidden = false;
    try {
      vkdata = await get("/gemeenten/" + state.gemeente + "/veerkracht?" + params({ taal: state.taal }));
    } catch (err) { box.replaceChildren(el("p", { cls: "notice", text: err.message })); return; }
    const select = document.getElementById("f-vk");
    fill(select, vkdata.maps.map((m) => [m.id, state.taal === "nl" ? m.title_nl : m.title_en]), state.vk);
    const meta = vkdata.maps.find((m) => m.id === state.vk) || vkdata.maps[6];
    const labels = state.taal === "nl" ? meta.labels_nl : meta.labels_en;
    const colourOf = (v) => { const i = meta.labels_nl.indexOf(v); return i >= 0 ? meta.colours[i] : NO_SCORE; };
    const byCode = new Map(vkdata.rows.map((r) => [r.area_code, r]));
    const title = state.taal === "nl" ? meta.title_nl : meta.title_en;
    function label(v) { const i = meta.labels_nl.indexOf(v); return i >= 0 ? labels[i] : T("no_data"); }
    const vkref = state.taal === "nl" ? vkdata.settings.reference_nl : vkdata.settings.reference_en;
    box.replaceChildren(el("h2", { text: title }), el("p", { cls: "meta", text: T("reference") + " (2, 5): " + vkref }), table(title, vkdata.rows, [["name", T("buurt"), false], [meta.id, title, false, (r) => document.createTextNode(label(r[meta.id]))]]));
    document.getElementById("vkextra").replaceChildren(downloads("veerkracht"), shown(T("vk_crosstab_title"), vkdata.display.crosstab), downloads("veerkracht_kruistabel"));
    const mapBox = document.getElementById("vkmap");
    if (!geo) { mapBox.hidden = true; document.getElementById("vklegend").replaceChildren(); return; }
    mapBox.hidden = false;
    if (!vkmap) vkmap = newMap("vkmap");
    if (vklayer) vklayer.remove();
    vklayer = L.geoJSON(geo, {
      style: (f) => { const r = byCode.get(f.properties.code); const v = r && r[meta.id]; const known = meta.labels_nl.includes(v);
        return { color: "#333", weight: known ? 1 : 2, dashArray: known ? null : "5 4", fillOpacity: 0.9, fillColor: colourOf(v) }; },
      onEachFeature: (f, lyr) => { const r = byCode.get(f.properties.code); const v = r ? r[meta.id] : null;
        lyr.bindTooltip(() => { const s = el("span"); s.textContent = f.properties.naam + ": " + label(v); return s; }, { sticky: true }); },
    });
    vkmap.invalidateSize(); vkmap.fitBounds(vklayer.getBounds());
    vklayer.addTo(vkmap);
    vklayer.eachLayer((lyr) => { const r = byCode.get(lyr.feature.properties.code); focusable(lyr, lyr.feature.properties.naam + ": " + label(r ? r[meta.id] : null), () => {}); });
    drawLegend(document.getElementById("vklegend"), title, [...labels.map((l, i) => [meta.colours[i], l, false]), [NO_SCORE, T("no_data"), true]]);
  }
  async function drawBenchmark() {
    const box = document.getElementById("p-benchmark");
    box.replaceChildren(el("p", { text: T("loading") }));
    try {
      const d = (await get("/gemeenten/" + state.gemeente + "/benchmark?jaar=" + state.jaar + "&taal=" + state.taal)).display;
      const t = { taal: state.taal };
      box.replaceChildren(el("h2", { text: T("benchmark") }), ...d.notes.map((n) => el("p", { text: n })),
        el("h3", { text: T("bm_peers") }), shown(T("bm_peers"), d.peers), downloads("benchmark_peers", t),
        el("h3", { text: T("bm_table_t") }), shown(T("bm_table_t"), d.comparison), downloads("benchmark", t), downloads("benchmark_rangen", t),
        el("h3", { text: T("bm_standouts") }), shown(T("bm_standouts"), d.standouts), downloads("benchmark_opvallend", t),
        el("h3", { text: T("bm_trends") }), shown(T("bm_trends"), d.trends), downloads("benchmark_trends", t));
    } catch (err) { box.replaceChildren(el("h2", { text: T("benchmark") }), el("p", { cls: "notice", text: err.message })); }
  }
  async function drawStad() {
    const box = document.getElementById("p-stad");
    box.replaceChildren(el("p", { text: T("loading") }));
    try {
      const d = await get("/gemeenten/" + state.gemeente + "/stad?jaar=" + state.jaar + "&taal=" + state.taal);
      const parts = [el("h2", { text: T("stad") + " — " + d.naam + ", " + d.van + "–" + d.tot })];
      if (d.synthetic) parts.push(el("p", { cls: "notice", text: T("synthetic") }));
      for (const n of d.notes || []) parts.push(el("p", { cls: "note", text: n }));
      for (const th of d.themes) {
        parts.push(el("h3", { text: th.label }));
        for (const key of ["situatie", "trends", "vooruitblik"]) {
          parts.push(el("h4", { text: T("stad_" + key) }), el("ul", {}, ...th[key].map((s) => el("li", { text: s }))));
        }
        for (const c of th.charts) parts.push(el("img", { src: c.png, alt: c.title, cls: "chart" }));
        parts.push(table(th.label, th.table, autoColumns(th.table)), el("p", { cls: "note", text: th.bronnen[0] }));
      }
      parts.push(el("h3", { text: T("stad_aandachtspunten") }),
        d.aandachtspunten.length ? el("ul", {}, ...d.aandachtspunten.map((s) => el("li", { text: s }))) : el("p", { text: d.no_aandacht }),
        downloads("stad", { taal: state.taal }), downloads("stad_reeksen", { taal: state.taal }));
      box.replaceChildren(...parts);
    } catch (err) { box.replaceChildren(el("h2", { text: T("stad") }), el("p", { cls: "notice", text: err.message })); }
  }

  async function drawSources() {
    const box = document.getElementById("p-bronnen");
    try {
      const d = await get("/bronnen/tabel?taal=" + state.taal);
      box.replaceChildren(el("h2", { text: T("tab_sources") }), downloads("bronnen"), shown(T("tab_sources"), d),
        index ? el("details", {}, el("summary", { text: T("run_record") }), el("pre", { text: JSON.stringify(index.run, null, 1) })) : "");
    } catch (err) { box.replaceChildren(el("p", { cls: "notice", text: err.message })); }
  }

  function drawMapOrNote() {
    // without boundaries the ranking, change and other tabs still work; the map says why not
    const note = document.getElementById("mapnote");
    const box = document.getElementById("map");
    if (geo) { note.hidden = true; box.hidden = false; drawMap(); return; }
    box.hidden = true;
    const g = gemeenten.find((x) => x.code === state.gemeente) || {};
    note.hidden = false;
    note.textContent = T("map_needs_boundaries", { gemeente: g.naam || state.gemeente, vintage: index ? index.vintage : "" });
    document.getElementById("legend").replaceChildren();
    document.getElementById("map-title").textContent = mapTitle();
    if (index) drawBasis();
  }

  // -- tabs -----------------------------------------------------------------------------------
  function showTab(name, focus) {
    state.tab = name;
    for (const b of document.querySelectorAll("[role=tab]")) {
      const on = b.dataset.tab === name;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      document.getElementById(b.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) b.focus();
    }
    writeUrl();
    if (name === "kaart" && map && geo) map.invalidateSize();
    // body[data-tab] names the tab once it is drawn (tests and screen readers wait for it)
    const drawn = () => { document.body.dataset.tab = name + ":" + state.taal; };
    delete document.body.dataset.tab;
    const draw = { prioriteiten: drawPriorities, veerkracht: drawVeerkracht, benchmark: drawBenchmark, stad: drawStad, bronnen: drawSources }[name];
    if (draw) draw().finally(drawn); else drawn();
  }

  // -- loading ----------------------------------------------------------------------------------
  async function load(keepView) {
    showError(null);
    fillControls();
    writeUrl();
    try {
      const [idx, areas] = await Promise.all([
        get("/gemeenten/" + state.gemeente + "/index?" + params()),
        null,
      ]);
      index = idx;
      geo = null;
      try { geo = await get("/gemeenten/" + state.gemeente + "/gebieden?vintage=" + index.vintage); }
      catch (err) { if (err.status !== 404) throw err; }
      if (!keepView && map) map._bbFitted = false;
      drawMapOrNote();
      drawRanking();
      if (state.buurt) await selectBuurt(state.buurt, false);
      showTab(state.tab, false);
      document.body.dataset.ready = "1";
    } catch (err) { showError(err); document.body.dataset.ready = "1"; }
  }

  async function start() {
    readUrl();
    applyTerms();
    try {
      [gemeenten, specs] = await Promise.all([get("/gemeenten"), get("/specs")]);
    } catch (err) { showError(err); return; }
    const on = (id, key, cast, reload) => document.getElementById(id).addEventListener("change", (e) => {
      state[key] = cast ? cast(e.target.value) : e.target.value;
      if (key === "gemeente") { state.buurt = ""; state.van = null; state.jaar = null; }
      reload();
    });
    on("f-gemeente", "gemeente", null, () => load(false));
    on("f-spec", "spec", null, () => load(true));
    on("f-van", "van", Number, () => load(true));
    on("f-jaar", "jaar", Number, () => load(true));
    on("f-view", "weergave", null, () => { writeUrl(); drawMapOrNote(); });
    document.getElementById("f-buurt").addEventListener("change", (e) => selectBuurt(e.target.value, false));
    document.getElementById("f-vk").addEventListener("change", (e) => { state.vk = e.target.value; writeUrl(); drawVeerkracht(); });
    document.getElementById("controls").addEventListener("submit", (e) => e.preventDefault());
    const tabs = [...document.querySelectorAll("[role=tab]")];
    tabs.forEach((b, i) => {
      b.addEventListener("click", () => showTab(b.dataset.tab, false));
      b.addEventListener("keydown", (e) => {
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
          const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
          showTab(next.dataset.tab, true);
        }
      });
    });
    document.getElementById("lang").addEventListener("click", () => {
      state.taal = state.taal === "nl" ? "en" : "nl";
      applyTerms(); fillControls(); writeUrl();
      if (index) { drawMapOrNote(); drawRanking(); if (state.buurt) selectBuurt(state.buurt, false); showTab(state.tab, false); }
      else if (!document.getElementById("error").hidden) load(true);  // the refusal again, in this language
    });
    await load(false);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
