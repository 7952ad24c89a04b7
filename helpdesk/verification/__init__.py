"""Verification of the directory by the helpdesk: who called an organisation and confirmed its details, and
when (a history, apart from the source's own update date), and the coordinators' list of organisations to
verify, with the reasons of ``helpdesk.verification.reasons``."""
