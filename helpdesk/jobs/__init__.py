"""Background work as jobs in the database, picked up by ``helpdesk worker`` (and in-process under
``helpdesk run``): it outlives the request that asked for it and the worker that took it.

Each area that has background work lists its kinds (``JOB_KINDS``, a list of ``JobKind``) in a module named
in ``JOB_MODULES``; ``init_app`` registers them. A module may also list ``POLLERS``: functions
``poll(app, worker_id, stop) -> int`` the worker calls between jobs (the mail outbox is one).
"""

from __future__ import annotations

import importlib

from flask import Flask

from helpdesk.jobs.queue import register_kind, register_poller

JOB_MODULES = ("helpdesk.directory.import_jobs", "helpdesk.mail.sender", "helpdesk.notify.poller")


def init_app(app: Flask) -> None:
    for module_name in JOB_MODULES:
        module = importlib.import_module(module_name)
        for kind in getattr(module, "JOB_KINDS", ()):
            register_kind(app, kind)
        for poller in getattr(module, "POLLERS", ()):
            register_poller(app, poller)
