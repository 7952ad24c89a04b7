"""Notifications: what a user should know (a request handed to their territory, a callback due, a request
left unassigned), shown in the application and sent by e-mail immediately or in a daily digest, as each user
chooses. Found by a poller of the worker (``helpdesk notify run`` once), queued through the outbox."""
