"""YAML reading that remembers line numbers, so errors can name file, line and field.

``load_yaml`` returns plain Python values except that mappings are ``LocatedMap`` (a dict
that knows the line of each key). ``Fields`` reads typed values out of a mapping and raises
``InputError`` naming the file, line and field when a value is missing or has the wrong type.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class LocatedMap(dict[str, Any]):
    """A dict from YAML that remembers where it and each of its keys were written."""

    line: int = 0
    lines: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = {}


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedMap:
    loader.flatten_mapping(node)
    result = LocatedMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key: Hashable = loader.construct_object(key_node, deep=True)
        name = str(key)
        result[name] = loader.construct_object(value_node, deep=True)
        result.lines[name] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file; syntax errors become ``InputError`` with the line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(source, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        bad_line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(source, "not UTF-8 text", line=bad_line) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise InputError(source, f"invalid YAML: {exc.problem}", line=line) from exc
    except yaml.YAMLError as exc:
        raise InputError(source, f"invalid YAML: {exc}") from exc


class Fields:
    """Typed, located access to one YAML mapping."""

    def __init__(self, source: str, value: Any, *, what: str, line: int | None = None) -> None:
        if not isinstance(value, dict):
            raise InputError(source, f"{what} must be a mapping", line=line)
        self.source = source
        self.data: dict[str, Any] = value
        self.line = value.line if isinstance(value, LocatedMap) else line
        self._asked: set[str] = set()  # the keys the reader knows (see ``no_others``)

    def line_of(self, key: str) -> int | None:
        if isinstance(self.data, LocatedMap):
            return self.data.lines.get(key, self.data.line)
        return self.line

    def error(self, key: str, message: str) -> InputError:
        return InputError(self.source, message, line=self.line_of(key), field=key)

    def has(self, key: str) -> bool:
        self._asked.add(key)
        return key in self.data

    def raw(self, key: str) -> Any:
        self._asked.add(key)
        if key not in self.data:
            raise InputError(self.source, "required field is missing", line=self.line, field=key)
        return self.data[key]

    def text(self, key: str, default: str | None = None) -> str:
        self._asked.add(key)
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
            raise self.error(key, f"expected a non-empty text value, got {value!r}")
        return str(value)

    def number(
        self, key: str, default: float | None = None, *, minimum: float | None = 0.0
    ) -> float:
        self._asked.add(key)
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise self.error(key, f"expected a finite number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value!r}")
        return float(value)

    def whole(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        self._asked.add(key)
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {value!r}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value!r}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        self._asked.add(key)
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def names(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        self._asked.add(key)
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, f"expected a list of names, got {value!r}")
        return tuple(value)

    def no_others(self) -> None:
        """Refuse keys the reader never asked for: a misspelt optional key (``nodez``,
        ``price_per_hr``) would otherwise be ignored without a word."""
        for key in self.data:
            if key not in self._asked:
                close = difflib.get_close_matches(str(key), sorted(self._asked), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(str(key), f"unknown field{hint}")

    def items(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {type(value).__name__}")
        return value
