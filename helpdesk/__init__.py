"""The helpdesk web application. ``create_app`` is the only place that wires it together."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _load_secret_key(app: Flask) -> None:
    """Use the configured secret, else one generated once and kept in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("HELPDESK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object("config")
    app.config.from_prefixed_env("HELPDESK", loads=_loads)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_secret_key(app)
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    if not index_dir.is_absolute():
        app.config["SEARCH_INDEX_DIR"] = str(Path(app.instance_path) / index_dir)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from helpdesk import db, errors, i18n, security
    from helpdesk.forms import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: ids past the columns' range are 404
    from helpdesk.auth import login as auth_login

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    auth_login.init_app(app)
    errors.init_app(app)

    from helpdesk import jobs

    jobs.init_app(app)

    from helpdesk.directory import search as directory_search

    directory_search.init_app(app)

    from helpdesk.reports import cache as report_cache

    report_cache.init_app(app)

    from helpdesk import templating
    from helpdesk.blueprints import register_blueprints

    register_blueprints(app)
    templating.init_app(app)

    from helpdesk.cli import register_commands

    register_commands(app)
    return app


def _loads(value: str) -> Any:
    """Environment values: JSON when they parse as JSON (numbers, booleans, lists), else the string."""
    try:
        return json.loads(value)
    except ValueError:
        return value
