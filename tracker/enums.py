"""Enums that carry their own words, as Indico's `RichEnum` carries `__titles__`.

A member is written with its stored value, the words the pages show for it and, where the
pages show it as a GOV.UK tag, the tag's colour:

    class RiskStatus(LabelledEnum):
        OPEN = "open", "Open", "blue"
        CLOSED = "closed", "Closed", "grey"

`RiskStatus.OPEN` is still the string "open" (what the database stores and forms post), and
`RiskStatus.OPEN.label` is "Open", `.colour` "blue". No area keeps a separate dict of labels.
"""

from __future__ import annotations

import enum

from wtforms.fields.choices import SelectChoice


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry a `label` (the words shown) and a tag `colour`."""

    label: str
    colour: str

    def __new__(cls, value: str, *_words: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        return member

    def __init__(self, value: str, label: str, colour: str = "grey") -> None:
        self.label = label
        self.colour = colour

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Every member as a form choice, in the enum's order: its value and its label."""
        return [SelectChoice(member.value, member.label) for member in cls]
