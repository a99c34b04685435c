"""Bar charts drawn on the server as inline SVG: no script, and no ``style`` attribute (the
Content-Security-Policy forbids inline styles) — geometry in SVG attributes, colours in
``site.css`` classes. A chart is a picture of a table that follows it in the page; its label
says so, and the table is what assistive technology reads."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()

WIDTH = 400  # viewBox units; the stylesheet scales the chart to its column
ROW = 44  # one bar: its label above, the bar below
BAR = 16
VALUE_ROOM = 64  # right of the longest bar, for its number
LABEL_CHARS = 50


def _bar(index: int, label: str, value: float | None, scale: float, suffix: str, css: str):
    top = index * ROW
    length = (WIDTH - VALUE_ROOM) * (value or 0) / scale if scale else 0
    if value and length < 2:
        length = 2  # a non-zero value stays visible
    shown = "—" if value is None else number_format(value) + suffix
    return (
        top + 15,
        Truncator(label).chars(LABEL_CHARS),
        top + 22,
        round(length, 1),
        BAR,
        css,
        round(length + 6, 1),
        top + 35,
        shown,
    )


@register.simple_tag
def bar_chart(
    rows: Iterable,
    *,
    title: str,
    value: str = "count",
    scale: float | None = None,
    suffix: str = "",
    tone: str = "",
) -> str:
    """A horizontal bar for each of ``rows`` (objects with a ``label`` and the attribute named
    by ``value``), longest = ``scale`` (default: the largest value). ``tone`` ("alert",
    "good") picks the bars' colour class."""
    rows = list(rows)
    values = [getattr(row, value) for row in rows]
    scale = scale or max((v or 0 for v in values), default=0)
    css = "chart-bar" + (f" chart-bar--{tone}" if tone else "")
    height = max(len(rows), 1) * ROW
    bars = format_html_join(
        "",
        '<text class="chart-label" x="0" y="{}">{}</text>'
        '<rect x="0" y="{}" width="{}" height="{}" class="{}"></rect>'
        '<text class="chart-value" x="{}" y="{}">{}</text>',
        (
            _bar(i, str(row.label), v, scale, suffix, css)
            for i, (row, v) in enumerate(zip(rows, values, strict=True))
        ),
    )
    label = _("%(title)s. The numbers are in the table that follows.") % {"title": title}
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" focusable="false"><title>{label}</title>{bars}</svg>',
        w=WIDTH,
        h=height,
        label=label,
        bars=bars,
    )
