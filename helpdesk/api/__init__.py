"""The api area of the helpdesk."""
