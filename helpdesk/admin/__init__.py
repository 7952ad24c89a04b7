"""The admin area of the helpdesk."""
