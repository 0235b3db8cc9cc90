"""Taking names and exact ages out of text: what `Study.anonymised` uses.

A name is found the way a reader would find it: in any case (``LONE``, ``lone``),
in the possessive (``Lones``, ``Lone's``), by each part of a name of
several parts (``fru Hansen`` for ``Lone Hansen``), and whether the text is
composed or decomposed Unicode (a Mac writes ``Åse`` as ``A`` plus a ring). An
exact age is a number written with ``år``, ``årig``, ``years old``, ``aged``
and the like; the number is replaced by ``NN`` (the words stay, so the sentence
still reads).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["name_parts", "NameScrubber", "mask_ages", "AGE_MASK"]

AGE_MASK = "NN"
# "Lone og Kaj", "Lone & Kaj", "Lone, Kaj", "Lone and Kaj", "Lone/Kaj": one person each.
_PEOPLE = re.compile(r",|&|/|\bog\b|\band\b", re.IGNORECASE)
_AGES = [re.compile(p, re.IGNORECASE) for p in (
    # Danish: "61 år", "61 år gammel", "61-årig", "61-årige", "alderen 61", "alder af 61"
    r"\b(?P<n>\d{1,3})(?=\s*-?\s*år(?:ig|ige)?\b)",
    r"\b(?<=alder\s)(?P<n>\d{1,3})\b",
    r"(?<=alderen\s)(?P<n>\d{1,3})\b",
    r"(?<=alder af\s)(?P<n>\d{1,3})\b",
    # English: "61 years old", "61 year-old", "61-year-old", "61 yrs", "aged 61", "age 61"
    r"\b(?P<n>\d{1,3})(?=\s*-?\s*(?:years?|yrs?)\b)",
    r"(?<=\baged\s)(?P<n>\d{1,3})\b",
    r"(?<=\bage\s)(?P<n>\d{1,3})\b",
)]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_parts(full: str) -> list[str]:
    """The spellings of a name field that count as the person's name.

    Each person of a field (``"Lone og Kaj"``), each whole name, and each part
    of two letters or more (``"Anne-Marie Hansen"`` gives ``Anne-Marie``,
    ``Anne``, ``Marie`` and ``Hansen``); parts with digits (``"Interview 3"``)
    are left out.

    Examples
    --------
    >>> name_parts("Anne-Marie Hansen og Bo")
    ['Anne-Marie Hansen', 'Anne-Marie', 'Anne', 'Marie', 'Hansen', 'Bo']
    """
    parts: list[str] = []
    for person in _PEOPLE.split(_nfc(str(full))):
        person = " ".join(person.split())
        if not person:
            continue
        words = person.split(" ")
        pieces = [person] + [w for word in words for w in [word, *word.split("-")]]
        for piece in pieces:
            piece = piece.strip(".'’\"()")
            if (len(piece) >= 2 and any(ch.isalpha() for ch in piece)
                    and not any(ch.isdigit() for ch in piece) and piece not in parts):
                parts.append(piece)
    return parts


class NameScrubber:
    """Replaces every spelling of every name by its person's pseudonym.

    Parameters
    ----------
    names : mapping of name field to pseudonym
        ``{"Lone Hansen": "Borger 1", ...}``; each field is split with
        `name_parts`. A part two people share goes to the first.

    Examples
    --------
    >>> scrub = NameScrubber({"Lone Hansen": "Borger 1"})
    >>> scrub("LONE og fru Hansen; Lones mand")
    "Borger 1 og fru Borger 1; Borger 1's mand"
    """

    def __init__(self, names: Mapping[str, str]):
        self.alias: dict[str, str] = {}
        for full, pseudonym in names.items():
            for part in name_parts(full):
                self.alias.setdefault(part.casefold(), pseudonym)
        spellings = sorted(self.alias, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(s) for s in spellings) + r")('s|’s|s)?(?!\w)",
            re.IGNORECASE) if spellings else None

    def _replace(self, match: re.Match) -> str:
        pseudonym = self.alias[match.group(1).casefold()]
        return pseudonym + ("'s" if match.group(2) else "")

    def __call__(self, text):
        if self.pattern is None or not isinstance(text, str):
            return text
        return self.pattern.sub(self._replace, _nfc(text))

    def all(self, texts: Iterable) -> list:
        return [self(t) for t in texts]


def mask_ages(text):
    """``"Jeg er 61 år"`` -> ``"Jeg er NN år"``; English forms too.

    Examples
    --------
    >>> mask_ages("Hun er 54 år gammel, a 61-year-old, aged 70.")
    'Hun er NN år gammel, a NN-year-old, aged NN.'
    """
    if not isinstance(text, str):
        return text
    for pattern in _AGES:
        text = pattern.sub(AGE_MASK, text)
    return text
