"""The search index library: analysis, building, updating, concurrency, ranking (no HTTP here)."""

from __future__ import annotations

import multiprocessing
import shutil
import threading

import pytest

from directory_import.models import Organisation
from search_index import IndexBusy, IndexUnavailable, SearchIndex, rebuild, search, update_organisations
from search_index.analysis import dutch_analyzer, fold, split_compound
from search_index.synonyms import SynonymTable, parse_synonym_line


# The library is tested without the Flask app (tests/fixtures/database.py).
@pytest.fixture
def session(library_session):
    return library_session


def _add(session, **fields) -> Organisation:
    fields.setdefault("source", "test")
    fields.setdefault("source_id", f"s{fields.get('name_fr') or fields.get('name_nl')}")
    org = Organisation(**fields)
    session.add(org)
    session.commit()
    return org


@pytest.fixture
def lib_index(tmp_path) -> SearchIndex:
    return SearchIndex(tmp_path / "lib-index", lock_timeout=2)


def _ids(result) -> list[int]:
    return [hit.id for hit in result.hits]


# --- analysis ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, folded",
    [
        ("Santé Mentale", "sante mentale"),
        ("ÉCOUTE", "ecoute"),
        ("Sint-Jans-Molenbeek", "sint-jans-molenbeek"),
        ("coöperatie", "cooperatie"),
    ],
)
def test_analysis_fold_removes_case_and_accents(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "word, parts",
    [
        ("gezondheidszorg", ("gezondheid", "zorg")),
        ("wijkgezondheidscentrum", ("wijk", "gezondheid", "centrum")),
        ("ziekenhuizen", ("zieken", "huizen")),
        ("thuiszorgdienst", ("thuiszorg", "dienst")),
        ("mantelzorg", ("mantel", "zorg")),
        ("buddyzorg", ("zorg",)),
        ("zorg", ()),
    ],
)
def test_analysis_split_compound_finds_dutch_parts(word, parts):
    assert split_compound(word) == parts


def test_analysis_dutch_plural_and_singular_share_a_stem():
    analyse = dutch_analyzer()
    stems = lambda text: [t.text for t in analyse(text)]  # noqa: E731
    assert stems("ziekenhuizen")[0] == stems("ziekenhuis")[0]
    assert stems("daklozen")[0] == stems("dakloos")[0]
    assert "gezond" in stems("gezondheidszorg")


def test_synonyms_parse_line_folds_and_deduplicates():
    assert parse_synonym_line("CPAS, OCMW, cpas ,  Centre Public") == [
        ("cpas",),
        ("ocmw",),
        ("centre", "public"),
    ]
    assert parse_synonym_line("# comment") == []
    table = SynonymTable.from_lines(["sdf, sans-abri, dakloos"])
    assert ("dakloos",) in table.alternatives(("sdf",))


# --- building and updating --------------------------------------------------------------------------
def test_rebuild_indexes_active_organisations_only(session, lib_index):
    kept = _add(session, name_fr="Maison médicale du Parc", postcode="1060", basin="sud")
    _add(session, name_fr="Maison médicale fermée", archived=True)
    assert rebuild(lib_index, session) == 1
    assert _ids(search(lib_index, "maison medicale")) == [kept.id]


def test_dutch_compound_typed_whole_finds_its_parts_in_different_fields(session, lib_index):
    """ "daklozenopvang" is in no record: a shelter named "Nachtopvang" whose public is "daklozen" is found."""
    shelter = _add(session, name_nl="Nachtopvang De Zwaluw", target_public_nl="Daklozen en thuislozen")
    _add(session, name_nl="Opvang voor kinderen", target_public_nl="Gezinnen")
    _add(session, name_nl="Dagcentrum", target_public_nl="Daklozen")
    rebuild(lib_index, session)
    assert _ids(search(lib_index, "daklozenopvang"))[0] == shelter.id  # then the records holding one part
    assert _ids(search(lib_index, "daklozen opvang"))[0] == shelter.id
    # A part named by a synonym: "daklozen" is "sans-abri" in a French public.
    french = _add(session, name_nl="Nachtopvang Le Phare", target_public_fr="Personnes sans-abri")
    rebuild(lib_index, session)
    assert set(_ids(search(lib_index, "daklozenopvang"))[:2]) == {shelter.id, french.id}


