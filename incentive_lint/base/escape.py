"""Making document text safe to print: the one place that decides which characters a
policy file may not send to a terminal, a CI log or a report.

Policy files are written by many people and YAML lets them write any character with an
escape (``"\\n::error file=x::forged"``, ``"\\e[2J"``, ``"\\u202e"``). Printed raw, such
a value could forge a GitHub Actions workflow command (a line starting with ``::``),
clear or restyle the terminal, plant a hyperlink (OSC 8), or reorder what a reviewer sees
(bidi overrides). Every output applies these functions to document values at output
time; the model keeps the values as written.

* :func:`visible` is for text: every unsafe character becomes a visible escape
  (``\\n``, ``\\x1b``, ``\\u202e``), so the value stays on one line and a reader can see
  what the file holds.
* :func:`json_safe` is for JSON text that is already encoded: ``json.dumps`` escapes C0
  but writes DEL, C1, U+2028/2029, bidi controls and lone surrogates raw; they are
  rewritten as ``\\uXXXX`` escapes, which decode to the very same string (the value is
  data and is kept, only its spelling changes).

A backslash itself is not escaped: output that has always shown ``a\\b`` keeps doing so,
and no control effect can be built from printable characters.
"""
from __future__ import annotations

import re

#: C0 controls (tab and line breaks included: one value never spans lines), DEL, C1
#: (NEL ``\x85`` and the 8-bit CSI ``\x9b`` among them), the Unicode line and paragraph
#: separators, the bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI) and lone surrogates
#: (which cannot even be encoded as UTF-8 and would stop the output).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spell(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object, keep: str = "") -> str:
    """``text`` with every character of :data:`UNSAFE` written as a visible escape, except
    those in ``keep`` (for a format that escapes them by its own rules, e.g. GitHub's
    ``%0A`` for line breaks)."""
    value = str(text)
    if not UNSAFE.search(value):
        return value
    if keep:
        return UNSAFE.sub(lambda m: m.group() if m.group() in keep else _spell(m), value)
    return UNSAFE.sub(_spell, value)


def visible_lines(text: str) -> str:
    """Each line of ``text`` made :func:`visible`, the line breaks between them kept."""
    return "\n".join(visible(line) for line in text.split("\n"))


def json_safe(encoded: str) -> str:
    """JSON text with the characters of :data:`UNSAFE` that ``json.dumps`` leaves raw
    rewritten as ``\\uXXXX`` escapes. Only string contents can hold them (JSON's own
    structure is ASCII without controls), so the document decodes to the same value."""
    if not UNSAFE.search(encoded):
        return encoded
    return UNSAFE.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", encoded)
