"""The forecast at the current pace and the server-drawn charts (pure functions)."""

import datetime

from reports.charts import cumulative, line_chart, stacked_bars
from reports.outlook import outlook

D = datetime.date


def test_forecast_continues_the_pace_to_the_target_date():
    # 68 of 200 communes announced in the first 2 years of a plan; 1 year left at that pace: 68 + 34 = 102
    o = outlook(
        current=68,
        target=140,
        starts_on=D(2018, 1, 1),
        deadline=D(2021, 1, 1),
        base=200,
        today=D(2020, 1, 1),
        reached_at_deadline=None,
        target_is_share=True,
    )
    assert o.is_forecast and o.expected == 102
    assert (o.expected_share, o.target_share, o.current_share) == (51, 70, 34)
    assert not o.on_track


def test_forecast_never_exceeds_the_communes_there_are():
    o = outlook(
        current=90,
        target=100,
        starts_on=D(2020, 1, 1),
        deadline=D(2021, 1, 1),
        base=100,
        today=D(2020, 2, 1),
        reached_at_deadline=None,
    )
    assert o.expected == 100 and o.on_track


def test_after_the_target_date_the_figure_is_what_was_reached_then():
    o = outlook(
        current=120,
        target=100,
        starts_on=D(2018, 1, 1),
        deadline=D(2020, 12, 31),
        base=150,
        today=D(2022, 1, 1),
        reached_at_deadline=80,
    )
    assert not o.is_forecast and o.expected == 80 and not o.on_track


def test_no_forecast_before_the_plan_starts():
    o = outlook(
        current=0,
        target=10,
        starts_on=D(2020, 1, 1),
        deadline=D(2021, 1, 1),
        base=10,
        today=D(2019, 6, 1),
        reached_at_deadline=None,
    )
    assert o.expected is None


def test_cumulative_series_adds_up_months():
    assert cumulative([(D(2019, 3, 1), 2), (D(2019, 5, 1), 3)]) == [(D(2019, 3, 1), 2), (D(2019, 5, 1), 5)]


def test_line_chart_draws_target_and_forecast_inside_the_plot():
    chart = line_chart(
        [(D(2019, 3, 1), 1), (D(2019, 5, 1), 3)],
        starts_on=D(2019, 1, 1),
        target_date=D(2019, 12, 31),
        target=10,
        today=D(2019, 7, 1),
        forecast=6,
    )
    assert chart.forecast  # dashed line from today to the target date
    xs = [float(p.split(",")[0]) for p in (chart.actual + " " + chart.target + " " + chart.forecast).split()]
    ys = [float(p.split(",")[1]) for p in (chart.actual + " " + chart.target + " " + chart.forecast).split()]
    assert min(xs) >= chart.left and max(xs) <= chart.left + chart.plot_width
    assert min(ys) >= chart.top and max(ys) <= chart.top + chart.plot_height
    assert chart.y_ticks[-1]["label"] == "10"


def test_stacked_bars_are_proportional_to_the_values():
    chart = stacked_bars([("A", {"x": 2, "y": 2}), ("B", {"x": 1})], [("x", "X", "#000"), ("y", "Y", "#fff")])
    a, b = chart.bars
    assert a.total == 4 and b.total == 1
    assert a.segments[0]["width"] == a.segments[1]["width"] == 4 * b.segments[0]["width"] / 2
