"""Drive the Dagster UI like a researcher: *Materialize all*, read the results, recover a run.

Starts ``dagster dev`` over a copy of the materialized demo under the project's dagster.yaml
(a queue of one run at a time), clicks *Materialize all* on the asset graph, launches the
backfill over every project partition, waits (GraphQL) until it has succeeded, opens the
synthesis report asset (its PDF path), the Matthew test's numbers, the panel's checks and a
per-project check's partitions; then kills an ``outcomes run`` mid-run and launches a run from
the UI, which must complete. Saves screenshots to ``docs/screenshots/`` for the README. The
tests run in this order on one UI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from outcomes.atomic import write_bytes
from pipelines.definitions import defs
from pipelines.partitions import PROJECTS
from pipelines.runs import PID_TAG, WATCH_SECONDS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("demo")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BACKFILL_SECONDS = 420
TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}

BACKFILLS = """
{ partitionBackfillsOrError(limit: 20) {
    ... on PartitionBackfills { results { id status isAssetBackfill numPartitions } } } }
"""
BACKFILL_RUNS = """
query ($id: String!) {
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status } } } }
"""


RUNS = """
query ($tags: [ExecutionTag!]) {
  runsOrError(filter: {tags: $tags}) {
    ... on Runs { results { runId status jobName tags { key value } } } } }
"""
RUN_FAILURE = """
query ($runId: ID!) {
  logsForRun(runId: $runId) {
    ... on EventConnection { events { __typename ... on MessageEvent { message } } } } }
