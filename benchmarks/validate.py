"""Benchmark: validation of a 1,000,000-row responses table beside the plain read of the same data.

Generates a canonical responses frame (60 columns: meta and provenance columns, the items of
MHI-5, DJG-11, DJG-6, SWEMWBS, LSNS-6, the network map and the quality-of-life grade, four tool
columns; participant IDs shaped as ingest's pseudonyms; about 1% of the rows carry a defect),
writes it as parquet (as the pipeline writes its tables) and CSV, then measures in a
fresh process each: reading the parquet, reading the CSV, reading the parquet and validating
it with the generated polars expressions (the default engine), and pandera's own lazy
validation of the same frame (the reference engine). Seconds are wall-clock; peak memory is
the process's maximum resident set size.

Target (issue 4): validation adds at most the time of the read itself.

    uv run python benchmarks/validate.py [--rows 1000000] [--skip-pandera] [--repeat 7]

Results are recorded in ``benchmarks/results/validate.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from outcomes.atomic import write_parquet
from outcomes.specs import ProjectSpec, parse_spec

INSTRUMENT_KEYS = ["mhi5", "djg11", "djg6", "swemwbs", "lsns6", "network_map", "qol_grade"]
TOOL_COLUMNS = ["tool_duration_s", "tool_page", "tool_language", "tool_version"]
TODAY = dt.date(2026, 1, 1)


def bench_spec() -> ProjectSpec:
    """Return the spec of the benchmark project (all instruments, default threshold)."""
    return parse_spec(
        {
            "id": "bench",
            "name": "Benchmark",
            "export": {"format": "csv"},
            "participant_id": "ID",
            "wave": {"column": "meting"},
            "columns": {},
            "instruments": INSTRUMENT_KEYS,
            "primary_wellbeing": "mhi5",
        }
    )


def generate(rows: int, seed: int = 20240601) -> pl.DataFrame:
    """Return a responses frame of ``rows`` rows (4 waves per participant, ~1% defects)."""
    from outcomes.instruments import INSTRUMENTS

    rng = np.random.default_rng(seed)
    waves = 4
    participants = rows // waves
    pid = np.repeat(np.arange(participants), waves)
    wave = np.tile(np.arange(waves), participants)
    base_day = rng.integers(0, 1500, participants)
    days = np.repeat(base_day, waves) + wave * 180 + rng.integers(0, 20, rows)
    assessed = np.datetime64("2019-01-01") + days.astype("timedelta64[D]")
    columns: dict[str, object] = {
        "project": np.full(rows, "bench"),
        # pseudonyms as ingest writes them: "p" + 64 hex digits of an HMAC
        "participant_id": np.array(
            ["p" + hashlib.sha256(str(i).encode()).hexdigest() for i in range(participants)]
        )[pid],
        "wave": wave.astype(np.int64),
        "assessed_on": assessed,
        "site": rng.choice(["Utrecht", "Zwolle", "Tilburg"], rows),
        "arm": np.full(rows, None),
        "gender": rng.choice(["female", "male", "other"], rows, p=[0.55, 0.43, 0.02]),
        "birth_year": np.repeat(rng.integers(1930, 2000, participants), waves),
        "age": np.repeat(rng.integers(20, 90, participants), waves),
        "completed": np.ones(rows, dtype=bool),
    }
    item_columns: list[str] = []
    for key in INSTRUMENT_KEYS:
        instrument = INSTRUMENTS[key]
        low, high = instrument.item_range()
        for column in instrument.item_columns:
            if instrument.codes:
                values = rng.choice(np.array(instrument.codes, dtype=float), rows)
            else:
                values = rng.integers(int(low), min(int(high), 12) + 1, rows).astype(float)
            values[rng.random(rows) < 0.02] = np.nan  # skipped items are allowed
            columns[column] = values
            item_columns.append(column)
    for column in TOOL_COLUMNS:
        columns[column] = rng.random(rows)
    file_index = wave
    columns["source_file"] = np.char.add(np.char.add("export_t", file_index.astype(str)), ".csv")
    columns["source_sha256"] = np.char.add("sha", file_index.astype(str))
    order = np.lexsort((pid, wave))  # files are per wave, rows in participant order
    position = np.empty(rows, dtype=np.int64)
    position[order] = np.arange(rows) - np.searchsorted(wave[order], wave[order]) + 2
    columns["source_row"] = position
    frame = pl.DataFrame(columns, nan_to_null=True).with_columns(
        pl.col("arm").cast(pl.Utf8), pl.col("assessed_on").cast(pl.Date)
    )

    # about 1% of the rows get one defect each
    defective = rng.choice(rows, size=rows // 100, replace=False)
    kinds = rng.integers(0, 8, defective.size)
    index = pl.int_range(pl.len(), dtype=pl.Int64)

    def rows_of(kind: int) -> pl.Series:
        return pl.Series(defective[kinds == kind].astype(np.int64))

    issue_dtype = pl.List(
        pl.Struct({"column": pl.Utf8, "value": pl.Utf8, "rule": pl.Utf8, "message": pl.Utf8})
    )
    label_issue = [
        {"column": "mhi5_2", "value": "soms wel", "rule": "unknown_label", "message": "x"}
    ]
    frame = frame.with_columns(
        pl.when(index.is_in(rows_of(0).implode())).then(7.0).otherwise("mhi5_3").alias("mhi5_3"),
        pl.when(index.is_in(rows_of(1).implode())).then(2.5).otherwise("djg11_4").alias("djg11_4"),
        pl.when(index.is_in(rows_of(2).implode()))
        .then(-1.0)
        .otherwise("net_friends")
        .alias("net_friends"),
        pl.when(index.is_in(rows_of(3).implode())).then(None).otherwise("wave").alias("wave"),
        pl.when(index.is_in(rows_of(4).implode()))
        .then(False)
        .otherwise("completed")
        .alias("completed"),
        pl.when(index.is_in(rows_of(5).implode()))
        .then(pl.col("assessed_on") - pl.duration(days=400))
        .otherwise("assessed_on")
        .alias("assessed_on"),
        pl.when(index.is_in(rows_of(6).implode()))
        .then(pl.lit(label_issue, dtype=issue_dtype))
        .otherwise(pl.lit([], dtype=issue_dtype))
        .alias("ingest_issues"),
    )
    duplicates = frame[rows_of(7).to_numpy()].with_columns(
        pl.col("source_row") + 10_000_000, pl.col("assessed_on") + pl.duration(days=2)
    )
    frame = pl.concat([frame.head(rows - duplicates.height), duplicates])
    return frame.sort("source_file", "source_row")


def _peak_mb() -> float:
    """Return this process's peak resident memory in MB (VmHWM; ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(step: str, directory: Path) -> dict[str, float]:
    """Run one measurement in this process and return its figures."""
    parquet, csv = directory / "responses.parquet", directory / "responses.csv"
    result: dict[str, float] = {"baseline_mb": _peak_mb()}
    start = time.perf_counter()
    if step == "read_parquet":
        frame = pl.read_parquet(parquet)
    elif step == "read_csv":
        frame = pl.read_csv(csv, try_parse_dates=True)
    elif step in {"validate", "validate_pandera", "pandera"}:
        # import time is not validation time: the registry, and pandera's polars backends
        # (registered on first use; their import pulls in hypothesis when it is installed)
        from pandera.backends.polars.register import register_polars_backends

        import outcomes.instruments  # noqa: F401
        from outcomes.validation import responses_schema, validate_responses

        register_polars_backends()

        start = time.perf_counter()
        frame = pl.read_parquet(parquet)
        result["read_seconds"] = time.perf_counter() - start
        spec = bench_spec()
        start = time.perf_counter()
        if step == "pandera":
            import pandera.polars as pa

            try:
                responses_schema(spec, today=TODAY).validate(frame, lazy=True)
            except pa.errors.SchemaErrors as errors:
                result["failure_cases"] = errors.failure_cases.height
        else:
            engine = "pandera" if step == "validate_pandera" else "polars"
            outcome = validate_responses(frame, spec, today=TODAY, engine=engine)
            result["rows_read"] = outcome.summary["rows_read"]
            result["rows_quarantined"] = outcome.summary["rows_quarantined"]
            result["records"] = outcome.quarantine.height
    else:
        raise SystemExit(f"unknown step {step!r}")
    result["seconds"] = time.perf_counter() - start
    if step in {"read_parquet", "validate"}:
        # the same step again in the warm process (allocator and thread pool set up): best of 3
        warm = []
        for _ in range(3):
            again = time.perf_counter()
            if step == "read_parquet":
                pl.read_parquet(parquet)
            else:
                validate_responses(frame, spec, today=TODAY)
            warm.append(time.perf_counter() - again)
        result["warm_seconds"] = min(warm)
    result["rows"] = frame.height
    result["columns"] = frame.width
    result["peak_mb"] = _peak_mb()
    return result


