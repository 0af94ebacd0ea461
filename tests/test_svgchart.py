"""The Train tab's server-drawn charts: round axes that hold every point, a bounded size for long
runs, escaped names, and a message in an empty frame."""
import re

from studio.ui.svgchart import MAX_HOVER_POINTS, MAX_LINE_POINTS, Series, line_chart, thin, tick_label, ticks


def test_axes_are_round_and_hold_the_data():
    low, high, values = ticks(0.37, 2.91, 5)
    assert low <= 0.37 and high >= 2.91 and values[0] == low and values[-1] == high
    steps = {round(b - a, 9) for a, b in zip(values, values[1:])}
    assert len(steps) == 1 and steps.pop() in (0.5, 1.0)
    assert ticks(0, 7, 6, whole=True)[2] == [0, 2, 4, 6, 8]
    assert all(float(v).is_integer() for v in ticks(0, 3, 6, whole=True)[2])
    low, high, values = ticks(2.0, 2.0)  # one value: a range around it, not a division by zero
    assert low < 2.0 < high
    assert tick_label(0.0002, True) == "2.0e-4" and tick_label(0, True) == "0" and tick_label(1.5, False) == "1.5"


def test_long_series_are_thinned_keeping_both_ends():
    points = [(i, float(i)) for i in range(5000)]
    kept = thin(points, 600)
    assert len(kept) == 600 and kept[0] == points[0] and kept[-1] == points[-1]
    chart = line_chart([Series("loss", points)], label="Loss", x_title="step", y_title="loss", x_max=5000)
    line = re.search(r'<polyline[^>]*points="([^"]*)"', chart).group(1)
    assert len(line.split()) == MAX_LINE_POINTS and chart.count("<circle") == MAX_HOVER_POINTS
    assert len(chart) < 60_000


def test_points_are_placed_inside_the_frame_in_order():
    chart = line_chart([Series("a", [(1, 3.0), (2, 1.0), (3, 2.0)])], label="L", x_title="x", y_title="y", x_max=10)
    xs = [float(x) for x in re.findall(r'<circle[^>]*cx="([\d.]+)"', chart)]
    ys = [float(y) for y in re.findall(r'<circle[^>]*cy="([\d.]+)"', chart)]
    assert xs == sorted(xs) and ys[0] < ys[2] < ys[1]  # SVG's y grows downwards: the largest value is highest
    frame = re.search(r'<rect class="frame" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"', chart).groups()
    left, top, width, height = map(float, frame)
    assert all(left <= x <= left + width for x in xs) and all(top <= y <= top + height for y in ys)
    assert 'class="dot shown"' in chart  # a short series shows its points


def test_names_are_escaped_and_an_empty_chart_says_so():
    chart = line_chart([Series("<b>loss</b>", [(1, 1.0)]), Series("unused", [])], label="A & B", x_title="x",
                       y_title="y", caption="2 < 3")
    assert "<b>" not in chart and "&lt;b&gt;loss&lt;/b&gt;" in chart and "A &amp; B" in chart and "2 &lt; 3" in chart
    assert "unused" not in chart  # a series without points has no legend entry
    empty = line_chart([Series("loss", [])], label="Loss", x_title="step", y_title="loss", empty="Nothing yet")
    assert "Nothing yet" in empty and "<polyline" not in empty
    nan = line_chart([Series("loss", [(1, float("nan")), (2, 1.0)])], label="L", x_title="x", y_title="y")
    assert "nan" not in nan.lower() and nan.count("<circle") == 1
