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


# Milestones as predecessors ----------------------------------------------------------------


def test_a_milestone_pushed_late_pushes_the_task_that_waits_for_it():
    """Stage 2's work waits for the stage 1 review: a late stage 1 task pushes the review, and
    the review pushes stage 2's first task, which starts the day after the review is reached."""
    items = [
        Item("a", d(1), d(10), actual_finish=d(15)),
        Item("review", d(12), d(12), milestone=True),
        Item("b", d(14), d(20)),  # 6-day duration
    ]
    links = [Link("a", "review"), Link("review", "b")]
    result = forecast(items, links)
    assert result["review"].finish == d(15) and result["review"].slip == 3
    assert (result["b"].start, result["b"].finish) == (d(16), d(22))
    assert result["b"].slip == 2
    assert result["b"].driven_by == "review"
    assert slip_chain(result, "b") == ["a", "review", "b"]


def test_a_task_waiting_for_a_milestone_on_time_starts_on_its_own_date_or_the_day_after():
    items = [Item("review", d(12), d(12), milestone=True), Item("b", d(13), d(20))]
    # The day after the review is the task's own start: nothing moves.
    result = forecast(items, [Link("review", "b")])
    assert result["b"].start == d(13) and result["b"].driven_by is None
    # With a lag of 2 days, 15 Mar at the earliest: two days' slip.
    result = forecast(items, [Link("review", "b", lag=2)])
    assert (result["b"].start, result["b"].slip) == (d(15), 2)


def test_a_milestone_waiting_for_a_milestone_is_reached_the_same_day_plus_lag():
    items = [
        Item("m1", d(12), d(12), milestone=True, actual_finish=d(18)),  # reached 6 days late
        Item("m2", d(14), d(14), milestone=True),
        Item("m3", d(14), d(14), milestone=True),
    ]
    result = forecast(items, [Link("m1", "m2"), Link("m1", "m3", lag=1)])
    assert result["m1"].finish == d(18)  # a milestone reached keeps its actual date
    assert (result["m2"].finish, result["m2"].slip) == (d(18), 4)
    assert (result["m3"].finish, result["m3"].slip) == (d(19), 5)


def test_the_critical_path_runs_through_a_milestone_between_tasks():
    items = [
        Item("a", d(1), d(10)),
        Item("review", d(10), d(10), milestone=True),
        Item("b", d(11), d(20)),
        Item("c", d(1), d(5)),  # 15 days of float
    ]
    result = forecast(items, [Link("a", "review"), Link("review", "b")])
    assert critical_path(result) == ["a", "review", "b"]
    assert result["c"].total_float == 15 and not result["c"].critical
    # A day's lag after the review uses up no float on the other side: still one chain, later.
    result = forecast(items, [Link("a", "review"), Link("review", "b", lag=1)])
    assert critical_path(result) == ["a", "review", "b"]
    assert result["review"].total_float == 0 and result["b"].finish == d(21)


def test_a_milestone_with_float_before_its_successor_is_not_critical():
    items = [
        Item("a", d(1), d(10)),
        Item("review", d(10), d(10), milestone=True),
        Item("b", d(20), d(30)),  # starts 9 days after the review could let it
        Item("c", d(1), d(30)),  # the longest: sets the project's finish
    ]
    result = forecast(items, [Link("a", "review"), Link("review", "b")])
    assert result["review"].total_float == 9 and not result["review"].critical
    assert result["a"].total_float == 9
    assert critical_path(result) == ["c", "b"]


def test_a_cycle_through_a_milestone_is_refused_naming_the_chain():
    links = [Link("t1", "m1"), Link("m1", "t2")]
    assert cycle_if_added(links, Link("t2", "t1")) == ["t2", "t1", "m1", "t2"]
    assert cycle_if_added(links, Link("m1", "t1")) == ["m1", "t1", "m1"]
    assert cycle_if_added(links, Link("t2", "m2")) is None
    items = [
        Item("t1", d(1), d(5)),
        Item("m1", d(5), d(5), milestone=True),
        Item("t2", d(6), d(9)),
    ]
    with pytest.raises(CycleError) as caught:
        forecast(items, [*links, Link("t2", "t1")])
    assert caught.value.cycle[0] == caught.value.cycle[-1]
    assert set(caught.value.cycle) == {"t1", "m1", "t2"}