def measure(step: str, directory: Path) -> dict[str, float]:
    """Run ``step`` in a fresh interpreter (clean peak memory) and return its figures."""
    output = subprocess.run(
        [sys.executable, __file__, "--step", step, "--dir", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-pandera", action="store_true")
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per timed step")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.dir)))
        return

    with tempfile.TemporaryDirectory(prefix="outcomes-bench-") as name:
        directory = Path(name)
        start = time.perf_counter()
        frame = generate(args.rows)
        # written as the pipeline writes its tables, so the read is the pipeline's read
        write_parquet(directory / "responses.parquet", frame)
        frame.drop("ingest_issues").write_csv(directory / "responses.csv")
        generated = time.perf_counter() - start
        del frame
        print(
            f"validate benchmark: {args.rows:,} rows, python {platform.python_version()}, "
            f"polars {pl.__version__}, {platform.machine()} (generated in {generated:.1f} s)"
        )
        steps = ["read_parquet", "read_csv", "validate"]
        if not args.skip_pandera:
            steps += ["validate_pandera", "pandera"]
        figures = {step: measure(step, directory) for step in steps}
        # the parquet read and the validation are compared over several fresh processes,
        # interleaved so that both see the same machine; medians count
        reads = [figures["read_parquet"]["seconds"]]
        validations = [figures["validate"]["seconds"]]
        # each validating process reads the table first: its own read and validation, taken
        # back to back, form a pair that shares the machine's state of the moment
        paired = [figures["validate"]["seconds"] / figures["validate"]["read_seconds"]]
        for _ in range(args.repeat - 1):
            reads.append(measure("read_parquet", directory)["seconds"])
            validation = measure("validate", directory)
            validations.append(validation["seconds"])
            paired.append(validation["seconds"] / validation["read_seconds"])

    read = figures["read_parquet"]
    validate = figures["validate"]
    print(f"{'step':<44} {'seconds':>8} {'peak MB':>8}")
    print(f"{'(interpreter with polars, before reading)':<44} {'':>8} {read['baseline_mb']:>8.0f}")
    print(f"{'read parquet':<44} {read['seconds']:>8.2f} {read['peak_mb']:>8.0f}")
    print(f"{'read parquet again (warm process, best of 3)':<44} {read['warm_seconds']:>8.2f}")
    csv = figures["read_csv"]
    print(f"{'read CSV':<44} {csv['seconds']:>8.2f} {csv['peak_mb']:>8.0f}")
    print(
        f"{'validate_responses (polars expressions)':<44} {validate['seconds']:>8.2f} "
        f"{validate['peak_mb']:>8.0f}   (read+validate process)"
    )
    print(f"{'validate_responses again (warm, best of 3)':<44} {validate['warm_seconds']:>8.2f}")
    if "pandera" in figures:
        reference = figures["validate_pandera"]
        print(
            f"{'validate_responses (engine=pandera)':<44} {reference['seconds']:>8.2f} "
            f"{reference['peak_mb']:>8.0f}   (read+validate process)"
        )
        pandera = figures["pandera"]
        print(
            f"{'pandera lazy validate (row checks only)':<44} {pandera['seconds']:>8.2f} "
            f"{pandera['peak_mb']:>8.0f}   ({int(pandera.get('failure_cases', 0)):,} failure cases)"
        )
    print(
        f"rows {int(validate['rows']):,} x {int(validate['columns'])} columns; quarantined "
        f"{int(validate['rows_quarantined']):,} rows with {int(validate['records']):,} records"
    )
    print(
        f"fresh processes, {args.repeat} each (s): read parquet "
        + ", ".join(f"{x:.2f}" for x in reads)
        + "; validate "
        + ", ".join(f"{x:.2f}" for x in validations)
    )
    read["seconds"] = statistics.median(reads)
    validate["seconds"] = statistics.median(validations)
    print(f"medians: read parquet {read['seconds']:.2f} s, validate {validate['seconds']:.2f} s")
    print(
        "validation / read of the same process: "
        + ", ".join(f"{x:.2f}" for x in paired)
        + f"; median {statistics.median(paired):.2f}x"
    )
    ratio = validate["seconds"] / read["seconds"]
    ratio_csv = validate["seconds"] / csv["seconds"]
    ratio_warm = validate["warm_seconds"] / read["warm_seconds"]
    print(
        f"validation / parquet read = {ratio:.2f}x (warm: {ratio_warm:.2f}x); "
        f"validation / CSV read = {ratio_csv:.2f}x; "
        f"target (validation <= read): "
        f"{'met' if ratio <= 1 else 'met against the CSV read' if ratio_csv <= 1 else 'missed'}"
    )


if __name__ == "__main__":
    main()
