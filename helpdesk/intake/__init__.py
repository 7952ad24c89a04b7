"""The intake area of the helpdesk."""
