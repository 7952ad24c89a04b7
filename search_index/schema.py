"""The fields of the index: names and descriptions per language, places, and keyword fields for facets.

Names weigh more than descriptions through query-time boosts (``query.FIELD_BOOSTS``), so they can be
tuned without rebuilding. ``all_plain`` holds every folded word unstemmed: prefixes, typo correction and
"did you mean" read its vocabulary.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search_index.analysis import compound_plain_analyzer, dutch_analyzer, french_analyzer, plain_analyzer

FACETS = ("category", "public", "basin", "commune", "language")

# Fields a search can filter on besides the facets: the communes an organisation's action zones cover.
FILTERS = FACETS + ("serves",)

SCHEMA_VERSION = 2


def build_schema() -> Schema:
    fr, nl, plain, compound = french_analyzer(), dutch_analyzer(), plain_analyzer(), compound_plain_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        source_id=STORED(),
        name_fr=TEXT(analyzer=fr, stored=True, phrase=False),
        name_nl=TEXT(analyzer=nl, stored=True, phrase=False),
        acronym=TEXT(analyzer=plain, stored=True, phrase=False),
        # Alternative, former and service names (the source's acronyms go to ``acronym``).
        other_fr=TEXT(analyzer=fr, phrase=False),
        other_nl=TEXT(analyzer=nl, phrase=False),
        desc_fr=TEXT(analyzer=fr, stored=True, phrase=False),
        desc_nl=TEXT(analyzer=nl, stored=True, phrase=False),
        # Category and public labels: a short, weighty description of what the organisation does.
        tags_fr=TEXT(analyzer=fr, phrase=False),
        tags_nl=TEXT(analyzer=nl, phrase=False),
        # Commune names in both languages, postcode, street names, basin.
        place=TEXT(analyzer=plain, phrase=False),
        names_plain=TEXT(analyzer=compound, phrase=False),
        all_plain=TEXT(analyzer=compound, phrase=False),
        postcode=ID(stored=True),
        basin=ID(stored=True),
        category=KEYWORD(commas=True, stored=True),
        public=KEYWORD(commas=True, stored=True),
        commune=KEYWORD(commas=True, stored=True),
        language=KEYWORD(commas=True, stored=True),
        serves=KEYWORD(commas=True),
    )
