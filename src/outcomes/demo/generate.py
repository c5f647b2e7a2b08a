"""Write the demo exports of the five seed projects and their ground truth into a workspace.

What belongs here: :func:`write_demo` (simulate → lay out per export format → plant defects →
write ``landing/<project>/`` and ``demo/truth.json``) and :class:`DemoTruth`, the known answers
tests and benchmarks compare the pipeline's results with. The model is in ``design.py``, the
draws in ``simulate.py``, the layouts in one module per export tool.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl

from outcomes.atomic import write_json
from outcomes.demo import castor, excel, limesurvey, qualtrics, spss
from outcomes.demo.design import PROJECTS, ProjectDesign
from outcomes.demo.simulate import simulate_panel
from outcomes.demo.tables import plant_defects

#: Export module and tool name of each demo project.
EXPORTERS: dict[str, tuple[ModuleType, str]] = {
    "netwerkcoach": (qualtrics, "qualtrics"),
    "stamtafel": (spss, "spss"),
    "kwartiertafel": (excel, "excel"),
    "samen-oplopen": (limesurvey, "limesurvey"),
    "tijdvoorelkaar": (castor, "castor"),
}

FORMULA = "wellbeing ~ years * network_size_bl_c + (1 + years | participant_id)"
ROW_NUMBERING = (
    "row = the 1-based row number a spreadsheet or editor shows, header rows counted "
    "(Qualtrics data start at row 4, other CSV and Excel files at row 2); for SPSS the case number"
)


@dataclass(frozen=True)
class DemoTruth:
    """The ground truth of one demo workspace (the content of ``demo/truth.json``).

    ``projects`` maps project id → n_participants, n_rows, files, waves, fixed_effects (names as
    in model.json), random_effects, network_size_bl_mean (the centring constant), matthew,
    dropout, small_groups and defects (kind, file, row, column, value, …).
    """

    seed: int
    n_participants: int
    projects: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Return the truth as JSON-ready data."""
        return {
            "seed": self.seed,
            "n_participants": self.n_participants,
            "matthew_project": "netwerkcoach",
            "model": FORMULA,
            "outcome": "wellbeing = MHI-5 score (0-100, higher is better)",
            "row_numbering": ROW_NUMBERING,
            "projects": self.projects,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoTruth:
        return cls(int(data["seed"]), int(data["n_participants"]), dict(data["projects"]))

    @classmethod
    def load(cls, path: Path | str) -> DemoTruth:
        """Return the truth stored at ``path`` (a ``demo/truth.json``)."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def defects(self, project: str) -> list[dict[str, Any]]:
        return list(self.projects[project]["defects"])


def _r(x: float) -> float:
    return round(float(x), 6)


def _project_truth(
    d: ProjectDesign, panel: pl.DataFrame, files: list[str], n_rows: int, defects: list[dict]
) -> dict[str, Any]:
    e = d.effects
    participants = panel.group_by("study_id").agg(
        pl.col("network_size_bl").first(),
        pl.col("status").first(),
        pl.col("site").first(),
        pl.col("gender").first(),
    )
    measurement = (panel["wellbeing"] - panel["wellbeing_latent"]).drop_nulls()
    # the item noise is added on top of the latent residual, so the observed residual SD is
    sd_measurement = float(np.std(measurement.clip(-50, 50).to_numpy()))
    small = participants["network_size_bl"] <= participants["network_size_bl"].quantile(0.25)
    not_completed = participants["status"] != "completer"
    small_groups = []
    for column in ("site", "gender"):
        counts = participants.group_by(column).len().sort(column)
        for value, count in counts.iter_rows():
            if count < 10:
                small_groups.append({"column": column, "value": value, "n_participants": count})
    return {
        "name": d.name,
        "export_format": EXPORTERS[d.id][1],
        "files": files,
        "n_participants": participants.height,
        "n_returned": panel.height,
        "n_rows": n_rows,
        "waves": [
            {
                "wave": k,
                "label": label,
                "target_months": months,
                "n_returned": int((panel["wave"] == k).sum()),
            }
            for k, (label, months) in enumerate(zip(d.wave_labels, d.wave_months, strict=True))
        ],
        "instruments": list(d.instruments),
        "primary_wellbeing": "mhi5",
        "network_size_bl_mean": _r(participants["network_size_bl"].mean()),  # type: ignore[arg-type]
        "fixed_effects": {
            "Intercept": e.intercept,
            "years": e.years,
            "network_size_bl_c": e.network,
            "years:network_size_bl_c": e.interaction,
        },
        "random_effects": {
            "sd_intercept": e.sd_intercept,
            "sd_slope": e.sd_slope,
            "corr": e.corr,
            "sd_residual_latent": e.sd_residual,
            "sd_measurement": _r(sd_measurement),
            "sd_residual": _r((e.sd_residual**2 + sd_measurement**2) ** 0.5),
        },
        "matthew": {
            "planted": e.interaction != 0,
            "term": "years:network_size_bl_c",
            "value": e.interaction,
            "unit": "MHI-5 points per year per person of baseline network size",
        },
        "dropout": {
            "status": dict(sorted(participants.group_by("status").len().iter_rows())),
            "not_completed_smallest_quarter": _r(not_completed.filter(small).mean()),  # type: ignore[arg-type]
            "not_completed_rest": _r(not_completed.filter(~small).mean()),  # type: ignore[arg-type]
        },
        "small_groups": small_groups,
        "defects": defects,
        "defect_rate": _r(len(defects) / n_rows),
    }


def _previous_files(home: Path) -> set[Path]:
    """Return the export paths listed in ``home/demo/truth.json`` of an earlier run, if any."""
    path = home / "demo" / "truth.json"
    try:
        earlier = DemoTruth.load(path)
    except (OSError, ValueError, KeyError):
        return set()
    return {
        home / "landing" / project / str(name)
        for project, t in earlier.projects.items()
        if project in EXPORTERS
        for name in t.get("files", [])
        if "/" not in str(name) and not str(name).startswith(".")
    }


def write_demo(home: Path | str, *, n_participants: int = 1500, seed: int = 20261122) -> DemoTruth:
    """Write demo exports into ``home/landing/<project>/`` and the truth to ``home/demo/``.

    Returns the :class:`DemoTruth` also written to ``home/demo/truth.json``. The same arguments
    give byte-identical files. Exports an earlier ``write_demo`` wrote into ``home`` (listed in
    its truth file) and not written again are removed, so a re-run with another seed or size
    never leaves two versions of a project's data side by side; other files are left alone.
    """
    home = Path(home)
    previous = _previous_files(home)
    panel = simulate_panel(n_participants, seed=seed)
    projects: dict[str, dict[str, Any]] = {}
    for index, d in enumerate(PROJECTS):
        module, _ = EXPORTERS[d.id]
        rng = np.random.default_rng([seed, index, 1])
        project_panel = panel.filter(pl.col("project") == d.id)
        tables, rules = module.build(project_panel, rng)
        defects = plant_defects(tables, rules, rng)
        paths = module.write(tables, home / "landing" / d.id)
        n_rows = sum(len(t.rows) for t in tables)
        projects[d.id] = _project_truth(d, project_panel, [p.name for p in paths], n_rows, defects)
    written = {home / "landing" / p / name for p, t in projects.items() for name in t["files"]}
    for stale in previous - written:
        stale.unlink(missing_ok=True)
    truth = DemoTruth(seed=seed, n_participants=n_participants, projects=projects)
    write_json(home / "demo" / "truth.json", truth.to_dict())
    return truth
