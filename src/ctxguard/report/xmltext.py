"""Text XML 1.0 can hold: messages quote source (a string key may contain any byte)."""

from __future__ import annotations

import re

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(s: str) -> str:
    """`s` with characters XML cannot represent replaced by U+FFFD (ElementTree escapes the rest)."""
    return _NOT_XML.sub("\ufffd", s)
