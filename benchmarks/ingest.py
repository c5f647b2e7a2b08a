"""Ingest benchmark: a generated 1,000,000-row, 60-column CSV export through reading, mapping,
pseudonymisation and writing parquet, against plain ``polars.read_csv`` of the same file.

Each measurement runs in a fresh Python subprocess so that its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own; tracemalloc would miss polars'
native allocations. Usage::

    uv run python benchmarks/ingest.py [--rows 1000000] [--out benchmarks/results/ingest.txt]

Targets (issue 3): whole ingest within 3x the plain read; peak memory under 2 GiB. The
machine may be shared: plain and ingest runs are interleaved and the fastest of each counts.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

MHI = ["Voortdurend", "Meestal", "Vaak", "Soms", "Zelden", "Nooit"]
DJG = ["ja!", "ja", "min of meer", "nee", "nee!"]
SWEMWBS = ["Nooit", "Zelden", "Soms", "Vaak", "Altijd"]


def spec_data() -> dict:
    """Return the benchmark project's spec (60 raw columns: 36 items, 6 meta, 18 others)."""
    columns: dict[str, str] = {"geslacht": "gender", "geboortedatum": "birth_date"}
    columns |= {f"mhi_{i}": f"mhi5_{i}" for i in range(1, 6)}
    columns |= {f"djg_{i}": f"djg11_{i}" for i in range(1, 12)}
    columns |= {f"wb_{i}": f"swemwbs_{i}" for i in range(1, 8)}
    columns |= {f"lsns_{i}": f"lsns6_{i}" for i in range(1, 7)}
    sectors = ["household", "family", "friends", "neighbours", "acquaintances", "professionals"]
    columns |= {f"netwerk_{s}": f"net_{s}" for s in sectors}
    columns |= {"rapportcijfer": "qol_grade"}
    return {
        "id": "benchmark",
        "name": "Benchmark project",
        "export": {"format": "csv", "delimiter": ";", "decimal_comma": True},
        "participant_id": "deelnemer",
        "wave": {"column": "meting", "labels": {"T0": 0, "T1": 1, "T2": 2, "T3": 3}},
        "assessed_on": "datum",
        "site": "locatie",
        "columns": columns,
        "missing_codes": [-9],
        "instruments": ["mhi5", "djg11", "swemwbs", "lsns6", "network_map", "qol_grade"],
        "primary_wellbeing": "mhi5",
        "identifiers": ["naam", "email", "telefoon"],
        "free_text": ["opmerking_1", "opmerking_2"],
        "drop": [f"meta_{i}" for i in range(1, 14)],
    }


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """Write a semicolon CSV export of ``rows`` rows and 60 columns to ``path``."""
    rng = np.random.default_rng(seed)
    participants = rows // 4
    pid = np.arange(rows) // 4
    data: dict[str, object] = {
        "deelnemer": [f"BM-{i:07d}" for i in pid],
        "meting": np.array(["T0", "T1", "T2", "T3"])[np.arange(rows) % 4],
        "locatie": np.array(["Utrecht", "Zwolle", "Arnhem", "Eindhoven"])[pid % 4],
    }
    days = rng.integers(0, 1000, rows)
    data["datum"] = (
        pl.select(pl.date(2021, 1, 1) + pl.duration(days=pl.lit(pl.Series(days))))
        .to_series()
        .dt.strftime("%d-%m-%Y")
    )
    data["geslacht"] = np.array(["Vrouw", "Man", "Anders"])[rng.integers(0, 3, participants)][pid]
    born = rng.integers(0, 20000, participants)[pid]
    data["geboortedatum"] = (
        pl.select(pl.date(1940, 1, 1) + pl.duration(days=pl.lit(pl.Series(born))))
        .to_series()
        .dt.strftime("%d-%m-%Y")
    )
    data["naam"] = [f"Naam {i}" for i in pid]
    data["email"] = [f"deelnemer{i}@example.nl" for i in pid]
    data["telefoon"] = [f"06-{10000000 + i}" for i in pid]
    for i in range(1, 6):
        data[f"mhi_{i}"] = np.array(MHI)[rng.integers(0, 6, rows)]
    for i in range(1, 12):
        data[f"djg_{i}"] = np.array(DJG)[rng.integers(0, 5, rows)]
    for i in range(1, 8):
        data[f"wb_{i}"] = np.array(SWEMWBS)[rng.integers(0, 5, rows)]
    for i in range(1, 7):
        data[f"lsns_{i}"] = rng.integers(0, 6, rows).astype(str)
    for sector in ["household", "family", "friends", "neighbours", "acquaintances"]:
        data[f"netwerk_{sector}"] = rng.integers(0, 12, rows).astype(str)
    data["netwerk_professionals"] = np.where(
        rng.random(rows) < 0.05, "-9", rng.integers(0, 4, rows).astype(str)
    )
    data["rapportcijfer"] = np.char.replace(
        np.round(rng.uniform(1, 10, rows), 1).astype(str), ".", ","
    )
    data["opmerking_1"] = np.where(rng.random(rows) < 0.1, "gaat goed", "")
    data["opmerking_2"] = np.where(rng.random(rows) < 0.05, "verhuisd", "")
    for i in range(1, 14):
        data[f"meta_{i}"] = rng.integers(0, 100000, rows).astype(str)
    frame = pl.DataFrame(data)
    assert frame.width == 60, frame.width
    frame.write_csv(path, separator=";")


