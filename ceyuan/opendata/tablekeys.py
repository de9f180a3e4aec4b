"""Query a table row's field by name, whatever the name: ``TableRow.data`` holds one JSON
object per row, keyed by the table's column names.

Django's ``data__<name>`` syntax cannot address every name: it splits a name at ``__``, reads
a lookup name (``contains``, ``in``...) as a lookup, and reads an all-digit key (a year such as
``2023``, common in statistical tables) as an array index, so such filters matched nothing.
Here the key is handed to Django's JSON key transform directly, kept as a string that cannot
be read as an index (Django turns a key into an index exactly when ``int(key)`` succeeds, in
the transform and in its lookups).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.sql.compiler import SQLCompiler


class _ObjectKey(str):
    """A JSON object key that ``int()`` refuses, so Django never makes it an array index."""

    __slots__ = ()

    def __int__(self) -> int:
        raise ValueError("a JSON object key, not an array index")


class _FieldValue(KeyTransform):
    """A row's field by name (Django's ``KeyTransform`` stores its key as a plain ``str``)."""

    def __init__(self, key_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(key_name, *args, **kwargs)
        self.key_name = _ObjectKey(key_name)


class _FieldText(KeyTextTransform):
    """A row's field by name as text, SQL NULL where the value is a JSON null or missing."""

    def __init__(self, key_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(key_name, *args, **kwargs)
        self.key_name = _ObjectKey(key_name)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        # Django's SQLite form gives the text 'null' for a JSON null (and 'true'/'false' for
        # booleans), so nulls would sort among the values; JSON_EXTRACT gives SQL NULL.
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        path = "$" + "".join(f".{json.dumps(key)}" for key in key_transforms)  # object keys
        return f"JSON_EXTRACT({lhs}, %s)", (*params, path)


def with_fields(qs: QuerySet[Any], names: Iterable[str]) -> tuple[QuerySet[Any], dict[str, str]]:
    """``qs`` (of ``TableRow``) with the JSON value of each named field as an alias, and the
    alias of each name, for use in ``field_is``."""
    aliases = {name: f"_field{i}" for i, name in enumerate(dict.fromkeys(names))}
    expressions = {alias: _FieldValue(name, "data") for name, alias in aliases.items()}
    return qs.alias(**expressions), aliases


def field_is(alias: str, value: Any) -> Q:
    """Rows whose field (aliased as ``alias`` by ``with_fields``) equals ``value``; ``None``
    matches a JSON null and a row without the field (one written before it was added)."""
    if value is not None:
        return Q(**{alias: value})
    return Q(**{alias: None}) | Q(**{f"{alias}__isnull": True})


def field_text(name: str) -> KeyTextTransform:
    """The value of field ``name`` of a row as text (for ordering)."""
    return _FieldText(name, "data")
