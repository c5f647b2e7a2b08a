"""Time the full Matthew analysis at 10k participants with 1,000 bootstrap replicates.

The primary check (wellbeing × baseline network size, M1 with a project term) with Wald, LRT,
1,000 parametric-bootstrap refits (warm-started) and the simulated MDE; then the whole
``analyse`` (all scopes and moderators present, bootstrap on the primary one) for reference.
Target: under 60 s (lme4's bootMer needs about half an hour).

    uv run python benchmarks/matthew.py [--participants 10000] [--boot 1000]
"""

from __future__ import annotations

import argparse
import os
import time

from outcomes.models.matthew import interaction_test
from outcomes.models.simulate import simulate_m1_panel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--boot", type=int, default=1000)
    args = parser.parse_args()
    panel = simulate_m1_panel(args.participants, seed=1, dropout=0.2, irregular=True,
                              projects=("a", "b", "c"))  # fmt: skip
    print(f"participants: {args.participants}, rows: {panel.height}, cores: {os.cpu_count()}, "
          f"load average: {os.getloadavg()[0]:.1f}")  # fmt: skip
    started = time.perf_counter()
    result, _ = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                 project="all", n_boot=args.boot, seed=1)  # fmt: skip
    seconds = time.perf_counter() - started
    print(
        f"primary check with {args.boot} bootstrap refits: {seconds:.1f} s "
        f"({1000 * seconds / max(args.boot, 1):.0f} ms per refit incl. fits and LRT)"
    )
    print(
        f"  estimate {result['estimate']:.4f}  Wald [{result['ci_low']:.4f}, "
        f"{result['ci_high']:.4f}]  bootstrap [{result['boot_ci_low']:.4f}, "
        f"{result['boot_ci_high']:.4f}]  LRT p {result['lrt_p']:.2g}  MDE80 "
        f"{result['mde80']:.4f}  converged refits {result['n_boot_converged']}/{result['n_boot']}"
    )
    print(f"  target < 60 s: {'met' if seconds < 60 else 'NOT met'}")

    from outcomes.models.analysis import analyse

    started = time.perf_counter()
    full = analyse(panel, n_boot=args.boot, seed=1)
    seconds = time.perf_counter() - started
    scopes = sorted({r["project"] for r in full.matthew["results"]})
    print(
        f"whole analyse (scopes {', '.join(scopes)}; {args.boot} bootstrap refits per scope on "
        f"the primary check; subgroups, attrition, growth, pooling): {seconds:.1f} s"
    )
    print(f"  target < 60 s: {'met' if seconds < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
