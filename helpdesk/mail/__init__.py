"""Mail: messages built from templates, queued in the outbox table in the transaction of what causes them,
and sent by the worker (``helpdesk worker``, ``helpdesk mail send``) once each, with retries."""
