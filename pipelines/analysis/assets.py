"""Assets ``wellbeing_model``, ``project_effects``, ``matthew_effect`` and ``pooled_effect``."""

import dagster as dg

from outcomes import stages
from pipelines.lineage import stage_asset
from pipelines.metadata import materialize_result
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "analysis"


@stage_asset(
    stages.wellbeing_model_stage,
    group_name=GROUP,
    kinds={"statsmodels", "json"},
    check_specs=[
        dg.AssetCheckSpec(
            "converged",
            asset=stages.WELLBEING_MODEL,
            blocking=True,
            description="The mixed model's optimiser converged (singular fits are reported).",
        )
    ],
    description=(
        "M1: wellbeing ~ years × baseline network size (centred) + project × years, with a "
        "random intercept and slope per participant, fitted by REML; Satterthwaite t tests. "
        "The years × network size coefficient is the Matthew effect, estimated within "
        "projects. Written to `analysis/model.json`."
    ),
)
def wellbeing_model(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.wellbeing_model_stage(outcomes.workspace(), engine=outcomes.engine)
    return materialize_result(record, dg.AssetKey(stages.WELLBEING_MODEL))


@stage_asset(
    stages.project_effects_stage,
    group_name=GROUP,
    kinds={"statsmodels", "json"},
    description="M1 fitted within each project: the wellbeing slope per year and the "
    "Matthew interaction per project, the inputs of the meta-analysis.",
)
def project_effects(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.project_effects_stage(outcomes.workspace(), engine=outcomes.engine)
    return materialize_result(record, dg.AssetKey(stages.PROJECT_EFFECTS))


@stage_asset(
    stages.matthew_stage,
    group_name=GROUP,
    kinds={"json"},
    description="Do participants with small networks change less than those with large ones? "
    "The declared "
    "primary test (data_schemas/analysis.yaml) with its verdict (matthew, no_evidence, "
    "reverse) and bootstrap robustness check; every other test exploratory with Holm-adjusted "
    "p. Written to `analysis/matthew.json`.",
)
def matthew_effect(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.matthew_stage(outcomes.workspace())
    return materialize_result(record, dg.AssetKey(stages.MATTHEW_EFFECT))


@stage_asset(
    stages.pooled_stage,
    group_name=GROUP,
    kinds={"json"},
    description="Random-effects meta-analysis (REML, Knapp–Hartung) of the per-project "
    "wellbeing slopes and Matthew interactions: pooled estimate, τ² and I² with Q-profile "
    "intervals, prediction interval, forest-plot data. "
    "Written to `analysis/pooled.json`.",
)
def pooled_effect(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.pooled_stage(outcomes.workspace())
    return materialize_result(record, dg.AssetKey(stages.POOLED_EFFECT))


@stage_asset(
    stages.network_growth_stage,
    group_name=GROUP,
    kinds={"statsmodels", "json"},
    description="Does the network itself grow, and for whom? Follow-up network size by "
    "baseline network size, adjusted for baseline (ANCOVA), with the regression-to-the-mean "
    "caveat. Written to `analysis/network_growth.json`.",
)
def network_growth(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.network_growth_stage(outcomes.workspace())
    return materialize_result(record, dg.AssetKey(stages.NETWORK_GROWTH))


@stage_asset(
    stages.attrition_analysis_stage,
    group_name=GROUP,
    kinds={"statsmodels", "json"},
    description="Dropout by network group (counts, shares, χ² test) and, descriptive only, the "
    "Matthew check on completers only against all available data (the sensitivity analysis "
    "under dropout is `tipping_point`). Written to `analysis/attrition.json`.",
)
def attrition_sensitivity(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.attrition_analysis_stage(outcomes.workspace())
    return materialize_result(record, dg.AssetKey(stages.ATTRITION_SENSITIVITY))


@stage_asset(
    stages.reliable_change_stage,
    group_name=GROUP,
    kinds={"json"},
    description="Reliable change (Jacobson & Truax 1991): each participant's change from "
    "baseline to the last measurement of the project's primary wellbeing score, classed as "
    "recovered, improved, unchanged or deteriorated at RCI ±1.96, per project, per network "
    "group and pooled; projects whose instrument declares no reliability are listed apart. "
    "Written to `analysis/reliable_change.json`.",
)
def reliable_change(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.reliable_change_stage(outcomes.workspace(), project_specs())
    return materialize_result(record, dg.AssetKey(stages.RELIABLE_CHANGE))


@stage_asset(
    stages.tipping_point_stage,
    group_name=GROUP,
    kinds={"json"},
    description="How much worse must dropouts have done for the Matthew verdict to change? "
    "Their missed follow-ups are imputed 20 times under the mixed model, shifted by δ points "
    "(every dropout, or the small-network group's only), refitted and pooled by Rubin's rules; "
    "the tipping δ per scope. Written to `analysis/tipping_point.json`.",
)
def tipping_point(outcomes: OutcomesWorkspace) -> dg.MaterializeResult:
    record = stages.tipping_point_stage(outcomes.workspace())
    return materialize_result(record, dg.AssetKey(stages.TIPPING_POINT))
