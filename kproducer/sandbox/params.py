"""Turning request parameters into typed action arguments, as ``KalturaRequestDeserializer``.

Scalars are cast the PHP way (``(int)"12abc"`` is 12, anything but "false" is a true
bool), enums are checked against the declared values, objects honour ``objectType`` only
when it names a subclass of the declared type, unknown properties are ignored and
``name__null`` marks a property as explicitly null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import errors, schema
from .errors import ApiError

_INT_PREFIX = re.compile(r"^\s*[+-]?\d+")
_FLOAT_PREFIX = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# Characters XML 1.0 cannot carry (kXml::isXMLValidContent).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

SIMPLE = ("string", "int", "bool", "float", "bigint")


class Null:
    """Marks a property sent as ``name__null``: set it to null on update."""

    def __repr__(self) -> str:
        return "NULL"


NULL = Null()


def cast_int(value: Any) -> int:
    """PHP ``(int)`` of a request value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, (dict, list)):
        return 1 if value else 0
    match = _INT_PREFIX.match(str(value))
    return int(match.group(0)) if match else 0


def cast_float(value: Any) -> float:
    """PHP ``(float)`` of a request value."""
    if isinstance(value, (int, float)):
        return float(value)
    match = _FLOAT_PREFIX.match(str(value))
    return float(match.group(0)) if match else 0.0


def cast_bool(value: Any) -> bool:
    """The deserializer's bool: "false" in any case is false, otherwise PHP truthiness."""
    if isinstance(value, str):
        return value.lower() != "false" and value not in ("", "0")
    return bool(value)


def cast_string(value: Any, name: str) -> str:
    """A string value; refuses characters XML cannot carry (``INVALID_PARAMETER_CHAR``)."""
    if isinstance(value, (dict, list)):
        text = "Array"
    elif isinstance(value, bool):
        text = "1" if value else ""
    else:
        text = str(value)
    if _XML_INVALID.search(text):
        raise ApiError(errors.INVALID_PARAMETER_CHAR, name)
    return text


def cast_simple(kind: str, value: Any, name: str) -> Any:
    """Cast a scalar of a declared simple type."""
    if kind in ("int", "bigint"):
        return cast_int(value)
    if kind == "float":
        return cast_float(value)
    if kind == "bool":
        return cast_bool(value)
    return cast_string(value, name)


def check_enum(enum: str, value: Any, name: str, numeric: bool) -> Any:
    """Validate an enum value against the declared values; int enums come back as int."""
    if isinstance(value, (dict, list)):
        raise ApiError(errors.INVALID_ENUM_VALUE, "Array", name, enum)
    text = str(value)
    if numeric:
        if text.lower() == "true":
            text = "1"
        elif text.lower() == "false":
            text = "0"
        if text not in schema.enum_values(enum):
            raise ApiError(errors.INVALID_ENUM_VALUE, text, name, enum)
        return cast_int(text)
    if text not in schema.enum_values(enum):
        raise ApiError(errors.INVALID_ENUM_VALUE, text, name, enum)
    return text


def build_object(declared: str, value: Any, name: str) -> dict[str, Any]:
    """Build a request object of (a subclass of) ``declared`` from its parameters."""
    if not isinstance(value, dict):
        raise ApiError(errors.PROPERTY_VALIDATION_WRONG_FORMAT, name, "array")
    info = schema.get_class(declared)
    if info is None:
        raise ApiError(errors.INTERNAL_SERVERL_ERROR)
    wanted = value.get("objectType")
    if isinstance(wanted, str) and wanted.lower() != declared.lower():
        candidate = schema.get_class(wanted)
        if candidate is not None and candidate.is_a(declared):
            info = candidate
    if info.name in schema.ABSTRACT:
        raise ApiError(errors.OBJECT_TYPE_ABSTRACT, info.name)
    obj: dict[str, Any] = {"objectType": info.name}
    for key, raw in value.items():
        prop = str(key)
        is_null = prop.endswith("__null")
        if is_null:
            prop = prop[: -len("__null")]
        field = info.fields.get(prop)
        if field is None:
            continue
        if is_null and field.kind not in ("array", "map"):
            obj[prop] = NULL
            continue
        obj[prop] = _property(field, raw, f"{name}:{prop}")
        _check_length(info, prop, obj[prop])
    return obj


