"""Reading the registry's Prometheus metrics in tests."""

from __future__ import annotations

import re


async def sample(client, name: str, **labels) -> float:
    """The value of metric ``name`` with these labels at /metrics (0 when absent)."""
    text = (await client.get("/metrics")).text
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    found = (
        re.search(rf"^{name}\{{{wanted}\}} ([0-9.e+]+)$", text, re.M)
        if labels
        else re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    )
    return float(found.group(1)) if found else 0.0
