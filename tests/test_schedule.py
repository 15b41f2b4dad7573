"""The scheduling rules on plain data: order, cycles, forecasts, slips and the critical path."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from tracker.plan.schedule import (
    CycleError,
    Item,
    Link,
    critical_path,
    cycle_if_added,
    forecast,
    path_between,
    slip_chain,
    topological_order,
)


def d(day: int, month: int = 3, year: int = 2010) -> dt.date:
    return dt.date(year, month, day)


def test_topological_order_puts_predecessors_first_and_keeps_the_given_order():
    links = [Link("c", "a"), Link("a", "b")]
    assert topological_order(["a", "b", "c", "d"], links) == ["c", "d", "a", "b"]


def test_a_cycle_is_refused_and_named():
    links = [Link("a", "b"), Link("b", "c"), Link("c", "a"), Link("x", "a")]
    with pytest.raises(CycleError) as caught:
        topological_order(["x", "a", "b", "c"], links)
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    assert "→" in str(caught.value)


def test_a_link_that_would_close_a_circle_is_found_before_it_is_added():
    links = [Link("a", "b"), Link("b", "c")]
    assert cycle_if_added(links, Link("c", "a")) == ["c", "a", "b", "c"]
    assert cycle_if_added(links, Link("a", "c")) is None
    assert cycle_if_added(links, Link("a", "a")) == ["a", "a"]
    assert path_between(links, "a", "c") == ["a", "b", "c"]
    assert path_between(links, "c", "a") is None


def test_nothing_moves_when_nothing_slips():
    items = [
        Item("a", d(1), d(10)),
        Item("b", d(11), d(20)),
        Item("m", d(20), d(20), milestone=True),
    ]
    links = [Link("a", "b"), Link("b", "m")]
    result = forecast(items, links)
    assert result["b"].start == d(11) and result["b"].finish == d(20)
    assert result["m"].finish == d(20)
    assert all(f.slip == 0 for f in result.values())
    assert all(f.driven_by is None for f in result.values())


def test_a_slip_moves_everything_downstream_and_keeps_durations():
    items = [
        Item("a", d(1), d(10), actual_finish=d(15)),  # finished five days late
        Item("b", d(11), d(20)),  # 9-day duration
        Item("c", d(25), d(30)),  # has 4 days of slack before it
        Item("m", d(30), d(30), milestone=True),
    ]
    links = [Link("a", "b"), Link("b", "c", lag=2), Link("c", "m")]
    result = forecast(items, links)
    assert result["a"].slip == 5
    assert (result["b"].start, result["b"].finish) == (d(16), d(25))
    # forecast start = max(own start, predecessor's forecast finish + 1 + lag)
    assert result["c"].start == d(28)  # 25 + 1 + 2
    assert result["c"].finish == d(2, 4)  # keeps its 5-day duration
    assert result["m"].finish == d(2, 4)
    assert result["m"].slip == 3
    assert slip_chain(result, "m") == ["a", "b", "c", "m"]


def test_a_slip_pushes_a_milestone():
    items = [
        Item("t1", d(1), d(28), actual_finish=d(9, 4)),
        Item("m1", d(31), d(31), milestone=True),
        Item("m2", d(30, 4), d(30, 4), milestone=True),
    ]
    result = forecast(items, [Link("t1", "m1"), Link("t1", "m2")])
    # A milestone is reached the day its predecessor finishes: no extra day.
    assert result["m1"].finish == d(9, 4)
    assert result["m1"].slip == 9
    assert result["m1"].driven_by == "t1"
    assert result["m2"].finish == d(30, 4) and result["m2"].slip == 0


def test_milestone_lag_and_an_own_date_after_the_predecessor():
    items = [Item("t", d(1), d(10)), Item("m", d(20), d(20), milestone=True)]
    assert forecast(items, [Link("t", "m", lag=3)])["m"].finish == d(20)
    assert forecast(items, [Link("t", "m", lag=15)])["m"].finish == d(25)


def test_as_of_assumes_unfinished_overdue_tasks_finish_no_earlier_than_that_day():
    items = [Item("a", d(1), d(10)), Item("b", d(11), d(20)), Item("c", d(1), d(5), d(5))]
    result = forecast(items, [Link("a", "b")], as_of=d(14))
    assert result["a"].finish == d(14)
    assert result["b"].start == d(15)
    assert result["c"].finish == d(5)  # finished: its actual finish stands


def test_the_critical_path_is_the_chain_to_the_last_finish():
    items = [
        Item("a", d(1), d(10)),
        Item("b", d(11), d(20)),
        Item("c", d(11), d(15)),  # parallel to b, 5 days of float
        Item("d", d(21), d(31)),
        Item("m", d(31), d(31), milestone=True),
        Item("loose", d(1), d(2)),
    ]
    links = [Link("a", "b"), Link("a", "c"), Link("b", "d"), Link("c", "d"), Link("d", "m")]
    result = forecast(items, links)
    assert critical_path(result) == ["a", "b", "d", "m"]
    assert result["c"].total_float == 5
    assert result["loose"].total_float == 29
    assert not result["c"].critical


def test_when_the_slack_branch_slips_past_its_float_it_becomes_critical():
    items = [
        Item("a", d(1), d(10)),
        Item("b", d(11), d(20)),
        Item("c", d(11), d(15), actual_finish=d(23)),
        Item("d", d(21), d(31)),
    ]
    links = [Link("a", "b"), Link("a", "c"), Link("b", "d"), Link("c", "d")]
    result = forecast(items, links)
    assert result["d"].driven_by == "c"
    assert result["d"].start == d(24)
    assert critical_path(result) == ["a", "c", "d"]
    assert not result["b"].critical


def test_links_to_items_without_dates_are_ignored_and_empty_plans_work():
    assert forecast([], []) == {}
    result = forecast([Item("a", d(1), d(2))], [Link("a", "undated"), Link("undated", "a")])
    assert result["a"].finish == d(2)


def test_forecast_refuses_a_cycle():
    items = [Item("a", d(1), d(2)), Item("b", d(3), d(4))]
    with pytest.raises(CycleError):
        forecast(items, [Link("a", "b"), Link("b", "a")])


def _large_plan(tasks: int, dependencies: int, seed: int = 1) -> tuple[list[Item], list[Link]]:
    rng = random.Random(seed)
    start = dt.date(2010, 1, 1)
    items = []
    for n in range(tasks):
        begin = start + dt.timedelta(days=rng.randrange(400))
        items.append(Item(n, begin, begin + dt.timedelta(days=rng.randrange(1, 30))))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < dependencies:
        a, b = sorted(rng.sample(range(tasks), 2))  # always earlier -> later: no cycles
        pairs.add((a, b))
    return items, [Link(a, b, rng.randrange(3)) for a, b in pairs]


def test_two_thousand_tasks_with_three_thousand_dependencies_are_quick():
    items, links = _large_plan(2000, 3000)
    began = time.perf_counter()
    result = forecast(items, links)
    elapsed = time.perf_counter() - began
    assert len(result) == 2000
    assert critical_path(result)
    # Every finish-to-start rule holds.
    for link in links:
        assert result[link.successor].start >= result[link.predecessor].finish + dt.timedelta(
            days=1 + link.lag
        )
    assert elapsed < 2  # milliseconds in practice; generous for slow CI machines
