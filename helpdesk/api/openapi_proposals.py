"""The OpenAPI description of the proposals' resource (``helpdesk.api.proposals``), merged into the
document by ``helpdesk.api.openapi``."""

from __future__ import annotations

from typing import Any

from helpdesk.api.openapi_parts import PATH_ID, STRINGS, json_content, ref
from helpdesk.stewardship.fields import ADDRESS_PARTS, FIELDS, NAME_FIELDS
from helpdesk.stewardship.models import PROPOSAL_STATES, STATUSES

_ERROR = json_content(
    ref("Error"),
    "Invalid input (`fields` names each field at fault, an unknown one included), or "
    "an archived organisation.",
)
_IDENTITY = {
    "type": "boolean",
    "description": "Send true to keep a note the identity guard warned about (400, field code identity_suspected).",
}
_VALUE = {"description": "A field's value: a list, a text, or the address object.", "nullable": True}

CHANGES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Field: value. Lists may be sent as lists or as one text (one item a line). The address "
    "goes as its parts (`street_fr`, `street_nl`, `number`, `box`, `postcode`), those not sent kept. Phones, "
    "e-mails, web addresses and the postcode are checked; categories are codes of the directory.",
    "properties": {
        **{field: _VALUE for field in FIELDS if field != "address"},
        **{part: {"type": "string"} for part in ADDRESS_PARTS},
        "phones": {**STRINGS, "example": ["02 555 12 34"]},
        "emails": STRINGS,
        "websites": STRINGS,
        "languages": {**STRINGS, "description": "ISO 639-1 codes or names."},
        "categories": {**STRINGS, "description": "Category codes (`ssm`, `mm`...)."},
        "publics": {"type": "array", "items": {"type": "object", "properties": {"fr": {}, "nl": {}}}},
    },
}


def schemas() -> dict:
    return {
        "Proposal": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["change", "new"]},
                "state": {"type": "string", "enum": list(PROPOSAL_STATES)},
                "organisation_id": {"type": "integer", "nullable": True},
                "status": {"type": "string", "enum": list(STATUSES), "nullable": True},
                "until": {"type": "string", "format": "date", "nullable": True},
                "note": {"type": "string"},
                "territory": {"type": "string"},
                "basin": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "decided_at": {"type": "string", "format": "date-time", "nullable": True},
                "refusal_reason": {"type": "string", "nullable": True},
                "changes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "directory_value": _VALUE,
                            "proposed_value": _VALUE,
                            "accepted_value": _VALUE,
                        },
                    },
                },
            },
        },
        "Overlay": {
            "type": "object",
            "description": "A value of the helpdesk in force over the source's.",
            "properties": {
                "field": {"type": "string"},
                "value": _VALUE,
                "source_value": _VALUE,
                "since": {"type": "string", "format": "date-time"},
                "state": {"type": "string", "enum": ["active", "review"]},
            },
        },
    }


def organisation_properties() -> dict:
    """What ``GET /organisations/{id}`` adds to the organisation's values (which are those in force)."""
    return {
        "local": {"type": "boolean", "description": "Added by the helpdesk, not (yet) in a source."},
        "overlays": {"type": "array", "items": ref("Overlay")},
    }


_CREATED = json_content(
    {"type": "object", "properties": {"id": {"type": "integer"}, "state": {"type": "string"}}}, "Proposed."
)


def _body(properties: dict, *, required: bool = True, needed: list[str] | None = None) -> dict:
    """A JSON object body of these ``properties`` (others refused), ``needed`` ones required."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if needed:
        schema["required"] = needed
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _decision_responses(done: str) -> dict:
    return {
        "200": json_content(ref("Proposal"), done),
        "400": _ERROR,
        "403": json_content(ref("Error"), "Not a coordinator who decides it."),
        "404": json_content(ref("Error"), "No such proposal."),
        "409": json_content(ref("Error"), "Decided already."),
    }


def paths() -> dict:
    new_properties = {
        **{name: {"type": "string"} for name in NAME_FIELDS},
        **CHANGES["properties"],
        "note": {"type": "string"},
        "identity_confirmed": _IDENTITY,
        "distinct": {"type": "boolean", "description": "True: none of the likely duplicates is this one."},
    }
    return {
        "/organisations/{id}/proposals": {
            "post": {
                "summary": "Propose changes of an organisation and/or its closure",
                "parameters": [PATH_ID],
                "requestBody": _body(
                    {
                        "changes": CHANGES,
                        "status": {"type": "string", "enum": list(STATUSES), "nullable": True},
                        "until": {"type": "string", "format": "date", "nullable": True},
                        "note": {"type": "string"},
                        "identity_confirmed": _IDENTITY,
                    }
                ),
                "responses": {
                    "201": _CREATED,
                    "400": _ERROR,
                    "401": json_content(ref("Error"), "Not signed in."),
                    "403": json_content(ref("Error"), "Not an operator or coordinator."),
                    "404": json_content(ref("Error"), "No such organisation."),
                },
            }
        },
        "/organisations/proposals": {
            "post": {
                "summary": "Propose an organisation the directory lacks (a name required)",
                "requestBody": _body(new_properties),
                "responses": {
                    "201": _CREATED,
                    "400": _ERROR,
                    "409": json_content(
                        {
                            "type": "object",
                            "properties": {"error": {"type": "string"}, "duplicates": {"type": "array"}},
                        },
                        "Likely duplicates in the directory: send `distinct: true` if none is it.",
                    ),
                },
            }
        },
        "/proposals": {
            "get": {
                "summary": "Proposals to decide (coordinators) or one's own (operators)",
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(PROPOSAL_STATES), "default": "pending"},
                    }
                ],
                "responses": {
                    "200": json_content(
                        {
                            "type": "object",
                            "properties": {"proposals": {"type": "array", "items": ref("Proposal")}},
                        },
                        "The proposals.",
                    ),
                    "400": _ERROR,
                },
            }
        },
        "/proposals/{id}/accept": {
            "post": {
                "summary": "Accept a proposal, its values edited first if `changes` says so",
                "parameters": [PATH_ID],
                "requestBody": _body({"changes": CHANGES}, required=False),
                "responses": _decision_responses("Accepted: the values are in force."),
            }
        },
        "/proposals/{id}/refuse": {
            "post": {
                "summary": "Refuse a proposal with a reason",
                "parameters": [PATH_ID],
                "requestBody": _body({"reason": {"type": "string"}}, needed=["reason"]),
                "responses": _decision_responses("Refused."),
            }
        },
    }
