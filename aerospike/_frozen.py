"""Small immutable value classes without ``dataclasses``.

Owns :class:`Frozen`, the base of the config values every client builds (ClientConfig, TlsConfig, ClusterConfig,
ShmConfig, ...). ``dataclasses`` costs about 5 ms to import (it pulls in ``inspect``, ``ast`` and ``dis``) and
each ``@dataclass`` another 0.3-0.6 ms of code generation at import; a subclass here costs a plain class
statement. What the dataclasses gave is kept: keyword or positional construction with defaults, equality and hash
over the compared fields, a repr that leaves hidden fields out, assignment refused, ``replace()``, ``as_dict()``,
pickling. Must not know what the values mean.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Frozen:
    """An immutable value: subclasses set ``__slots__`` and ``_fields`` (the same names, in constructor order)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _compared: ClassVar[tuple[str, ...] | None] = None  # the fields of ==/hash (None: every field)
    _hidden: ClassVar[frozenset[str]] = frozenset()  # fields left out of the repr (secrets)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        name = type(self).__name__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} positional arguments but {len(args)} were given")
        assign = object.__setattr__
        for field, value in zip(fields, args):
            if field in kwargs:
                raise TypeError(f"{name}() got multiple values for argument {field!r}")
            assign(self, field, value)
        defaults = self._defaults
        for field in fields[len(args):]:
            if field in kwargs:
                assign(self, field, kwargs.pop(field))
            elif field in defaults:
                assign(self, field, defaults[field])
            else:
                raise TypeError(f"{name}() missing required argument: {field!r}")
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")

    def _key(self) -> tuple:
        return tuple(getattr(self, field) for field in (self._compared or self._fields))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined,no-any-return]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{field}={getattr(self, field)!r}" for field in self._fields if field not in self._hidden)
        return f"{type(self).__name__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (type(self), tuple(getattr(self, field) for field in self._fields))

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (dataclasses.replace)."""
        values = {field: getattr(self, field) for field in self._fields}
        values.update(changes)
        return type(self)(**values)

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (dataclasses.asdict of a value whose fields are not values themselves)."""
        return {field: getattr(self, field) for field in self._fields}
