"""The OpenAPI 3 description of the API (requests and organisations), served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify

from directory_import.territory import TERRITORIES
from helpdesk.api import openapi_proposals
from helpdesk.api.openapi_parts import PATH_ID, STRINGS, json_content, ref
from helpdesk.api.views import api_blueprint
from helpdesk.followup.themes import SECTOR_THEMES
from helpdesk.orientation.suggestions import CAUTION_CODES, REASON_CODES
from helpdesk.vocabularies import (
    AgeBand,
    Channel,
    Gender,
    Language,
    LeadOutcome,
    Sector,
    SituationFlag,
    Status,
    UnmetReason,
    Urgency,
)

bp = api_blueprint("api_openapi", __name__)


ERRORS = {
    "400": json_content(ref("Error"), "Invalid input; `fields` names each field at fault."),
    "401": json_content(ref("Error"), "No valid session or token."),
    "404": json_content(ref("Error"), "No such request, or outside your access."),
}
IDENTITY_CONFIRMED = {
    "type": "boolean",
    "description": "Send true to save a text the identity guard warned about (a name, a personal e-mail or "
    "phone, a number that looks like a national number). A valid national register or BIS number or a date "
    "of birth is refused whatever this says (400, field code identity_refused).",
}
VERSION = {"type": "integer", "description": "The version you saw; 409 if it changed."}
ORGANISATION_SUMMARY = {
    "id": {"type": "integer"},
    "source_id": {"type": "string"},
    "name_fr": {"type": "string"},
    "name_nl": {"type": "string"},
    "postcode": {"type": "string"},
    "basin": {"type": "string"},
}


def _coded_list(codes: tuple[str, ...], label_example: str, value_example: str = "") -> dict:
    """A list of ``{"code", "label"}`` (and ``"value"``) objects: the suggestions' reasons and warnings."""
    properties: dict = {
        "code": {"type": "string", "enum": list(codes)},
        "label": {"type": "string", "example": label_example},
    }
    if value_example:
        properties["value"] = {"type": "string", "example": value_example}
    return {"type": "array", "items": {"type": "object", "properties": properties}}


def _change_body(properties: dict, required: list[str] | None = None) -> dict:
    """The JSON body of a change to a request: its own fields, plus the identity check and the version."""
    schema: dict = {
        "type": "object",
        "properties": {**properties, "identity_confirmed": IDENTITY_CONFIRMED, "version": VERSION},
    }
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _pair(description: str) -> dict:
    """A text given in French and in Dutch (``<name>_fr``, ``<name>_nl``): either may be empty."""
    return {"type": "string", "description": description}


TERM = {
    "type": "object",
    "description": "A term of the source's vocabulary, bilingual. `code` is the source's own id "
    "(social.brussels: the number it gives the category, sector or zone), stable across syncs.",
    "required": ["code", "label_fr", "label_nl"],
    "properties": {
        "code": {"type": "string"},
        "label_fr": {"type": "string"},
        "label_nl": {"type": "string"},
    },
}
OTHER_NAME = {
    "type": "object",
    "required": ["kind", "lang", "name", "acronym"],
    "properties": {
        "kind": {
            "type": "string",
            "description": "`alternative` (also known as), `former` (a former name) or `service` (the name of "
            "one of its services); all are searchable as names.",
        },
        "lang": {"type": "string", "description": "`fr`, `nl`, or empty when the source does not say."},
        "name": {"type": "string"},
        "acronym": {"type": "boolean", "description": "An acronym (it weighs as one in the search)."},
    },
}
NULLABLE_NUMBER = {"type": "number", "nullable": True}
VERIFIED = {
    "verified_at": {
        "type": "string",
        "format": "date-time",
        "nullable": True,
        "description": "When the helpdesk last confirmed its details by calling it (UTC); null when never. "
        "Apart from `source_updated_at`, the source's own date.",
    },
    "verified_by": {
        "type": "string",
        "nullable": True,
        "description": "The name of who verified it last; null when never, for a visitor of the public "
        "directory, or when the account is gone.",
    },
}


