"""The schemes the registry's reference vocabularies come from."""

from __future__ import annotations

SKILL_SCHEME = "MCR"  # the registry's own skills taxonomy; imports name skills by its codes
OCCUPATION_SCHEME = "NOC2021"  # Canada's National Occupational Classification 2021
