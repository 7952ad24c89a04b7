"""The directory area of the helpdesk."""
