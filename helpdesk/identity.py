"""Spotting what identifies a beneficiary in free text that other territories read (the request's question,
notes on leads, handovers, advice, unmet needs, feedback, comments, reasons, notes on organisations).

Two levels. What identifies a person for certain is refused: a national register or BIS number with a valid
checksum, a date of birth. What only looks like it, or may be a service's or a professional's, is a warning
the operator confirms or edits: a number shaped like a national number with a wrong checksum, an old full
date, a civil title followed by a name, a personal e-mail address, a mobile phone number or one introduced
as the person's. A landline, a toll-free number or a generic address (``info@``) is taken as a service's.
``docs/_incoming/guard.md`` states the rules and the measured precision and recall.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers

from helpdesk.folding import fold_text

# Refused whatever the operator confirms: nothing in this product needs them.
REFUSED_KINDS = ("national_number", "bis_number", "birth_date")
# Warnings: saved once the operator confirms the text identifies nobody.
SUSPECTED_KINDS = ("national_number_like", "birth_date_like", "civil_name", "email", "phone")
KINDS = REFUSED_KINDS + SUSPECTED_KINDS

_SEP = r"[ .\-/]?"
# YY MM DD SSS CC, with or without the usual separators (85.07.30-033.28, 850730 033 28, 85073003328).
_NATIONAL_NUMBER = re.compile(
    rf"(?<!\d)(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{3}}){_SEP}(\d{{2}})(?!\d)"
)
_NATIONAL_NUMBER_WORDS = re.compile(
    r"(?i)(?<![\w])(?:n(?:um[ée]ro|°|r)?\.?\s*(?:de\s+)?(?:registre\s+)?national|registre\s+national|"
    r"rijksregister(?:nummer)?|identificatienummer|insz|niss|nrn|rrn|nn|rn|ssin|"
    r"(?:num[ée]ro|n°)\s*bis|bis[\s-]?nummer)(?![\w])"
)
# After such a word, a run of digits (a partial or mistyped number) looks like one.
_DIGITS_AFTER = re.compile(r"^[^\d.;!?\n]{0,25}?(\d[\d .\-/]{4,20}\d)")

_MONTHS = (
    r"janv(?:ier|\.)?|f[ée]vr(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|ao[uû]t|sept(?:embre|\.)?|"
    r"oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?|"
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"jan\.?|feb\.?|febr\.?|mrt\.?|apr\.?|jun\.?|jul\.?|aug\.?|sep\.?|okt\.?|dec\.?|"
    r"january|february|march|june|july|august|october"
)
_DAY = r"(?:[0-2]?\d|3[01])"
_YEAR = r"(?:19|20)\d{2}"
_NUMERIC_DATE = rf"(?<!\d){_DAY}\s?[/.\-]\s?(?:0?\d|1[0-2])\s?[/.\-]\s?(?:{_YEAR}|\d{{2}})(?![\d/])"
_NAMED_DATE = rf"(?<!\d)(?:{_DAY}|1er|1ste|1e)\s+(?:{_MONTHS})(?:\s+{_YEAR})?(?![\w])"
_ISO_DATE = rf"(?<!\d){_YEAR}-(?:0\d|1[0-2])-(?:[0-2]\d|3[01])(?!\d)"
_DATE = re.compile(rf"(?i){_NUMERIC_DATE}|{_NAMED_DATE}|{_ISO_DATE}")
# A word saying "born" or "date of birth"; the date may follow a few words later ("née à Tanger le ...").
_BIRTH_WORDS = re.compile(
    r"(?i)(?<![\w])(?:né(?:e|\(e\))?s?|date\s+de\s+naissance|naissance|d\.?d\.?n\.?|"
    r"geboren|geb\.|geboortedatum|geboortedag|geboorte|born|date\s+of\s+birth|d\.?o\.?b\.?)(?![\w])|°"
)
_BIRTH_WINDOW = 45
# "naissance prévue le 3 mars", "geboorte verwacht op": a birth to come is nobody's date of birth yet.
_EXPECTED = re.compile(r"(?i)pr[ée]vue?s?|attendue?s?|verwacht|voorzien|gepland|expected|due\b")
# A full date with an old year, without a word: perhaps a date of birth.
_OLD_DATE = re.compile(
    rf"(?i)(?<!\d)(?:{_DAY}\s?[/.\-]\s?(?:0?\d|1[0-2])\s?[/.\-]\s?((?:19|20)\d{{2}})|"
    rf"(?:{_DAY}|1er)\s+(?:{_MONTHS})\s+((?:19|20)\d{{2}}))(?![\d/])"
)
_OLD_YEAR_BEFORE = 2012

# A civil title, then one or more capitalised names ("Monsieur Mohamed El Amrani", "mevrouw De Smet").
_TITLE = (
    r"(?<![\w.])(?i:monsieur|madame|mademoiselle|mevrouw|meneer|mijnheer|juffrouw|de\s+heer|"
    r"mme|mlle|mevr|dhr|mw|mr|mrs|ms|m)\.?"
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}]?[{_LOWER}]+)*|[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})?)"
)
_PARTICLE = r"(?:el|al|ben|bel|bou|abou|abu|ait|aït|ibn|de|den|der|van|von|le|la|du|des|di|da|dos|ter|ten|vanden|vander|d'|l')"
_CIVIL_NAME = re.compile(
    rf"{_TITLE}(?:(?<=\.)[ \u00a0]*|[ \u00a0]+)((?:(?i:{_PARTICLE})[ \u00a0]?)?{_NAME_WORD}"
    rf"(?:[ \u00a0-]+(?:(?i:{_PARTICLE})[ \u00a0]?)?{_NAME_WORD}){{0,3}})"
)
# "s'appelle Karim", "nom : Dupont", "heet Ilse": a name said without a title.
_NAMED = re.compile(
    rf"(?<![\w])(?i:s'appelle|s’appelle|nomm[ée]e?|pr[ée]nomm[ée]e?|(?:pr[ée])?nom(?:\s+de\s+famille)?\s*:|"
    rf"heet|genaamd|(?:voor|familie|achter)?naam\s*:|named|name\s*:)[ \u00a0]+({_NAME_WORD})"
)
# Words that follow a title without being a name: a function, a pronoun, the start of a sentence.
_NOT_NAMES = set(
    """le la les l' un une il elle est a et ne se sa son ses sera était etait vient veut doit peut souhaite
    hij zij ze is heeft en een wil moet kan komt zal was wordt de het
    directeur directrice ministre bourgmestre échevin échevine echevin echevine président présidente
    president presidente juge docteur maître maitre professeur burgemeester minister schepen voorzitter
    dokter rechter meester notaris advocaat avocat avocate x y z""".split()
)
# A professional's name: the function or the service follows ("Mme Janssens, assistante sociale").
_PROFESSIONAL_AFTER = re.compile(
    r"^[\s,(–-]{0,4}(?:(?:est|is)\s+)?(?:l'|la\s+|le\s+|de\s+|het\s+|onze\s+|notre\s+)?(?:"
    r"assistante?s?\s+social|as\b|a\.s\.|travailleu(?:r|se)|educat(?:eur|rice)|médecin|medecin|infirmi|"
    r"coordinat|coördinat|coordinat|directeur|directrice|responsable|psycholog|juriste|avocat|conseill|"
    r"médiat|mediat|accueillant|référent|referent|permanenci|secrétaire|secretaire|"
    r"maatschappelijk|mw\b|sociaal\s+assistent|arts\b|verpleeg|verantwoordelijk|opvoeder|jurist|advocaat|"
    r"consulent|begeleid|onthaal|medewerk|hulpverlen|straathoekwerk|teamverantwoordelijke|"
    r"du\s+(?:cpas|service|centre|planning|caw|sasb|samusocial)|de\s+l'(?:accueil|asbl|équipe|equipe)|"
    r"de\s+la\s+(?:maison|permanence|mutuelle|mission)|à\s+l'accueil|a\s+l'accueil|au\s+(?:cpas|service|guichet|secrétariat)|"
    r"van\s+(?:het|de)\s+(?:ocmw|caw|dienst|onthaal|centrum|team|vzw|wijkgezondheidscentrum)|aan\s+het\s+onthaal|op\s+het\s+(?:secretariaat|onthaal)|bij\s+(?:het|de)\s+)",
    re.IGNORECASE,
)
_PROFESSIONAL_BEFORE = re.compile(
    r"(?:contact|contactpersoon|personne\s+de\s+contact|interlocut(?:eur|rice)|référente?|referente?|"
    r"demander|vragen\s+naar|voir\s+avec|s'adresser\s+à|s'adresser\s+a|zich\s+wenden\s+tot|"
    r"l'as|l'assistante?\s+sociale?|de\s+maatschappelijk\s+werk(?:er|ster)|coordinat(?:eur|rice)|"
    r"directeur|directrice|responsable|verantwoordelijke|collègue|collegue|collega|dr\.?|docteur|dokter)"
    r"[\s:,]*(?:\(?[\w.]+\)?\s+)?$",
    re.IGNORECASE,
)

_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?)@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
)
_GENERIC_MAILBOXES = re.compile(
    r"(?i)^(?:.*[._-])?(?:info|infos|contact|accueil|secretariat|secretariaat|admin|administration|onthaal|"
    r"permanence|permanentie|social|sociaal|service|dienst|bureau|direction|directie|hello|bonjour|"
    r"inscriptions?|inschrijvingen?|aide|hulp|help|helpdesk|support|reception|centre|centrum|noreply|"
    r"no-reply|mail|post|office|team|equipe|coordination|coordinatie|planning|rdv|afspraak|afspraken|"
    r"urgence|urgences|spoed|intake|aanmelding|aanmeldingen|medical|medisch|juridique|juridisch|"
    r"logement|wonen|emploi|werk|cpas|ocmw|caw|asbl|vzw|antenne|guichet|loket|vragen|questions|"
    r"dispatching|orientation|orientatie)(?:[._-].*)?$"
)
_PERSONAL_MAIL_DOMAINS = re.compile(
    r"(?i)(?:^|\.)(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|icloud|me|skynet|telenet|"
    r"proximus|voo|scarlet|base|mail|gmx|web|laposte|orange|free|aol|protonmail|proton)\.[a-z.]+$"
)

# Before a phone number: it is the person's.
_PERSONAL_PHONE_CUE = re.compile(
    r"(?:\b(?:son|sa|ses|leur|zijn|haar|hun|z'n|d'r)\s+(?:propre\s+|eigen\s+)?(?:num[eé]ro|n°|gsm|portable|"
    r"t[eé]l[eé]phone|t[eé]l|nummer|telefoon(?:nummer)?|mobiel|mobile)|"
    r"(?:la|le|l')\s*(?:joindre|rappeler|appeler)|appelle[rz]?-(?:la|le)|rappele[rz]?-(?:la|le)|"
    r"(?:la|le|du|de la)\s+(?:b[eé]n[eé]ficiaire|personne|patient|patiente|jeune|dame|monsieur|maman|"
    r"papa|m[eè]re|p[eè]re|fille|fils|locataire|usager|usag[eè]re)|madame|monsieur|mevrouw|meneer|"
    r"(?:de|het)\s+(?:cli[eë]nt|clie?nte|persoon|pati[eë]nt|jongere|vrouw|man|mama|papa|moeder|vader|"
    r"dochter|zoon|huurder|gebruiker)|bel\s+(?:haar|hem)|hem\s+bellen|haar\s+bellen|priv[eé])"
)
# Before a phone number: it is a service's.
_SERVICE_PHONE_CUE = re.compile(
    r"(?:permanence|permanentie|accueil|secr[eé]tariat|secretariaat|service|dienst|standard|centrale|"
    r"ligne|lijn|num[eé]ro\s+(?:vert|gratuit|g[eé]n[eé]ral|unique)|helpdesk|hotline|asbl|vzw|cpas|ocmw|caw|"
    r"onthaal|centrum|centre|maison|huis|antenne|bureau|kantoor|guichet|loket|urgence|spoed|"
    r"\bas\b|assistante?\s+social|travailleu|[eé]ducat|maatschappelijk|opvoeder|straathoek|"
    r"coordinat|co[oö]rdinat|responsable|verantwoordelijke|m[eé]decin|dokter|huisarts|infirmi|verpleeg|"
    r"mutuelle|mutualit[eé]|ziekenfonds|h[oô]pital|ziekenhuis|planning|commissariat|politie|police|"
    r"gsm\s+(?:de\s+(?:l'|la\s+|le\s+)?|van\s+(?:de|het)\s+)(?:service|dienst|[eé]quipe|team|permanence|"
    r"travailleu|[eé]ducat|as\b|assistante?|maatschappelijk|straathoek|coordinat|responsable))"
)
_CUE_WINDOW = 60
_ENTERPRISE_NUMBER = re.compile(r"[01]\d{3}\.\d{3}\.\d{3}")


@dataclass(frozen=True)
class Finding:
    """One identity-like piece of a text: its kind and where it is (``start``, ``end`` in the text)."""

    kind: str
    start: int
    end: int

    @property
    def refused(self) -> bool:
        return self.kind in REFUSED_KINDS


class IdentityFound(Exception):
    """Texts that identify someone: ``fields`` maps each field to its kinds (in ``KINDS`` order).

    ``refused`` when one of them cannot be saved even confirmed."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("identity")
        self.fields = fields

    @property
    def refused(self) -> bool:
        return any(kind in REFUSED_KINDS for kinds in self.fields.values() for kind in kinds)


