"""The support model's pages, one module per part: the matrix (and its gaps),
components and tiers, teams, the escalation paths, "Who do I call?" and the CSV import."""
