"""Orientation: from a request to the organisations to propose, with their reasons and warnings."""
