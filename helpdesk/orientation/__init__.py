"""Orientation: from what a request says to the organisations that answer it: the needs thesaurus, and the
suggestions for a request with their reasons and warnings."""
