"""The catalog as JSON Schema (draft 2020-12): one definition per table and view.

Each definition describes one row as its model holds it: properties named like the model's
fields, in column order, all required, NULL-able columns as `anyOf [T, null]`. Standard
keywords carry the types (`integer`, `string` with `format: date-time`, ...); `x-sqlite-*`
annotations record where each definition and property comes from. The same document is the
input of model generation (`sqlforge.models`), and can be written to a file of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from sqlforge.sqltypes import PythonType

if TYPE_CHECKING:
    from sqlforge.models import Model, ModelField

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "float": {"type": "number"},
    "decimal": {"type": "string", "format": "decimal"},
    "str": {"type": "string"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "json": {},
    "object": {},
}
_BASE_TYPES: Final = {"str": "string", "int": "integer", "float": "number", "bytes": "string"}


def catalog_schema(models: Sequence[Model], *, comment: str) -> dict[str, Any]:
    """The document: `$defs` maps each model name to its definition, in catalog order."""
    return {
        "$schema": DIALECT,
        "$comment": comment,
        "$defs": {model.name: model_definition(model) for model in models},
    }


def model_definition(model: Model) -> dict[str, Any]:
    return {
        "type": "object",
        "title": model.name,
        "x-sqlite-table": model.table.name,
        "x-sqlite-kind": model.table.kind,
        "properties": {field.name: field_schema(field) for field in model.fields},
        "required": [field.name for field in model.fields],
        "additionalProperties": False,
    }


def field_schema(field: ModelField) -> dict[str, Any]:
    value = type_schema(field.python_type)
    annotations = {
        "x-sqlite-column": field.column.name,
        "x-sqlite-type": field.column.declared_type,
    }
    if field.nullable:
        return {"anyOf": [value, {"type": "null"}], **annotations}
    return {**value, **annotations}


def type_schema(python_type: PythonType) -> dict[str, Any]:
    """The JSON Schema of a non-null value of this type."""
    if python_type.kind != "custom":
        return dict(_SCHEMAS[python_type.kind])
    schema: dict[str, Any] = {}
    if python_type.base_kind:
        schema["type"] = _BASE_TYPES[python_type.base_kind]
    if python_type.enum_values:
        schema["enum"] = list(python_type.enum_values)
    return schema


def render_json(document: dict[str, Any]) -> str:
    """Deterministic text: two-space indent, keys in insertion order, UTF-8 kept, LF."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
