"""The Kaltura type system, read from the official Python client's generated classes.

The client is generated from the server's own schema, so its classes list exactly the
properties, their types and the enum values the server declares. Reading them here gives
the sandbox the real field lists (and their order) for every object it returns, and the
real types for every object it parses, without a hand-kept copy that could drift.

What the generated client cannot know, the server's insert-only flags, is declared in
``INSERT_ONLY`` below (from the ``@insertonly`` annotations in kaltura/server).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from KalturaClient import Base
from KalturaClient.Plugins import Core, Group, Room, Schedule, VirtualEvent

_MODULES: tuple[ModuleType, ...] = (Core, Group, VirtualEvent, Room, Schedule)

#: Properties the server accepts on add but refuses on update (``@insertonly``).
INSERT_ONLY: dict[str, frozenset[str]] = {
    "KalturaUser": frozenset(
        {"isGuest", "isAccountOwner", "password", "loginEnabled", "externalId"}
    ),
    "KalturaGroupUser": frozenset({"userId", "groupId", "creationMode"}),
    "KalturaBaseEntry": frozenset(
        {"creatorId", "templateEntryId", "application", "applicationVersion"}
    ),
    "KalturaMediaEntry": frozenset(
        {
            "mediaType", "conversionQuality", "sourceType", "sourceVersion",
            "searchProviderType", "searchProviderId",
        }
    ),
}

#: ``@minLength`` / ``@maxLength`` of string properties, checked by the deserializer
#: (``KalturaRequestDeserializer::validateParameter``) in bytes, as PHP's ``strlen``.
LENGTHS: dict[str, dict[str, tuple[int, int | None]]] = {
    "KalturaBaseEntry": {"userId": (0, 100)},
    "KalturaVirtualEvent": {"name": (3, 256)},
}

#: Classes the server declares abstract (``@abstract``) among those the sandbox reads.
ABSTRACT: frozenset[str] = frozenset(
    {
        "KalturaFilter", "KalturaRelatedFilter", "KalturaListResponse", "KalturaScheduleEvent",
        "KalturaEntryScheduleEvent", "KalturaBaseLiveScheduleEvent",
    }
)


@dataclass(frozen=True)
class FieldInfo:
    """One declared property.

    Attributes:
        name: Property name as on the wire.
        kind: ``text``, ``int``, ``bool``, ``float``, ``int_enum``, ``string_enum``,
            ``object``, ``array`` or ``map``.
        ref: Enum or class name for enum, object, array and map kinds.
        readonly: The server never takes it from a request.
    """

    name: str
    kind: str
    ref: str = ""
    readonly: bool = False


@dataclass
class ClassInfo:
    """One Kaltura class: its ancestry and properties in declaration order."""

    name: str
    ancestors: tuple[str, ...]
    fields: dict[str, FieldInfo] = field(default_factory=dict)

    def is_a(self, other: str) -> bool:
        """Whether this class is ``other`` or derives from it."""
        return other == self.name or other in self.ancestors

    def length(self, prop: str) -> tuple[int, int | None] | None:
        """The declared (min, max) length of a string property, if any."""
        for cls in (self.name, *self.ancestors):
            if prop in LENGTHS.get(cls, {}):
                return LENGTHS[cls][prop]
        return None

    def insert_only(self) -> frozenset[str]:
        """Insert-only property names of this class and its ancestors."""
        names: set[str] = set()
        for cls in (self.name, *self.ancestors):
            names |= INSERT_ONLY.get(cls, frozenset())
        return frozenset(names)


_LOADER_KINDS = {
    Base.getXmlNodeText: "text",
    Base.getXmlNodeInt: "int",
    Base.getXmlNodeBool: "bool",
    Base.getXmlNodeFloat: "float",
}
_FACTORY_KINDS = {
    Base.KalturaEnumsFactory.createInt: "int_enum",
    Base.KalturaEnumsFactory.createString: "string_enum",
    Base.KalturaObjectFactory.create: "object",
    Base.KalturaObjectFactory.createArray: "array",
    Base.KalturaObjectFactory.createMap: "map",
}
_SAMPLE = {"text": "x", "int": 1, "bool": True, "float": 1.5, "int_enum": 1, "string_enum": "x"}


def _python_class(name: str) -> type[Any] | None:
    for module in _MODULES:
        cls = getattr(module, name, None)
        if inspect.isclass(cls):
            return cls
    return None


def _writable(cls: type[Any], names: dict[str, str]) -> set[str]:
    """Names the client sends for ``cls``: everything else is read-only on the server."""
    obj = cls()
    for name, kind in names.items():
        if kind in _SAMPLE:
            setattr(obj, name, _SAMPLE[kind])
    params = obj.toParams()
    sent = set(params.get().keys())
    # Object, array and map properties are sent only when set; they are writable when the
    # class's toParams mentions them at all.
    source = inspect.getsource(cls.toParams)
    sent |= {n for n, k in names.items() if k in ("object", "array", "map") and f'"{n}"' in source}
    return sent


@cache
def get_class(name: str) -> ClassInfo | None:
    """The declared shape of a Kaltura class, or None when the client has no such class."""
    cls = _python_class(name)
    if cls is None or not hasattr(cls, "PROPERTY_LOADERS"):
        return None
    chain = [
        c
        for c in cls.__mro__
        if c.__name__.startswith("Kaltura") and c.__name__ != "KalturaObjectBase"
    ]
    info = ClassInfo(name, tuple(c.__name__ for c in chain[1:]))
    for klass in reversed(chain):
        loaders: dict[str, Any] = klass.__dict__.get("PROPERTY_LOADERS", {})
        kinds: dict[str, str] = {}
        refs: dict[str, str] = {}
        for prop, loader in loaders.items():
            if isinstance(loader, tuple):
                kinds[prop] = _FACTORY_KINDS[loader[0]]
                refs[prop] = loader[1]
            else:
                kinds[prop] = _LOADER_KINDS[loader]
        writable = _writable(klass, kinds) if kinds else set()
        for prop, kind in kinds.items():
            info.fields[prop] = FieldInfo(prop, kind, refs.get(prop, ""), prop not in writable)
    return info


@cache
def enum_values(name: str) -> frozenset[str]:
    """The values (as strings) of an enum class, e.g. ``{"0", "1"}`` for a status."""
    cls = _python_class(name)
    if cls is None:
        return frozenset()
    return frozenset(
        str(v)
        for k, v in vars(cls).items()
        if k.isupper() and isinstance(v, (int, str)) and not isinstance(v, bool)
    )
