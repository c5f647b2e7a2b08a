"""What the UI's *Materialize all* targets: the asset backfill Dagster 1.13 builds from it.

The UI sends the selected assets with the root assets' partition names; Dagster then walks the
graph from the partitioned roots through partitioned assets only, and adds the unpartitioned
assets. A partitioned asset whose only path from the roots runs through unpartitioned assets
would be left out; ``funder_report[project]`` therefore also depends on
``valid_responses[project]``.
"""

from __future__ import annotations

import time

from dagster._core.execution.asset_backfill import AssetBackfillData

from pipelines.definitions import defs
from pipelines.partitions import PROJECTS


def _ui_backfill_target():
    graph = defs.resolve_asset_graph()
    keys = sorted(graph.get_all_asset_keys(), key=lambda key: key.to_user_string())
    data = AssetBackfillData.from_asset_partitions(
        asset_graph=graph,
        partition_names=PROJECTS.get_partition_keys(),
        asset_selection=keys,
        dynamic_partitions_store=None,  # type: ignore[arg-type]  # static partitions only
        backfill_start_timestamp=time.time(),
        all_partitions=False,
    )
    return graph, data.target_subset


def test_materialize_all_covers_the_project_steps_and_the_synthesis() -> None:
    graph, target = _ui_backfill_target()
    projects = set(PROJECTS.get_partition_keys())
    for key in graph.get_all_asset_keys():
        name = key.to_user_string()
        if graph.get(key).partitions_def is None:
            assert key in target.non_partitioned_asset_keys, name
        else:
            subset = target.partitions_subsets_by_asset_key[key]
            assert set(subset.get_partition_keys()) == projects, name


def test_materialize_all_includes_the_funder_reports() -> None:
    graph, target = _ui_backfill_target()
    key = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "funder_report")
    subset = target.partitions_subsets_by_asset_key.get(key)
    assert subset is not None
    assert set(subset.get_partition_keys()) == set(PROJECTS.get_partition_keys())
