"""Bar charts as inline SVG: no script, no build step, readable by screen readers (each chart
is an image with a title and a description listing every value; the page also offers the
numbers as a table)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = "#1d4f91"  # 8.6:1 on white
TEXT = "#1b1b1b"
GRID = "#c9c9c9"
ROW_HEIGHT = 28
LABEL_WIDTH = 235
BAR_AREA = 290


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int]], number=str) -> Markup:
    """Horizontal bars, one row per (label, count), the count written at the bar's end."""
    height = ROW_HEIGHT * max(len(items), 1) + 8
    width = LABEL_WIDTH + BAR_AREA + 60
    largest = max((count for _, count in items), default=0) or 1
    rows = []
    for row, (label, count) in enumerate(items):
        y = 4 + row * ROW_HEIGHT
        length = round(BAR_AREA * count / largest) if count else 0
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">{escape(_clip(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{max(length, 1)}" height="{ROW_HEIGHT - 8}" fill="{BAR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 18}">{escape(number(count))}</text>'
        )
    return _svg(chart_id, title, items, width, height, "".join(rows), number)


def column_chart(chart_id: str, title: str, items: list[tuple[str, int]], number=str) -> Markup:
    """Vertical columns over time, one per (label, count), labels under the columns."""
    plot_height, column, gap = 180, 36, 8
    width = 40 + len(items) * (column + gap)
    height = plot_height + 60
    largest = max((count for _, count in items), default=0) or 1
    parts = [f'<line x1="30" y1="{plot_height + 10}" x2="{width}" y2="{plot_height + 10}" stroke="{GRID}"/>']
    for n, (label, count) in enumerate(items):
        x = 36 + n * (column + gap)
        size = round((plot_height - 20) * count / largest) if count else 0
        top = plot_height + 10 - size
        parts.append(
            f'<rect x="{x}" y="{top}" width="{column}" height="{max(size, 1)}" fill="{BAR}"/>'
            f'<text x="{x + column / 2}" y="{top - 5}" text-anchor="middle">{escape(number(count))}</text>'
            f'<text x="{x + column / 2}" y="{plot_height + 28}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    return _svg(chart_id, title, items, width, height, "".join(parts), number)


def _svg(chart_id: str, title: str, items, width: int, height: int, body: str, number) -> Markup:
    described = "; ".join(f"{label}: {number(count)}" for label, count in items)
    return Markup(
        f'<svg id="{escape(chart_id)}" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="inherit" font-size="14" fill="{TEXT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(described)}</desc>'
        f"{body}</svg>"
    )


def _clip(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
