"""Finding organisations from the helpdesk: the directory pages, the API, the CLI, lead search, autocomplete.

This is the seam between the helpdesk and the search index: callers use ``search_directory`` and
``find_organisations`` and never import ``search_index`` themselves. The index folder comes from
``SEARCH_INDEX_DIR``; it is built when missing (in the background, the app answering with plain SQL
meanwhile), kept current by the ``directory_changed`` signal, and rebuilt when found damaged.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation
from helpdesk.db import read_session, reader_session
from helpdesk.directory.models import SearchSynonym
from helpdesk.directory.signals import directory_changed
from helpdesk.folding import folded, like_pattern
from helpdesk.orientation.needs import needs_thesaurus
from search_index import (
    DEFAULT_SYNONYMS,
    CatchUpTooLarge,
    IndexBusy,
    IndexUnavailable,
    SearchHit,
    SearchIndex,
    SearchResult,
    catch_up,
    parse_synonym_line,
    rebuild,
    search,
    update_organisations,
)

logger = logging.getLogger(__name__)

EXTENSION = "search_index"
FACET_NAMES = ("category", "public", "basin", "commune", "language")


class _State:
    """Per-app search state: the index and the background rebuild, if one runs."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.rebuilding: threading.Thread | None = None
        self.lock = threading.Lock()
        self.caught_up_at = float("-inf")  # time.monotonic() of the last catch-up


def init_app(app: Flask) -> None:
    state = _State(SearchIndex(app.config["SEARCH_INDEX_DIR"]))
    app.extensions[EXTENSION] = state

    def on_directory_changed(sender, **extra) -> None:
        # Only for this app: sent by it, or from inside its context (a process may hold several apps,
        # as tests do, and an app's engine may already be disposed).
        mine = sender is app or (has_app_context() and current_app._get_current_object() is app)
        if mine:
            apply_changes(app, extra.get("organisation_ids") or ())

    # Held by the app so that the (weak) connection lives exactly as long as the app.
    app.extensions["search_index_receiver"] = on_directory_changed
    directory_changed.connect(on_directory_changed)


def _state(app: Flask | None = None) -> _State:
    return (app or current_app).extensions[EXTENSION]


def search_index(app: Flask | None = None) -> SearchIndex:
    return _state(app).index


def apply_changes(app: Flask, organisation_ids: Iterable[int]) -> int:
    """Re-index the given organisations from committed data. Never raises into the sender: an index
    that cannot be written is rebuilt later, the database stays the truth."""
    ids = list(organisation_ids)
    if not ids:
        return 0
    try:
        # A session of its own that only reads: on SQLite the request's session would begin a transaction
        # holding the write lock for as long as the index takes to write.
        with read_session(app) as session:
            return update_organisations(search_index(app), session, ids)
    except (IndexBusy, IndexUnavailable) as error:
        logger.warning("search index: %d changes not applied (%s); rebuilding", len(ids), error)
        _rebuild_quietly(app, str(error))
        return 0
    except Exception:
        logger.exception("search index: update of %d organisations failed; rebuilding", len(ids))
        _rebuild_quietly(app, "update failed")
        return 0


def _rebuild_quietly(app: Flask, reason: str) -> None:
    # A rebuild in this thread (a command, a job) may find another process rebuilding: that one will do.
    try:
        schedule_rebuild(app, reason=reason)
    except (IndexBusy, IndexUnavailable) as error:
        logger.warning("search index: rebuild left to the other writer (%s)", error)


def catch_up_index(app: Flask, session: Session, *, force: bool = False) -> int:
    """Re-index what changed in the database since this machine's index last looked, at most every
    ``SEARCH_CATCH_UP_SECONDS`` (unless ``force``). Never fails a search: a busy or broken index is left
    to the search itself (which rebuilds a broken one)."""
    state = _state(app)
    interval = float(app.config["SEARCH_CATCH_UP_SECONDS"])
    now = time.monotonic()
    if not force and now - state.caught_up_at < interval:
        return 0
    state.caught_up_at = now
    try:
        # A search does not wait for a writer (a rebuild may hold the lock for minutes): next time, then.
        # Nor does it re-index a whole import: past a few thousand rows a background rebuild is quicker.
        most = None if force else int(app.config["SEARCH_CATCH_UP_MAX_IN_SEARCH"])
        return catch_up(state.index, session, lock_timeout=None if force else 0.0, max_changes=most)
    except CatchUpTooLarge as error:
        schedule_rebuild(app, reason=str(error))
    except (IndexBusy, IndexUnavailable) as error:
        logger.info("search index: catch-up skipped (%s)", error)
    except Exception:
        logger.exception("search index: catch-up failed")
    return 0


def rebuild_index(app: Flask, progress=None) -> int:
    """Build the index from the committed database now, in this thread. It reads for as long as the
    directory takes (minutes at 50,000), so it reads in a session of its own that holds no write lock."""
    session = reader_session(app)
    try:
        return rebuild(search_index(app), session, progress=progress)
    finally:
        session.close()


