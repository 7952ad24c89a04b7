"""The project's own sample directory: invented, bilingual Brussels social-health organisations.

Every organisation, address, phone number and e-mail here is made up (``.example`` domains); the shapes
follow the Bruxelles Social export. The same seed gives the same file. ``make run`` imports it, and the
bench uses it for larger sizes.

Usage: python -m directory_import.sample data/sample_directory.json [--count 320] [--seed 2026]
[--format json|socialbrussels]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from directory_import.geography import Point, postcode_centre
from directory_import.territory import LOCALITIES
from directory_import.vocabulary import CATEGORIES

# code, FR name patterns, NL name patterns ('' = French only), FR description, NL description, publics,
# legal forms, share with a Dutch version.
KINDS: list[tuple[str, list[str], list[str], str, str, list[str], list[str], float]] = [
    (
        "mm",
        ["Maison médicale {stem}", "Maison médicale du {place}"],
        ["Wijkgezondheidscentrum {stem}", "Wijkgezondheidscentrum {nlplace}"],
        "Médecine générale, soins infirmiers, kinésithérapie et accueil social au forfait pour les habitants du quartier.",
        "Huisartsgeneeskunde, verpleging, kinesitherapie en sociaal onthaal met forfait voor de buurtbewoners.",
        ["tout public", "familles"],
        ["ASBL", "VZW"],
        0.55,
    ),
    (
        "ssm",
        ["Service de santé mentale {stem}", "SSM {stem}", "Centre de guidance {stem}"],
        ["Centrum voor Geestelijke Gezondheidszorg {stem}", "CGG {stem}"],
        "Consultations psychologiques, psychiatriques et logopédiques pour enfants, adolescents et adultes.",
        "Psychologische, psychiatrische en logopedische consultaties voor kinderen, jongeren en volwassenen.",
        ["adultes", "enfants", "jeunes"],
        ["ASBL", "VZW"],
        0.6,
    ),
    (
        "logement",
        ["Agence immobilière sociale {stem}", "AIS {stem}", "Habitat solidaire {stem}"],
        ["Sociaal verhuurkantoor {stem}", "SVK {stem}", "Solidair wonen {stem}"],
        "Mise en location de logements à loyer modéré et accompagnement des locataires.",
        "Verhuur van betaalbare woningen en begeleiding van huurders.",
        ["familles", "adultes"],
        ["ASBL", "VZW", "SCRL"],
        0.5,
    ),
    (
        "aidealim",
        ["Épicerie sociale {stem}", "Restaurant social {stem}", "Colis alimentaires {stem}"],
        ["Sociale kruidenier {stem}", "Sociaal restaurant {stem}", "Voedselpakketten {stem}"],
        "Produits alimentaires à prix réduit, repas chauds et colis pour les ménages à petit budget.",
        "Voeding aan verlaagde prijs, warme maaltijden en pakketten voor gezinnen met een klein budget.",
        ["tout public", "familles"],
        ["ASBL", "VZW", "Association de fait"],
        0.4,
    ),
    (
        "assuetudes",
        ["Centre d'accompagnement en assuétudes {stem}", "Projet Lama {stem}", "Comptoir {stem}"],
        ["Begeleidingscentrum voor verslaving {stem}", "Drughulpverlening {stem}", "Spuitenruil {stem}"],
        "Accueil, réduction des risques, traitement de substitution et accompagnement psychosocial.",
        "Onthaal, schadebeperking, substitutiebehandeling en psychosociale begeleiding.",
        ["usagers de drogues", "adultes"],
        ["ASBL", "VZW"],
        0.6,
    ),
    (
        "perinatal",
        ["Consultation prénatale {stem}", "Maison de la naissance {stem}", "Accueil périnatal {stem}"],
        ["Prenatale raadpleging {stem}", "Geboortehuis {stem}", "Perinataal onthaal {stem}"],
        "Suivi de grossesse, préparation à la naissance et soutien aux jeunes parents.",
        "Zwangerschapsopvolging, voorbereiding op de geboorte en steun aan jonge ouders.",
        ["futurs parents", "familles"],
        ["ASBL", "VZW", "Service public"],
        0.7,
    ),
    (
        "palliatif",
        ["Équipe de soins palliatifs {stem}", "Soins palliatifs à domicile {stem}"],
        ["Palliatief thuiszorgteam {stem}", "Palliatieve thuiszorg {stem}"],
        "Soins palliatifs et soutien aux proches, à domicile et en maison de repos.",
        "Palliatieve zorg en steun aan naasten, thuis en in het woonzorgcentrum.",
        ["adultes", "personnes âgées"],
        ["ASBL", "VZW"],
        0.75,
    ),
    (
        "justice",
        ["Service d'aide aux justiciables {stem}", "Réinsertion {stem}", "Après-prison {stem}"],
        ["Justitieel welzijnswerk {stem}", "Re-integratie {stem}", "Nazorg gedetineerden {stem}"],
        "Accompagnement des personnes détenues, ex-détenues et de leurs proches : logement, emploi, démarches.",
        "Begeleiding van gedetineerden, ex-gedetineerden en hun naasten: huisvesting, werk, administratie.",
        ["ex-détenus", "adultes"],
        ["ASBL", "VZW"],
        0.5,
    ),
    (
        "sansabri",
        ["Centre de jour {stem}", "Abri de nuit {stem}", "Maison d'accueil {stem}", "Équipe de rue {stem}"],
        ["Dagcentrum {stem}", "Nachtopvang {stem}", "Onthaalhuis {stem}", "Straathoekwerk {stem}"],
        "Accueil de jour ou de nuit, douches, bagagerie, accompagnement vers un logement.",
        "Dag- of nachtopvang, douches, bagagedepot, begeleiding naar een woning.",
        ["personnes sans abri", "adultes"],
        ["ASBL", "VZW", "Service public"],
        0.55,
    ),
    (
        "domicile",
        ["Service d'aide à domicile {stem}", "Soins infirmiers à domicile {stem}", "Aides familiales {stem}"],
        ["Thuishulpdienst {stem}", "Thuisverpleging {stem}", "Gezinszorg {stem}"],
        "Aides familiales, aides ménagères, soins infirmiers et repas livrés à domicile.",
        "Gezinszorg, poetshulp, thuisverpleging en maaltijden aan huis.",
        ["personnes âgées", "personnes handicapées"],
        ["ASBL", "VZW"],
        0.6,
    ),
    (
        "jeunesse",
        ["Maison de jeunes {stem}", "AMO {stem}", "École de devoirs {stem}"],
        ["Jeugdhuis {stem}", "Jeugdwerk {stem}", "Huiswerkklas {stem}"],
        "Accueil, activités, soutien scolaire et aide en milieu ouvert pour les jeunes de 6 à 26 ans.",
        "Onthaal, activiteiten, huiswerkbegeleiding en hulp in open milieu voor jongeren van 6 tot 26 jaar.",
        ["jeunes", "enfants"],
        ["ASBL", "VZW"],
        0.35,
    ),
    (
        "seniors",
        ["Centre de jour pour aînés {stem}", "Résidence-services {stem}", "Antenne seniors {stem}"],
        ["Dagverzorgingscentrum {stem}", "Serviceflat {stem}", "Lokaal dienstencentrum {stem}"],
        "Accueil de jour, repas, activités et aide aux démarches pour les personnes âgées.",
        "Dagopvang, maaltijden, activiteiten en hulp bij administratie voor ouderen.",
        ["personnes âgées"],
        ["ASBL", "VZW", "Service public"],
        0.65,
    ),
    (
        "cas",
        ["Centre d'action sociale globale {stem}", "Service social de quartier {stem}"],
        ["Centrum Algemeen Welzijnswerk {stem}", "Buurtwerk {stem}"],
        "Permanences sociales, aide aux démarches administratives, médiation de dettes et orientation.",
        "Sociale permanenties, hulp bij administratie, schuldbemiddeling en doorverwijzing.",
        ["tout public", "adultes"],
        ["ASBL", "VZW"],
        0.5,
    ),
    (
        "planning",
        ["Planning familial {stem}", "Centre de planning {stem}"],
        ["Centrum voor gezinsplanning {stem}", "Seksuele gezondheid {stem}"],
        "Consultations médicales, psychologiques et juridiques ; contraception, IVG, animations EVRAS.",
        "Medische, psychologische en juridische consultaties; anticonceptie, abortus, seksuele vorming.",
        ["femmes", "jeunes", "adultes"],
        ["ASBL", "VZW"],
        0.45,
    ),
    (
        "migrants",
        ["Accueil des personnes exilées {stem}", "Service social des migrants {stem}"],
        ["Onthaal vluchtelingen {stem}", "Sociale dienst voor migranten {stem}"],
        "Information juridique, accompagnement social et cours de langue pour les personnes migrantes.",
        "Juridische informatie, sociale begeleiding en taallessen voor migranten.",
        ["personnes migrantes", "familles"],
        ["ASBL", "VZW"],
        0.5,
    ),
    (
        "violences",
        ["Écoute violences conjugales {stem}", "Refuge {stem}"],
        ["Hulp bij partnergeweld {stem}", "Vluchthuis {stem}"],
        "Écoute, hébergement d'urgence et accompagnement des victimes de violences conjugales.",
        "Luisteren, noodopvang en begeleiding van slachtoffers van partnergeweld.",
        ["femmes", "enfants"],
        ["ASBL", "VZW"],
        0.6,
    ),
]
STEMS = [
    ("La Passerelle", "De Loopbrug"),
    ("Le Phare", "De Vuurtoren"),
    ("L'Ancre", "Het Anker"),
    ("La Source", "De Bron"),
    ("Le Pont", "De Brug"),
    ("Les Tilleuls", "De Linden"),
    ("Le Fil d'Ariane", "De Rode Draad"),
    ("L'Étoile", "De Ster"),
    ("Le Carrefour", "Het Kruispunt"),
    ("La Boussole", "Het Kompas"),
    ("Le Nid", "Het Nest"),
    ("L'Escale", "De Halte"),
    ("Le Chêne", "De Eik"),
    ("La Clairière", "De Open Plek"),
    ("Les Hirondelles", "De Zwaluwen"),
    ("Le Tremplin", "De Springplank"),
    ("La Ruche", "De Bijenkorf"),
    ("Le Moulin", "De Molen"),
    ("L'Arc-en-ciel", "De Regenboog"),
    ("Le Jardin", "De Tuin"),
    ("La Traverse", "De Dwarsweg"),
    ("Les Quatre Vents", "De Vier Winden"),
    ("Horizon", "Horizon"),
    ("Babel", "Babel"),
    ("Tandem", "Tandem"),
    ("Parenthèse", "Parenthese"),
    ("Entre-Nous", "Onder Ons"),
    ("Le Relais", "Het Relais"),
    ("La Main Tendue", "De Uitgestoken Hand"),
    ("L'Olivier", "De Olijfboom"),
]
PLACES = [
    ("Parvis", "Voorplein"),
    ("Canal", "Kanaal"),
    ("Midi", "Zuid"),
    ("Nord", "Noord"),
    ("Marché", "Markt"),
    ("Vieux Moulin", "Oude Molen"),
    ("Square", "Plantsoen"),
    ("Cité", "Wijk"),
]
STREETS = [
    ("Rue de la Station", "Stationsstraat"),
    ("Avenue des Tilleuls", "Lindenlaan"),
    ("Rue du Marché", "Marktstraat"),
    ("Chaussée de la Gare", "Stationssteenweg"),
    ("Place Communale", "Gemeenteplein"),
    ("Rue de l'Église", "Kerkstraat"),
    ("Rue des Alliés", "Bondgenotenstraat"),
    ("Avenue du Parc", "Parklaan"),
    ("Rue du Moulin", "Molenstraat"),
    ("Rue de la Source", "Bronstraat"),
    ("Boulevard de l'Abattoir", "Slachthuislaan"),
    ("Rue Haute", "Hoogstraat"),
    ("Rue des Fleurs", "Bloemenstraat"),
    ("Avenue de la Forêt", "Woudlaan"),
    ("Rue du Canal", "Vaartstraat"),
    ("Rue de la Colline", "Heuvelstraat"),
    ("Chaussée de Ninove", "Ninoofsesteenweg"),
    ("Rue Verte", "Groenstraat"),
]
HOURS = [
    ("Du lundi au vendredi, de 9 h à 17 h", "Maandag tot vrijdag, van 9 tot 17 uur"),
    (
        "Lundi, mercredi et vendredi de 9 h à 12 h ; sur rendez-vous l'après-midi",
        "Maandag, woensdag en vrijdag van 9 tot 12 uur; 's namiddags op afspraak",
    ),
    ("Tous les jours de 8 h à 20 h", "Elke dag van 8 tot 20 uur"),
    ("Permanence sans rendez-vous le mardi de 14 h à 17 h", "Vrije permanentie op dinsdag van 14 tot 17 uur"),
    ("24 h/24, 7 j/7", "24 uur op 24, 7 dagen op 7"),
]
COMMUNE_PREPOSITION = {"a": "d'", "e": "d'", "i": "d'", "o": "d'", "u": "d'", "é": "d'"}


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", folded)[:30]


def _acronym(name: str) -> str:
    words = [
        w
        for w in re.split(r"[\s'’-]+", name)
        if w and w[0].isupper() and w not in {"Le", "La", "Les", "L", "De", "Het", "Du"}
    ]
    return "".join(w[0] for w in words)[:6] if len(words) >= 3 else ""


def _phone(rnd: random.Random) -> str:
    style = rnd.random()
    a, b, c = rnd.randint(200, 799), rnd.randint(10, 99), rnd.randint(10, 99)
    if style < 0.5:
        return f"02 {a} {b} {c}"
    if style < 0.7:
        return f"02/{a}.{b}.{c}"
    if style < 0.85:
        return f"+32 2 {a} {b} {c}"
    return f"04{rnd.randint(70, 99)} {rnd.randint(10, 99)} {b} {c}"


def _cpas(rnd: random.Random, index: int) -> Iterator[dict[str, Any]]:
    """One CPAS/OCMW per commune (invented contact details)."""
    seen = set()
    for postcode, locality in sorted(LOCALITIES.items()):
        commune = locality.commune
        if commune.code in seen:
            continue
        seen.add(commune.code)
        prep = COMMUNE_PREPOSITION.get(commune.name_fr[0].lower(), "de ")
        street = rnd.choice(STREETS)
        yield {
            "nameFr": f"CPAS {prep}{commune.name_fr}",
            "nameNl": f"OCMW {commune.name_nl}",
            "legalStatus": "Service public",
            "kind": "cpas",
            "descriptionFr": "Revenu d'intégration, aide sociale, médiation de dettes, aide au logement et à l'énergie.",
            "descriptionNl": "Leefloon, maatschappelijke dienstverlening, schuldbemiddeling, hulp bij huisvesting en energie.",
            "publics": ["tout public"],
            "has_nl": True,
            "postcode": postcode,
            "street": street,
        }


def generate(count: int = 320, seed: int = 2026, *, first_id: int = 10001) -> Iterator[dict[str, Any]]:
    """Yield ``count`` export records (dicts in the Bruxelles Social layout), the same for the same seed."""
    rnd = random.Random(seed)
    postcodes = sorted(LOCALITIES)
    specs: Iterator[dict[str, Any]] = iter(())
    specs = _cpas(rnd, 0)
    produced = 0
    kind_cycle = 0
    names_seen: set[str] = set()
    while produced < count:
        spec = next(specs, None)
        if spec is None:
            code, fr_patterns, nl_patterns, dfr, dnl, publics, forms, nl_share = KINDS[
                kind_cycle % len(KINDS)
            ]
            kind_cycle += 1
            stem_fr, stem_nl = rnd.choice(STEMS)
            place_fr, place_nl = rnd.choice(PLACES)
            pattern = rnd.randrange(len(fr_patterns))
            name_fr = fr_patterns[pattern].format(stem=stem_fr, place=place_fr)
            has_nl = rnd.random() < nl_share
            name_nl = (
                nl_patterns[min(pattern, len(nl_patterns) - 1)].format(stem=stem_nl, nlplace=place_nl)
                if has_nl
                else ""
            )
            if name_fr in names_seen:
                suffix = rnd.choice(["Antenne {n}", "Site {n}"]).format(n=len(names_seen) % 9 + 2)
                name_fr = f"{name_fr} – {suffix}"
                name_nl = (
                    f"{name_nl} – {suffix.replace('Antenne', 'Afdeling').replace('Site', 'Vestiging')}"
                    if name_nl
                    else ""
                )
            names_seen.add(name_fr)
            spec = {
                "nameFr": name_fr,
                "nameNl": name_nl,
                "legalStatus": rnd.choice(forms),
                "kind": code,
                "descriptionFr": dfr,
                "descriptionNl": dnl if has_nl else "",
                "publics": publics,
                "has_nl": has_nl,
                "postcode": rnd.choice(postcodes),
                "street": rnd.choice(STREETS),
            }
        yield _record(rnd, first_id + produced, spec)
        produced += 1


def _record(rnd: random.Random, source_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    code, has_nl = spec["kind"], spec["has_nl"]
    locality = LOCALITIES[spec["postcode"]]
    centre = postcode_centre(spec["postcode"]) or Point(50.8467, 4.3525)
    label_fr, label_nl = CATEGORIES[code]
    slug = _slug(spec["nameFr"]) or f"org{source_id}"
    hours = rnd.choice(HOURS)
    languages = ["fr", "nl"] if has_nl else ["fr"]
    if rnd.random() < 0.2:
        languages.append(rnd.choice(["en", "ar", "es", "tr", "pt", "ro"]))
    record: dict[str, Any] = {
        "id": source_id,
        "nameFr": spec["nameFr"],
        "nameNl": spec["nameNl"],
        "legalStatus": spec["legalStatus"],
        "descriptionFr": spec["descriptionFr"],
        "descriptionNl": spec["descriptionNl"],
        "categories": [{"code": code, "labelFr": label_fr, "labelNl": label_nl}],
        "publics": list(spec["publics"]),
        "languages": languages,
        "address": {
            "streetFr": spec["street"][0],
            "streetNl": spec["street"][1],
            "number": str(rnd.randint(1, 250)),
            "box": rnd.choice(["", "", "", "2", "B"]),
            "postalCode": spec["postcode"],
            "municipalityFr": locality.name_fr,
            "municipalityNl": locality.name_nl,
            # Within about a kilometre of the postcode's centre (the addresses are invented anyway).
            "lat": round(centre.latitude + (rnd.random() - 0.5) * 0.018, 5),
            "lon": round(centre.longitude + (rnd.random() - 0.5) * 0.028, 5),
        },
        "phones": [_phone(rnd)] + ([_phone(rnd)] if rnd.random() < 0.2 else []),
        "emails": [f"{rnd.choice(['info', 'accueil', 'contact', 'secretariat'])}@{slug}.example"],
        "websites": [f"https://www.{slug}.example"] if rnd.random() < 0.8 else [],
        "openingHoursFr": hours[0],
        "openingHoursNl": hours[1] if has_nl else "",
        "lastUpdate": f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}",
    }
    acronym = _acronym(spec["nameFr"])
    if acronym and rnd.random() < 0.3:
        record["acronym"] = acronym
    return record


# The social.brussels API shape: its vocabularies have numeric ids (invented here, stable across runs).
CATEGORY_IDS = {code: 300 + position for position, code in enumerate(CATEGORIES)}
SECTORS = {"social": (3, "Aide sociale", "Welzijn"), "health": (4, "Santé", "Gezondheid")}
HEALTH_KINDS = {"mm", "ssm", "assuetudes", "perinatal", "palliatif", "domicile", "planning", "handicap"}
LEGAL_STATUSES = {
    "ASBL": (1, "ASBL", "VZW"),
    "VZW": (1, "ASBL", "VZW"),
    "SCRL": (2, "SCRL", "CVBA"),
    "Association de fait": (3, "Association de fait", "Feitelijke vereniging"),
    "Service public": (4, "Service public", "Openbare dienst"),
}
WHOLE_REGION = (1, "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest")


def _api_phone(rnd: random.Random) -> str:
    """Phones as the API writes them: ``02/435.51.38``, ``0475/12.34.56``."""
    a, b, c = rnd.randint(200, 799), rnd.randint(10, 99), rnd.randint(10, 99)
    if rnd.random() < 0.85:
        return f"02/{a}.{b}.{c}"
    return f"04{rnd.randint(70, 99)}/{rnd.randint(10, 99)}.{b}.{c}"


def _activities(description: str) -> str:
    parts = [p.strip() for p in re.split(r",| et | en ", description.rstrip(".")) if p.strip()]
    return "\n".join(f"- {p[:1].upper()}{p[1:]}" for p in parts)


def api_record(rnd: random.Random, record: dict[str, Any]) -> dict[str, Any]:
    """One record of ``generate`` in the social.brussels API shape: official names often in capitals,
    activities as ``- `` lines with the description left null, ``dd/mm/yy`` dates, nulls where nothing is
    known, a service's area as action zones."""
    address = record["address"]
    locality = LOCALITIES[address["postalCode"]]
    kind = record["categories"][0]["code"]
    shouted = rnd.random() < 0.6
    name_fr = record["nameFr"].upper() if shouted else record["nameFr"]
    name_nl = (record["nameNl"].upper() if shouted else record["nameNl"]) or None
    has_nl = bool(record["nameNl"])
    status = LEGAL_STATUSES.get(record["legalStatus"], LEGAL_STATUSES["ASBL"])
    sector = SECTORS["health" if kind in HEALTH_KINDS else "social"]
    year, month, day = record["lastUpdate"].split("-")
    if kind == "cpas" or rnd.random() < 0.25:
        zones = [
            {
                "id": 100 + sorted(LOCALITIES).index(locality.postcode),
                "labelFr": locality.commune.name_fr,
                "labelNl": locality.commune.name_nl,
            }
        ]
    elif rnd.random() < 0.5:
        zones = [{"id": WHOLE_REGION[0], "labelFr": WHOLE_REGION[1], "labelNl": WHOLE_REGION[2]}]
    else:
        zones = None
    lat, lon = address["lat"], address["lon"]
    return {
        "id": record["id"],
        "nameOfficialFr": name_fr,
        "nameOfficialNl": name_nl,
        "nameAlternativeFr": [record["acronym"]] if record.get("acronym") else [],
        "nameAlternativeNl": [],
        "nameFormerFr": [],
        "nameFormerNl": None,
        "nameServiceFr": [],
        "nameServiceNl": [],
        "legalStatus": {"id": status[0], "labelFr": status[1], "labelNl": status[2]},
        "pmRp": [f"0{rnd.randint(400, 899)}.{rnd.randint(100, 999)}.{rnd.randint(100, 999)}"]
        if rnd.random() < 0.7
        else [],
        "descriptionFr": None,
        "descriptionNl": None,
        "activitiesFr": _activities(record["descriptionFr"]),
        "activitiesNl": _activities(record["descriptionNl"]) if record["descriptionNl"] else None,
        "accessFr": [f"Métro, tram ou bus : arrêt {locality.name_fr}"] if rnd.random() < 0.5 else [],
        "accessNl": [f"Metro, tram of bus: halte {locality.name_nl}"]
        if has_nl and rnd.random() < 0.5
        else [],
        "permanencyFr": record["openingHoursFr"],
        "permanencyNl": record["openingHoursNl"] or None,
        "publicFr": ", ".join(record["publics"]).capitalize(),
        "publicNl": None,
        "remarkFr": None,
        "remarkNl": None,
        "langStatus": "FR-NL" if has_nl else "FR",
        # The languages spoken besides the regime's (the language offer), as ISO codes.
        "languageOffer": [code for code in record["languages"] if code not in ("fr", "nl")],
        "isInterpreting": rnd.random() < 0.2,
        "lastUpdate": f"{day}/{month}/{year[2:]}",
        "startDate": None,
        "type": "organisation",
        "telFr": [_api_phone(rnd) for _ in range(1 + (rnd.random() < 0.2))],
        "telNl": [],
        "faxFr": [_api_phone(rnd)] if rnd.random() < 0.3 else [],
        "faxNl": [],
        "emailFr": record["emails"],
        "emailNl": [],
        "websiteOfficialFr": record["websites"],
        "websiteOfficialNl": [],
        "websiteUnofficialFr": [],
        "websiteUnofficialNl": [],
        "websiteInfoFr": [],
        "websiteInfoNl": [],
        "websiteBelgianOfficialJournalFr": [],
        "websiteBelgianOfficialJournalNl": [],
        "address": None
        if rnd.random() < 0.03
        else {
            # Belgian Lambert 72, roughly (the sample's points are invented anyway).
            "x": round(149000 + (lon - 4.3517) * 70400, 1),
            "y": round(170600 + (lat - 50.8466) * 111200, 1),
            "lon": lon,
            "lat": lat,
            "streetFr": address["streetFr"],
            "streetNl": address["streetNl"],
            "number": address["number"],
            "numberBuilding": None,
            "postalBox": address["box"] or None,
            "zipCode": int(address["postalCode"]),
            "municipalityFr": locality.name_fr.upper(),
            "municipalityNl": locality.name_nl.upper(),
            "postalCodeFr": f"{address['postalCode']} {locality.name_fr.upper()}",
            "postalCodeNl": f"{address['postalCode']} {locality.name_nl.upper()}",
            "districtFr": None,
            "districtNl": None,
            "districtCode": None,
            "statisticsCode": None,
            "statisticsNameFr": None,
            "statisticsNameNl": None,
            "remarkFr": None,
            "remarkNl": None,
        },
        "categoriesObject": [
            {
                "id": CATEGORY_IDS[kind],
                "labelFr": record["categories"][0]["labelFr"],
                "labelNl": record["categories"][0]["labelNl"],
            }
        ],
        "categories": [CATEGORY_IDS[kind]],
        "sectorsObjects": [{"id": sector[0], "labelFr": sector[1], "labelNl": sector[2]}]
        if rnd.random() < 0.8
        else None,
        "actionZones": zones,
        "otherAgreementFr": [],
        "otherAgreementNl": [],
        "subventionFr": [],
        "subventionNl": [],
    }


def write_sample(path: str | Path, count: int = 320, seed: int = 2026, fmt: str = "json") -> int:
    """Write the export to ``path`` as JSON, one record at a time (flat memory for any ``count``):
    the project's layout (``fmt='json'``), or a list of social.brussels API records (``'socialbrussels'``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    api = fmt == "socialbrussels"
    rnd = random.Random(seed + 1)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n" if api else '{"exportDate": "2026-11-01T03:00:00Z", "organisations": [\n')
        for record in generate(count, seed):
            if api:
                record = api_record(rnd, record)
            handle.write((",\n" if written else "") + json.dumps(record, ensure_ascii=False))
            written += 1
        handle.write("\n]\n" if api else "\n]}\n")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the invented sample directory as a JSON export.")
    parser.add_argument("path")
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--format",
        choices=("json", "socialbrussels"),
        default="json",
        help="the project's JSON layout, or the social.brussels API records",
    )
    args = parser.parse_args(argv)
    written = write_sample(args.path, args.count, args.seed, args.format)
    print(f"{written} organisations written to {args.path}")


if __name__ == "__main__":
    main()
