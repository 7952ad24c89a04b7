"""The followup area of the helpdesk."""
