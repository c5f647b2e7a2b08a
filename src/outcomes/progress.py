"""Progress of long steps: lines for the person waiting, never part of a result.

A :class:`Reporter` receives progress lines through a callback (``write``). Library code does
not know where they go: it opens a :func:`task` (a step with a known number of units, such as
bootstrap replicates) or writes a :func:`note` (one line, such as the scope an analysis starts),
and both do nothing unless a reporter is installed with :func:`reporting`. The command line
installs :func:`stderr_reporter` (a terminal only, unless asked); every Dagster step installs
:func:`alongside` its log (``pipelines.lineage.reports_progress``), so the lines reach the
step's log and the terminal of ``outcomes run``; :func:`logging_reporter` sends them to a
:mod:`logging` logger. Reporting reads the clock and nothing else: results are
the same with and without it (docs/architecture.md, "Progress and counts").
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TextIO

#: A task shows its first line once it has run this many seconds; shorter tasks stay silent.
DELAY = 2.0

#: Seconds between two lines of the same task.
INTERVAL = 5.0


@dataclass(frozen=True)
class Reporter:
    """Where progress lines go (``write``), when a task's first line comes (``delay`` seconds
    after it starts), how often the next ones (``interval``), and the clock they are timed by."""

    write: Callable[[str], None]
    delay: float = DELAY
    interval: float = INTERVAL
    clock: Callable[[], float] = time.monotonic


_current: ContextVar[Reporter | None] = ContextVar("outcomes_progress", default=None)


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[Reporter | None]:
    """Install ``reporter`` for the code run inside the ``with`` block (``None``: silence) and
    yield it; the reporter outside the block is restored afterwards."""
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def stderr_reporter(
    *, force: bool = False, stream: TextIO | None = None, delay: float = DELAY
) -> Reporter | None:
    """Return a reporter that writes lines to ``stream`` (default: standard error) when it is a
    terminal or ``force`` is set; ``None`` otherwise (quiet in pipes, logs and tests)."""
    target = sys.stderr if stream is None else stream
    if not (force or target.isatty()):
        return None

    def write(line: str) -> None:
        print(line, file=target, flush=True)

    return Reporter(write=write, delay=delay)


def logging_reporter(logger: logging.Logger, level: int = logging.INFO) -> Reporter:
    """Return a reporter that logs each line to ``logger`` at ``level``."""
    return Reporter(write=lambda line: logger.log(level, line))


def current() -> Reporter | None:
    """Return the reporter installed now, or None."""
    return _current.get()


def alongside(write: Callable[[str], None]) -> Reporter:
    """Return a reporter that writes each line to ``write`` and to the reporter installed now,
    if any, timed as that one (a Dagster step's log beside the terminal of ``outcomes run``)."""
    outer = _current.get()
    if outer is None:
        return Reporter(write=write)

    def both(line: str) -> None:
        write(line)
        outer.write(line)

    return Reporter(write=both, delay=outer.delay, interval=outer.interval, clock=outer.clock)


def note(message: str) -> None:
    """Write ``message`` as one progress line to the installed reporter, if any."""
    reporter = _current.get()
    if reporter is not None:
        reporter.write(message)


def duration(seconds: float) -> str:
    """Return ``seconds`` as ``42 s`` or ``2 min 50 s``."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


class Task:
    """A step of ``total`` units (``unit``: replicates, scopes …) whose progress is reported
    while it runs: units done, time spent and an estimate of the time left (the mean time per
    unit so far times the units left). Without a reporter every method returns at once."""

    def __init__(self, reporter: Reporter | None, label: str, total: int, unit: str) -> None:
        self.reporter = reporter
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.shown = False
        self.started = reporter.clock() if reporter is not None else 0.0
        self._next = self.started + (reporter.delay if reporter is not None else 0.0)

    def line(self, now: float) -> str:
        """Return the progress line at clock time ``now``."""
        spent = now - self.started
        head = f"{self.label}: {self.done}/{self.total} {self.unit}, {duration(spent)}"
        if self.done >= self.total:
            return f"{self.label}: {self.done}/{self.total} {self.unit} in {duration(spent)}"
        if self.done == 0:
            return head
        left = spent / self.done * (self.total - self.done)
        return f"{head}, about {duration(left)} left"

    def advance(self, units: int = 1) -> None:
        """Count ``units`` more done; write a line when the reporter's delay or interval has
        passed."""
        reporter = self.reporter
        if reporter is None:
            return
        self.done += units
        now = reporter.clock()
        if now >= self._next and self.done < self.total:
            reporter.write(self.line(now))
            self.shown = True
            self._next = now + reporter.interval

    def finish(self) -> None:
        """Write the closing line (units done and time spent) if the task wrote any line."""
        if self.reporter is not None and self.shown:
            self.reporter.write(self.line(self.reporter.clock()))


@contextmanager
def task(label: str, total: int, unit: str) -> Iterator[Task]:
    """Yield a :class:`Task` of ``total`` ``unit`` reporting to the installed reporter; its
    closing line is written when the block ends."""
    running = Task(_current.get(), label, total, unit)
    try:
        yield running
    finally:
        running.finish()
