"""Benchmark M1 fits: the fast engine, statsmodels' MixedLM and (when R is installed) lme4.

Generates M1 panels (docs/architecture.md, "M1 and the Matthew check") of 1k, 10k and 100k
participants with four waves, fits M1 by REML and reports seconds and peak memory per engine;
statsmodels runs at 1k and 10k only. When ``Rscript`` with lme4 is available, the same data are
fitted by lme4 in the same run and the speed ratio and log-likelihood difference are reported (lme4
is optional: without R the comparison is skipped with a printed reason). Each fit runs in a fresh
subprocess so peak memory is its own.

    uv run python benchmarks/mixed_models.py [--sizes 1000 10000 100000] [--no-statsmodels]

Results are printed and written to ``benchmarks/results/mixed_models.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "mixed_models.txt"
R_SCRIPT = HERE / "lme4_compare.R"
STATSMODELS_MAX = 10_000
WAVES = 4


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def single(engine: str, n: int, seed: int, repeats: int) -> dict[str, object]:
    """Fit M1 once per repeat in this process; return timings, peak memory and the fit."""
    from outcomes.models import MixedResult, fit_m1
    from outcomes.models.formula import build_design
    from outcomes.models.m1 import m1_formula, prepare_m1_panel
    from outcomes.models.optimiser import default_start
    from outcomes.models.reference import fit_statsmodels
    from outcomes.models.simulate import simulate_m1_panel

    def fit(frame: object) -> MixedResult:
        if engine == "fast":
            return fit_m1(frame, engine="fast")  # type: ignore[arg-type]
        # statsmodels as shipped (L-BFGS), without the engine's BFGS polish
        prepared, _, with_project = prepare_m1_panel(frame)  # type: ignore[arg-type]
        formula = m1_formula("wellbeing", "network_size_bl", with_project=with_project)
        design = build_design(formula, prepared, group="participant_id")
        start = None if engine == "statsmodels" else default_start(2)
        return fit_statsmodels(
            design, formula=formula, random="1 + years", polish=False, start_theta=start
        )

    panel = simulate_m1_panel(n, seed=seed, waves=WAVES)
    fit(panel.head(400))  # import and warm-up outside the timing
    rss_before = _vm_kib("VmRSS")
    reset = _reset_peak()
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fit(panel)
        times.append(time.perf_counter() - started)
    assert result is not None
    peak = _vm_kib("VmHWM")
    return {
        "engine": engine,
        "n_participants": n,
        "n_observations": result.n_observations,
        "seconds": min(times),
        "seconds_all": times,
        "peak_mib": (peak - rss_before) / 1024 if reset else None,
        "loglik": result.loglik,
        "converged": result.converged,
        "iterations": result.optimizer.iterations,
        "evaluations": result.optimizer.evaluations,
        "matthew": result.params["years:network_size_bl_c"],
    }


def run_child(engine: str, n: int, seed: int, repeats: int) -> dict[str, object]:
    command = [
        sys.executable,
        str(Path(__file__)),
        "--child",
        engine,
        str(n),
        str(seed),
        str(repeats),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def lme4_available() -> tuple[bool, str]:
    if shutil.which("Rscript") is None:
        return False, "Rscript not found (install r-cran-lme4 to compare with lme4)"
    check = subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(lme4))"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        return False, "R is installed but lme4 is not (apt-get install r-cran-lme4)"
    return True, ""


def run_lme4(n: int, seed: int) -> dict[str, object]:
    """Fit the same panel with lme4 via Rscript and return seconds and logLik."""
    from outcomes.models.m1 import prepare_m1_panel
    from outcomes.models.simulate import simulate_m1_panel

    panel = simulate_m1_panel(n, seed=seed, waves=WAVES)
    frame, _, _ = prepare_m1_panel(panel)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "panel.csv"
        frame.select(
            "participant_id", "project", "wellbeing", "years", "network_size_bl_c"
        ).write_csv(path, float_precision=17)
        completed = subprocess.run(
            ["Rscript", str(R_SCRIPT), str(path), "TRUE"],
            capture_output=True,
            text=True,
            check=True,
        )
    values: dict[str, object] = {}
    for line in completed.stdout.splitlines():
        key, _, value = line.partition("=")
        values[key] = value
    return {
        "seconds": float(str(values["seconds"])),
        "loglik": float(str(values["loglik"])),
        "matthew": float(str(values["beta[years:network_size_bl_c]"])),
        "warnings": values.get("warnings", ""),
        "version": values.get("version", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--no-statsmodels", action="store_true")
    parser.add_argument("--no-lme4", action="store_true")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "N", "SEED", "REPEATS"))
    args = parser.parse_args()
    if args.child:
        engine, n, seed, repeats = args.child
        print(json.dumps(single(engine, int(n), int(seed), int(repeats))))
        return

    lines = [
        "M1 benchmark: wellbeing ~ years * network_size_bl_c + (1 + years | participant_id), "
        f"REML, {WAVES} waves",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f", load average at start {os.getloadavg()[0]:.2f}",
        "seconds: best of repeats, including design matrices; peak: extra resident memory "
        "during the fit; sm-engine: the statsmodels engine (moment start, no polish); "
        "sm-shipped: MixedLM from its identity start",
        "",
    ]
    print("\n".join(lines), flush=True)
    with_lme4, reason = (False, "disabled with --no-lme4") if args.no_lme4 else lme4_available()
    if not with_lme4:
        print(f"lme4 comparison skipped: {reason}", flush=True)
        lines.append(f"lme4 comparison skipped: {reason}")
    header = (
        f"{'participants':>12} {'engine':>12} {'seconds':>9} {'peak MiB':>9} "
        f"{'loglik':>18} {'iter':>5} {'evals':>5}  notes"
    )
    print(header, flush=True)
    lines.append(header)
    for n in args.sizes:
        repeats = 5 if n <= 10_000 else 3
        fast = run_child("fast", n, args.seed, repeats)
        rows = [(fast, "")]
        if not args.no_statsmodels and n <= STATSMODELS_MAX:
            # the engine (moment start) and MixedLM as shipped (identity start, L-BFGS)
            for engine in ("statsmodels", "statsmodels-identity-start"):
                reference = run_child(engine, n, args.seed, 1)
                reference["engine"] = "sm-engine" if engine == "statsmodels" else "sm-shipped"
                note = (
                    f"fast is {reference['seconds'] / fast['seconds']:.0f}x faster; "  # type: ignore[operator]
                    f"loglik fast - statsmodels = {fast['loglik'] - reference['loglik']:+.2e}"  # type: ignore[operator]
                )
                rows.append((reference, note))
        if with_lme4:
            lme4 = run_lme4(n, args.seed)
            lme4_row = {
                "engine": "lme4",
                "seconds": lme4["seconds"],
                "peak_mib": None,
                "loglik": lme4["loglik"],
                "iterations": "",
                "evaluations": "",
            }
            note = (
                f"lme4 {lme4['version']}; fast is "
                f"{lme4['seconds'] / fast['seconds']:.1f}x faster; "  # type: ignore[operator]
                f"loglik fast - lme4 = {fast['loglik'] - lme4['loglik']:+.2e}"  # type: ignore[operator]
            )
            if lme4["warnings"]:
                note += f"; lme4 warns: {lme4['warnings']}"
            rows.append((lme4_row, note))
        for row, note in rows:
            peak = row["peak_mib"]
            text = (
                f"{n:>12} {row['engine']:>12} {row['seconds']:>9.3f} "
                f"{'' if peak is None else f'{peak:.0f}':>9} {row['loglik']:>18.6f} "
                f"{row['iterations']!s:>5} {row['evaluations']!s:>5}  {note}"
            )
            print(text, flush=True)
            lines.append(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