def test_rebuild_swaps_a_new_folder_in_and_readers_see_it(session, lib_index):
    _add(session, name_fr="Abri de nuit")
    rebuild(lib_index, session)
    first = lib_index.current_generation()
    assert search(lib_index, "abri").total == 1
    _add(session, name_fr="Abri de jour")
    rebuild(lib_index, session)
    assert lib_index.current_generation() != first
    assert search(lib_index, "abri").total == 2  # same SearchIndex object, no restart


def test_update_replaces_changed_and_removes_archived(session, lib_index):
    org = _add(session, name_fr="Service social Alpha")
    other = _add(session, name_fr="Service social Beta")
    rebuild(lib_index, session)
    org.name_fr = "Service social Gamma"
    other.archived = True
    session.commit()
    assert update_organisations(lib_index, session, [org.id, other.id]) == 2
    assert _ids(search(lib_index, "gamma")) == [org.id]
    assert search(lib_index, "alpha").total == 0
    assert search(lib_index, "beta").total == 0


def test_update_without_an_index_does_nothing(session, lib_index):
    org = _add(session, name_fr="Sans index")
    assert update_organisations(lib_index, session, [org.id]) == 0


def test_missing_index_is_unavailable(lib_index):
    with pytest.raises(IndexUnavailable):
        search(lib_index, "cpas")


@pytest.mark.slow
def test_corrupt_index_is_unavailable(session, lib_index):
    _add(session, name_fr="CPAS de Forest")
    rebuild(lib_index, session)
    folder = lib_index.generation_path()
    for path in folder.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"garbage")
    fresh = SearchIndex(lib_index.path)
    with pytest.raises(IndexUnavailable):
        search(fresh, "cpas")


def test_write_lock_is_exclusive_and_times_out(lib_index):
    other = SearchIndex(lib_index.path, lock_timeout=0.2)
    with lib_index.write_lock():
        with pytest.raises(IndexBusy):
            with other.write_lock():
                pass
    with other.write_lock():  # free again
        pass


def _update_in_process(path: str, database_url: str, ids: list[int], rounds: int, errors) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(database_url)
    index = SearchIndex(path, lock_timeout=30)
    try:
        with Session(engine) as session:
            for _ in range(rounds):
                update_organisations(index, session, ids)
    except Exception as error:  # reported to the parent
        errors.put(repr(error))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_writers_in_several_processes_take_turns(session, lib_index, database_url):
    orgs = [_add(session, name_fr=f"Centre {i}", source_id=f"p{i}") for i in range(6)]
    rebuild(lib_index, session)
    errors = multiprocessing.get_context("spawn").Queue()
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(
            target=_update_in_process,
            args=(str(lib_index.path), database_url, [o.id for o in orgs[i::2]], 5, errors),
        )
        for i in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert errors.empty()
    assert search(lib_index, "centre").total == 6


@pytest.mark.slow
def test_reads_during_commits_never_fail(session, lib_index):
    """Searches running while another thread commits updates (segments merged and deleted) and swaps
    whole generations must all answer: counted, and none may fail."""
    orgs = [_add(session, name_fr=f"Maison médicale {i}", source_id=f"r{i}") for i in range(40)]
    rebuild(lib_index, session)
    stop = threading.Event()
    failures: list[str] = []
    answered = [0]

    def reader() -> None:
        index = SearchIndex(lib_index.path)  # its own searchers, as another worker process would have
        while not stop.is_set():
            try:
                result = search(index, "maison medicale")
                assert result.total >= 39
                answered[0] += 1
            except Exception as error:  # noqa: BLE001 - counted, asserted below
                failures.append(repr(error))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(30):
            org = orgs[round_ % len(orgs)]
            org.description_fr = f"révision {round_}"
            session.commit()
            update_organisations(lib_index, session, [org.id])
            if round_ % 10 == 9:
                rebuild(lib_index, session)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    print(
        f"\nconcurrent reads answered during 30 commits and 3 swaps: {answered[0]}, failed: {len(failures)}"
    )
    assert failures == []
    assert answered[0] > 0


