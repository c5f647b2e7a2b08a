"""Time the whole Matthew analysis beside lme4's single M1 fit on the same panel.

``outcomes.models.analysis.analyse`` as ``outcomes analyse`` runs it: M1 with project × years,
the primary test with 1,000 parametric-bootstrap replicates (percentile interval from the fitted
model and the likelihood-ratio test simulated under the null model, 3 refits per replicate),
every exploratory scope and moderator with Satterthwaite t, subgroups, pooling. Beside it, when
``Rscript`` with lme4 is installed, lme4's one REML fit of M1 (``lme4_compare.R``). Target: the
whole analysis within 4× lme4's one fit. Prints time and peak memory.

    uv run python benchmarks/matthew.py [--participants 10000 100000] [--boot 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import polars as pl

from outcomes.models.analysis import analyse
from outcomes.models.m1 import prepare_m1_panel
from outcomes.models.simulate import simulate_m1_panel

HERE = Path(__file__).resolve().parent


def lme4_seconds(panel: pl.DataFrame) -> float | None:
    """Return lme4's time for one REML fit of M1 on ``panel`` (None without Rscript)."""
    if shutil.which("Rscript") is None:
        return None
    frame, _, _ = prepare_m1_panel(panel)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "panel.csv"
        frame.select(
            "participant_id", "project", "years", "network_size_bl_c", "wellbeing"
        ).write_csv(path)
        output = subprocess.run(
            ["Rscript", str(HERE / "lme4_compare.R"), str(path), "TRUE"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    values = dict(line.split("=", 1) for line in output.stdout.splitlines() if "=" in line)
    return float(values["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--boot", type=int, default=1000)
    args = parser.parse_args()
    for n in args.participants:
        panel = simulate_m1_panel(n, seed=1, dropout=0.2, irregular=True,
                                  projects=("a", "b", "c"))  # fmt: skip
        print(f"participants: {n}, rows: {panel.height}, cores: {os.cpu_count()}, "
              f"load average: {os.getloadavg()[0]:.1f}")  # fmt: skip
        started = time.perf_counter()
        result = analyse(panel, n_boot=args.boot, seed=1, growth=False, attrition=False)
        seconds = time.perf_counter() - started
        primary = next(r for r in result.matthew["results"] if r["role"] == "primary")
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        print(f"  whole analyse with {args.boot} bootstrap replicates: {seconds:.1f} s ({timings})")
        print(
            f"  primary: estimate {primary['estimate']:.4f} t-CI [{primary['ci_low']:.4f}, "
            f"{primary['ci_high']:.4f}] df {primary['df']:.0f}; bootstrap "
            f"[{primary['boot_ci_low']:.4f}, {primary['boot_ci_high']:.4f}], null-LRT p "
            f"{primary['boot_lrt_p']:.3g}; verdict {primary['verdict']} ({primary['evidence']})"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process so far: {peak:.0f} MiB")
        reference = lme4_seconds(panel)
        if reference is None:
            print("  lme4: Rscript not installed, no comparison")
        else:
            print(f"  lme4 one REML fit of M1: {reference:.1f} s; analyse / lme4 = "
                  f"{seconds / reference:.1f}× (target ≤ 4×)")  # fmt: skip


if __name__ == "__main__":
    main()
