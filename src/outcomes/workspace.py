"""The workspace: every file a run reads or writes lives under ``OUTCOMES_HOME``.

Layout (README.md, "What is where"): ``landing/<project>/`` exports as delivered;
``archive/<sha256>.<ext>`` immutable copies; ``warehouse/`` parquet per asset and
``warehouse.duckdb``; ``validation/<project>.json``; ``quarantine/<project>.csv``; ``analysis/``;
``reports/``. This module only names places; it reads and writes nothing but directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "workspace"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace rooted at ``home``."""

    home: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Workspace:
        """Return the workspace at ``home``, else ``$OUTCOMES_HOME``, else ``./workspace``."""
        chosen = home if home is not None else os.environ.get("OUTCOMES_HOME", DEFAULT_HOME)
        return cls(Path(chosen).resolve())

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse"

    @property
    def validation(self) -> Path:
        return self.home / "validation"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def analysis(self) -> Path:
        return self.home / "analysis"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    def project_landing(self, project: str) -> Path:
        return self.landing / project

    def table(self, name: str, partition: str | None = None) -> Path:
        """Return the parquet path of asset ``name`` (one file per partition when partitioned)."""
        if partition is None:
            return self.warehouse / f"{name}.parquet"
        return self.warehouse / name / f"{partition}.parquet"

    def ensure(self) -> Workspace:
        """Create the workspace's directories and return self."""
        for path in (
            self.landing,
            self.archive,
            self.warehouse,
            self.validation,
            self.quarantine,
            self.analysis,
            self.reports,
        ):
            path.mkdir(parents=True, exist_ok=True)
        return self
