"""The pages of the request domain, one module per task; ``helpdesk.followup.views`` maps them to URLs."""
