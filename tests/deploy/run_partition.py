"""Run one job (one partition) against the instance in DAGSTER_HOME, as a separate process.

The concurrency tests start two of these at once, each for another project, the way two
researchers each materialize their project at the same time. Prints one JSON line: run id,
success, and wall-clock start/end (epoch seconds) so that overlap can be measured.

    python tests/deploy/run_partition.py project_job netwerkcoach
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    job_name, partition = argv[0], (argv[1] if len(argv) > 1 else None)
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.resources import OutcomesWorkspace, PseudonymKey
    from pipelines.runner import QUIET, prepare_instance_home

    prepare_instance_home()
    resources = {
        "outcomes": OutcomesWorkspace(home=os.environ["OUTCOMES_HOME"]),
        "pseudonym": PseudonymKey(),
    }
    started = time.time()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def(job_name).execute_in_process(
            partition_key=partition,
            instance=instance,
            resources=resources,
            run_config=QUIET,
            raise_on_error=False,
        )
        storage = type(instance.run_storage).__name__
    finished = time.time()
    print(
        json.dumps(
            {
                "run_id": result.run_id,
                "success": result.success,
                "partition": partition,
                "started": started,
                "finished": finished,
                "run_storage": storage,
            }
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