def test_a_generation_dropped_while_a_reader_opens_it_is_retried(session, lib_index):
    """The race seen once in CI: a reader has read a generation's table of contents when rebuilds elsewhere
    drop that generation, so its segment files are gone when the reader opens them. The reader must read
    CURRENT again and answer from the live generation, not fail the search."""
    _add(session, name_fr="Maison d'accueil")
    rebuild(lib_index, session)

    class RacedIndex(SearchIndex):
        races = 0

        def open_whoosh(self, name=None):
            ix = super().open_whoosh(name)
            if not self.races:  # between the table of contents and the segments: two swaps drop it
                self.races += 1
                rebuild(lib_index, session)
                rebuild(lib_index, session)
                assert not (lib_index.path / ix.storage.folder).exists()
            return ix

    reader = RacedIndex(lib_index.path)
    assert search(reader, "accueil").total == 1
    assert reader.races == 1


def test_a_vanished_generation_reopens_the_live_one(session, lib_index):
    _add(session, name_fr="Planning familial")
    rebuild(lib_index, session)
    assert search(lib_index, "planning").total == 1
    old = lib_index.generation_path()
    rebuild(lib_index, session)
    rebuild(lib_index, session)  # the first generation is now deleted
    assert not old.exists()
    assert search(lib_index, "planning").total == 1


# --- ranking and results ----------------------------------------------------------------------------
def test_search_name_match_beats_description_match(session, lib_index):
    in_description = _add(session, name_fr="Centre Alpha", description_fr="Aide alimentaire et colis")
    in_name = _add(session, name_fr="Aide alimentaire Beta", description_fr="Distribution le mardi")
    rebuild(lib_index, session)
    assert _ids(search(lib_index, "aide alimentaire")) == [in_name.id, in_description.id]


def test_search_exact_beats_fuzzy(session, lib_index):
    exact = _add(session, name_fr="Maison Horizon")
    near = _add(session, name_fr="Maison Horizan")
    rebuild(lib_index, session)
    result = search(lib_index, "horizon")
    assert _ids(result)[0] == exact.id
    typo = search(lib_index, "horizonn")
    assert exact.id in _ids(typo) and near.id in _ids(typo)
    assert typo.suggestion == "horizon"


def test_search_territory_raises_nearby_but_never_hides_a_better_one(session, lib_index):
    elsewhere = _add(session, name_fr="Service de santé mentale Le Chêne", postcode="1030", basin="nord-est")
    nearby_weaker = _add(
        session,
        name_fr="Centre Le Chêne",
        description_fr="Un service de santé mentale",
        postcode="1060",
        basin="sud",
    )
    nearby_equal = _add(
        session, name_fr="Service de santé mentale Le Chêne", postcode="1190", basin="sud", source_id="equal"
    )
    rebuild(lib_index, session)
    ranked = _ids(search(lib_index, "service de santé mentale le chêne", territory="sud"))
    assert ranked[0] == nearby_equal.id  # an equal match nearby comes first
    assert ranked.index(elsewhere.id) < ranked.index(nearby_weaker.id)  # a better one elsewhere stays above
    assert set(ranked) == {elsewhere.id, nearby_weaker.id, nearby_equal.id}


def test_search_prefix_matches_the_word_being_typed(session, lib_index):
    org = _add(session, name_nl="Straatverplegers Brussel")
    rebuild(lib_index, session)
    assert _ids(search(lib_index, "straatverpl")) == [org.id]
    assert search(lib_index, "straatverpl ").total == 0  # the word is finished: no prefix any more


def test_search_synonyms_cross_languages(session, lib_index):
    french_only = _add(session, name_fr="Abri de nuit", description_fr="Pour les personnes sans-abri")
    dutch_only = _add(session, name_nl="Wijkgezondheidscentrum De Brug")
    rebuild(lib_index, session)
    assert _ids(search(lib_index, "daklozen")) == [french_only.id]
    assert _ids(search(lib_index, "maison médicale")) == [dutch_only.id]


def test_search_admin_synonyms_apply_without_rebuild(session, lib_index):
    org = _add(session, name_nl="Centrum Algemeen Welzijnswerk Zuid")
    rebuild(lib_index, session)
    assert search(lib_index, "centre d'action sociale globale").total == 0
    found = search(
        lib_index,
        "centre d'action sociale globale",
        synonyms=["centre d'action sociale globale, welzijnswerk"],
    )
    assert _ids(found) == [org.id]