"""

LATEST_RUN = """
query ($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    ... on Asset { assetMaterializations(limit: 1) { runId } } } }
"""


def _backfills(ui) -> dict[str, dict]:
    results = ui.graphql(BACKFILLS)["partitionBackfillsOrError"]["results"]
    return {b["id"]: b for b in results}


def _screenshot(page: Page, name: str) -> Path:
    return Path(write_bytes(SCREENSHOTS / name, page.screenshot(full_page=False)))


def _bring_into_view(locator: Locator) -> None:
    """Scroll ``locator`` to the middle of the page, keeping tables scrolled to their left edge
    (a long path widens the metadata table; the key column stays in view)."""
    locator.evaluate(
        """element => {
            element.scrollIntoView({block: "center"});
            for (const scrolled of document.querySelectorAll("*")) {
                if (scrolled.scrollLeft) scrolled.scrollLeft = 0;
            }
        }"""
    )


def _wait_for_new_backfill(ui, before: set[str]) -> dict:
    deadline = time.monotonic() + BACKFILL_SECONDS
    backfill: dict | None = None
    while time.monotonic() < deadline:
        new = [b for key, b in _backfills(ui).items() if key not in before]
        if new:
            backfill = new[0]
            if backfill["status"] in TERMINAL:
                return backfill
        time.sleep(3)
    pytest.fail(f"the backfill did not finish in {BACKFILL_SECONDS} s: {backfill}\n{ui.log_tail()}")


def test_materialize_all_in_the_ui_then_read_the_report(dagster_ui, page: Page) -> None:
    ui = dagster_ui
    page.set_viewport_size({"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    # the observed exports (landing_exports) are observed, not materialized
    assets = len(defs.resolve_asset_graph().materializable_asset_keys)

    # The asset graph, grouped by stage.
    page.goto(f"{ui.url}/asset-groups")
    materialize_all = page.get_by_role("button", name=re.compile(r"Materialize all"))
    expect(materialize_all).to_be_visible(timeout=120_000)
    for group in ("ingest", "validation", "scoring", "panel", "analysis", "reports"):
        group_button = page.get_by_role("button", name=re.compile(rf"asset_group {group}\b"))
        expect(group_button).to_be_visible()
    _screenshot(page, "asset-graph.png")

    # Materialize all: partitioned and unpartitioned assets together become one backfill.
    before = set(_backfills(ui))
    materialize_all.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"materialize {assets} assets")
    dialog.get_by_role("button", name="All", exact=True).click()
    expect(dialog).to_contain_text(f"{len(PROJECTS.get_partition_keys())} partitions")
    dialog.get_by_role("button", name="Launch backfill").click()
    expect(dialog).to_be_hidden()

    backfill = _wait_for_new_backfill(ui, before)
    runs = ui.graphql(BACKFILL_RUNS, {"id": backfill["id"]})["runsOrError"]["results"]
    assert backfill["isAssetBackfill"]
    assert backfill["status"] in {"COMPLETED", "COMPLETED_SUCCESS"}, (backfill, ui.log_tail())
    assert runs and all(r["status"] == "SUCCESS" for r in runs), runs
    # One run per project for the project steps, then one for the cross-project assets.
    assert len(runs) >= len(PROJECTS.get_partition_keys()) + 1
    run_ids = {r["runId"] for r in runs}

    # A report asset: where its PDF is, freshly written by this backfill.
    page.goto(f"{ui.url}/assets/synthesis_report")
    expect(page.get_by_text("path_pdf")).to_be_visible(timeout=60_000)
    pdf = page.get_by_text(re.compile(r"synthesis\.(nl|en)\.pdf$")).first
    expect(pdf).to_be_visible()
    path = Path(pdf.inner_text().strip())
    assert path.is_relative_to(ui.workspace.reports)
    assert path.read_bytes().startswith(b"%PDF")
    latest = ui.graphql(LATEST_RUN, {"path": ["synthesis_report"]})["assetOrError"]
    assert latest["assetMaterializations"][0]["runId"] in run_ids  # written by this backfill
    # its figures on the page itself, served by the webserver from the run's published copy
    figure = page.locator("img[src^='/logs/outcomes-figures/']").first
    _bring_into_view(figure)
    expect(figure).to_be_visible()
    assert figure.evaluate("image => image.complete && image.naturalWidth > 0")
    _screenshot(page, "report-asset.png")

    # A check result on the panel: the catalog's schema check passed in this run.
    page.goto(f"{ui.url}/assets/outcome_panel?view=checks")
    expect(page.get_by_text("catalog_schema").first).to_be_visible()
    expect(page.get_by_text("Passed").first).to_be_visible()
    _screenshot(page, "panel-checks.png")


def test_the_matthew_page_shows_the_primary_test_as_numbers(dagster_ui, page: Page) -> None:
    ui = dagster_ui
    page.set_viewport_size({"width": 1440, "height": 900})
    matthew = json.loads((ui.workspace.analysis / "matthew.json").read_text(encoding="utf-8"))
    (primary,) = [r for r in matthew["results"] if r["role"] == "primary"]

    page.goto(f"{ui.url}/assets/matthew_effect")
    # the numbers as the reports round them, each in its own typed row, before the tables
    for key in ("primary_estimate", "primary_ci_low", "primary_ci_high"):
        number = {"primary_estimate": "estimate", "primary_ci_low": "ci_low"}.get(key, "ci_high")
        row = page.get_by_role("row").filter(has=page.get_by_text(key, exact=True))
        expect(row).to_contain_text(f"{round(primary[number], 3):g}", timeout=60_000)
    verdict = page.get_by_role("row").filter(has=page.get_by_text("verdict", exact=True)).first
    expect(verdict).to_contain_text(primary["verdict"])
    _bring_into_view(page.get_by_text("primary_estimate", exact=True))
    _screenshot(page, "matthew-asset.png")


def test_a_per_project_check_shows_its_partition(dagster_ui, page: Page) -> None:
    ui = dagster_ui
    page.set_viewport_size({"width": 1440, "height": 900})
    project = "netwerkcoach"
    page.goto(f"{ui.url}/assets/valid_responses?view=checks&checkDetail=quarantine_share")
    expect(page.get_by_text("Partition", exact=True).first).to_be_visible(timeout=60_000)
    page.get_by_text("Partitions", exact=True).last.click()  # the check's own tab
    for key in PROJECTS.get_partition_keys():
        expect(page.get_by_text(key, exact=True).first).to_be_visible()
    page.get_by_text(project, exact=True).first.click()
    expect(page.get_by_text("Passed").first).to_be_visible()
    # its numbers are this project's, named so that each project has its own plot
    expect(page.get_by_text(f"rows_quarantined ({project})", exact=True)).to_be_visible()
    _screenshot(page, "check-partitions.png")


def _runs(ui, **tags: str) -> list[dict]:
    variables = {"tags": [{"key": k, "value": v} for k, v in tags.items()]}
    return ui.graphql(RUNS, variables)["runsOrError"]["results"]


def _start_and_kill_outcomes_run(ui) -> dict:
    """Start ``outcomes run`` on the UI's instance and workspace, SIGKILL it once its run has
    started, and return that run (still "Started": nothing reported its end)."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(ui.instance),
        "OUTCOMES_HOME": str(ui.workspace.home),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("outcomes")), "run"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            started = [
                r for r in _runs(ui, **{PID_TAG: str(process.pid)}) if r["status"] == "STARTED"
            ]
            if started:
                break
            assert process.poll() is None, "outcomes run ended before it was killed"
            assert time.monotonic() < deadline, "outcomes run started no run within 120 s"
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    (run,) = started
    return run


