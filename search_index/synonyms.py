"""The sector's bilingual synonyms and acronyms, so that a query in one language finds the other.

Each group is a set of words or phrases that mean the same thing for a person looking for help
("CPAS" = "OCMW" = "centre public d'action sociale"). The product ships ``DEFAULT_SYNONYMS``; an admin
adds groups, which the application passes to ``search`` as extra lines. Expansion happens at query time,
so a new group works at once, without rebuilding the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from search_index.analysis import words

DEFAULT_SYNONYMS: tuple[str, ...] = (
    "cpas, ocmw, centre public d'action sociale, openbaar centrum voor maatschappelijk welzijn",
    "ssm, service de santé mentale, santé mentale, cgg, centrum geestelijke gezondheid, "
    "centrum voor geestelijke gezondheidszorg, geestelijke gezondheid, geestelijke gezondheidszorg",
    "psy, psychologue, psycholoog, psychiatre, psychiater, psychothérapie, psychotherapie",
    "maison médicale, wijkgezondheidscentrum, centre de santé de quartier",
    "sans-abri, sans abri, sdf, sans domicile fixe, dakloos, daklozen, thuislozen, thuisloos, sans-abrisme, "
    "dakloosheid",
    "ivg, interruption volontaire de grossesse, avortement, abortus, zwangerschapsafbreking",
    "planning familial, centre de planning familial, centrum voor gezinsplanning, gezinsplanning",
    "drogue, drogues, toxicomanie, toxicomanes, assuétudes, assuétude, addiction, addictions, "
    "verslaving, verslavingszorg, drugs, druggebruik, drughulpverlening",
    "alcool, alcoolisme, alcohol, alcoholisme",
    "palliatif, soins palliatifs, fin de vie, levenseinde, palliatieve zorg, palliatief",
    "huisarts, médecin généraliste, généraliste, médecine générale, huisartsgeneeskunde, médecin traitant",
    "aide alimentaire, colis alimentaire, colis, banque alimentaire, épicerie sociale, restaurant social, "
    "voedselhulp, voedselpakket, voedselpakketten, voedselbank, sociale kruidenier",
    "logement, hébergement, huisvesting, woning, wonen, huisvestingshulp",
    "hébergement d'urgence, abri de nuit, asile de nuit, nachtopvang, noodopvang",
    "ex-détenus, ex-détenu, détenus, prison, justice, ex-gedetineerden, gedetineerden, gevangenis, justitie",
    "périnatalité, grossesse, zwangerschap, naissance, geboorte, prénatal, kraamzorg, perinataal",
    "one, office de la naissance et de l'enfance, kind en gezin, consultation nourrissons, consultatiebureau",
    "aide à domicile, aide familiale, soins à domicile, thuiszorg, thuishulp, gezinszorg, thuisverpleging",
    "infirmier, infirmière, soins infirmiers, verpleegkundige, verpleging",
    "kiné, kinésithérapie, kinésithérapeute, kinesitherapie, kinesitherapeut",
    "dentiste, soins dentaires, tandarts, tandzorg",
    "violence conjugale, violences conjugales, violences intrafamiliales, partnergeweld, intrafamiliaal geweld, "
    "huiselijk geweld",
    "migrants, migrant, étrangers, demandeurs d'asile, sans papiers, sans-papiers, migranten, asielzoekers, "
    "vluchtelingen, mensen zonder papieren",
    "personnes âgées, aînés, seniors, senioren, ouderen, bejaarden",
    "jeunes, jeunesse, adolescents, jongeren, jeugd, adolescenten",
    "enfants, enfance, kinderen, kind",
    "handicap, personnes handicapées, personnes en situation de handicap, handicap, gehandicapten, "
    "personen met een handicap, beperking",
    "aide sociale, service social, maatschappelijk werk, sociale dienst, sociale hulp",
    "médiation de dettes, surendettement, schuldbemiddeling, schulden, dettes, schuldhulpverlening",
    "emploi, insertion socioprofessionnelle, travail, werk, tewerkstelling, arbeid",
    "hôpital, hôpitaux, clinique, ziekenhuis, ziekenhuizen, kliniek",
    "urgence, urgences, spoed, spoedgevallen, spoeddienst",
    "santé, gezondheid",
    "maison d'accueil, accueil, opvangcentrum, opvang, onthaal",
    "centre de jour, accueil de jour, dagcentrum, dagopvang",
    "écoute, ligne d'écoute, aide par téléphone, luisterlijn, tele-onthaal, télé-accueil",
    "suicide, prévention du suicide, zelfmoord, zelfmoordpreventie, suïcide",
    "vih, sida, hiv, ist, soa",
    "prostitution, travail du sexe, prostitutie, sekswerk",
    "traduction, interprétariat, interprète, tolk, vertaling, tolken",
    "femmes, femme, vrouwen, vrouw",
)


@dataclass(frozen=True)
class SynonymGroup:
    """Phrases that mean the same, each as a tuple of folded words."""

    phrases: tuple[tuple[str, ...], ...]


@dataclass
class SynonymTable:
    """Looks up the groups a folded phrase belongs to. Build it with ``SynonymTable.from_lines``."""

    by_phrase: dict[tuple[str, ...], list[SynonymGroup]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> SynonymTable:
        table = cls()
        for line in lines:
            phrases = parse_synonym_line(line)
            if len(phrases) < 2:
                continue
            group = SynonymGroup(tuple(phrases))
            for phrase in phrases:
                table.by_phrase.setdefault(phrase, []).append(group)
                table.longest = max(table.longest, len(phrase))
        return table

    def alternatives(self, phrase: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The other phrases of every group holding ``phrase`` (without the phrase itself)."""
        seen: dict[tuple[str, ...], None] = {}
        for group in self.by_phrase.get(phrase, ()):
            for other in group.phrases:
                if other != phrase:
                    seen[other] = None
        return _without_longer_variants(list(seen), phrase)

    def __contains__(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self.by_phrase


def _without_longer_variants(phrases: list[tuple[str, ...]], typed: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Drop a phrase holding every word of a shorter one ("service de santé mentale" when "santé mentale"
    is there, or typed): whatever it finds, the shorter one finds too, and each phrase costs query time."""
    shorter = [set(p) for p in phrases + [typed]]
    kept = []
    for phrase in phrases:
        words_of = set(phrase)
        if any(other < words_of for other in shorter):
            continue
        kept.append(phrase)
    return kept


def parse_synonym_line(line: str) -> list[tuple[str, ...]]:
    """``"CPAS, OCMW, centre public d'action sociale"`` -> ``[("cpas",), ("ocmw",), ("centre", ...)]``.

    Commas separate the phrases; case and accents do not matter. Blank lines and lines starting with
    ``#`` give nothing.
    """
    if not line.strip() or line.lstrip().startswith("#"):
        return []
    phrases: dict[tuple[str, ...], None] = {}
    for part in line.split(","):
        phrase = tuple(words(part))
        if phrase:
            phrases[phrase] = None
    return list(phrases)
