"""Metadata helpers: the panel schema check, inline figures, stage records."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl

from outcomes.stages import StageRecord
from outcomes.validation import panel_schema
from pipelines.checks import schema_check_result
from pipelines.metadata import figure_markdown, fit_to_page, to_metadata

PANEL = dg.AssetKey("outcome_panel")


def _panel(rows: int = 3) -> pl.DataFrame:
    """Return a minimal panel that satisfies the schema (scores absent are added as null)."""
    frame = pl.DataFrame(
        {
            "participant_id": [f"p{i}" for i in range(rows)],
            "project": ["stamtafel"] * rows,
            "site": [None] * rows,
            "arm": [None] * rows,
            "wave": list(range(rows)),
            "assessed_on": [dt.date(2025, 1, 1) + dt.timedelta(days=180 * i) for i in range(rows)],
            "months_since_baseline": [6.0 * i for i in range(rows)],
            "years": [0.5 * i for i in range(rows)],
            "wellbeing": [60.0, 65.0, 70.0][:rows],
            "network_size_bl": [4.0] * rows,
            "network_family_bl": [2.0] * rows,
            "network_diversity_bl": [2.0] * rows,
            "network_group": ["small"] * rows,
            "age_bl": [70] * rows,
            "gender": [None] * rows,
            "status": ["completer"] * rows,
        },
        schema_overrides={"site": pl.Utf8, "arm": pl.Utf8, "gender": pl.Utf8},
    )
    missing = [c for c in panel_schema().columns if c not in frame.columns]
    dtypes = {name: column.dtype.type for name, column in panel_schema().columns.items()}
    return frame.with_columns(pl.lit(None, dtype=dtypes[c]).alias(c) for c in missing)


def test_panel_schema_check_passes_on_a_valid_panel() -> None:
    result = schema_check_result(_panel(), panel_schema(), PANEL, "panel_schema")
    assert result.passed
    assert result.check_name == "panel_schema"
    assert result.metadata["rows"].value == 3


def test_panel_schema_check_names_failing_columns_and_hides_pseudonyms() -> None:
    broken = _panel().with_columns(
        pl.Series("wellbeing", [60.0, 140.0, 150.0]),
        pl.Series("network_group", ["small", "tiny", "small"]),
        pl.lit("p0").alias("participant_id"),
        pl.lit(0).cast(pl.Int64).alias("wave"),
    )
    result = schema_check_result(broken, panel_schema(), PANEL, "panel_schema")
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    failing = result.metadata["failing_checks"].value
    assert failing["wellbeing: in_range(0, 100)"] == 2
    assert any(k.startswith("network_group") for k in failing)
    table = result.metadata["failures"].value
    assert "140.0" in table and "tiny" in table
    assert "p0" not in table  # duplicate-key cases name pseudonyms: counted, not shown


def test_panel_schema_check_names_a_missing_column() -> None:
    result = schema_check_result(_panel().drop("status"), panel_schema(), PANEL, "panel_schema")
    assert not result.passed
    table = result.metadata["failures"].value
    assert "column_in_dataframe" in table
    assert "| status |" in table  # the missing column's name is shown


def test_figure_markdown_embeds_the_image() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    value = figure_markdown("forest plot", svg)
    assert isinstance(value, dg.MarkdownMetadataValue)
    encoded = value.value.split("base64,", 1)[1].rstrip(")")
    assert base64.b64decode(encoded) == svg


def test_stage_record_figures_show_inline_unless_large(tmp_path: Path) -> None:
    small = tmp_path / "trajectories.svg"
    small.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    large = tmp_path / "forest.png"
    large.write_bytes(b"\x89PNG" + b"0" * 300_000)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    record = StageRecord(
        "funder_report",
        "stamtafel",
        rows=5,
        paths={"trajectories": small, "forest": large, "pdf": pdf},
        metadata={"verdict": "no_evidence", "pages": 7, "table": "| a |\n|---|\n| 1 |"},
    )
    metadata = to_metadata(record)
    assert metadata["dagster/row_count"].value == 5
    assert metadata["path_pdf"].value == str(pdf)
    assert "data:image/svg+xml;base64," in metadata["figure_trajectories"].value
    assert "figure_forest" not in metadata
    assert metadata["path_forest"].value == str(large)
    assert isinstance(metadata["table"], dg.TableMetadataValue)  # every column shown
    assert [r.data for r in metadata["table"].records] == [{"a": 1}]
    assert metadata["pages"].value == 7


def test_a_run_publishes_its_figures_where_the_webserver_serves_them(tmp_path: Path) -> None:
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>"
    figure = tmp_path / "forest.svg"
    figure.write_bytes(svg)

    @dg.asset
    def synthesis_report() -> dg.MaterializeResult:
        record = StageRecord("synthesis_report", None, paths={"forest": figure})
        return dg.MaterializeResult(metadata=to_metadata(record))

    with dg.instance_for_test() as instance:
        result = dg.materialize([synthesis_report], instance=instance)
        key = ["outcomes-figures", result.run_id, "synthesis_report-forest"]
        # the file the webserver's /logs/<key>/<extension> endpoint serves holds the figure
        served = Path(instance.compute_log_manager.get_captured_local_path(key, "svg"))
        assert served.read_bytes() == svg
    (event,) = result.get_asset_materialization_events()
    markdown = event.materialization.metadata["figure_forest"].value
    # a short image link, which the UI shows in the metadata table itself (under 1000 chars)
    address = f"/logs/outcomes-figures/{result.run_id}/synthesis_report-forest/svg"
    assert markdown == f"**forest**\n\n![forest]({address})"
    assert len(markdown) < 1000


def test_a_wide_svg_is_drawn_as_wide_as_the_page_column() -> None:
    wide = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="453.6pt" height="231.84pt" '
        b'viewBox="0 0 453.6 231.84"><rect/></svg>'
    )
    fitted = fit_to_page(wide, width=420)
    # 453.6 × 231.84 pt is 604.8 × 309.1 px: drawn 420 px wide, 214.7 px high, same drawing
    assert b'width="420px" height="214.7px" viewBox="0 0 453.6 231.84"><rect/></svg>' in fitted
    narrow = b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100"/>'
    assert fit_to_page(narrow, width=420) == narrow
    assert fit_to_page(b"<svg viewBox='0 0 1 1'/>") == b"<svg viewBox='0 0 1 1'/>"