def test_after_a_killed_run_a_run_launched_from_the_ui_completes(dagster_ui, page: Page) -> None:
    ui = dagster_ui
    page.set_viewport_size({"width": 1440, "height": 900})
    killed = _start_and_kill_outcomes_run(ui)
    statuses = {r["runId"]: r["status"] for r in _runs(ui)}
    assert statuses[killed["runId"]] == "STARTED"  # it would hold the queue of one for good

    # a researcher re-materializes an analysis asset from its page
    page.goto(f"{ui.url}/assets/reliable_change")
    materialize = page.get_by_role("button", name=re.compile(r"Materialize$"))
    expect(materialize).to_be_enabled(timeout=60_000)
    materialize.click()
    confirm = page.get_by_role("dialog").get_by_role("button", name="Confirm")
    with contextlib.suppress(PlaywrightTimeoutError):  # asked when more assets come along
        confirm.click(timeout=5_000)
    deadline = time.monotonic() + 4 * WATCH_SECONDS + 120
    launched: dict | None = None
    while time.monotonic() < deadline:
        new = [r for r in _runs(ui) if r["runId"] not in statuses]
        if new:
            (launched,) = new
            if launched["status"] in {"SUCCESS", "FAILURE", "CANCELED"}:
                break
        time.sleep(2)
    assert launched is not None, f"no run was launched from the UI\n{ui.log_tail()}"
    assert launched["status"] == "SUCCESS", (launched, ui.log_tail())

    ended = {r["runId"]: r["status"] for r in _runs(ui)}[killed["runId"]]
    assert ended == "FAILURE"
    events = ui.graphql(RUN_FAILURE, {"runId": killed["runId"]})["logsForRun"]["events"]
    assert any("no longer exists" in (e.get("message") or "") for e in events)
    page.goto(f"{ui.url}/runs")
    expect(page.get_by_text(killed["runId"][:8]).first).to_be_visible(timeout=60_000)
    expect(page.get_by_text(launched["runId"][:8]).first).to_be_visible()
    _screenshot(page, "runs-after-kill.png")


RELOAD = """
mutation { reloadRepositoryLocation(repositoryLocationName: "outcomes") { __typename } }
"""


def test_an_asset_page_says_whether_the_schedule_is_on(dagster_ui, page: Page) -> None:
    ui = dagster_ui
    page.set_viewport_size({"width": 1440, "height": 900})
    schedule = f"{ui.url}/locations/outcomes/schedules/weekly_rerun"
    switch = page.get_by_role("row").filter(has_text="Running").get_by_role("checkbox")

    def schedule_row() -> Locator:
        """The schedule's row in the asset page's table of what refreshes it."""
        page.goto(f"{ui.url}/assets/synthesis_report")
        return page.get_by_role("row", name=re.compile(r"^weekly_rerun \(schedule\)"))

    expect(schedule_row()).to_contain_text("off (off by default)", timeout=60_000)
    page.goto(schedule)
    expect(switch).not_to_be_checked(timeout=60_000)
    switch.locator("xpath=..").click()  # the switch a researcher flips
    expect(switch).to_be_checked()
    try:
        ui.graphql(RELOAD)  # the page says what was on when the code location (re)loaded
        row = schedule_row()
        expect(row).to_contain_text("on (off by default)", timeout=60_000)
        _bring_into_view(row)
        _screenshot(page, "automation-status.png")
    finally:
        page.goto(schedule)
        switch.locator("xpath=..").click()
        expect(switch).not_to_be_checked()
