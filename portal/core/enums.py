"""One base for enums whose members carry a Portuguese label."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar


class LabeledEnum(StrEnum):
    """A StrEnum with `member.label` read from the class's `__labels__` mapping.

    The mapping may be keyed by member or by value (a StrEnum member hashes as its value);
    when it names the members, assign it right after the class: `Status.__labels__ = LABELS`.
    """

    __labels__: ClassVar[Mapping[Any, str]] = {}

    @property
    def label(self) -> str:
        return type(self).__labels__[self]
