"""Run one job (one partition) against the instance in DAGSTER_HOME, as a separate process.

The concurrency tests start two of these at once, each for another project, the way two
researchers each materialize their project at the same time. Prints one JSON line: run id,
success, and wall-clock start/end (epoch seconds) so that overlap can be measured.

    python tests/deploy/run_partition.py project_job netwerkcoach [--ready FILE --go FILE]

With ``--ready``/``--go`` the process loads everything, creates the ready file and waits for
the go file before it starts the run, so two processes start their runs at the same moment.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("job")
    parser.add_argument("partition", nargs="?")
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    args = parser.parse_args(argv)
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.resources import OutcomesWorkspace, PseudonymKey
    from pipelines.runner import QUIET, prepare_instance_home

    prepare_instance_home()
    resources = {
        "outcomes": OutcomesWorkspace(home=os.environ["OUTCOMES_HOME"]),
        "pseudonym": PseudonymKey(),
    }
    job = defs.resolve_job_def(args.job)
    # the steps import these lazily; load them before the clock starts
    import outcomes.ingest
    import outcomes.instruments
    import outcomes.validation  # noqa: F401

    with dg.DagsterInstance.get() as instance:
        if args.ready:
            args.ready.touch()
        while args.go and not args.go.exists():
            time.sleep(0.05)
        started = time.time()
        result = job.execute_in_process(
            partition_key=args.partition,
            instance=instance,
            resources=resources,
            run_config=QUIET,
            raise_on_error=False,
        )
        finished = time.time()
        storage = type(instance.run_storage).__name__
    print(
        json.dumps(
            {
                "run_id": result.run_id,
                "success": result.success,
                "partition": args.partition,
                "started": started,
                "finished": finished,
                "run_storage": storage,
            }
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
