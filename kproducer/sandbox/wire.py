"""The API v3 wire format: request parameters in, XML (or JSON) results out.

Requests are read the way ``infraRequestUtils::getRequestParams`` reads them: URL path
pairs and the query string override the body; a JSON body is used only when the
Content-Type is exactly ``application/json`` and the trimmed body is a ``{...}`` object;
form and multipart bodies as PHP fills ``$_POST`` and ``$_FILES`` (:mod:`.form`);
``a:b:c`` keys are grouped into nested parameters (``KalturaRequestDeserializer::groupParams``).
Responses follow ``KalturaXmlSerializer``: every public property of an object is written,
nulls as empty elements, booleans as 1/0, arrays as ``<item>`` sequences.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from . import schema
from .errors import ApiError
from .form import Form, php_nest

Params = dict[str, Any]

#: ``json_decode``'s default nesting limit in PHP: deeper documents decode to null.
JSON_MAX_DEPTH = 512


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON (iterative: a deep document must not recurse)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def decode_json(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that refuses what PHP's ``json_decode`` refuses by depth.

    A document nested deeper than :data:`JSON_MAX_DEPTH` is invalid, as on the server, and
    Python's own recursion limit is never reached as a ``RecursionError``.

    Raises:
        ValueError: Not JSON, or nested too deep.
    """
    too_deep = f"JSON nested deeper than {JSON_MAX_DEPTH} levels"
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError(too_deep) from None
    if _depth(value) > JSON_MAX_DEPTH:
        raise ValueError(too_deep)
    return value


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;", "'": "&apos;"})


def group_params(flat: Params) -> Params:
    """Nest ``a:b:c`` keys into dictionaries, as the server's deserializer does."""
    grouped: Params = {}
    for key, value in flat.items():
        path = str(key).split(":")
        node = grouped
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if part == "-" and last:
                break
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    return grouped


def _merge(base: Params, override: Params) -> Params:
    """``array_replace_recursive``: values of ``override`` win, nested dicts merge."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def path_params(path: str) -> Params:
    """``/api_v3/service/user/action/get`` → ``{"service": "user", "action": "get"}``."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == "api_v3":
        parts = parts[1:]
    if parts and parts[0] == "index.php":
        parts = parts[1:]
    params: Params = {}
    for i in range(0, len(parts) - 1, 2):
        params.setdefault(parts[i], parts[i + 1])
    return params


def request_params(
    path: str, query: str, content_type: str, body: bytes, form: Form | None = None
) -> Params:
    """All parameters of one HTTP request, grouped and with path pairs taking precedence.

    Form bodies and the query string are read as PHP reads them (:func:`php_nest`). A
    multipart body (``form``, already parsed) gives its ``json`` field when that decodes
    to a non-empty object, else its plain fields; its file parts are merged in under
    their field names (``array_replace_recursive($post, $_FILES, $params)``).
    """
    post: Any = None
    ctype = content_type.split(";")[0].strip().lower()
    if content_type.strip().lower() == "application/json":
        text = body.strip()
        if text.startswith(b"{") and text.endswith(b"}"):
            try:
                post = decode_json(text.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                post = None
    elif ctype == "application/x-www-form-urlencoded":
        try:
            post = php_nest(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            post = None
    elif form is not None:
        json_field = next((v for k, v in reversed(form.fields) if k == "json"), None)
        if json_field is not None:
            try:
                post = json.loads(json_field)
            except ValueError:
                post = None
        if not isinstance(post, dict) or not post:
            post = php_nest(form.fields)
        post = _merge(post, php_nest((f.field, f) for f in form.files))
    if not isinstance(post, dict):
        post = {}
    url: Params = php_nest(parse_qsl(query, keep_blank_values=True))
    url.update(path_params(path))
    return _merge(group_params(post), group_params(url))


# --- results ---------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(value, ".14G")
    return _text(str(value))


def _value_xml(value: Any, kind: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        if "objectType" in value:
            return object_xml(value)
        # a map: <item><itemKey>k</itemKey>…</item>
        return "".join(
            f"<item><itemKey>{_text(str(k))}</itemKey>{object_xml(v)}</item>"
            if isinstance(v, dict)
            else f"<item><itemKey>{_text(str(k))}</itemKey>{_scalar(v)}</item>"
            for k, v in value.items()
        )
    if isinstance(value, list):
        return "".join(f"<item>{_value_xml(item)}</item>" for item in value)
    return _scalar(value)


def object_xml(obj: Params) -> str:
    """Serialize one object: ``objectType`` first, then every declared property in order."""
    type_name = obj["objectType"]
    parts = [f"<objectType>{type_name}</objectType>"]
    info = schema.get_class(type_name)
    names = list(info.fields) if info else [k for k in obj if k != "objectType"]
    for name in names:
        parts.append(f"<{name}>{_value_xml(obj.get(name))}</{name}>")
    return "".join(parts)


def error_xml(error: ApiError) -> str:
    """The ``<error>`` element for an API exception, args included."""
    args = "".join(
        "<item><objectType>KalturaApiExceptionArg</objectType>"
        f"<name>{_text(name)}</name><value>{_text(value)}</value></item>"
        for name, value in error.args_map.items()
    )
    return (
        "<error><objectType>KalturaAPIException</objectType>"
        f"<code>{_text(error.code)}</code><message>{_text(error.message)}</message>"
        f"<args>{args}</args></error>"
    )


def result_xml(result: Any) -> str:
    """The inner XML of one ``<result>`` (or multirequest ``<item>``)."""
    if isinstance(result, ApiError):
        return error_xml(result)
    return _value_xml(result)


def envelope_xml(inner: str, seconds: float) -> bytes:
    """The complete response document."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><xml><result>'
        f"{inner}</result><executionTime>{seconds:.6f}</executionTime></xml>"
    ).encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, ApiError):
        return {
            "code": value.code,
            "message": value.message,
            "objectType": "KalturaAPIException",
            "args": dict(value.args_map),
        }
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def result_json(result: Any) -> bytes:
    """A ``format=1`` (JSON) response, as browsers and the stand-in embeds ask for."""
    return json.dumps(_json_value(result), separators=(",", ":")).encode()
