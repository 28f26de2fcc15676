"""Inline SVG plots for the HTML report: no plotting library, no network.

Two kinds: a dot-and-whisker plot (one model per row: mean and its interval)
and a scatter plot (one point per summary, coloured by model). Both return an
``<svg>`` element as a string, sized in user units with a ``viewBox`` so the
browser scales them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from harness.results.stats import Interval

# Tableau 10, the default categorical palette of matplotlib ("tab10") and
# Vega; colours repeat after ten models.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip

FONT = 'font-family="sans-serif" font-size="12"'
# Average advance of a 12px sans-serif character, for margins sized to the
# labels (an estimate: SVG text cannot be measured without a browser).
CHAR_WIDTH = 6.6
# Labels longer than this are shortened in the middle.
LABEL_CHARS = 48


def color(index: int) -> str:
    """Return the palette colour of the ``index``-th model."""
    return PALETTE[index % len(PALETTE)]


def axis_range(low: float, high: float, values: Sequence[float]) -> tuple[float, float]:
    """Use the declared range when finite, else the data's range with 5% padding."""
    if math.isfinite(low) and math.isfinite(high) and high > low:
        return low, high
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.05 or max(abs(hi), 1.0) * 0.05
    return lo - pad, hi + pad


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """``count`` evenly spaced tick values from ``lo`` to ``hi``."""
    return [lo + (hi - lo) * i / (count - 1) for i in range(count)]


def interval_plot(
    title: str,
    rows: Sequence[tuple[str, Interval, str]],
    declared: tuple[float, float],
) -> str:
    """Dot-and-whisker plot: one row per (label, interval, colour)."""
    longest = max((len(_clip(label, LABEL_CHARS)) for label, _, _ in rows), default=0)
    left = max(90, round(longest * CHAR_WIDTH) + 16)
    width, right, top, row_h = left + 320, 60, 28, 22
    height = top + row_h * len(rows) + 30
    values = [v for _, cell, _ in rows for v in (cell.low, cell.high, cell.mean)]
    lo, hi = axis_range(*declared, values)

    def x(v: float) -> float:
        return left + (width - left - right) * (v - lo) / (hi - lo)

    parts = [_open(width, height, title), _text(8, 16, title, 'font-weight="bold"')]
    bottom = top + row_h * len(rows)
    for t in ticks(lo, hi):
        parts.append(_line(x(t), top - 6, x(t), bottom, "#ddd"))
        parts.append(_text(x(t), bottom + 16, f"{t:.2f}", 'text-anchor="middle" fill="#555"'))
    for i, (label, cell, fill) in enumerate(rows):
        y = top + row_h * i + row_h / 2
        parts.append(_text(left - 8, y + 4, _clip(label, LABEL_CHARS), 'text-anchor="end"'))
        if cell.n == 0:
            parts.append(_text(left + 4, y + 4, "no scores", 'fill="#999"'))
            continue
        tip = f"{label}: {cell.mean:.3f} [{cell.low:.3f}, {cell.high:.3f}], n={cell.n}"
        parts.append(
            f'<g class="interval"><title>{escape(tip)}</title>'
            + _line(x(cell.low), y, x(cell.high), y, fill, 2)
            + _line(x(cell.low), y - 5, x(cell.low), y + 5, fill, 2)
            + _line(x(cell.high), y - 5, x(cell.high), y + 5, fill, 2)
            + f'<circle cx="{x(cell.mean):.1f}" cy="{y:.1f}" r="4.5" fill="{fill}"/></g>'
        )
        parts.append(_text(width - right + 6, y + 4, f"{cell.mean:.3f}", 'fill="#333"'))
    return "".join(parts) + "</svg>"


def scatter_plot(
    title: str,
    axes: tuple[str, str],
    groups: Sequence[tuple[str, str, Sequence[tuple[float, float, str]]]],
    x_declared: tuple[float, float],
    y_declared: tuple[float, float],
) -> str:
    """Scatter of (x, y, tooltip) points, one group per (label, colour, points)."""
    longest = max((len(_clip(label, LABEL_CHARS)) for label, _, _ in groups), default=0)
    size, left, bottom_pad, top = 420, 52, 44, 28
    legend_w = round((longest + 5) * CHAR_WIDTH) + 40
    width, height = left + size + legend_w, top + size + bottom_pad
    xs = [p[0] for _, _, pts in groups for p in pts]
    ys = [p[1] for _, _, pts in groups for p in pts]
    x_lo, x_hi = axis_range(*x_declared, xs)
    y_lo, y_hi = axis_range(*y_declared, ys)

    def px(v: float) -> float:
        return left + size * (v - x_lo) / (x_hi - x_lo)

    def py(v: float) -> float:
        return top + size * (1 - (v - y_lo) / (y_hi - y_lo))

    parts = [_open(width, height, title), _text(8, 16, title, 'font-weight="bold"')]
    parts.append(
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999"/>'
    )
    for tx, ty in zip(ticks(x_lo, x_hi), ticks(y_lo, y_hi), strict=True):
        parts.append(
            _text(px(tx), top + size + 16, f"{tx:.2f}", 'text-anchor="middle" fill="#555"')
        )
        parts.append(_text(left - 6, py(ty) + 4, f"{ty:.2f}", 'text-anchor="end" fill="#555"'))
    parts.append(_text(left + size / 2, top + size + 36, axes[0], 'text-anchor="middle"'))
    parts.append(
        _text(
            14,
            top + size / 2,
            axes[1],
            f'text-anchor="middle" transform="rotate(-90 14 {top + size / 2})"',
        )
    )
    for g, (label, fill, points) in enumerate(groups):
        parts.append(f'<g class="points" fill="{fill}" fill-opacity="0.65">')
        for vx, vy, tip in points:
            if math.isfinite(vx) and math.isfinite(vy):
                dot = f'<circle cx="{px(vx):.1f}" cy="{py(vy):.1f}" r="3.5">'
                parts.append(f"{dot}<title>{escape(tip)}</title></circle>")
        parts.append("</g>")
        ly = top + 12 + 18 * g
        parts.append(f'<circle cx="{left + size + 20}" cy="{ly - 4}" r="5" fill="{fill}"/>')
        parts.append(_text(left + size + 30, ly, f"{_clip(label, LABEL_CHARS)} ({len(points)})"))
    return "".join(parts) + "</svg>"


def _open(width: float, height: float, title: str) -> str:
    """Open an ``<svg>`` element with an accessible name."""
    return (
        f'<svg class="plot" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" {FONT}>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{stroke}" stroke-width="{width}"/>'
    )


def _text(x: float, y: float, text: str, attrs: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" {attrs}>{escape(text)}</text>'


def _clip(text: str, limit: int) -> str:
    """Shorten a long label in the middle, keeping both ends (sweep labels differ at the end)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]