def is_national_number(digits: str) -> bool:
    """True when 11 digits pass the checksum of the Belgian national register (born before or after 2000)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return 97 - body % 97 == check or 97 - (2_000_000_000 + body) % 97 == check


def _plausible_birth(month: int, day: int) -> bool:
    """Month 0 (unknown), 1-12; BIS numbers add 20 or 40 to it."""
    return day <= 31 and (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52)


def _folded(text: str) -> str:
    folded = fold_text(text)
    # Keep one character for one character, so positions in the folded text are positions in the text.
    return folded if len(folded) == len(text) else "".join((fold_text(c) or c)[:1] for c in text)


def _mask(length: int, findings: list[Finding]) -> bytearray:
    """One byte per character of the text, 1 where a finding lies."""
    mask = bytearray(length)
    for f in findings:
        mask[f.start : f.end] = b"\x01" * (f.end - f.start)
    return mask


def _national_numbers(text: str) -> list[Finding]:
    found = []
    for match in _NATIONAL_NUMBER.finditer(text):
        digits = "".join(match.groups())
        month, day = int(digits[2:4]), int(digits[4:6])
        if is_national_number(digits) and _plausible_birth(month, day):
            kind = "bis_number" if month > 12 else "national_number"
        elif _plausible_birth(month, day):
            kind = "national_number_like"
        else:
            continue
        found.append(Finding(kind, match.start(), match.end()))
    numbers = _mask(len(text), found)
    for match in _NATIONAL_NUMBER_WORDS.finditer(text):
        digits = _DIGITS_AFTER.match(text[match.end() : match.end() + 40])
        if digits and len(re.sub(r"\D", "", digits.group(1))) >= 6:
            start = match.end() + digits.start(1)
            if not numbers[start]:
                found.append(Finding("national_number_like", start, match.end() + digits.end(1)))
    return found


def _birth_dates(text: str) -> list[Finding]:
    found = []
    for date in _DATE.finditer(text):
        # The date belongs to a word before it when no sentence ends between them ("née à Tanger le ...").
        window = text[max(0, date.start() - _BIRTH_WINDOW) : date.start()]
        words = [w for w in _BIRTH_WORDS.finditer(window) if not re.search(r"[.;!?\n]\s", window[w.end() :])]
        if words and _EXPECTED.search(window[words[-1].start() :]):
            continue
        if words and (words[-1].group(0) != "°" or len(window) - words[-1].end() <= 2):
            found.append(Finding("birth_date", date.start() - len(window) + words[-1].start(), date.end()))
    taken = {f.end for f in found}
    for match in _OLD_DATE.finditer(text):
        year = int(match.group(1) or match.group(2))
        if year < _OLD_YEAR_BEFORE and match.end() not in taken:
            found.append(Finding("birth_date_like", match.start(), match.end()))
    return found


def _civil_names(text: str, folded: str) -> list[Finding]:
    found = []
    for match in _CIVIL_NAME.finditer(text):
        words = match.group(1).split()
        if all(w.lower() in _NOT_NAMES or re.fullmatch(_PARTICLE, w.lower()) for w in words):
            continue
        if len(words) == 1 and words[0].lower() in _NOT_NAMES:
            continue
        if match.group(0)[:1] in "Mm" and match.group(0).split()[0] in ("M", "m"):
            continue  # a bare "M" without its dot is a letter, not "Monsieur"
        after = folded[match.end() : match.end() + _CUE_WINDOW]
        before = folded[max(0, match.start() - _CUE_WINDOW) : match.start()]
        if _PROFESSIONAL_AFTER.search(after) or _PROFESSIONAL_BEFORE.search(before):
            continue
        found.append(Finding("civil_name", match.start(), match.end()))
    for match in _NAMED.finditer(text):
        if match.group(1).lower() not in _NOT_NAMES:
            found.append(Finding("civil_name", match.start(), match.end()))
    return found


def _emails(text: str) -> list[Finding]:
    found = []
    for match in _EMAIL.finditer(text):
        local, domain = match.groups()
        if _GENERIC_MAILBOXES.match(local) and not _PERSONAL_MAIL_DOMAINS.search(domain):
            continue  # a service's mailbox
        found.append(Finding("email", match.start(), match.end()))
    return found


def _clause_before(folded: str, start: int) -> str:
    """The words just before ``start``, back to the end of the previous sentence."""
    before = folded[max(0, start - _CUE_WINDOW) : start]
    ends = [m.end() for m in re.finditer(r"[.;!?]\s|\n", before)]
    return before[ends[-1] :] if ends else before


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    return max((m.end() for m in pattern.finditer(text)), default=-1)


def _phones(text: str, folded: str, taken: list[Finding]) -> list[Finding]:
    found = []
    try:
        matches = list(phonenumbers.PhoneNumberMatcher(text, "BE", max_tries=200))
    except Exception:  # noqa: BLE001 - a parser failure must not refuse a text
        return []
    mask = _mask(len(text), taken)
    for match in matches:
        if any(mask[match.start : match.end]) or _ENTERPRISE_NUMBER.fullmatch(match.raw_string):
            continue  # the digits of a national number or a date, an enterprise number (0456.789.123)
        number_type = phonenumbers.number_type(match.number)
        belgian = phonenumbers.region_code_for_number(match.number) == "BE"
        before = _clause_before(folded, match.start)
        personal, service = _last_end(_PERSONAL_PHONE_CUE, before), _last_end(_SERVICE_PHONE_CUE, before)
        mobile = number_type in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        )
        if personal > service or (personal == service == -1 and (mobile or not belgian)):
            found.append(Finding("phone", match.start, match.end))
    return found


def find_identity(text: str) -> list[Finding]:
    """Every identity-like piece of ``text``, in the order of the text."""
    if not text or not text.strip():
        return []
    folded = _folded(text)
    found = _national_numbers(text) + _birth_dates(text)
    found += _civil_names(text, folded) + _emails(text)
    found += _phones(text, folded, found)
    return sorted(found, key=lambda f: (f.start, f.kind))


def identity_warnings(text: str) -> list[str]:
    """Kinds of identity-like content found in ``text`` (each once, in ``KINDS`` order)."""
    kinds = {f.kind for f in find_identity(text)}
    return [kind for kind in KINDS if kind in kinds]


def check_texts(texts: Mapping[str, str | None], *, confirmed: bool = False) -> None:
    """Raise ``IdentityFound`` when a text is refused, or holds a warning the operator did not confirm."""
    fields = {name: kinds for name, text in texts.items() if text and (kinds := identity_warnings(text))}
    if confirmed:  # the warnings are confirmed; what is refused stays refused
        fields = {
            name: refused
            for name, kinds in fields.items()
            if (refused := [k for k in kinds if k in REFUSED_KINDS])
        }
    if fields:
        raise IdentityFound(fields)
