"""The subset of JSON Schema the results schema uses, checked without a schema library."""

from __future__ import annotations

from typing import Any

TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "number": (int, float),
}


def validate_schema(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """The subset of JSON Schema our schema uses (type, required, properties, items, ...)."""
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        ok = any(
            isinstance(value, TYPES[n]) and not (n == "number" and isinstance(value, bool))
            for n in names
        )
        assert ok, f"{where}: {value!r} is not {names}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        props = schema.get("properties", {})
        for key, sub in value.items():
            if key in props:
                validate_schema(sub, props[key], f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                validate_schema(sub, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            validate_schema(item, schema["items"], f"{where}[{n}]")
