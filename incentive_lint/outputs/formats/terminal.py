"""Whether the text output is coloured: ``--color/--no-color``, then ``NO_COLOR``, then
``FORCE_COLOR``, then whether standard output is a terminal.

``NO_COLOR`` (https://no-color.org) and ``FORCE_COLOR`` (https://force-color.org) count when
set to a non-empty value; ``FORCE_COLOR=0`` or ``false`` means no colour, as Node.js reads it.
``NO_COLOR`` wins over ``FORCE_COLOR``, as in Python 3.13's own rules. CI systems such as
GitHub Actions show colours but are not terminals, hence ``FORCE_COLOR``.
"""
from __future__ import annotations

from typing import Mapping


def use_color(flag: bool | None, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    if flag is not None:
        return flag
    if environ.get("NO_COLOR", ""):
        return False
    force = environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.strip().lower() not in ("0", "false", "no", "off")
    return is_terminal
