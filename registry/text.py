"""One text type at the edge: what a person may write into the registry's log.

Every string a command carries passes here before anything is recorded (the API and the import
build the same commands). Refused, with the field named: control characters (C0, DEL, C1 —
newline and tab allowed only in multi-line fields such as reasons), bidirectional overrides
and isolates (U+202A–U+202E, U+2066–U+2069: they make a name read differently from what is
stored), unpaired surrogates (no UTF-8 for them: the store cannot hold them). Accepted text is
normalized to NFC, so «й» typed in two ways is one name in searches and comparisons.

A NUL written into the log can never be taken out again (and PostgreSQL's text columns refuse
it): the views cope with old ones (`projections.store`), new ones stop here.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

#: Bidirectional embeddings, overrides and isolates.
_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
_MULTILINE_ALLOWED = frozenset("\n\t")

#: pydantic error type of a refused character (`registry.validation` words it in Russian).
TEXT_RULE = "text_character"


class MultiLine:
    """Annotated marker of a field whose text may span lines (newline and tab allowed)."""

    def __repr__(self) -> str:
        return "MultiLine()"


MULTILINE = MultiLine()


def refused_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first character the registry refuses in `value` (1-based position, its name), or None."""
    for index, char in enumerate(value):
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            if multiline and char in _MULTILINE_ALLOWED:
                continue
            return index + 1, f"управляющий символ U+{code:04X}"
        if code in _BIDI:
            return index + 1, f"символ направления письма U+{code:04X}"
        if 0xD800 <= code <= 0xDFFF:
            return index + 1, f"непарный суррогат U+{code:04X}"
    return None


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC, or PydanticCustomError naming the first character refused."""
    found = refused_character(value, multiline=multiline)
    if found is not None:
        position, character = found
        raise PydanticCustomError(
            TEXT_RULE,
            "Недопустимый символ ({character}, позиция {position})",
            {"character": character, "position": position},
        )
    return unicodedata.normalize("NFC", value)


def _clean_any(value: Any, multiline: bool) -> Any:
    # Trimmed first, as every input model trims anyway: a name pasted with a trailing newline is
    # a name, not a refusal.
    if isinstance(value, str):
        return clean_text(value.strip(), multiline=multiline)
    if isinstance(value, list):
        return [clean_text(item.strip(), multiline=multiline) if isinstance(item, str) else item for item in value]
    return value


class CheckedText(BaseModel):
    """Base of every input model: each text field (and each text in a list) checked and in NFC.

    Runs before pydantic's own checks, so lengths count the normalized text and a control
    character is never stripped or collapsed away unseen.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _checked_text(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and any(isinstance(m, MultiLine) for m in field.metadata)
        return _clean_any(value, multiline)
