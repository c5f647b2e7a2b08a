"""Assets ``report_tables``, ``funder_report[project]`` and ``synthesis_report``."""

import dagster as dg

from outcomes import stages
from pipelines.lineage import stage_asset
from pipelines.metadata import to_metadata
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "reports"


@stage_asset(
    stages.report_tables_stage,
    group_name=GROUP,
    kinds={"json"},
    description=(
        "Disclosure control before anything reaches a funder: every table of every report with "
        'counts below 10 shown as "<10", means and percentages on small bases withheld, a '
        "second cell suppressed where a total would reveal a hidden one, no minima or maxima."
    ),
)
def report_tables(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.report_tables_stage(outcomes.workspace(), project_specs())
    return dg.MaterializeResult(metadata=to_metadata(record))


@stage_asset(
    stages.funder_report_stage,
    group_name=GROUP,
    kinds={"typst", "pdf"},
    partitions_def=PROJECTS,
    description=(
        "The project's report for its funder (`reports/<project>.<lang>.pdf`): summary in plain "
        "language, participation per wave, outcomes over time, the effect by network size "
        "(the Matthew question), data quality, methods and limitations, provenance."
    ),
)
def funder_report(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace
) -> dg.MaterializeResult:
    record = stages.funder_report_stage(
        outcomes.workspace(), context.partition_key, lang=outcomes.lang
    )
    return dg.MaterializeResult(metadata=to_metadata(record))


@stage_asset(
    stages.synthesis_report_stage,
    group_name=GROUP,
    kinds={"typst", "pdf"},
    description=(
        "The programme's synthesis (`reports/synthesis.<lang>.pdf`): all projects side by side, "
        "the forest plot of the pooled estimates, heterogeneity in words, the Matthew check "
        "across projects."
    ),
)
def synthesis_report(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.synthesis_report_stage(outcomes.workspace(), lang=outcomes.lang)
    return dg.MaterializeResult(metadata=to_metadata(record))