PLAIN = """
import resource, sys, time
import polars as pl
usage0 = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage0.ru_utime + usage0.ru_stime
start = time.perf_counter()
frame = pl.read_csv(sys.argv[1], separator=";")
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print({"seconds": seconds, "rows": frame.height, "columns": frame.width,
       "peak_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime - cpu0})
"""

INGEST = """
import json, resource, sys, time
from pathlib import Path
from outcomes.atomic import write_parquet
from outcomes.ingest import ingest_file
from outcomes.specs import parse_spec
from outcomes.instruments import INSTRUMENTS  # import cost is not ingest time
spec = parse_spec(json.loads(sys.argv[2]))
usage0 = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage0.ru_utime + usage0.ru_stime
start = time.perf_counter()
result = ingest_file(Path(sys.argv[1]), spec, b"benchmark-key-0123456789abcdef")
write_parquet(sys.argv[3], result.responses)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print({"seconds": seconds, "rows": result.responses.height, "columns": result.responses.width,
       "peak_kib": usage.ru_maxrss, "issues": result.summary["issues"],
       "cpu": usage.ru_utime + usage.ru_stime - cpu0})
"""


GENERATE = """
import sys
sys.path.insert(0, sys.argv[3])
from ingest import generate
generate(__import__("pathlib").Path(sys.argv[1]), int(sys.argv[2]))
print({})
"""


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter and return the dict it prints."""
    output = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout
    return eval(output.strip().splitlines()[-1])  # the child prints a plain dict literal


def line(run: dict) -> str:
    """Return 'seconds, rows/s, peak GiB' of one measurement."""
    rate = run["rows"] / run["seconds"]
    return f"{run['seconds']:6.2f} s  {rate:>12,.0f} rows/s  peak {run['peak_kib'] / 2**20:.2f} GiB"


def all_runs(plains: list[dict], name: str, runs: list[dict]) -> str:
    """Return the line listing every run's seconds: the plain reads, then ``name``'s runs."""
    return (
        "all runs (s): plain "
        + ", ".join(f"{m['seconds']:.2f}" for m in plains)
        + f"; {name} "
        + ", ".join(f"{m['seconds']:.2f}" for m in runs)
    )


def write_report(lines: list[str], out: Path) -> None:
    """Print the report ``lines`` and write them to ``out``."""
    report = "\n".join(lines) + "\n"
    print(report, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ingest.txt"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    parser.add_argument("--export", type=Path, help="reuse (or keep) the generated export here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = args.export or Path(directory) / "export.csv"
        start = time.perf_counter()
        if not path.exists():
            # in a child process: Linux children inherit the parent's peak RSS
            measure(GENERATE, str(path), str(args.rows), str(Path(__file__).parent))
        generated = time.perf_counter() - start
        size_mib = path.stat().st_size / 2**20
        plains, ingests = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            plains.append(measure(PLAIN, str(path)))
            ingests.append(
                measure(INGEST, str(path), json.dumps(spec_data()), str(Path(directory) / "r.pq"))
            )
    plain = min(plains, key=lambda m: m["seconds"])
    ingest = min(ingests, key=lambda m: m["seconds"])
    plain["peak_kib"] = max(m["peak_kib"] for m in plains)
    ingest["peak_kib"] = max(m["peak_kib"] for m in ingests)
    ratio = ingest["seconds"] / plain["seconds"]
    median_plain = statistics.median(m["seconds"] for m in plains)
    median_ingest = statistics.median(m["seconds"] for m in ingests)
    cpu_ratio = min(m["cpu"] for m in ingests) / min(m["cpu"] for m in plains)
    lines = [
        f"ingest benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"python {platform.python_version()}, polars {pl.__version__}",
        f"export: {args.rows:,} rows x 60 columns, semicolon CSV, {size_mib:.0f} MiB "
        f"(generated in {generated:.1f} s)",
        f"plain polars.read_csv : {line(plain)}",
        f"ingest + parquet      : {line(ingest)}",
        f"cpu time (user+sys)   : plain {min(m['cpu'] for m in plains):.2f} s, "
        f"ingest {min(m['cpu'] for m in ingests):.2f} s, ratio {cpu_ratio:.2f}x",
        f"ratio ingest/plain    : {ratio:.2f}x wall, fastest runs; "
        f"{median_ingest / median_plain:.2f}x medians "
        f"({median_ingest:.2f} s / {median_plain:.2f} s)  (target <= 3x); "
        f"peak target < 2 GiB: {'met' if ingest['peak_kib'] < 2 * 2**20 else 'MISSED'}",
        f"output: {ingest['rows']:,} rows x {ingest['columns']} columns; issues {ingest['issues']}",
        f"runs: {args.repeat} interleaved of each, fastest shown; peak = highest ru_maxrss of "
        "a fresh subprocess",
        all_runs(plains, "ingest", ingests),
    ]
    write_report(lines, args.out)


if __name__ == "__main__":
    main()
