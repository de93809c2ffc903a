"""Analyses on index results and store data: change and polarisation, prioritisation,
veerkracht. Every function takes tables and returns tidy tables."""
