"""Progress of long steps (``outcomes.progress``): lines with the bootstrap's replicates done and
the time left, the analysis scope by scope, and results that never change with them
(docs/architecture.md, "Progress and counts")."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from outcomes import progress
from outcomes.models.analysis import analyse
from outcomes.models.m1 import m1_formula, prepare_m1_panel
from outcomes.models.power import FittedDesign, fitted_design
from outcomes.models.simulate import simulate_m1_panel

TERM = "years:network_size_bl_c"


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def collecting(lines: list[str], delay: float = 2.0, interval: float = 3.0) -> progress.Reporter:
    return progress.Reporter(write=lines.append, delay=delay, interval=interval, clock=Clock())


@pytest.fixture(scope="module")
def model() -> FittedDesign:
    frame, _, with_project = prepare_m1_panel(
        simulate_m1_panel(120, seed=4, dropout=0.2, projects=("a", "b"))
    )
    formula = m1_formula("wellbeing", "network_size_bl", with_project=with_project)
    return fitted_design(formula, frame, term=TERM)


def test_bootstrap_reports_replicates_done_and_time_left(model: FittedDesign) -> None:
    lines: list[str] = []
    with progress.reporting(collecting(lines)):
        model.draws(12, seed=1)
    assert lines, "a bootstrap longer than the delay writes progress lines"
    running = lines[:-1]
    assert running and all(f"bootstrap {TERM}: " in line for line in lines)
    done = [int(m.group(1)) for m in (re.search(r": (\d+)/12 replicates", x) for x in running) if m]
    assert done == sorted(done) and 0 < done[0] < 12
    assert all(re.search(r"about \d+ s left", line) for line in running)
    assert lines[-1].startswith(f"bootstrap {TERM}: 12/12 replicates in ")


def test_the_estimate_of_time_left_is_the_mean_time_per_replicate() -> None:
    reporter = progress.Reporter(write=lambda line: None, clock=lambda: 0.0)
    task = progress.Task(reporter, "bootstrap x", 100, "replicates")
    task.done = 25
    assert task.line(30.0) == "bootstrap x: 25/100 replicates, 30 s, about 1 min 30 s left"


def test_a_short_task_stays_silent(model: FittedDesign) -> None:
    lines: list[str] = []
    with progress.reporting(collecting(lines, delay=1000.0)):
        model.draws(3, seed=1)
    assert lines == []


def test_results_are_the_same_with_and_without_progress(model: FittedDesign) -> None:
    quiet = model.draws(8, seed=2)
    quiet_null = model.null_likelihood_ratio(8, seed=3)
    lines: list[str] = []
    with progress.reporting(collecting(lines, delay=0.0, interval=0.0)):
        loud = model.draws(8, seed=2)
        loud_null = model.null_likelihood_ratio(8, seed=3)
    assert any("null-model bootstrap" in line for line in lines)
    np.testing.assert_array_equal(quiet.estimates, loud.estimates)
    np.testing.assert_array_equal(quiet.ses, loud.ses)
    assert quiet_null == loud_null


def test_analyse_reports_scope_by_scope() -> None:
    panel = simulate_m1_panel(90, seed=6, dropout=0.1, projects=("a", "b"))
    options = dict(outcomes=("wellbeing",), moderators=("network_size_bl",), n_boot=0,
                   mde=False, growth=False, attrition=False, models=False)  # fmt: skip
    quiet = analyse(panel, **options)  # type: ignore[arg-type]
    lines: list[str] = []
    with progress.reporting(collecting(lines)):
        loud = analyse(panel, **options)  # type: ignore[arg-type]
    scopes = [line for line in lines if line.startswith("Matthew check")]
    assert scopes == [
        "Matthew check wellbeing × network_size_bl, scope all (primary) (1/3)",
        "Matthew check wellbeing × network_size_bl, scope a (2/3)",
        "Matthew check wellbeing × network_size_bl, scope b (3/3)",
    ]
    assert quiet.matthew["results"] == loud.matthew["results"]


def test_the_stderr_reporter_is_quiet_off_a_terminal_unless_asked() -> None:
    stream = io.StringIO()
    assert progress.stderr_reporter(stream=stream) is None
    reporter = progress.stderr_reporter(force=True, stream=stream)
    assert reporter is not None
    with progress.reporting(reporter):
        progress.note("scope all")
    assert stream.getvalue() == "scope all\n"
