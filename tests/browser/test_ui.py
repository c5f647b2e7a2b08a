"""Drive the Dagster UI like a researcher: *Materialize all*, then read a report asset.

Starts ``dagster dev`` over a copy of the materialized demo, clicks *Materialize all* on the
asset graph, launches the backfill over every project partition, waits (GraphQL) until it has
succeeded, opens the synthesis report asset (its PDF path) and the panel's checks, and saves
screenshots to ``docs/screenshots/`` for the README.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from outcomes.atomic import write_bytes
from pipelines.definitions import defs
from pipelines.partitions import PROJECTS

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
    _screenshot(page, "report-asset.png")

    # A check result on the panel: the catalog's schema check passed in this run.
    page.goto(f"{ui.url}/assets/outcome_panel?view=checks")
    expect(page.get_by_text("catalog_schema").first).to_be_visible()
    expect(page.get_by_text("Passed").first).to_be_visible()
    _screenshot(page, "panel-checks.png")
