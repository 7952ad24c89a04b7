"""Orientation: from what a request says to the organisations that answer it: the needs thesaurus, and the
suggestions to propose with their reasons and warnings."""
