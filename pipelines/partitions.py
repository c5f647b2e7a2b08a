"""Per-project partitions: one partition per spec in ``data_schemas/projects``."""

from __future__ import annotations

import dagster as dg

from pipelines.resources import project_specs

PROJECTS = dg.StaticPartitionsDefinition(list(project_specs()))
