"""Text analysis: accent and case folding, French and Dutch stemming, Dutch compound splitting.

Accents are folded *before* stemming, so that "medicale" and "médicale" always give the same stem whatever
the keyboard. Whoosh has no ``StemmingAnalyzer(lang=...)``: the analyzers are filter chains.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter

WORD_RE = re.compile(r"\w+", re.UNICODE)

# Small stop lists on purpose: Whoosh's own lists drop words that matter here ("sans" in sans-abri).
STOP_WORDS = frozenset(
    """
a à au aux avec d de des du en et l la le les ou par pour sur un une dans chez
de het een en van voor met op in te bij aan of naar door
the of and for
""".split()
)

# Dutch parts that compounds of the sector are made of. A compound is split when it ends with one of
# these (its head) and what comes before is a known part too, or long enough to be a word of its own.
DUTCH_PARTS = frozenset(
    """
aanbod advies alcohol ambulant ambulante arbeid arts artsen begeleiding beschut beschutte bijstand
buurt centrum centra crisis dag dak dakloos daklozen dienst diensten drug drugs eenzaamheid
familie gebruik gebruikers geestelijke gedetineerden geboorte gehandicapt gehandicapten gemeenschap
gevangenis gevangene gezin gezinnen gezondheid groep hulp hulpverlening huis huizen huisvesting
informatie integratie jeugd jongeren jongere kind kinderen kraam kraamzorg leven levenseinde
mantel medisch medische mens mensen migrant migranten moeder nacht nood onderdak ondersteuning
onthaal ontmoeting opvang ouder ouderen ouders pakket pakketten palliatief palliatieve patient
patienten preventie project psychiatrie psychiatrisch psychisch psychische recht rechten revalidatie
school senior senioren sociaal sociale steun straat thuis thuiszorg tandarts taal team tehuis tijdelijk
verblijf verpleging verslaving verzorging voedsel voedselhulp vrouw vrouwen welzijn werk wijk woning
woon wonen zieken ziekenhuis zorg zwanger zwangerschap
""".split()
)
LINKS = ("s", "en", "e", "")
MIN_PART = 3


def fold(text: str) -> str:
    """Lower case without accents: "Santé Mentale" -> "sante mentale"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return WORD_RE.findall(fold(text))


@lru_cache(maxsize=20000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a Dutch compound ("gezondheidszorg" -> ("gezondheid", "zorg")), or () if none is found.

    The head (last part) must be a known part; the rest is a known part (maybe followed by a linking
    "s", "e" or "en"), a compound itself, or an unknown word of four letters or more.
    """
    best: tuple[str, ...] = ()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head = word[cut:]
        if head not in DUTCH_PARTS:
            continue
        modifier = word[:cut]
        for link in LINKS:
            if link and not modifier.endswith(link):
                continue
            stem = modifier[: len(modifier) - len(link)] if link else modifier
            if len(stem) < MIN_PART:
                continue
            if stem in DUTCH_PARTS:
                return (stem, head)
            inner = split_compound(stem)
            if inner:
                return inner + (head,)
        if not best and len(modifier) >= 4:
            best = (head,)  # unknown modifier ("mantel"-like): the head alone still helps
    return best


class FoldFilter(Filter):
    """Case and accent folding in one step (unicode-aware, not only Latin-1)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class HyphenFilter(Filter):
    """ "week-end" gives "week", "end" and "weekend"; "télé-accueil" also "teleaccueil"."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if "-" not in text:
                yield t
                continue
            for part in text.split("-"):
                if part:
                    t.text = part
                    yield t
            t.text = text.replace("-", "")
            yield t


class DecompoundFilter(Filter):
    """Keeps each token and adds the parts of a Dutch compound after it."""

    def __call__(self, tokens):
        for t in tokens:
            yield t
            parts = split_compound(t.text) if len(t.text) >= 2 * MIN_PART else ()
            if parts:
                original = t.text
                for part in parts:
                    t.text = part
                    yield t
                t.text = original


class DutchStemNormalizeFilter(Filter):
    """Snowball's Dutch stemmer leaves "huiz" (huizen) and "briev" (brieven): map them back to huis, brief."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if len(text) > 3 and text[-1] in "zv":
                t.text = text[:-1] + ("s" if text[-1] == "z" else "f")
            yield t


def _base():
    return (
        RegexTokenizer(r"\w+(?:-\w+)*")
        | FoldFilter()
        | HyphenFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
    )


def french_analyzer():
    """Folded, French Snowball stems."""
    return _base() | StemFilter(lang="fr", cachesize=50000)


def dutch_analyzer():
    """Folded, compounds split into their parts, Dutch Snowball stems, z/v endings normalised."""
    return _base() | DecompoundFilter() | StemFilter(lang="nl", cachesize=50000) | DutchStemNormalizeFilter()


def plain_analyzer():
    """Folded words, no stemming: prefixes, typo correction and suggestions work on these."""
    return _base()


def compound_plain_analyzer():
    """Folded words plus the parts of Dutch compounds, not stemmed."""
    return _base() | DecompoundFilter()