def _organisation_schema() -> dict:
    """Everything the directory knows of one organisation (``helpdesk.api.organisations.organisation_json``)."""
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["id", "source", "source_id", "name_fr", "name_nl", "archived"],
        "properties": {
            "id": {"type": "integer"},
            "source": {
                "type": "string",
                "description": "The source key (`local` for organisations created here).",
            },
            "source_id": {"type": "string", "description": "The organisation's id in its source."},
            "name": {
                "type": "string",
                "description": "The name in the reader's language (the account's, else Accept-Language): "
                "that language's, else the other one's, else the official name.",
            },
            "name_fr": _pair("The name shown (official names in capitals are made readable)."),
            "name_nl": _pair("The name shown, in Dutch."),
            "official_name_fr": _pair(
                "The official name as the source writes it, when it differs from the one shown."
            ),
            "official_name_nl": _pair("The official Dutch name as the source writes it."),
            "acronym": text,
            "acronyms": {**STRINGS, "description": "The acronym and the other names that are acronyms."},
            "other_names": {"type": "array", "items": ref("OtherName")},
            "legal_form": _pair("The legal status's French label (ASBL, CPAS...)."),
            "legal_form_nl": _pair("The legal status's Dutch label (VZW, OCMW...)."),
            "legal_form_code": {"type": "string", "description": "The legal status's id in the source."},
            "company_numbers": {**STRINGS, "description": "Belgian company numbers, written `0212.347.945`."},
            "description_fr": text,
            "description_nl": text,
            "activities_fr": _pair("What it does (often where the text is when the description is empty)."),
            "activities_nl": text,
            "access_fr": _pair("How to reach it."),
            "access_nl": text,
            "target_public_fr": _pair("Its public, as the source words it."),
            "target_public_nl": text,
            "remark_fr": text,
            "remark_nl": text,
            "opening_hours_fr": _pair("Opening hours as text (social.brussels: `permanency`)."),
            "opening_hours_nl": text,
            "categories": {"type": "array", "items": ref("Term")},
            "sectors": {"type": "array", "items": ref("Term")},
            "action_zones": {
                "type": "array",
                "items": ref("Term"),
                "description": "The area it serves, as the source names it.",
            },
            "served_communes": {
                **STRINGS,
                "description": "Codes of the communes its action zones cover (`schaerbeek`, `evere`...).",
            },
            "publics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"fr": {"type": "string"}, "nl": {"type": "string"}},
                },
            },
            "languages": {**STRINGS, "description": "ISO 639-1 codes of the languages spoken."},
            "language_regime": {
                "type": "string",
                "description": "The organisation's language regime: `FR`, `NL`, `FR-NL`, or empty.",
            },
            "interpreting": {
                "type": "boolean",
                "nullable": True,
                "description": "Interpreting available; null when the source does not say.",
            },
            "street_fr": text,
            "street_nl": text,
            "number": text,
            "box": text,
            "postcode": text,
            "commune_fr": text,
            "commune_nl": text,
            "basin": {
                "type": "string",
                "description": "The basin's code (`nord-est`...), `outside` when none.",
            },
            "latitude": NULLABLE_NUMBER,
            "longitude": NULLABLE_NUMBER,
            "lambert_x": {**NULLABLE_NUMBER, "description": "Belgian Lambert 72, metres."},
            "lambert_y": NULLABLE_NUMBER,
            "phones": {**STRINGS, "description": "Written `+32 2 435 51 38`."},
            "faxes": STRINGS,
            "emails": STRINGS,
            "websites": STRINGS,
            "parent_id": {"type": "integer", "nullable": True},
            "source_updated_at": {
                "type": "string",
                "description": "The source's date of its last update (`2023-03-14`), or empty.",
            },
            "archived": {"type": "boolean", "description": "No longer in its source."},
            **VERIFIED,
        },
    }


