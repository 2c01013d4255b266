"""The runbooks pages: the list and reading view, the editors, walkthroughs."""