def test_search_facets_count_and_filters_narrow(session, lib_index):
    cat = [{"code": "mm", "label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"}]
    a = _add(
        session, name_fr="Maison médicale A", categories=cat, languages=["fr"], postcode="1060", basin="sud"
    )
    _add(
        session,
        name_fr="Maison médicale B",
        categories=cat,
        languages=["fr", "nl"],
        postcode="1030",
        basin="nord-est",
    )
    rebuild(lib_index, session)
    result = search(lib_index, "maison medicale")
    basins = {f.value: f.count for f in result.facets["basin"]}
    assert basins == {"sud": 1, "nord-est": 1}
    assert {f.value: f.count for f in result.facets["language"]} == {"fr": 2, "nl": 1}
    category = result.facets["category"][0]
    assert (category.value, category.count, category.label("nl")) == ("mm", 2, "Wijkgezondheidscentrum")
    assert {f.value for f in result.facets["commune"]} == {"saint-gilles", "schaerbeek"}
    assert _ids(search(lib_index, "maison medicale", {"basin": ["sud"]})) == [a.id]
    assert search(lib_index, "maison medicale", {"language": ["nl"]}).total == 1
    # A chosen facet keeps counting its other values, narrowed by the other chosen facets only; the
    # facets not chosen count the filtered results.
    chosen = search(lib_index, "maison medicale", {"basin": ["sud"]}).facets
    assert {f.value: f.count for f in chosen["basin"]} == {"sud": 1, "nord-est": 1}
    assert {f.value: f.count for f in chosen["language"]} == {"fr": 1}
    both = search(lib_index, "maison medicale", {"basin": ["sud"], "language": ["nl"]})
    assert both.total == 0
    assert {f.value: f.count for f in both.facets["basin"]} == {"nord-est": 1}  # the Dutch-speaking one
    assert {f.value: f.count for f in both.facets["language"]} == {"fr": 1}  # what Sud offers
    with pytest.raises(ValueError):
        search(lib_index, "x", {"colour": ["red"]})


def test_search_highlights_are_escaped(session, lib_index):
    _add(session, name_fr="<script>alert(1)</script> Maison médicale", description_fr="<b>médicale</b>")
    rebuild(lib_index, session)
    hit = search(lib_index, "medicale").hits[0]
    html = hit.highlights["name_fr"].html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>médicale</mark>" in html


def test_search_without_highlights_gives_the_same_hits_bare(session, lib_index):
    _add(session, name_fr="Maison médicale du Midi", description_fr="Médecine générale")
    rebuild(lib_index, session)
    full, bare = search(lib_index, "medicale"), search(lib_index, "medicale", highlights=False)
    assert [(h.id, h.score) for h in bare.hits] == [(h.id, h.score) for h in full.hits]
    assert full.hits[0].highlights and bare.hits[0].highlights == {}


def test_search_pages_do_not_overlap(session, lib_index):
    for i in range(25):
        _add(session, name_fr=f"Épicerie sociale {i}", source_id=f"e{i}")
    rebuild(lib_index, session)
    pages = [search(lib_index, "epicerie sociale", limit=10, page=p) for p in (1, 2, 3)]
    ids = [i for page in pages for i in _ids(page)]
    assert len(ids) == len(set(ids)) == 25
    assert pages[0].pages == 3


def test_search_empty_text_lists_the_filtered_directory(session, lib_index):
    _add(session, name_fr="A", basin="sud", postcode="1060")
    _add(session, name_fr="B", basin="nord", postcode="1090")
    rebuild(lib_index, session)
    assert search(lib_index, "").total == 2
    assert search(lib_index, "", {"basin": ["nord"]}).total == 1


def test_rebuild_after_folder_removed(session, lib_index):
    _add(session, name_fr="Télé-Accueil")
    rebuild(lib_index, session)
    shutil.rmtree(lib_index.generation_path())
    with pytest.raises(IndexUnavailable):
        search(SearchIndex(lib_index.path), "accueil")
    rebuild(lib_index, session)
    assert search(lib_index, "teleaccueil").total == 1