def spec() -> dict:
    theme = {
        "type": "string",
        "enum": [code for code, *_ in SECTOR_THEMES],
        "description": "Theme code (admins may add more).",
    }
    territory = {"type": "string", "enum": list(TERRITORIES)}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Brussels social-health helpdesk API",
            "version": "1",
            "description": "Help requests and the directory. Authenticate with a session or with "
            "`Authorization: Bearer <token>` (`helpdesk users token EMAIL`). The same access "
            "rules as the pages apply: outside one's access a request answers 404.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "fields"],
                    "properties": {
                        "error": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "Caller": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "function": {"type": "string"},
                        "sector": {
                            "type": "string",
                            "description": "One of "
                            + ", ".join(Sector.codes())
                            + " (older requests may hold "
                            "free text; an empty string when not said).",
                        },
                        "organisation_id": {"type": "integer", "nullable": True},
                        "organisation": {
                            "type": "string",
                            "description": "Free name when not in the directory.",
                        },
                        "phone": {"type": "string"},
                        "email": {"type": "string"},
                        "language": {
                            "type": "string",
                            "enum": ["fr", "nl", "en"],
                            "description": "The language the professional is written to in (default: yours).",
                        },
                    },
                },
                "NewRequest": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {
                        "channel": {"type": "string", "enum": list(Channel.codes()), "default": "phone"},
                        "urgency": {
                            "type": "string",
                            "enum": list(Urgency.codes()),
                            "default": "normal",
                        },
                        "territory": {**territory, "description": "Defaults to the token owner's territory."},
                        "caller": ref("Caller"),
                        "age_band": {
                            "type": "string",
                            "enum": list(AgeBand.codes()),
                        },
                        "gender": {"type": "string", "enum": list(Gender.codes())},
                        "languages": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(Language.codes())},
                        },
                        "residence_postcode": {"type": "string", "example": "1060"},
                        "situation_flags": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(SituationFlag.codes())},
                        },
                        "themes": {"type": "array", "items": theme},
                        "question": {"type": "string", "description": "Never the beneficiary's identity."},
                        "identity_confirmed": IDENTITY_CONFIRMED,
                    },
                },
                "RequestSummary": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "reference": {"type": "string", "example": "SUD-2026-00042"},
                        "territory": territory,
                        "received_territory": territory,
                        "status": {"type": "string", "enum": list(Status.codes())},
                        "urgency": {"type": "string", "enum": list(Urgency.codes())},
                        "channel": {"type": "string", "enum": list(Channel.codes())},
                        "themes": {"type": "array", "items": theme},
                        "version": {"type": "integer"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "closed_at": {"type": "string", "format": "date-time", "nullable": True},
                    },
                },
                "Request": {
                    "allOf": [
                        ref("RequestSummary"),
                        {
                            "type": "object",
                            "properties": {
                                "caller": ref("Caller"),
                                "question": {"type": "string"},
                                "leads": {"type": "array", "items": ref("Lead")},
                                "unmet_needs": {"type": "array", "items": ref("UnmetNeed")},
                                "callbacks": {"type": "array", "items": {"type": "object"}},
                                "transfers": {"type": "array", "items": {"type": "object"}},
                                "feedback": {"type": "object", "nullable": True},
                            },
                        },
                    ]
                },
                "Lead": {
                    "type": "object",
                    "required": ["organisation_id"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "organisation_id": {"type": "integer"},
                        "outcome": {
                            "type": "string",
                            "enum": list(LeadOutcome.codes()),
                            "default": "proposed",
                        },
                        "note": {"type": "string"},
                    },
                },
                "UnmetNeed": {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string", "enum": list(UnmetReason.codes())},
                        "theme": theme,
                        "note": {"type": "string"},
                    },
                },
                "Suggestion": {
                    "type": "object",
                    "required": ["organisation", "score", "reasons", "warnings"],
                    "properties": {
                        "organisation": {"type": "object", "properties": ORGANISATION_SUMMARY},
                        "score": {"type": "number", "description": "The sum of `parts`."},
                        "parts": {
                            "type": "object",
                            "additionalProperties": {"type": "number"},
                            "description": "The score's named parts that count: theme, situation, question, "
                            "public, age, language, place, serves, experience, history, closure.",
                        },
                        "reasons": _coded_list(REASON_CODES, "parle arabe", value_example="ar"),
                        "warnings": _coded_list(CAUTION_CODES, "liste d'attente 3 fois sur 4"),
                    },
                },
                "Term": TERM,
                "OtherName": OTHER_NAME,
                "Organisation": _organisation_schema(),
                "OrganisationHit": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "source": {"type": "string"},
                        "source_id": {"type": "string"},
                        "name": {
                            "type": "string",
                            "description": "The name in the reader's language (the account's, else "
                            "Accept-Language): that language's, else the other one's, else the official name.",
                        },
                        "acronym": {"type": "string"},
                        "name_fr": {"type": "string"},
                        "name_nl": {"type": "string"},
                        "postcode": {"type": "string"},
                        "basin": {"type": "string"},
                        "score": {"type": "number"},
                        "highlights": {"type": "object"},
                        "via_needs": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Found through these needs of the thesaurus, not the words typed.",
                        },
                    },
                },
                "Need": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "label_en": {"type": "string"},
                        "label_fr": {"type": "string"},
                        "label_nl": {"type": "string"},
                    },
                },
            },
        },
        "paths": {
            "/requests": {
                "post": {
                    "summary": "Record a request (held by the token owner's territory)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("NewRequest")}},
                    },
                    "responses": {
                        "201": json_content(ref("Request"), "Recorded."),
                        **ERRORS,
                        "403": json_content(ref("Error"), "The account does not work on requests."),
                    },
                },
                "get": {
                    "summary": "Requests one may read",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(Status.codes())},
                        },
                        {"name": "territory", "in": "query", "schema": territory},
                        {"name": "theme", "in": "query", "schema": theme},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "default": 50, "maximum": 200},
                        },
                    ],
                    "responses": {
                        "200": json_content(
                            {
                                "type": "object",
                                "properties": {
                                    "total": {"type": "integer"},
                                    "requests": {"type": "array", "items": ref("RequestSummary")},
                                },
                            },
                            "The requests.",
                        ),
                        **ERRORS,
                    },
                },
            },
            "/requests/{id}": {
                "get": {
                    "summary": "One request (its reading is audited)",
                    "parameters": [PATH_ID],
                    "responses": {"200": json_content(ref("Request"), "The request."), **ERRORS},
                }
            },
            "/requests/{id}/leads": {
                "post": {
                    "summary": "Add an organisation of the directory as a lead",
                    "parameters": [PATH_ID],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("Lead")}},
                    },
                    "responses": {"201": json_content(ref("Lead"), "Added."), **ERRORS},
                }
            },
            "/requests/{id}/suggestions": {
                "get": {
                    "summary": "Organisations to propose for the request, best first, with their reasons and the "
                    "helpdesk's warnings (outcomes of the last 90 days, notes)",
                    "parameters": [
                        PATH_ID,
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "default": 10, "minimum": 1, "maximum": 50},
                        },
                    ],
                    "responses": {
                        "200": json_content(
                            {
                                "type": "object",
                                "properties": {"suggestions": {"type": "array", "items": ref("Suggestion")}},
                            },
                            "The suggestions (none while the request has neither themes nor a question).",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/requests/{id}/transfer": {
                "post": {
                    "summary": "Hand the request to the region, back to a basin or to a neighbouring basin",
                    "parameters": [PATH_ID],
                    "requestBody": _change_body(
                        {
                            "to": territory,
                            "note": {"type": "string"},
                            "callbacks": {
                                "type": "string",
                                "enum": ["move", "cancel"],
                                "default": "move",
                                "description": "Open callbacks move with the request (to whoever takes it "
                                "there) or are cancelled, each with a line in the timeline.",
                            },
                        },
                        ["to", "note"],
                    ),
                    "responses": {
                        "200": json_content(
                            ref("RequestSummary"), "Transferred: `territory` is the new holder."
                        ),
                        "409": json_content(ref("Error"), "Changed meanwhile, or closed."),
                        **ERRORS,
                    },
                }
            },
            "/requests/{id}/close": {
                "post": {
                    "summary": "Close the loop: the feedback given to the asking professional, or why none",
                    "parameters": [PATH_ID],
                    "requestBody": _change_body(
                        {
                            "feedback": {
                                "type": "string",
                                "description": "What was proposed to the professional.",
                            },
                            "feedback_at": {"type": "string", "format": "date-time"},
                            "feedback_channel": {"type": "string", "enum": list(Channel.codes())},
                            "no_feedback_reason": {
                                "type": "string",
                                "description": "Why no feedback could be given.",
                            },
                            "unmet_needs": {"type": "array", "items": ref("UnmetNeed")},
                        }
                    ),
                    "responses": {
                        "200": json_content(ref("Request"), "Closed."),
                        "409": json_content(ref("Error"), "Changed meanwhile, or closed."),
                        **ERRORS,
                    },
                }
            },
            "/requests/{id}/send-orientation": {
                "post": {
                    "summary": "E-mail the asking professional the leads chosen, in their language",
                    "description": "The reference, each lead's name, address, phone, e-mail, website, opening "
                    "hours and note, the next steps and the territory's address (Reply-To). Never the question. "
                    "Queued in the outbox; it leaves when the mail server takes it.",
                    "parameters": [PATH_ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "to": {
                                            "type": "string",
                                            "format": "email",
                                            "description": "Default: the professional's e-mail.",
                                        },
                                        "language": {"type": "string", "enum": ["fr", "nl", "en"]},
                                        "message": {"type": "string", "description": "A word of your own."},
                                        "identity_confirmed": IDENTITY_CONFIRMED,
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": json_content(
                            {
                                "type": "object",
                                "properties": {
                                    "message_id": {"type": "string"},
                                    "outbox_id": {"type": "integer"},
                                    "state": {"type": "string"},
                                },
                            },
                            "Queued in the outbox.",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/requests/{id}/reopen": {
                "post": {
                    "summary": "Open a closed request again; its closing feedback stays in the timeline",
                    "parameters": [PATH_ID],
                    "requestBody": _change_body(
                        {"reason": {"type": "string", "description": "Why the request is opened again."}},
                        ["reason"],
                    ),
                    "responses": {
                        "200": json_content(ref("Request"), "Reopened: `status` is in_progress."),
                        "409": json_content(ref("Error"), "Changed meanwhile, not closed, or anonymised."),
                        **ERRORS,
                    },
                }
            },
            "/organisations": {
                "get": {
                    "summary": "Search the directory",
                    "parameters": [
                        {"name": n, "in": "query", "schema": {"type": "string"}, "description": d}
                        for n, d in (
                            (
                                "q",
                                "Words of a name (official, alternative, former, a service's, an acronym), "
                                "of the activities or descriptions, a commune, in French or Dutch.",
                            ),
                            ("category", "A category's code (the source's id for social.brussels)."),
                            ("public", "A public's label."),
                            ("basin", "A basin's code."),
                            ("commune", "A commune's code."),
                            ("language", "An ISO 639-1 code, or `interpreting` (interpreting available)."),
                        )
                    ]
                    + [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": json_content(
                            {
                                "type": "object",
                                "properties": {
                                    "total": {"type": "integer"},
                                    "page": {"type": "integer"},
                                    "limit": {"type": "integer"},
                                    "degraded": {
                                        "type": "boolean",
                                        "description": "True while the index is rebuilt: plain matching.",
                                    },
                                    "hits": {"type": "array", "items": ref("OrganisationHit")},
                                    "facets": {"type": "object"},
                                    "suggestion": {"type": "string", "nullable": True},
                                    "needs": {"type": "array", "items": ref("Need")},
                                    "empty": {
                                        "type": "object",
                                        "nullable": True,
                                        "description": "When nothing was found: why, and what the words resemble.",
                                        "properties": {
                                            "reason": {"type": "string", "enum": ["filters", "no_match"]},
                                            "without_filters": {"type": "integer"},
                                            "blocking_filters": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                            "resembling_needs": {"type": "array", "items": ref("Need")},
                                            "resembling_categories": {
                                                "type": "array",
                                                "items": {"type": "object"},
                                            },
                                        },
                                    },
                                },
                            },
                            "Ranked hits (those found through a need of the thesaurus after those holding the "
                            "words), the needs understood, facet counts, a spelling suggestion, and when nothing "
                            "was found why.",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/organisations/{id}": {
                "get": {
                    "summary": "One organisation of the directory",
                    "parameters": [PATH_ID],
                    "responses": {
                        "200": json_content(ref("Organisation"), "Everything the directory knows."),
                        **ERRORS,
                    },
                }
            },
            "/organisations/{id}/verify": {
                "post": {
                    "summary": "Mark the organisation verified: you called it and its details are right",
                    "description": "Adds to its history of verifications (audited as `organisation.verify`); "
                    "its `verified_at` and `verified_by` become yours. Operators and coordinators.",
                    "parameters": [PATH_ID],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "note": {
                                            "type": "string",
                                            "maxLength": 200,
                                            "description": "A short note (what was confirmed); never a "
                                            "beneficiary's identity.",
                                        },
                                        "identity_confirmed": IDENTITY_CONFIRMED,
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": json_content(
                            {
                                "type": "object",
                                "required": ["id", "verified_at", "verified_by"],
                                "properties": {"id": {"type": "integer"}, **VERIFIED},
                            },
                            "Verified now.",
                        ),
                        **ERRORS,
                        "403": json_content(
                            ref("Error"), "The account is not an operator's or a coordinator's."
                        ),
                        "409": json_content(ref("Error"), "The organisation is archived."),
                    },
                }
            },
        },
    }


def full_spec() -> dict:
    """The document with the proposals' resource (``openapi_proposals``) merged in."""
    document = spec()
    document["components"]["schemas"].update(openapi_proposals.schemas())
    document["components"]["schemas"]["Organisation"]["properties"].update(
        openapi_proposals.organisation_properties()
    )
    document["paths"].update(openapi_proposals.paths())
    return document


@bp.route("/openapi.json")
def openapi():
    return jsonify(full_spec())
