"""Coverage of the Matthew interaction's 95% intervals on generated panels with a known value.

Draws panels from M1 (``outcomes.models.simulate.simulate_m1_panel``, true interaction 0.15,
two projects, 20% dropout, irregular timing), runs the Matthew check and counts how often the
Wald interval (and, with ``--boot N``, the parametric-bootstrap interval) covers the truth.
Acceptance: 93–97% over at least 200 simulations.

    uv run python benchmarks/coverage.py --sims 200 --participants 300 [--boot 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from outcomes.models.matthew import interaction_test
from outcomes.models.simulate import simulate_m1_panel

TRUTH = 0.15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=200)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--boot", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    wald, boot, lrt_reject = [], [], []
    for k in range(args.sims):
        panel = simulate_m1_panel(args.participants, seed=1000 + k, matthew=TRUTH, dropout=0.2,
                                  irregular=True, projects=("a", "b"))  # fmt: skip
        result, _ = interaction_test(
            panel, outcome="wellbeing", moderator="network_size_bl", project="all",
            n_boot=args.boot, seed=k, mde=False,
        )  # fmt: skip
        wald.append(result["ci_low"] <= TRUTH <= result["ci_high"])
        if args.boot:
            boot.append(result["boot_ci_low"] <= TRUTH <= result["boot_ci_high"])
        lrt_reject.append(result["lrt_p"] < 0.05)
    seconds = time.perf_counter() - started
    n = len(wald)
    share = float(np.mean(wald))
    mc_se = float(np.sqrt(share * (1 - share) / n))
    print(f"simulations: {n}, participants per panel: {args.participants}, "
          f"true interaction: {TRUTH}")  # fmt: skip
    print(
        f"Wald 95% CI coverage: {100 * share:.1f}% (Monte Carlo SE {100 * mc_se:.1f}%) "
        f"-> {'within' if 0.93 <= share <= 0.97 else 'OUTSIDE'} 93-97%"
    )
    if boot:
        print(f"bootstrap ({args.boot} replicates) 95% CI coverage: {100 * np.mean(boot):.1f}%")
    print(f"LRT power at the true value (p < 0.05): {100 * np.mean(lrt_reject):.1f}%")
    print(f"seconds: {seconds:.1f}")


if __name__ == "__main__":
    main()
