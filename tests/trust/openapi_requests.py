"""A plausible request for any OpenAPI operation: schema examples first, known field names replaced by real ids.

The authorization matrix uses it so each call is valid enough that only authorization can refuse it.
"""

import re
from typing import Any


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example_of(schema: dict, spec: dict, substitutes: dict[str, Any], name: str = "") -> Any:
    """A value valid for `schema` (its examples first), with known field names replaced by `substitutes`."""
    if name in substitutes:
        return substitutes[name]
    schema = _resolve(schema, spec)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, spec).get("type") != "null"]
            return example_of(options[0], spec, substitutes, name) if options else None
    if "allOf" in schema:
        return example_of(schema["allOf"][0], spec, substitutes, name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if schema.get("examples") and isinstance(schema["examples"][0], dict):
            base = dict(schema["examples"][0])
        else:
            base = {}
        props = schema.get("properties", {})
        for prop in [*schema.get("required", []), *[p for p in props if p in substitutes]]:
            if prop in props and (prop not in base or prop in substitutes):
                base[prop] = example_of(props[prop], spec, substitutes, prop)
        return base
    if kind == "array":
        item = example_of(schema.get("items", {}), spec, substitutes, name)
        return [item] * max(1, schema.get("minItems", 1))
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    return {"string": "text", "integer": max(1, schema.get("minimum", 1)), "number": 1.0,
            "boolean": True}.get(kind, "text")


def request_for(op: Any, spec: dict, path_values: dict[str, str], substitutes: dict[str, Any]) -> dict:
    """`path`, `params` and `json` for calling `op` on the objects in `path_values`."""
    detail = spec["paths"][op.path][op.method.lower()]
    path = re.sub(r"{(\w+)}", lambda m: path_values.get(m.group(1), "unknown-0"), op.path)
    params = {p["name"]: example_of(p.get("schema", {}), spec, substitutes, p["name"])
              for p in detail.get("parameters", []) if p["in"] == "query" and p.get("required")}
    body = None
    content = detail.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None:
        body = example_of(content.get("schema", {}), spec, substitutes)
    return {"url": path, "params": params, "json": body}
