"""Known categories and publics of the Brussels social-health directory, in French and Dutch.

Exports that give only a code (CSV) or only a French label get the missing labels from here; unknown
codes and labels are kept as the source wrote them.
"""

from __future__ import annotations

# code: (French label, Dutch label)
CATEGORIES: dict[str, tuple[str, str]] = {
    "mm": ("Maison médicale", "Wijkgezondheidscentrum"),
    "ssm": ("Service de santé mentale", "Centrum voor geestelijke gezondheidszorg"),
    "cpas": ("CPAS", "OCMW"),
    "logement": ("Logement", "Huisvesting"),
    "aidealim": ("Aide alimentaire", "Voedselhulp"),
    "assuetudes": ("Assuétudes", "Verslaving"),
    "perinatal": ("Périnatalité", "Perinatale zorg"),
    "palliatif": ("Soins palliatifs", "Palliatieve zorg"),
    "justice": ("Aide aux justiciables et ex-détenus", "Justitiehulp en ex-gedetineerden"),
    "sansabri": ("Sans-abrisme", "Thuisloosheid"),
    "domicile": ("Aide et soins à domicile", "Thuiszorg"),
    "jeunesse": ("Jeunesse", "Jeugd"),
    "seniors": ("Personnes âgées", "Ouderen"),
    "cas": ("Centre d'action sociale globale", "Centrum voor algemeen welzijnswerk"),
    "planning": ("Planning familial", "Centrum voor gezinsplanning"),
    "handicap": ("Handicap", "Handicap"),
    "migrants": ("Personnes exilées et migrantes", "Vluchtelingen en migranten"),
    "dettes": ("Médiation de dettes", "Schuldbemiddeling"),
    "emploi": ("Insertion socioprofessionnelle", "Socio-professionele inschakeling"),
    "violences": ("Violences conjugales et intrafamiliales", "Partner- en intrafamiliaal geweld"),
}

# French label: Dutch label
PUBLICS: dict[str, str] = {
    "tout public": "iedereen",
    "adultes": "volwassenen",
    "enfants": "kinderen",
    "jeunes": "jongeren",
    "personnes âgées": "ouderen",
    "familles": "gezinnen",
    "femmes": "vrouwen",
    "hommes": "mannen",
    "personnes sans abri": "daklozen",
    "personnes migrantes": "migranten",
    "personnes handicapées": "personen met een handicap",
    "futurs parents": "aanstaande ouders",
    "ex-détenus": "ex-gedetineerden",
    "usagers de drogues": "druggebruikers",
    "professionnels": "professionals",
}
PUBLICS_NL_TO_FR: dict[str, str] = {nl: fr for fr, nl in PUBLICS.items()}
