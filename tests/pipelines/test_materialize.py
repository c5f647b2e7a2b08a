"""Materialize one project's ingest → validation → scoring on demo data in a temporary instance."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from outcomes import catalog, stages
from outcomes.specs import load_specs
from pipelines.ingest.assets import ingest
from pipelines.resources import OutcomesWorkspace, PseudonymKey
from pipelines.scoring.assets import scored_responses
from pipelines.validation.assets import validate

PROJECT = "netwerkcoach"  # Qualtrics CSV: raw identifiers are easy to read back
EMAIL = re.compile(r"[^@\s|]+@[^@\s|]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def materialized(small_demo: Path) -> dict[str, dg.AssetMaterialization]:
    """Return asset name → materialization of one project's run on the small demo."""
    key = "test-key-for-the-dagster-layer-0123456789abcdef"
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        patch.setenv("OUTCOMES_PSEUDONYM_KEY", key)
        result = dg.materialize(
            [ingest, validate, scored_responses],
            partition_key=PROJECT,
            instance=instance,
            resources={
                "outcomes": OutcomesWorkspace(home=str(small_demo)),
                "pseudonym": PseudonymKey(),
            },
        )
        assert result.success
        checks = {
            (e.asset_key.to_user_string(), e.check_name): e.passed
            for e in result.get_asset_check_evaluations()
        }
        assert checks == {
            ("valid_responses", "reconciliation"): True,
            ("valid_responses", "quarantine_share"): True,
            **{(t.name, "catalog_schema"): True for t in catalog.TABLES.values() if t.per_project},
        }
        events = {
            m.asset_key.to_user_string(): m
            for m in result.asset_materializations_for_node("ingest")
        }
        events |= {
            m.asset_key.to_user_string(): m
            for m in result.asset_materializations_for_node("validate")
        }
        events |= {
            m.asset_key.to_user_string(): m
            for m in result.asset_materializations_for_node(stages.SCORED)
        }
        # The instance recorded the partition of every materialization.
        for name in events:
            latest = instance.get_latest_materialization_event(dg.AssetKey(name))
            assert latest is not None
            assert latest.asset_materialization.partition == PROJECT
    return events


def _value(materialization: dg.AssetMaterialization, key: str):
    return materialization.metadata[key].value


def test_row_counts_match_the_warehouse(materialized, small_demo: Path) -> None:
    assert set(materialized) == {
        "raw_responses",
        "responses",
        "valid_responses",
        "quarantined_responses",
        "scored_responses",
    }
    for name in ("responses", "valid_responses", "scored_responses"):
        table = pl.read_parquet(small_demo / "warehouse" / name / f"{PROJECT}.parquet")
        assert _value(materialized[name], "dagster/row_count") == table.height, name
    valid = materialized["valid_responses"]
    assert _value(valid, "rows_read") == _value(valid, "rows_valid") + _value(
        valid, "rows_quarantined"
    )
    assert _value(materialized["responses"], "dagster/row_count") == _value(valid, "rows_read")


def test_quarantine_counts_per_rule_match_the_validation_summary(
    materialized, small_demo: Path
) -> None:
    quarantined = materialized["quarantined_responses"]
    by_rule = _value(quarantined, "rows_by_rule")
    summary = json.loads((small_demo / "validation" / f"{PROJECT}.json").read_text("utf-8"))
    assert by_rule  # the small demo plants defects in every project
    assert by_rule == summary["rows_by_rule"]
    table = _value(quarantined, "quarantined_by_rule")
    assert {r.data["rule"]: r.data["rows"] for r in table.records} == by_rule
    share = _value(quarantined, "quarantined_share")
    assert share == pytest.approx(
        _value(materialized["valid_responses"], "rows_quarantined")
        / _value(materialized["valid_responses"], "rows_read")
    )


def _raw_identifier_values(folder: Path) -> set[str]:
    """Return every participant ID and identifier value in the project's raw Qualtrics CSVs."""
    spec = load_specs()[PROJECT]
    wanted = [spec.participant_id, *spec.identifiers]
    values: set[str] = set()
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, data = rows[0], rows[3:]  # names, question text, ImportId JSON
        columns = [header.index(c) for c in wanted if c in header]
        values |= {row[i].strip() for row in data for i in columns if len(row[i].strip()) > 3}
    return values


def test_preview_shows_no_identifiers(materialized, small_demo: Path) -> None:
    spec = load_specs()[PROJECT]
    table = materialized["responses"].metadata["preview"]
    header = [c.name for c in table.schema.columns]
    records = [r.data for r in table.records]
    preview = " ".join(str(v) for record in records for v in record.values())
    dropped = set(spec.identifiers) | set(spec.free_text)
    dropped |= {spec.columns[c] for c in dropped if c in spec.columns}
    assert not set(header) & dropped
    raw = _raw_identifier_values(small_demo / "landing" / PROJECT)
    assert any(EMAIL.fullmatch(v) for v in raw)  # the exports do hold e-mail addresses
    leaked = [v for v in raw if v in preview]
    assert not leaked
    assert not EMAIL.search(preview)
    # Participant IDs in the preview are the warehouse's pseudonyms.
    pseudonyms = set(
        pl.read_parquet(small_demo / "warehouse" / "responses" / f"{PROJECT}.parquet")[
            "participant_id"
        ].to_list()
    )
    assert records
    assert all(record["participant_id"] in pseudonyms for record in records)


def test_scored_means_are_in_range(materialized) -> None:
    means = _value(materialized["scored_responses"], "means")
    assert 0 <= means["wellbeing"] <= 100
