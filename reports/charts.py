"""Charts drawn on the server as SVG: no script, sharp in print, readable on a phone.

Functions return plain geometry (numbers and strings) that templates/reports/includes/
turn into <svg> markup; every chart is also shown as a table for screen readers. Their
colours come from the stylesheet, where the status colours are defined once: a series names
a CSS class (a status's `status-<value>`). Charts are
drawn WIDTH units wide, about a phone's width in CSS pixels, and scale to the width of their
box (static/css/isotrack.css): on a phone their text stays the size it was drawn at, on a
desktop it grows a little, and nothing needs scrolling sideways.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 400


def status_class(status):
    """The CSS class a status is drawn with, on badges and chart segments alike."""
    return f"status-{status}"


@dataclass
class Bar:
    label: str
    y: float
    total: int
    segments: list = field(default_factory=list)  # dicts: x, width, css_class, value, name


@dataclass
class StackedBars:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list
    legend: list  # dicts: x, y, css_class, name
    legend_y: int

    def svg(self, title, chart_id):
        """The chart as <svg> markup, built here rather than in a template loop: a province
        has up to 30 districts of 7 segments each."""
        e = escape
        parts = [
            f'<svg viewBox="0 0 {self.width} {self.height}" width="100%" role="img" '
            f'aria-labelledby="{e(chart_id)}-title" class="chart-svg" preserveAspectRatio="xMinYMin meet">',
            f'<title id="{e(chart_id)}-title">{e(title)}</title>',
        ]
        for bar in self.bars:
            label = bar.label if len(bar.label) <= 18 else bar.label[:17] + "…"
            parts.append(
                f'<text x="{self.label_width - 6}" y="{bar.y + 13}" text-anchor="end" font-size="11">{e(label)}</text>'
            )
            for seg in bar.segments:
                parts.append(
                    f'<rect x="{seg["x"]}" y="{bar.y}" width="{seg["width"]}" height="{self.bar_height}" '
                    f'class="{e(seg["css_class"])}" stroke="#fff" stroke-width=".5"><title>{e(bar.label)} — '
                    f"{e(seg['name'])}: {seg['value']}</title></rect>"
                )
            parts.append(f'<text x="{bar.end}" dx="4" y="{bar.y + 13}" font-size="11">{bar.total}</text>')
        for item in self.legend:
            parts.append(
                f'<rect x="{item["x"]}" y="{item["y"]}" width="10" height="10" class="{e(item["css_class"])}" '
                f'stroke="#666" stroke-width=".5"></rect>'
            )
            parts.append(f'<text x="{item["x"] + 14}" y="{item["y"] + 9}" font-size="10">{e(item["name"])}</text>')
        parts.append("</svg>")
        return mark_safe("".join(parts))


def stacked_bars(rows, series, *, width=WIDTH, label_width=108, bar_height=18, gap=6):
    """Horizontal stacked bars. `rows`: [(label, {key: value})]; `series`: [(key, name, css_class)],
    the class giving the segment its colour."""
    plot = width - label_width - 40
    biggest = max((sum(values.get(k, 0) for k, _, _ in series) for _, values in rows), default=0) or 1
    bars = []
    for index, (label, values) in enumerate(rows):
        y = index * (bar_height + gap)
        x = label_width
        bar = Bar(label=label, y=y, total=sum(values.get(k, 0) for k, _, _ in series))
        for key, name, css_class in series:
            value = values.get(key, 0)
            if value:
                w = plot * value / biggest
                bar.segments.append(
                    {"x": round(x, 2), "width": round(w, 2), "css_class": css_class, "value": value, "name": name}
                )
                x += w
        bar.end = round(x, 2)
        bars.append(bar)
    legend_y = len(rows) * (bar_height + gap) + 8
    legend = []  # two to a row: the names are long
    for index, (key, name, css_class) in enumerate(series):
        legend.append(
            {"x": (index % 2) * (width // 2), "y": legend_y + (index // 2) * 18, "css_class": css_class, "name": name}
        )
    height = legend_y + ((len(series) + 1) // 2) * 18 + 4
    return StackedBars(width, height, label_width, bar_height, bars, legend, legend_y)


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    actual: str  # polyline points
    target: str
    forecast: str
    x_ticks: list  # dicts: x, label
    y_ticks: list  # dicts: y, label
    last_point: tuple | None


def cumulative(monthly):
    """[(month, n)] -> [(month, running total)]."""
    total, points = 0, []
    for month, n in monthly:
        total += n
        points.append((month, total))
    return points


def line_chart(points, *, starts_on, target_date, target, today, forecast=None, width=WIDTH, height=220):
    """Cumulative announced communes over time (a step line), the target as a straight line
    from the plan's start to its target date, and the forecast as a dashed line."""
    left, top, right, bottom = 36, 10, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    # The plan's own period (and any later announcement), not every year up to today.
    last_day = max([target_date] + [p[0] for p in points])
    first_day = min([starts_on] + [p[0] for p in points])
    span = max((last_day - first_day).days, 1)
    top_value = max([target, 1] + [v for _, v in points] + ([forecast] if forecast else []))
    step = max(1, _nice_step(top_value))
    top_value = -(-top_value // step) * step  # the axis ends on a tick

    def x(day):
        return round(left + plot_w * (day - first_day).days / span, 1)

    def y(value):
        return round(top + plot_h * (1 - value / top_value), 1)

    steps, previous = [f"{x(first_day)},{y(0)}"], 0
    for day, value in points:
        steps += [f"{x(day)},{y(previous)}", f"{x(day)},{y(value)}"]
        previous = value
    end = min(today, last_day)
    steps.append(f"{x(end)},{y(previous)}")
    forecast_line = ""
    if forecast is not None and today < target_date:
        forecast_line = f"{x(today)},{y(previous)} {x(target_date)},{y(forecast)}"
    x_ticks = [
        {"x": x(datetime.date(year, 1, 1)), "label": str(year)} for year in range(first_day.year + 1, last_day.year + 1)
    ]
    y_ticks = [{"y": y(v), "label": str(v)} for v in range(0, top_value + 1, step)]
    return LineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        actual=" ".join(steps),
        target=f"{x(starts_on)},{y(0)} {x(target_date)},{y(target)}",
        forecast=forecast_line,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        last_point=(x(end), y(previous)),
    )


def _nice_step(top_value):
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top_value / step <= 6:
            return step
    return 10000
