"""Pieces shared by the parts of the OpenAPI document (``openapi`` and ``openapi_proposals``)."""

from __future__ import annotations

PATH_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
STRINGS = {"type": "array", "items": {"type": "string"}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