def schedule_rebuild(app: Flask, *, reason: str) -> threading.Thread | None:
    """Rebuild in a background thread while pages keep answering; in this thread for a command (or
    when SEARCH_REBUILD_IN_BACKGROUND is off, as in tests). One at a time per process."""
    state = _state(app)
    with state.lock:
        if state.rebuilding is not None and state.rebuilding.is_alive():
            return state.rebuilding
        logger.warning("search index at %s: %s; rebuilding it from the database", state.index.path, reason)
        configured = app.config["SEARCH_REBUILD_IN_BACKGROUND"]
        in_background = not app.testing if configured is None else bool(configured)
        if not in_background or not has_request_context():  # a command waits for it, a page does not
            rebuild_index(app)
            return None

        def work() -> None:
            try:
                count = rebuild_index(app)
                logger.info("search index: background rebuild done, %d organisations", count)
            except IndexBusy as error:
                # Another process (a second worker that met the same damage, or a command) is rebuilding:
                # its generation is the one searches will open next. Not a failure.
                logger.info("search index: rebuild left to the other writer (%s)", error)
            except Exception:
                logger.exception("search index: background rebuild failed")

        state.rebuilding = threading.Thread(target=work, name="search-index-rebuild", daemon=True)
        state.rebuilding.start()
        return state.rebuilding


def synonym_lines(session: Session) -> tuple[str, ...]:
    """The synonym groups an admin added (the shipped ones are always included by ``search_index``)."""
    return tuple(session.scalars(select(SearchSynonym.terms).order_by(SearchSynonym.id)))


def search_directory(
    session: Session,
    text: str,
    filters: Mapping[str, Iterable[str]] | None = None,
    *,
    limit: int = 10,
    page: int = 1,
    territory: str | None = None,
    with_facets: bool = True,
    needs: bool = True,
    highlights: bool = True,
    order: Callable[[int], float] | None = None,
) -> SearchResult:
    """Ranked search of active organisations; plain SQL (``degraded``) while the index is unavailable.

    With ``needs`` (the default) the text is also read through the needs thesaurus: the organisations that
    answer a need it names come after those whose record holds the words (``hit.via_needs`` names the
    needs; ``result.needs`` lists what the text was understood as). ``highlights=False``: hits without
    snippets, for callers that do not show them. ``order``: every match sorted by this key of its id (the
    "near" sort's distance), relevance breaking ties; ignored by the plain SQL fallback."""
    app = current_app._get_current_object()
    state = _state(app)
    if state.rebuilding is None or not state.rebuilding.is_alive():
        catch_up_index(app, session)
        thesaurus = needs_thesaurus(session) if needs and text.strip() else None
        run = functools.partial(
            search,
            state.index,
            text,
            filters,
            limit,
            page,
            synonyms=synonym_lines(session),
            territory=territory,
            with_facets=with_facets,
            needs=thesaurus,
            highlights=highlights,
            order=order,
        )
        try:
            return run()
        except IndexUnavailable as error:
            if schedule_rebuild(app, reason=str(error)) is None:  # rebuilt already, in this thread
                return run()
    return sql_search(session, text, filters, limit=limit, page=page)


SQL_FALLBACK_COLUMNS = (
    Organisation.name_fr,
    Organisation.name_nl,
    Organisation.acronym,
    Organisation.description_fr,
    Organisation.description_nl,
    Organisation.activities_fr,
    Organisation.activities_nl,
    Organisation.commune_fr,
    Organisation.commune_nl,
)


def sql_search(
    session: Session,
    text: str,
    filters: Mapping[str, Iterable[str]] | None = None,
    *,
    limit: int = 10,
    page: int = 1,
) -> SearchResult:
    """The fallback: every word in a name, acronym, description or commune, ignoring case and accents
    ("sante" finds "Santé"), or a postcode; no ranking, no typo tolerance."""
    stmt = select(Organisation).where(Organisation.archived.is_(False))
    for word in [w for w in text.split() if w][:5]:
        pattern = like_pattern(word)
        stmt = stmt.where(
            or_(
                *(folded(column).like(pattern, escape="\\") for column in SQL_FALLBACK_COLUMNS),
                Organisation.postcode == word,
            )
        )
    basins = [b for b in (filters or {}).get("basin", ()) if b]
    if basins:
        stmt = stmt.where(Organisation.basin.in_(basins))
    rows = list(
        session.scalars(
            stmt.order_by(Organisation.name_fr, Organisation.id).offset((page - 1) * limit).limit(limit + 1)
        )
    )
    hits = [
        SearchHit(o.id, 0.0, o.source, o.source_id, o.name_fr, o.name_nl, o.acronym, o.postcode, o.basin)
        for o in rows[:limit]
    ]
    total = (page - 1) * limit + len(rows)
    return SearchResult(hits, total, {}, None, page, limit, degraded=True)


def find_organisations(session: Session, text: str, *, limit: int = 10) -> list[Organisation]:
    """Active organisations for ``text``, best first: the ranked, typo-tolerant index search
    (plain SQL matching while the index is unavailable)."""
    if not text.strip():
        return []
    result = search_directory(session, text, limit=limit, with_facets=False)
    ids = [hit.id for hit in result.hits]
    if not ids:
        return []
    found = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    return [found[i] for i in ids if i in found and not found[i].archived]


def validate_synonym_line(line: str) -> bool:
    """A usable group names two different words or phrases at least."""
    return len(parse_synonym_line(line)) >= 2


SHIPPED_SYNONYMS = DEFAULT_SYNONYMS
