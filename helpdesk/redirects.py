"""Where a form may send the user back to (``?next=``): shared by sign-in, the language switch and notes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login would help phishing. A control character would break
    the Location header (a 500), a backslash reads as a slash to browsers (``/\\evil``): home instead."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.home")
