"""How the report names its codes: the vocabularies' labels (the same as on the request pages), in the
report's language, with the report's own words for what is not recorded and for grouped small answers."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from helpdesk.i18n import language_label
from helpdesk.vocabularies import Language, Territory, Vocabulary

NOT_RECORDED = _l("Not recorded")
OTHER_GROUPED = _l("Other answers (grouped)")
OTHER = "__other__"


def territory_label(code: str) -> str:
    return code_label(code, Territory)


def code_label(code: str, labels: type[Vocabulary] | Mapping[str, object] | None = None) -> str:
    """The label of a code (from its vocabulary, or a mapping such as the themes'), else the code made
    readable (free text recorded before a list existed); an empty code is "not recorded"."""
    if code == OTHER:
        return str(OTHER_GROUPED)
    if not code:
        return str(NOT_RECORDED)
    if isinstance(labels, type) and issubclass(labels, Vocabulary):
        if labels.has(code):
            return labels.label_of(code)
    elif labels and code in labels:
        return str(labels[code])
    return code.replace("_", " ")


def spoken_language_label(code: str, locale: str) -> str:
    """A language a request records: the vocabulary's label, else the language's name in ``locale``."""
    if Language.has(code):
        return Language.label_of(code)
    return code_label(code) if code in ("", OTHER) else language_label(code, locale)