def _check_length(info: schema.ClassInfo, prop: str, value: Any) -> None:
    """``validateMinLength`` / ``validateMaxLength``: errors name the bare property."""
    limits = info.length(prop)
    if limits is None or not isinstance(value, str):
        return
    size = len(value.encode())
    if size < limits[0]:
        raise ApiError(errors.PROPERTY_VALIDATION_MIN_LENGTH, prop, limits[0])
    if limits[1] is not None and size > limits[1]:
        raise ApiError(errors.PROPERTY_VALIDATION_MAX_LENGTH, prop, limits[1])


def _property(field: schema.FieldInfo, raw: Any, path: str) -> Any:
    kind = field.kind
    if kind in ("text", "int", "bool", "float"):
        return cast_simple("string" if kind == "text" else kind, raw, field.name)
    if kind == "int_enum":
        return check_enum(field.ref, raw, field.name, numeric=True)
    if kind == "string_enum":
        return check_enum(field.ref, raw, field.name, numeric=False)
    if kind == "array":
        if not isinstance(raw, (dict, list)):
            return []
        items = raw.items() if isinstance(raw, dict) else enumerate(raw)
        out = []
        for key, item in sorted(items, key=lambda kv: str(kv[0])):
            if key == "-":
                break
            out.append(build_object(field.ref, item, path))
        return out
    if kind == "map":
        if not isinstance(raw, dict):
            return {}
        return {k: build_object(field.ref, v, path) for k, v in raw.items() if k != "-"}
    if isinstance(raw, dict):
        return build_object(field.ref, raw, path)
    return None


@dataclass(frozen=True)
class Param:
    """One declared action parameter.

    Attributes:
        name: Parameter name on the wire.
        type: ``string``, ``int``, ``bool``, ``float``, an enum (``int_enum:Name`` or
            ``string_enum:Name``) or a Kaltura class name.
        optional: May be absent.
        default: Value used when an optional simple parameter is absent.
    """

    name: str
    type: str
    optional: bool = False
    default: Any = None


def build_arguments(params: list[Param], grouped: dict[str, Any]) -> dict[str, Any]:
    """``buildActionArguments``: the keyword arguments of an action call.

    A parameter sent only as ``name__null`` counts as absent, so its default applies.
    """
    args: dict[str, Any] = {}
    for param in params:
        present = param.name in grouped and grouped[param.name] is not None
        value = grouped.get(param.name)
        if present:
            if param.type in SIMPLE:
                args[param.name] = cast_simple(param.type, value, param.name)
            elif param.type.startswith(("int_enum:", "string_enum:")):
                kind, enum = param.type.split(":", 1)
                args[param.name] = check_enum(enum, value, param.name, kind == "int_enum")
            else:
                args[param.name] = build_object(param.type, value, param.name)
        elif param.optional:
            args[param.name] = param.default
        else:
            raise ApiError(errors.MISSING_MANDATORY_PARAMETER, param.name)
    return args


def set_fields(
    target: dict[str, Any], source: dict[str, Any], class_name: str, for_update: bool
) -> dict[str, Any]:
    """Copy request properties onto a stored object (``toInsertableObject``/``toUpdatableObject``).

    Read-only properties (and insert-only ones on update) that were sent with a value give
    ``PROPERTY_VALIDATION_NOT_UPDATABLE``; ``NULL`` clears a property.
    """
    info = schema.get_class(source.get("objectType", class_name)) or schema.get_class(class_name)
    assert info is not None
    insert_only = info.insert_only()
    for prop, value in source.items():
        if prop == "objectType":
            continue
        field = info.fields[prop]
        if for_update and target.get(prop) == value:
            continue  # validateForUpdate accepts a property sent with its current value
        if value is NULL:
            if field.readonly or (for_update and prop in insert_only):
                continue
            target[prop] = None
            continue
        if field.readonly or (for_update and prop in insert_only):
            raise ApiError(errors.PROPERTY_VALIDATION_NOT_UPDATABLE, f"{info.name}::{prop}")
        target[prop] = value
    return target
