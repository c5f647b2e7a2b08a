"""Small instrument definitions, a project spec and a clean responses frame for validation tests.

The instruments mirror the canonical items (MHI-5 codes 1–6, De Jong Gierveld 6 codes 1–3,
network map counts; docs/architecture.md, "Canonical items and coding") so the tests do not depend
on the full registry.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.instruments.base import AnswerOption, Instrument, Item, Score
from outcomes.specs import ProjectSpec, parse_spec


def _no_scores(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select()


def make_instrument(
    key: str,
    name: str,
    columns: list[str],
    codes: list[int] | None,
    value_range: tuple[float, float] | None = None,
    scores: tuple[Score, ...] = (),
) -> Instrument:
    options = tuple(AnswerOption(code, f"nl {code}", f"en {code}") for code in codes or [])
    return Instrument(
        key=key,
        name=name,
        items=tuple(Item(c, c, c) for c in columns),
        options=options,
        scores=scores,
        citation="test",
        missing_rule="test",
        scoring_rule="test",
        scorer=_no_scores,
        value_range=value_range,
    )


INSTRUMENTS = {
    "mhi5": make_instrument(
        "mhi5",
        "MHI-5",
        [f"mhi5_{i}" for i in range(1, 6)],
        [1, 2, 3, 4, 5, 6],
        scores=(Score("mhi5", "MHI-5", "MHI-5", 0, 100, True),),
    ),
    "djg6": make_instrument(
        "djg6",
        "De Jong Gierveld 6",
        [f"djg6_{i}" for i in range(1, 7)],
        [1, 2, 3],
        scores=(
            Score("loneliness6", "eenzaamheid", "loneliness", 0, 6, False),
            Score("lsns6_isolated", "geïsoleerd", "isolated", 0, 1, None, dtype=pl.Boolean),
        ),
    ),
    "network_map": make_instrument(
        "network_map",
        "Netwerkkaart",
        ["net_household", "net_family", "net_friends"],
        None,
        value_range=(0, 50),
        scores=(Score("network_size", "netwerk", "network", 0, 150, None),),
    ),
}

ITEMS = [c for i in INSTRUMENTS.values() for c in i.item_columns]
TODAY = dt.date(2025, 6, 1)


def make_spec(**overrides: object) -> ProjectSpec:
    data: dict[str, object] = {
        "id": "proef",
        "name": "Proefproject",
        "export": {"format": "csv"},
        "participant_id": "ID",
        "wave": {"column": "meting"},
        "columns": {},
        "instruments": ["mhi5", "djg6", "network_map"],
        "primary_wellbeing": "mhi5",
    }
    data.update(overrides)
    return parse_spec(data)


def clean_responses(participants: int = 6, waves: int = 3) -> pl.DataFrame:
    """Return a responses frame that breaks no rule: one file per wave, dates increasing."""
    rows = []
    for wave in range(waves):
        for p in range(participants):
            row: dict[str, object] = {
                "project": "proef",
                "participant_id": f"p{p:04x}",
                "wave": wave,
                "assessed_on": dt.date(2024, 1, 10) + dt.timedelta(days=180 * wave + p),
                "site": "Utrecht",
                "arm": None,
                "gender": ["female", "male", "other"][p % 3],
                "birth_year": 1950 + p,
                "age": 74 - p,
                "completed": True,
            }
            for k, column in enumerate(ITEMS):
                if column.startswith("mhi5"):
                    row[column] = float(1 + (p + k + wave) % 6)
                elif column.startswith("djg6"):
                    row[column] = float(1 + (p + k) % 3)
                else:
                    row[column] = float((p * 3 + k) % 12)
            row["source_file"] = f"t{wave}.csv"
            row["source_sha256"] = f"{wave:064x}"
            row["source_row"] = p + 2
            row["ingest_issues"] = []
            rows.append(row)
    schema = {
        "project": pl.Utf8,
        "participant_id": pl.Utf8,
        "wave": pl.Int64,
        "assessed_on": pl.Date,
        "site": pl.Utf8,
        "arm": pl.Utf8,
        "gender": pl.Utf8,
        "birth_year": pl.Int64,
        "age": pl.Int64,
        "completed": pl.Boolean,
        **{c: pl.Float64 for c in ITEMS},
        "source_file": pl.Utf8,
        "source_sha256": pl.Utf8,
        "source_row": pl.Int64,
        "ingest_issues": pl.List(
            pl.Struct({"column": pl.Utf8, "value": pl.Utf8, "rule": pl.Utf8, "message": pl.Utf8})
        ),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")
