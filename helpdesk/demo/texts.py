"""The invented free texts of the demo activity, in French and Dutch: situations described without anything
that identifies a person (no names, numbers, dates of birth, contact details). ``tests/test_demo_activity.py``
runs the identity detector over every generated text."""

from __future__ import annotations

PROFILES = {
    "fr": (
        "Homme d'une cinquantaine d'années",
        "Jeune femme d'une vingtaine d'années",
        "Famille avec deux enfants",
        "Personne âgée vivant seule",
        "Adolescent suivi par notre service",
        "Mère seule avec un bébé",
        "Homme isolé, sans revenus",
        "Couple de retraités",
    ),
    "nl": (
        "Man van rond de vijftig",
        "Jonge vrouw van rond de twintig",
        "Gezin met twee kinderen",
        "Oudere persoon die alleen woont",
        "Jongere die door onze dienst gevolgd wordt",
        "Alleenstaande moeder met een baby",
        "Geïsoleerde man zonder inkomen",
        "Gepensioneerd koppel",
    ),
}

ASKS = {
    "fr": {
        "mental_health": "cherche un suivi psychologique de proximité, si possible sans longue attente",
        "addiction": "souhaite entamer un suivi en assuétudes avec un accompagnement social",
        "housing": "cherche un hébergement d'urgence ou un logement à loyer modéré",
        "food": "a besoin d'une aide alimentaire régulière dans le quartier",
        "after_prison": "sort de prison et doit reprendre ses soins et un suivi social",
        "perinatal": "enceinte, cherche un suivi de grossesse accessible",
        "end_of_life": "la famille cherche des soins palliatifs à domicile",
        "home_care": "a besoin d'une aide à domicile pour les courses et la toilette",
        "financial_access": "ne peut plus payer ses consultations ni ses médicaments",
        "disability": "cherche un accueil de jour adapté à un double diagnostic",
        "transport": "ne peut pas se rendre seul à ses rendez-vous médicaux",
        "rights": "a perdu ses droits à la mutuelle et doit refaire son dossier",
        "migration": "arrivé récemment, cherche une aide juridique et un médecin",
        "older_people": "se met en danger chez elle, la famille cherche un relais",
        "youth": "en rupture scolaire, cherche un lieu d'accueil et d'écoute",
        "violence": "victime de violences conjugales, cherche un accueil sécurisé",
    },
    "nl": {
        "mental_health": "zoekt psychologische begeleiding in de buurt, liefst zonder lange wachttijd",
        "addiction": "wil een begeleiding voor verslaving starten met sociale ondersteuning",
        "housing": "zoekt noodopvang of een betaalbare woning",
        "food": "heeft regelmatige voedselhulp in de buurt nodig",
        "after_prison": "komt uit de gevangenis en moet zorg en sociale begeleiding hervatten",
        "perinatal": "zwanger, zoekt een toegankelijke zwangerschapsbegeleiding",
        "end_of_life": "de familie zoekt palliatieve thuiszorg",
        "home_care": "heeft thuishulp nodig voor boodschappen en verzorging",
        "financial_access": "kan consultaties en geneesmiddelen niet meer betalen",
        "disability": "zoekt dagopvang aangepast aan een dubbele diagnose",
        "transport": "kan niet alleen naar medische afspraken gaan",
        "rights": "is de rechten bij het ziekenfonds kwijt en moet het dossier opnieuw indienen",
        "migration": "pas aangekomen, zoekt juridische hulp en een huisarts",
        "older_people": "brengt zichzelf thuis in gevaar, de familie zoekt ondersteuning",
        "youth": "is gestopt met school, zoekt een plek voor opvang en een luisterend oor",
        "violence": "slachtoffer van partnergeweld, zoekt een veilige opvang",
    },
}

EXTRAS = {
    "fr": (
        "",
        " Parle peu le français.",
        " Pas de mutuelle en ordre.",
        " Déjà orienté une fois sans succès.",
        " Le médecin traitant est au courant.",
        " Situation qui se dégrade depuis quelques semaines.",
    ),
    "nl": (
        "",
        " Spreekt weinig Nederlands.",
        " Ziekenfonds niet in orde.",
        " Al eens zonder resultaat doorverwezen.",
        " De huisarts is op de hoogte.",
        " De situatie verslechtert sinds enkele weken.",
    ),
}

LEAD_NOTES = {
    "waiting_list": ("Liste d'attente de trois mois environ.", "Wachtlijst van ongeveer drie maanden."),
    "refused": ("Service complet pour l'instant.", "Dienst momenteel volzet."),
    "unreachable": ("Pas de réponse après trois appels.", "Geen antwoord na drie oproepen."),
    "accepted": ("Premier rendez-vous fixé.", "Eerste afspraak vastgelegd."),
}

FEEDBACK = {
    "fr": (
        "Deux adresses communiquées, le professionnel prend contact.",
        "Orientation acceptée, premier rendez-vous fixé.",
        "Coordonnées transmises par téléphone avec les horaires d'accueil.",
        "Pas de place disponible, liste d'attente expliquée au professionnel.",
    ),
    "nl": (
        "Twee adressen doorgegeven, de professional neemt contact op.",
        "Doorverwijzing aanvaard, eerste afspraak vastgelegd.",
        "Gegevens telefonisch doorgegeven met de openingsuren.",
        "Geen plaats vrij, de wachtlijst aan de professional uitgelegd.",
    ),
}

NO_FEEDBACK = {
    "fr": ("Le professionnel n'a pas pu être recontacté.", "Demande retirée par le service demandeur."),
    "nl": (
        "De professional kon niet opnieuw bereikt worden.",
        "Vraag ingetrokken door de aanvragende dienst.",
    ),
}

TRANSFER_NOTES = {
    "fr": ("La personne vit dans votre bassin.", "Offre plus adaptée dans votre territoire."),
    "nl": ("De persoon woont in jullie bekken.", "Beter aanbod in jullie gebied."),
}

CALLBACK_NOTES = {
    "fr": ("Rappeler pour savoir si le rendez-vous a eu lieu.", "Rappeler après la réponse du service."),
    "nl": ("Terugbellen om te horen of de afspraak doorging.", "Terugbellen na het antwoord van de dienst."),
}

REOPEN_REASONS = {
    "fr": ("Le professionnel rappelle : la piste n'a pas abouti.",),
    "nl": ("De professional belt terug: de piste liep op niets uit.",),
}

UNMET_NOTES = {
    "fr": ("Aucune offre dans le bassin pour ce public.", ""),
    "nl": ("Geen aanbod in het bekken voor dit publiek.", ""),
}

FUNCTIONS = {
    "fr": ("assistante sociale", "infirmier", "médecin généraliste", "éducatrice de rue", "psychologue"),
    "nl": ("maatschappelijk werker", "verpleegkundige", "huisarts", "straathoekwerker", "psycholoog"),
}
