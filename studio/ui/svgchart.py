"""Line charts drawn on the server as inline SVG: the Train tab's live curves.

Why not Gradio's LinePlot: each redraw is a Gradio event plus a Vega render, 0.3-0.5 s of browser
CPU on the Train tab, and on a small machine the browser shares its cores with the training
(benchmarks/ui_throughput.py). An SVG string is a few kilobytes the page swaps in without work
to speak of, so the curves can follow the run every two seconds. Colours and text follow the
page's theme through Gradio's CSS variables (app.CSS styles the classes used here).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 44  # room for the tick labels and axis titles
MAX_LINE_POINTS = 600   # a line keeps at most this many vertices (evenly picked, the last one kept)
MAX_HOVER_POINTS = 150  # points that show their value on hover
DOTS_UP_TO = 40         # a series this short shows its points as dots (a single point has no line)
PALETTE = ("#f97316", "#3b82f6", "#10b981", "#a855f7", "#ef4444", "#eab308")


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]] = field(default_factory=list)
    color: str | None = None


def nice_step(span: float, count: int) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `count` ticks over `span`."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def ticks(low: float, high: float, count: int = 5, whole: bool = False) -> tuple[float, float, list[float]]:
    """(axis low, axis high, tick values): the range widened to whole steps, so a curve never
    touches the frame. `whole` keeps the steps integers (an axis of optimizer steps)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low, count)
    if whole:
        step = max(1.0, round(step))
    start, end = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    values = [start + i * step for i in range(int(round((end - start) / step)) + 1)]
    return start, end, [round(v, 12) for v in values]


def tick_label(value: float, scientific: bool) -> str:
    if value == 0:
        return "0"
    if scientific:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.6g}"


def thin(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """At most `limit` points, evenly picked; the first and the last are always kept."""
    if len(points) <= limit:
        return points
    stride = (len(points) - 1) / (limit - 1)
    return [points[round(i * stride)] for i in range(limit)]


def line_chart(series: list[Series], *, label: str, x_title: str, y_title: str, x_max: float | None = None,
               scientific: bool = False, caption: str = "", empty: str = "") -> str:
    """A chart of `series` with axes, grid, a legend and per-point hover values; `empty` is said in
    the frame when no series has a point. `x_max` fixes the x axis (a run's total steps)."""
    series = [s for s in series if s.points]
    for index, s in enumerate(series):
        s.color = s.color or PALETTE[index % len(PALETTE)]
    xs = [x for s in series for x, _ in s.points]
    ys = [y for s in series for _, y in s.points if math.isfinite(y)]
    x_low, x_high, x_ticks = ticks(0.0, max([x_max or 0.0, *xs, 1.0]), 6, whole=True)
    y_low, y_high, y_ticks = ticks(min(ys, default=0.0), max(ys, default=1.0), 5)
    if not series:  # an empty frame: ticks would only show a made-up scale
        x_ticks = y_ticks = []
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x_low) / (x_high - x_low) * plot_w

    def py(y: float) -> float:
        return TOP + (y_high - y) / (y_high - y_low) * plot_h

    parts = [f'<svg class="studio-chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">']
    for y in y_ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(y):.1f}" y2="{py(y):.1f}"/>'
                     f'<text class="tick" x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">'
                     f'{tick_label(y, scientific)}</text>')
    for x in x_ticks:
        parts.append(f'<line class="grid" x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
                     f'<text class="tick" x="{px(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                     f'{tick_label(x, False)}</text>')
    parts.append(f'<rect class="frame" x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"/>'
                 f'<text class="title" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
                 f'{html.escape(x_title)}</text>'
                 f'<text class="title" transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle">{html.escape(y_title)}</text>')
    for s in series:
        finite = [(x, y) for x, y in s.points if math.isfinite(y)]
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in thin(finite, MAX_LINE_POINTS))
        parts.append(f'<polyline class="line" stroke="{s.color}" points="{line}"/>')
        dots = "dot shown" if len(finite) <= DOTS_UP_TO else "dot"
        name = html.escape(s.name)
        for x, y in thin(finite, MAX_HOVER_POINTS):
            parts.append(f'<circle class="{dots}" fill="{s.color}" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5">'
                         f'<title>{name} · {tick_label(x, False)}: {y:.4g}</title></circle>')
    if not series and empty:
        parts.append(f'<text class="empty" x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
                     f'text-anchor="middle">{html.escape(empty)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span class="studio-chart-key"><i style="background:{s.color}"></i>{html.escape(s.name)}</span>'
                     for s in series)
    return (f'<div class="studio-chart"><div class="studio-chart-head"><span class="studio-chart-label">'
            f'{html.escape(label)}</span><span class="studio-chart-legend">{legend}</span></div>{"".join(parts)}'
            + (f'<div class="studio-chart-caption">{html.escape(caption)}</div>' if caption else "") + "</div>")
