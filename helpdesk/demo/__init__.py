"""Demo data for a first look: the demo accounts' year of invented activity (``helpdesk demo seed``)."""
