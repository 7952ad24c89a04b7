"""Background work as jobs in the database, picked up by ``helpdesk worker`` (and in-process under
``helpdesk run``): it outlives the request that asked for it and the worker that took it.

Each area that has background work lists its kinds (``JOB_KINDS``, a list of ``JobKind``) in a module named
in ``JOB_MODULES``; ``init_app`` registers them.
"""

from __future__ import annotations

import importlib

from flask import Flask

from helpdesk.jobs.queue import register_kind

JOB_MODULES = ("helpdesk.directory.import_jobs",)


def init_app(app: Flask) -> None:
    for module_name in JOB_MODULES:
        for kind in importlib.import_module(module_name).JOB_KINDS:
            register_kind(app, kind)
