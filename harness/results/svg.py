"""Inline SVG plots for the HTML report: no plotting library, no network.

Two kinds: histograms (one row per model: how its scores spread, mean marked)
and a forest plot (one row per pair of models: the paired mean difference and
its interval, zero marked). Axes zoom to the data, so 0.990 and 0.983 do not
sit on one pixel of a 0-1 axis. Both return an ``<svg>`` element as a string,
sized in user units with a ``viewBox`` so the browser scales them.
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


def zoom_range(values: Sequence[float], low: float = -math.inf, high: float = math.inf,
               keep: Sequence[float] = ()) -> tuple[float, float]:
    """The data's range (and ``keep``, e.g. zero) padded by 5%, clipped to the declared range."""
    finite = [v for v in (*values, *keep) if math.isfinite(v)]
    if not finite:
        return (low, high) if math.isfinite(low) and math.isfinite(high) else (0.0, 1.0)
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.05 or max(abs(hi), 1.0) * 0.01
    lo, hi = max(lo - pad, low), min(hi + pad, high)
    return (lo, hi) if hi > lo else (lo - 0.01, hi + 0.01)


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """``count`` evenly spaced tick values from ``lo`` to ``hi``."""
    return [lo + (hi - lo) * i / (count - 1) for i in range(count)]


def tick_label(value: float, lo: float, hi: float) -> str:
    """Enough decimals to tell neighbouring ticks of a zoomed axis apart."""
    span = hi - lo
    digits = 2 if span >= 0.4 else 3 if span >= 0.04 else 4
    return f"{value:.{digits}f}"


#: Bins per histogram: fine enough to show a pile-up, coarse enough for 20 articles.
BINS = 24


def histograms(title: str, rows: Sequence[tuple[str, str, Sequence[float]]],
               declared: tuple[float, float] = (-math.inf, math.inf)) -> str:
    """One histogram per (label, colour, values), stacked on a shared, zoomed axis."""
    longest = max((len(_clip(label, LABEL_CHARS)) for label, _, _ in rows), default=0)
    left = max(90, round(longest * CHAR_WIDTH) + 16)
    width, right, top, row_h = left + 360, 70, 28, 46
    height = top + row_h * len(rows) + 30
    lo, hi = zoom_range([v for _, _, vals in rows for v in vals], *declared)

    def x(v: float) -> float:
        return left + (width - left - right) * (v - lo) / (hi - lo)

    parts = [_open(width, height, title), _text(8, 16, title, 'font-weight="bold"')]
    bottom = top + row_h * len(rows)
    for t in ticks(lo, hi):
        parts.append(_line(x(t), top - 4, x(t), bottom, "#e5e5e5"))
        parts.append(_text(x(t), bottom + 16, tick_label(t, lo, hi),
                           'text-anchor="middle" fill="#555"'))
    step = (hi - lo) / BINS
    for i, (label, fill, values) in enumerate(rows):
        base = top + row_h * (i + 1) - 6
        finite = [v for v in values if math.isfinite(v)]
        parts.append(_text(left - 8, base - 12, _clip(label, LABEL_CHARS), 'text-anchor="end"'))
        parts.append(_line(left, base, width - right, base, "#bbb"))
        if not finite:
            parts.append(_text(left + 4, base - 12, "no scores", 'fill="#999"'))
            continue
        counts = [0] * BINS
        for v in finite:
            counts[min(BINS - 1, max(0, int((v - lo) / step)))] += 1
        most = max(counts)
        bars = []
        for b, count in enumerate(counts):
            if count:
                h = (row_h - 12) * count / most
                tip = f"{label}: {count} in [{lo + b * step:.4f}, {lo + (b + 1) * step:.4f})"
                bars.append(f'<rect x="{x(lo + b * step):.1f}" y="{base - h:.1f}" '
                            f'width="{max(x(lo + step) - x(lo) - 1, 1):.1f}" height="{h:.1f}">'
                            f"<title>{escape(tip)}</title></rect>")
        parts.append(f'<g class="hist" fill="{fill}" fill-opacity="0.8">{"".join(bars)}</g>')
        mean = sum(finite) / len(finite)
        parts.append(_line(x(mean), base - row_h + 10, x(mean), base, "#222", 1.5))
        parts.append(_text(width - right + 6, base - 12, f"{mean:.3f}", 'fill="#333"'))
    return "".join(parts) + "</svg>"


#: Forest plot colours: the better side, the worse side, no clear difference.
MARK_COLORS = {"better": "#1a7f37", "worse": "#c62828"}


def forest(title: str, rows: Sequence[tuple[str, Interval, str]]) -> str:
    """One row per (label, paired difference, mark): mean and interval against zero."""
    longest = max((len(_clip(label, LABEL_CHARS)) for label, _, _ in rows), default=0)
    left = max(90, round(longest * CHAR_WIDTH) + 16)
    width, right, top, row_h = left + 300, 150, 28, 24
    height = top + row_h * len(rows) + 30
    values = [v for _, d, _ in rows if d.n for v in (d.low, d.high, d.mean)]
    lo, hi = zoom_range(values, keep=(0.0,))

    def x(v: float) -> float:
        return left + (width - left - right) * (v - lo) / (hi - lo)

    parts = [_open(width, height, title), _text(8, 16, title, 'font-weight="bold"')]
    bottom = top + row_h * len(rows)
    for t in ticks(lo, hi):
        parts.append(_line(x(t), top - 4, x(t), bottom, "#e5e5e5"))
        parts.append(_text(x(t), bottom + 16, tick_label(t, lo, hi),
                           'text-anchor="middle" fill="#555"'))
    parts.append(_line(x(0.0), top - 6, x(0.0), bottom, "#333", 1.2))
    for i, (label, d, mark) in enumerate(rows):
        y = top + row_h * i + row_h / 2
        parts.append(_text(left - 8, y + 4, _clip(label, LABEL_CHARS), 'text-anchor="end"'))
        if d.n == 0:
            parts.append(_text(left + 4, y + 4, "no shared scores", 'fill="#999"'))
            continue
        fill = MARK_COLORS.get(mark, "#777")
        tip = f"{label}: {d.mean:+.4f} [{d.low:+.4f}, {d.high:+.4f}], n={d.n}, {mark}"
        parts.append(
            f'<g class="interval"><title>{escape(tip)}</title>'
            + _line(x(d.low), y, x(d.high), y, fill, 2)
            + _line(x(d.low), y - 5, x(d.low), y + 5, fill, 2)
            + _line(x(d.high), y - 5, x(d.high), y + 5, fill, 2)
            + f'<circle cx="{x(d.mean):.1f}" cy="{y:.1f}" r="4.5" fill="{fill}"/></g>'
        )
        parts.append(_text(width - right + 8, y + 4, f"{d.mean:+.3f} {mark}"[:26],
                           f'fill="{fill}"'))
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
