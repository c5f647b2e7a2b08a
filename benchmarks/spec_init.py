"""Spec-init benchmark: drafting a spec (``outcomes spec init``) from the generated
1,000,000-row, 60-column CSV export of ``benchmarks/ingest.py``, against plain
``polars.read_csv`` of the same file.

Each measurement runs in a fresh Python subprocess so that its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. Usage::

    uv run python benchmarks/spec_init.py [--rows 1000000] [--out benchmarks/results/spec_init.txt]

Target (docs/architecture.md, "Drafting a spec"): within 2x the plain read. The draft reads
the first rows of a large export for detection and label matching, and scans the wave column
over the whole file. The machine may be shared: runs are interleaved and the fastest counts.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from ingest import GENERATE, PLAIN, all_runs, line, measure, spec_data, write_report

DRAFT = """
import resource, sys, time
from pathlib import Path
from outcomes.ingest.draft import draft_spec, render_draft
from outcomes.instruments import INSTRUMENTS  # import cost is not drafting time
import outcomes.ingest.readers  # noqa: F401
usage0 = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage0.ru_utime + usage0.ru_stime
start = time.perf_counter()
draft = draft_spec([Path(sys.argv[1])], "benchmark")
text = render_draft(draft)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print({"seconds": seconds, "rows": 0, "columns": draft.n_columns,
       "mapped": dict(draft.data["columns"]), "peak_kib": usage.ru_maxrss,
       "cpu": usage.ru_utime + usage.ru_stime - cpu0})
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/spec_init.txt"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    parser.add_argument("--export", type=Path, help="reuse (or keep) the generated export here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = args.export or Path(directory) / "export.csv"
        if not path.exists():
            measure(GENERATE, str(path), str(args.rows), str(Path(__file__).parent))
        size_mib = path.stat().st_size / 2**20
        plains, drafts = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            plains.append(measure(PLAIN, str(path)))
            drafts.append(measure(DRAFT, str(path)))
    plain = min(plains, key=lambda m: m["seconds"])
    draft = min(drafts, key=lambda m: m["seconds"])
    plain["peak_kib"] = max(m["peak_kib"] for m in plains)
    draft["peak_kib"] = max(m["peak_kib"] for m in drafts)
    draft["rows"] = plain["rows"]
    ratio = draft["seconds"] / plain["seconds"]
    hand = spec_data()["columns"]
    same = sum(1 for raw, canonical in hand.items() if draft["mapped"].get(raw) == canonical)
    lines = [
        f"spec init benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"python {platform.python_version()}, polars {pl.__version__}",
        f"export: {args.rows:,} rows x 60 columns, semicolon CSV, {size_mib:.0f} MiB",
        f"plain polars.read_csv : {line(plain)}",
        f"outcomes spec init    : {line(draft)}",
        f"ratio draft/plain     : {ratio:.2f}x wall, fastest runs (target <= 2x); "
        f"peak {draft['peak_kib'] / 2**20:.2f} GiB against {plain['peak_kib'] / 2**20:.2f} GiB",
        f"mapping: {same} of the {len(hand)} columns the benchmark spec maps drafted the same",
        all_runs(plains, "draft", drafts),
    ]
    write_report(lines, args.out)


if __name__ == "__main__":
    main()
