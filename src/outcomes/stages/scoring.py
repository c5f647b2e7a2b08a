"""The scoring stage: ``valid_responses`` → ``scored_responses``."""

from __future__ import annotations

from outcomes import atomic
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import SCORED, VALID, StageFiles, stage
from outcomes.stages.records import StageRecord


@stage(reads=(VALID,), writes=(SCORED,))
def score_stage(files: StageFiles, spec: ProjectSpec) -> StageRecord:
    """Score the instruments of ``valid_responses[project]`` into ``scored_responses``; return
    its record with the mean of the main scores (the scoring rules are the instruments'
    published manuals, cited in ``outcomes.instruments``)."""
    from outcomes.instruments import score_responses

    valid = files.table(VALID, spec.id)
    scored = score_responses(valid, spec)
    path = atomic.write_parquet(files.output(SCORED, project=spec.id), scored)
    means = {
        column: round(float(value), 2)
        for column in ("wellbeing", "loneliness", "loneliness6", "network_size")
        if column in scored.columns and isinstance(value := scored[column].mean(), (int, float))
    }
    return StageRecord(
        SCORED, spec.id, rows=scored.height, paths={"scored": path}, metadata={"means": means}
    )
