"""The reports area of the helpdesk."""
