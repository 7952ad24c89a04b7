"""The invented Brussels directory used by the search-quality suite and the search bench.

``CRAFTED`` are organisations written by hand the way sources really describe them (French only, Dutch
only, both, acronyms, Dutch compounds); ``generate(n)`` surrounds them with ``n`` plausible organisations
of the same kinds in every commune, so that each query has competition. ``tests/data/search_directory.json``
is ``generate(300)``; regenerate it with ``python -m tests.search_corpus``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from directory_import.territory import LOCALITIES

DATA = Path(__file__).resolve().parent / "data"
DIRECTORY_FILE = DATA / "search_directory.json"
QUERIES_FILE = DATA / "search_queries.json"


def _org(
    source_id,
    name_fr="",
    name_nl="",
    *,
    acronym="",
    desc_fr="",
    desc_nl="",
    cat=None,
    publics=(),
    postcode="1000",
    languages=("fr", "nl"),
):
    loc = LOCALITIES[postcode]
    categories = [CATEGORIES[c] | {"code": c} for c in ([cat] if isinstance(cat, str) else (cat or []))]
    return {
        "source_id": source_id,
        "name_fr": name_fr,
        "name_nl": name_nl,
        "acronym": acronym,
        "description_fr": desc_fr,
        "description_nl": desc_nl,
        "categories": categories,
        "publics": [PUBLICS[p] for p in publics],
        "languages": list(languages),
        "postcode": postcode,
        "commune_fr": loc.commune.name_fr,
        "commune_nl": loc.commune.name_nl,
        "basin": loc.basin,
    }


CATEGORIES = {
    "cpas": {"label_fr": "CPAS", "label_nl": "OCMW"},
    "mm": {"label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"},
    "ssm": {"label_fr": "Service de santé mentale", "label_nl": "Centrum voor geestelijke gezondheidszorg"},
    "pf": {"label_fr": "Planning familial", "label_nl": "Gezinsplanning"},
    "abri": {"label_fr": "Aide aux sans-abri", "label_nl": "Thuislozenzorg"},
    "dom": {"label_fr": "Aide et soins à domicile", "label_nl": "Thuiszorg"},
    "alim": {"label_fr": "Aide alimentaire", "label_nl": "Voedselhulp"},
    "assu": {"label_fr": "Assuétudes", "label_nl": "Verslavingszorg"},
    "log": {"label_fr": "Logement", "label_nl": "Huisvesting"},
    "hop": {"label_fr": "Hôpital", "label_nl": "Ziekenhuis"},
    "jeun": {"label_fr": "Aide à la jeunesse", "label_nl": "Jeugdhulp"},
    "pal": {"label_fr": "Soins palliatifs", "label_nl": "Palliatieve zorg"},
    "just": {"label_fr": "Aide aux justiciables", "label_nl": "Justitieel welzijnswerk"},
    "mig": {"label_fr": "Accueil des migrants", "label_nl": "Onthaal van migranten"},
    "age": {"label_fr": "Personnes âgées", "label_nl": "Ouderenzorg"},
    "peri": {"label_fr": "Périnatalité", "label_nl": "Perinatale zorg"},
    "dette": {"label_fr": "Médiation de dettes", "label_nl": "Schuldbemiddeling"},
    "hand": {"label_fr": "Handicap", "label_nl": "Personen met een handicap"},
    "viol": {"label_fr": "Violences conjugales", "label_nl": "Partnergeweld"},
    "ecoute": {"label_fr": "Écoute téléphonique", "label_nl": "Telefonische hulp"},
}
PUBLICS = {
    "tous": {"fr": "Tout public", "nl": "Iedereen"},
    "jeunes": {"fr": "Jeunes", "nl": "Jongeren"},
    "femmes": {"fr": "Femmes", "nl": "Vrouwen"},
    "ages": {"fr": "Personnes âgées", "nl": "Ouderen"},
    "sdf": {"fr": "Personnes sans abri", "nl": "Daklozen"},
    "migrants": {"fr": "Migrants", "nl": "Migranten"},
    "familles": {"fr": "Familles", "nl": "Gezinnen"},
    "usagers": {"fr": "Usagers de drogues", "nl": "Druggebruikers"},
}

CRAFTED = [
    _org(
        "c01",
        "CPAS de Schaerbeek",
        "OCMW Schaarbeek",
        acronym="CPAS",
        cat="cpas",
        postcode="1030",
        desc_fr="Aide sociale, revenu d'intégration, aide médicale urgente, guidance budgétaire.",
        desc_nl="Sociale bijstand, leefloon, dringende medische hulp, budgetbegeleiding.",
    ),
    _org(
        "c02",
        "CPAS d'Ixelles",
        "OCMW Elsene",
        acronym="CPAS",
        cat="cpas",
        postcode="1050",
        desc_fr="Revenu d'intégration sociale et aide sociale aux habitants d'Ixelles.",
        desc_nl="Leefloon en maatschappelijke dienstverlening voor de inwoners van Elsene.",
    ),
    _org(
        "c03",
        "CPAS d'Anderlecht",
        "OCMW Anderlecht",
        acronym="CPAS",
        cat="cpas",
        postcode="1070",
        desc_fr="Aide sociale, aide au logement et insertion socioprofessionnelle.",
        desc_nl="Maatschappelijke hulp, huisvestingshulp en tewerkstelling.",
    ),
    _org(
        "c04",
        "CPAS de Molenbeek-Saint-Jean",
        "OCMW Sint-Jans-Molenbeek",
        acronym="CPAS",
        cat="cpas",
        postcode="1080",
        desc_fr="Aide sociale et médicale.",
        desc_nl="Sociale en medische hulp.",
    ),
    _org(
        "c05",
        "Service de santé mentale Le Méridien",
        "Centrum voor geestelijke gezondheidszorg Le Méridien",
        acronym="SSM",
        cat="ssm",
        postcode="1210",
        publics=["tous"],
        desc_fr="Consultations psychologiques et psychiatriques, thérapies pour adultes, enfants et familles.",
        desc_nl="Psychologische en psychiatrische consultaties voor volwassenen, kinderen en gezinnen.",
    ),
    _org(
        "c06",
        "",
        "Centrum Geestelijke Gezondheidszorg Brussel-Noord",
        acronym="CGG",
        cat="ssm",
        postcode="1020",
        languages=["nl"],
        desc_nl="Ambulante psychologische en psychiatrische hulp voor volwassenen, kinderen en jongeren.",
    ),
    _org(
        "c07",
        "Maison médicale des Marolles",
        "",
        cat="mm",
        postcode="1000",
        languages=["fr"],
        desc_fr="Médecine générale, soins infirmiers, kinésithérapie et accueil social au forfait.",
    ),
    _org(
        "c08",
        "",
        "Wijkgezondheidscentrum De Brug",
        cat="mm",
        postcode="1080",
        languages=["nl", "fr"],
        desc_nl="Huisartsen, verpleging en kinesitherapie voor de buurtbewoners.",
    ),
    _org(
        "c09",
        "Abri de nuit Pierre d'Angle",
        "",
        cat="abri",
        postcode="1000",
        languages=["fr"],
        publics=["sdf"],
        desc_fr="Hébergement d'urgence de nuit, accueil inconditionnel et anonyme des personnes sans-abri.",
    ),
    _org(
        "c10",
        "",
        "Inloopcentrum Hobo",
        cat="abri",
        postcode="1000",
        languages=["nl", "fr", "en"],
        publics=["sdf"],
        desc_nl="Dagcentrum voor daklozen: douche, wasmachine, koffie en sociale begeleiding.",
    ),
    _org(
        "c11",
        "Centre de planning familial Les Marronniers",
        "Centrum voor gezinsplanning Les Marronniers",
        cat="pf",
        postcode="1060",
        publics=["femmes"],
        desc_fr="Interruption volontaire de grossesse (IVG), contraception, dépistage, consultations "
        "psychologiques et juridiques.",
        desc_nl="Abortus, anticonceptie, soa-testen, psychologische en juridische consultaties.",
    ),
    _org(
        "c12",
        "Centre de planning familial du Midi",
        "",
        cat="pf",
        postcode="1070",
        languages=["fr", "ar"],
        desc_fr="Avortement jusqu'à douze semaines, accompagnement avant et après, contraception d'urgence.",
    ),
    _org(
        "c13",
        "Projet Tandem",
        "",
        cat="assu",
        postcode="1050",
        languages=["fr"],
        publics=["usagers"],
        desc_fr="Accompagnement des usagers de drogues, traitement de substitution, réduction des risques "
        "en toxicomanie.",
    ),
    _org(
        "c14",
        "",
        "Centrum voor Verslavingszorg Anker",
        cat="assu",
        postcode="1020",
        languages=["nl"],
        desc_nl="Ambulante hulp bij alcoholverslaving en drugverslaving, ook voor familieleden.",
    ),
    _org(
        "c15",
        "Écoute Assuétudes Bruxelles",
        "",
        cat=["assu", "ecoute"],
        postcode="1060",
        languages=["fr"],
        desc_fr="Ligne d'écoute pour toute question sur l'alcool, les drogues et les addictions.",
    ),
    _org(
        "c16",
        "Plateforme de soins palliatifs Continuing Care",
        "Platform Palliatieve Zorg Continuing Care",
        cat="pal",
        postcode="1200",
        desc_fr="Accompagnement en fin de vie à domicile, soutien des proches et des soignants.",
        desc_nl="Begeleiding bij het levenseinde thuis, steun voor naasten en zorgverleners.",
    ),
    _org(
        "c17",
        "Équipe de soutien Fin de Vie Sereine",
        "",
        cat="pal",
        postcode="1180",
        languages=["fr"],
        desc_fr="Soins palliatifs à domicile et soutien aux familles endeuillées.",
    ),
    _org(
        "c18",
        "",
        "Huisartsenwachtpost Brussel",
        cat="mm",
        postcode="1000",
        languages=["nl", "fr"],
        desc_nl="Wachtdienst van huisartsen tijdens het weekend, op feestdagen en 's nachts.",
    ),
    _org(
        "c19",
        "Garde des médecins généralistes de Bruxelles",
        "",
        postcode="1050",
        languages=["fr"],
        cat="mm",
        desc_fr="Médecins généralistes de garde la nuit, le week-end et les jours fériés.",
    ),
    _org(
        "c20",
        "Les Restos du Cœur de Saint-Gilles",
        "",
        cat="alim",
        postcode="1060",
        languages=["fr"],
        desc_fr="Repas chauds à prix libre et colis alimentaires pour les personnes en difficulté.",
    ),
    _org(
        "c21",
        "",
        "Sociale Kruidenier De Linde",
        cat="alim",
        postcode="1090",
        languages=["nl"],
        desc_nl="Voedselpakketten en goedkope boodschappen voor gezinnen met een laag inkomen.",
    ),
    _org(
        "c22",
        "Agence immobilière sociale de Forest",
        "Sociaal Verhuurkantoor Vorst",
        acronym="AIS",
        cat="log",
        postcode="1190",
        desc_fr="Location de logements à loyer modéré via des propriétaires privés.",
        desc_nl="Verhuur van betaalbare woningen van private eigenaars.",
    ),
    _org(
        "c23",
        "",
        "Huurdersbond Brussel",
        cat="log",
        postcode="1210",
        languages=["nl"],
        desc_nl="Advies over huisvesting, huurcontracten en huurrecht.",
    ),
    _org(
        "c24",
        "La Passerelle, service d'aide aux détenus",
        "",
        cat="just",
        postcode="1060",
        languages=["fr"],
        desc_fr="Accompagnement social des détenus et des ex-détenus à la sortie de prison.",
    ),
    _org(
        "c25",
        "",
        "CAW Brussel - Justitieel Welzijnswerk",
        acronym="CAW",
        cat="just",
        postcode="1000",
        languages=["nl"],
        desc_nl="Begeleiding van gedetineerden, ex-gedetineerden en hun familie.",
    ),
    _org(
        "c26",
        "Maison de naissance Le Nid",
        "",
        cat="peri",
        postcode="1040",
        languages=["fr"],
        desc_fr="Suivi de grossesse, préparation à la naissance et visites après l'accouchement.",
    ),
    _org(
        "c27",
        "",
        "Zwangerschapsbegeleiding Het Nest",
        cat="peri",
        postcode="1050",
        languages=["nl"],
        publics=["femmes"],
        desc_nl="Begeleiding van kwetsbare zwangere vrouwen tot na de geboorte.",
    ),
    _org(
        "c28",
        "Office de la Naissance et de l'Enfance - consultation Molenbeek",
        "Kind en Gezin - consultatiebureau Molenbeek",
        acronym="ONE",
        cat="peri",
        postcode="1080",
        publics=["familles"],
        desc_fr="Consultations pour nourrissons et jeunes enfants, vaccinations.",
        desc_nl="Consultaties voor baby's en peuters, vaccinaties.",
    ),
    _org(
        "c29",
        "",
        "Algemeen Ziekenhuis Sint-Elooi",
        acronym="AZSE",
        cat="hop",
        postcode="1090",
        languages=["nl", "fr"],
        desc_nl="Algemeen ziekenhuis met spoeddienst, materniteit en geriatrie.",
    ),
    _org(
        "c30",
        "Clinique des Hirondelles",
        "",
        cat="hop",
        postcode="1180",
        languages=["fr"],
        desc_fr="Hôpital général: urgences, maternité, gériatrie et consultations.",
    ),
    _org(
        "c31",
        "",
        "Thuiszorgdienst Zorgbrug",
        cat="dom",
        postcode="1070",
        languages=["nl"],
        desc_nl="Thuisverpleging, gezinszorg en poetshulp voor ouderen en zieken.",
    ),
    _org(
        "c32",
        "",
        "Jongerenadviescentrum Brussel",
        acronym="JAC",
        cat="jeun",
        postcode="1000",
        languages=["nl"],
        publics=["jeunes"],
        desc_nl="Gratis en anoniem advies voor jongeren tot 25 jaar.",
    ),
    _org(
        "c33",
        "AMO Le Pavillon",
        "",
        acronym="AMO",
        cat="jeun",
        postcode="1160",
        languages=["fr"],
        publics=["jeunes"],
        desc_fr="Service d'aide aux jeunes en milieu ouvert, soutien scolaire et familial.",
    ),
    _org(
        "c34",
        "Service social des étrangers",
        "",
        cat="mig",
        postcode="1030",
        languages=["fr", "en", "ar"],
        publics=["migrants"],
        desc_fr="Accompagnement social et juridique des demandeurs d'asile et des personnes sans papiers.",
    ),
    _org(
        "c35",
        "",
        "Onthaalbureau Inburgering Ankerpunt",
        cat="mig",
        postcode="1000",
        languages=["nl", "en"],
        publics=["migrants"],
        desc_nl="Inburgeringstrajecten en begeleiding van nieuwkomers en migranten.",
    ),
    _org(
        "c36",
        "Refuge pour femmes Le Phare",
        "",
        cat="viol",
        postcode="1190",
        languages=["fr"],
        publics=["femmes"],
        desc_fr="Hébergement et accompagnement des femmes victimes de violences conjugales et de leurs enfants.",
    ),
    _org(
        "c37",
        "",
        "Vluchthuis Brussel",
        cat="viol",
        postcode="1140",
        languages=["nl"],
        publics=["femmes"],
        desc_nl="Opvang voor vrouwen en kinderen die partnergeweld ondergaan.",
    ),
    _org(
        "c38",
        "",
        "Lokaal Dienstencentrum De Harmonie",
        cat="age",
        postcode="1150",
        languages=["nl"],
        publics=["ages"],
        desc_nl="Ontmoeting, maaltijden en dienstverlening voor senioren uit de buurt.",
    ),
    _org(
        "c39",
        "Maison de repos Les Glycines",
        "",
        cat="age",
        postcode="1170",
        languages=["fr"],
        publics=["ages"],
        desc_fr="Maison de repos et de soins pour personnes âgées dépendantes.",
    ),
    _org(
        "c40",
        "Espace Budget, médiation de dettes",
        "",
        cat="dette",
        postcode="1140",
        languages=["fr"],
        desc_fr="Médiation de dettes amiable et judiciaire, guidance budgétaire.",
    ),
    _org(
        "c41",
        "Le Trait d'Union, service d'accompagnement",
        "",
        cat="hand",
        postcode="1200",
        languages=["fr"],
        desc_fr="Accompagnement à domicile des personnes en situation de handicap et de leur famille.",
    ),
    _org(
        "c42",
        "Centre de dépistage VIH et IST Arc-en-ciel",
        "",
        postcode="1000",
        languages=["fr", "en"],
        desc_fr="Dépistage anonyme et gratuit du VIH et des infections sexuellement transmissibles.",
    ),
    _org(
        "c43",
        "Service d'interprétariat social",
        "Sociale tolk- en vertaaldienst",
        postcode="1000",
        desc_fr="Interprètes pour les consultations sociales et médicales, en plus de 50 langues.",
        desc_nl="Tolken voor sociale en medische gesprekken, in meer dan 50 talen.",
    ),
    _org(
        "c44",
        "Centre de prévention du suicide",
        "",
        cat="ecoute",
        postcode="1050",
        languages=["fr"],
        desc_fr="Ligne d'écoute 24 heures sur 24 pour les personnes en crise suicidaire et leurs proches.",
    ),
    _org(
        "c45",
        "Télé-Accueil Bruxelles",
        "Tele-Onthaal Brussel",
        cat="ecoute",
        postcode="1000",
        desc_fr="Écoute anonyme par téléphone et par chat, jour et nuit.",
        desc_nl="Anoniem luisteren via telefoon en chat, dag en nacht.",
    ),
    _org(
        "c46",
        "",
        "Dagcentrum voor Psychiatrische Revalidatie De Lijn",
        cat="ssm",
        postcode="1040",
        languages=["nl"],
        desc_nl="Revalidatie en dagbesteding na een psychiatrische opname.",
    ),
    _org(
        "c47",
        "Maison médicale Medikuregem",
        "Wijkgezondheidscentrum Medikuregem",
        cat="mm",
        postcode="1070",
        desc_fr="Soins de première ligne au forfait pour le quartier de Cureghem.",
        desc_nl="Eerstelijnszorg met forfait voor de wijk Kuregem.",
    ),
    _org(
        "c48",
        "Maison médicale Santé Plurielle",
        "",
        cat="mm",
        postcode="1030",
        languages=["fr", "tr"],
        desc_fr="Équipe pluridisciplinaire: généralistes, infirmières, kinés, assistante sociale.",
    ),
    _org(
        "c49",
        "",
        "Straatverplegers Brussel",
        cat="abri",
        postcode="1000",
        languages=["nl", "fr"],
        publics=["sdf"],
        desc_nl="Verpleegkundige zorg op straat voor mensen zonder thuis.",
    ),
    _org(
        "c50",
        "Centre d'accueil de jour pour personnes sans abri La Rencontre",
        "",
        cat="abri",
        postcode="1210",
        languages=["fr"],
        publics=["sdf"],
        desc_fr="Petit-déjeuner, douches, lessive et permanence sociale pour les personnes SDF.",
    ),
]

# Filler: plausible organisations of the same kinds, named as sources name them.
FILLER_KINDS = [
    (
        "mm",
        "Maison médicale {n}",
        "Wijkgezondheidscentrum {n}",
        "Médecine générale, soins infirmiers et kinésithérapie au forfait.",
        "Huisartsgeneeskunde, verpleging en kinesitherapie met forfait.",
    ),
    (
        "ssm",
        "Service de santé mentale {n}",
        "Centrum geestelijke gezondheid {n}",
        "Consultations psychologiques et psychiatriques pour adultes et enfants.",
        "Psychologische en psychiatrische consultaties voor volwassenen en kinderen.",
    ),
    (
        "pf",
        "Centre de planning familial {n}",
        "Centrum voor gezinsplanning {n}",
        "Contraception, consultations médicales, psychologiques et juridiques, animations.",
        "Anticonceptie, medische, psychologische en juridische consultaties.",
    ),
    (
        "abri",
        "Maison d'accueil {n}",
        "Opvanghuis {n}",
        "Hébergement en maison d'accueil et accompagnement vers un logement.",
        "Verblijf in een opvanghuis en begeleiding naar een woning.",
    ),
    (
        "dom",
        "Aide à domicile {n}",
        "Thuishulp {n}",
        "Aides familiales et aides ménagères au domicile des personnes fragiles.",
        "Gezinshulp en poetshulp aan huis voor kwetsbare personen.",
    ),
    (
        "alim",
        "Épicerie sociale {n}",
        "Sociale kruidenier {n}",
        "Produits de première nécessité à prix réduit.",
        "Basisproducten tegen verlaagde prijs.",
    ),
    (
        "assu",
        "Service assuétudes {n}",
        "Drughulp {n}",
        "Consultations pour les problèmes liés à l'alcool et aux drogues.",
        "Consultaties bij problemen met alcohol en drugs.",
    ),
    (
        "log",
        "Agence immobilière sociale {n}",
        "Sociaal verhuurkantoor {n}",
        "Logements à loyer modéré.",
        "Betaalbare huurwoningen.",
    ),
    (
        "jeun",
        "Maison de jeunes {n}",
        "Jeugdhuis {n}",
        "Activités, soutien scolaire et écoute pour les jeunes du quartier.",
        "Activiteiten, huiswerkbegeleiding en een luisterend oor voor jongeren.",
    ),
    (
        "age",
        "Résidence {n}",
        "Woonzorgcentrum {n}",
        "Maison de repos et de soins.",
        "Woonzorgcentrum voor ouderen.",
    ),
    (
        "dette",
        "Service de médiation de dettes {n}",
        "Schuldbemiddeling {n}",
        "Aide aux personnes surendettées.",
        "Hulp bij schulden.",
    ),
    (
        "hand",
        "Service d'accompagnement {n}",
        "Begeleidingsdienst {n}",
        "Accompagnement des personnes handicapées.",
        "Begeleiding van personen met een beperking.",
    ),
    (
        "mig",
        "Espace d'accueil {n}",
        "Onthaalpunt {n}",
        "Permanences sociales et cours de français pour primo-arrivants.",
        "Sociale permanenties en taallessen voor nieuwkomers.",
    ),
    (
        "peri",
        "Consultation prénatale {n}",
        "Prenatale consultatie {n}",
        "Suivi médical des futures mamans.",
        "Medische opvolging van aanstaande moeders.",
    ),
]
FILLER_NAMES = """Les Acacias;Les Tilleuls;Le Pont;Horizon;La Clairière;Les Saules;Le Méridien du Sud;L'Étoile;
Le Grain;La Source;Le Fil;Les Marronniers du Parc;La Passerelle Verte;Le Sablon;Le Kiosque;L'Olivier;Le Tremplin;
La Ruche;Le Relais;Les Hêtres;Le Carrefour;La Boussole;Le Quai;L'Escale;Les Ateliers;Le Phénix;Le Jardin;
La Rencontre du Parc;Le Chêne;Les Peupliers;La Forge;Le Moulin;Les Iris;Le Vivier;La Vallée;Le Square;Les Trois Pommiers;
Le Cerisier;L'Abri Bleu;La Maison Verte;Le Havre;Les Bouleaux;Le Nord;Le Sud;L'Ouest;Het Anker;De Vlinder;De Schakel;
Den Teirling;De Sleutel;Het Kompas;De Horizon;De Wissel;Het Huis;De Boog;De Lork;Het Pleintje;De Vaart;De Zenne;
De Kade;De Zwaluw""".replace("\n", "").split(";")


def generate(n: int = 300, seed: int = 20261123) -> list[dict]:
    """``CRAFTED`` plus ``n - len(CRAFTED)`` filler organisations (at least the crafted ones)."""
    rng = random.Random(seed)
    postcodes = sorted(LOCALITIES)
    out = [dict(o) for o in CRAFTED]
    i = 0
    while len(out) < n:
        i += 1
        code, fr_t, nl_t, desc_fr, desc_nl = FILLER_KINDS[rng.randrange(len(FILLER_KINDS))]
        name = FILLER_NAMES[rng.randrange(len(FILLER_NAMES))]
        if n > 2000:
            name = f"{name} {rng.randrange(1, 400)}"
        postcode = postcodes[rng.randrange(len(postcodes))]
        roll = rng.random()
        languages = ["fr"] if roll < 0.3 else ["nl"] if roll < 0.45 else ["fr", "nl"]
        org = _org(
            f"g{i:06d}",
            fr_t.format(n=name) if "fr" in languages else "",
            nl_t.format(n=name) if "nl" in languages else "",
            cat=code,
            postcode=postcode,
            desc_fr=desc_fr if "fr" in languages else "",
            desc_nl=desc_nl if "nl" in languages else "",
            publics=[rng.choice(sorted(PUBLICS))],
            languages=languages,
        )
        out.append(org)
    return out


def load_directory() -> list[dict]:
    return json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))


def load_queries() -> list[dict]:
    return json.loads(QUERIES_FILE.read_text(encoding="utf-8"))


if __name__ == "__main__":
    DIRECTORY_FILE.write_text(
        json.dumps(generate(300), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{DIRECTORY_FILE} written")
