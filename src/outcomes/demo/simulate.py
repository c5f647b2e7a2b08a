"""Draw the true long panel of the demo projects from the model in ``design.py``.

What belongs here: random draws of participants (site, gender, birth date, baseline network),
their assessments (timing, dropout, missed waves, incomplete submissions) and the canonical item
codes answered at each assessment. Nothing here knows about file layouts; the exporters turn
this panel into the files a project delivers, and defects are added there, after this panel.

Items are generated from latent scores: MHI-5 items from the latent wellbeing W (0–100) so that
the MHI-5 score 100·(sum − 5)/25 of the scored items has expectation W away from the scale ends;
SWEMWBS and the report grade from W as well; De Jong Gierveld items from a latent loneliness that
falls with current network size and with W; LSNS-6 from the family and non-family counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from outcomes.demo.design import (
    ITEM_COLUMNS,
    PROJECTS,
    ProjectDesign,
    allocate,
)

DAYS_PER_MONTH = 365.25 / 12

#: Dropout log-odds change per network person above the project mean (fewer people, more dropout).
DROPOUT_PER_PERSON = -0.12
#: Share of follow-up assessments a participant still in the study skips.
MISSED_WAVE_RATE = 0.04
#: Share of submissions broken off before the end.
INCOMPLETE_RATE = 0.01
#: Share of single items left unanswered in complete submissions.
ITEM_NONRESPONSE_RATE = 0.008
#: SD of the item noise around the latent MHI-5 level (in answer steps).
MHI5_ITEM_NOISE = 0.45


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def project_rng(seed: int, project: str) -> np.random.Generator:
    """Return the random generator of one project (independent of the other projects' sizes)."""
    index = [p.id for p in PROJECTS].index(project)
    return np.random.default_rng([seed, index])


def _study_ids(d: ProjectDesign, n: int, sites: np.ndarray, rng: np.random.Generator) -> list[str]:
    if d.id == "tijdvoorelkaar":
        # Castor numbers participants per site: site abbreviation and a running number.
        counters: dict[str, int] = {}
        ids = []
        for site in sites:
            counters[site] = counters.get(site, 0) + 1
            ids.append(f"{SITE_ABBREVIATIONS[site]}-{counters[site]:03d}")
        return ids
    # Hand-issued numbers: unique, not sequential, so a transposition rarely hits another ID.
    high = 10_000 if n <= 4_000 else 100_000
    numbers = rng.choice(np.arange(1_000, high), size=n, replace=False)
    width = len(str(high - 1))
    return [f"{d.id_prefix}{int(x):0{width}d}" for x in numbers]


#: Castor site abbreviations of TijdvoorElkaar.
SITE_ABBREVIATIONS = {
    "Utrecht": "UTR",
    "Zeist": "ZST",
    "Eindhoven": "EHV",
    "Nieuwegein": "NWG",
    "Haarlem": "HLM",
}


def _lsns_code(count: np.ndarray) -> np.ndarray:
    """Return LSNS-6 codes (0 none, 1 one, 2 two, 3 three/four, 4 five–eight, 5 nine+)."""
    return np.select(
        [count <= 0, count == 1, count == 2, count <= 4, count <= 8], [0, 1, 2, 3, 4], 5
    ).astype(float)


def simulate_project(d: ProjectDesign, n: int, seed: int) -> pl.DataFrame:
    """Return the true long panel of project ``d``: one row per returned questionnaire."""
    rng = project_rng(seed, d.id)
    e = d.effects

    # --- participants -------------------------------------------------------------------
    site_names = [s for s, _ in d.sites]
    weights = np.array([w for _, w in d.sites], dtype=float)
    n_small = 0
    if d.small_site is not None:
        n_small = min(8, max(2, n // 40))
    sites = rng.choice(site_names, size=n - n_small, p=weights / weights.sum())
    if n_small:
        sites = np.concatenate([sites, np.full(n_small, d.small_site)])
        sites = sites[rng.permutation(n)]
    study_ids = _study_ids(d, n, sites, rng)
    gender = rng.choice(["female", "male", "other"], size=n, p=list(d.gender_p))
    age = np.clip(rng.normal(d.age_mean, d.age_sd, n), 18.5, 92.0)
    first, last = (dt.date.fromisoformat(x) for x in d.recruitment)
    baseline_day = rng.integers(0, (last - first).days + 1, n)
    baseline_on = [first + dt.timedelta(days=int(x)) for x in baseline_day]
    birth_on = [
        b - dt.timedelta(days=round(a * 365.25)) for b, a in zip(baseline_on, age, strict=True)
    ]

    sociability = rng.lognormal(-0.5 * 0.55**2, 0.55, n)
    means = np.array(d.network_means)
    network_bl = np.empty((n, 6))
    network_bl[:, 0] = rng.poisson(means[0], n)
    if d.id == "samen-oplopen":  # families: at least one other person in the household
        network_bl[:, 0] += 1
    network_bl[:, 0] = np.minimum(network_bl[:, 0], 7)
    network_bl[:, 1:] = rng.poisson(means[1:] * sociability[:, None] * np.ones((n, 5)))
    network_bl[:, 5] = rng.poisson(means[5], n)  # professionals do not follow sociability
    size_bl = network_bl[:, :5].sum(axis=1)
    size_bl_c = size_bl - size_bl.mean()

    cov = np.array(
        [
            [e.sd_intercept**2, e.corr * e.sd_intercept * e.sd_slope],
            [e.corr * e.sd_intercept * e.sd_slope, e.sd_slope**2],
        ]
    )
    u = rng.multivariate_normal([0.0, 0.0], cov, n)
    half_grades = rng.random(n) < (0.3 if d.id == "samen-oplopen" else 0.0)

    # --- assessments --------------------------------------------------------------------
    n_waves = len(d.wave_months)
    months = np.zeros((n, n_waves))
    for k in range(1, n_waves):
        jitter = rng.normal(0.0, 1.3, n) + rng.exponential(0.6, n)  # late more often than early
        months[:, k] = np.maximum(d.wave_months[k] + jitter, months[:, k - 1] + 2.5)
    p_drop = _sigmoid(_logit(d.dropout_base) + DROPOUT_PER_PERSON * size_bl_c)
    active = np.ones((n, n_waves), dtype=bool)
    responded = np.ones((n, n_waves), dtype=bool)
    for k in range(1, n_waves):
        active[:, k] = active[:, k - 1] & (rng.random(n) >= p_drop)
        responded[:, k] = active[:, k] & (rng.random(n) >= MISSED_WAVE_RATE)
    # a participant who skipped the last wave while active is a dropout after all
    last_wave = np.where(responded, np.arange(n_waves), -1).max(axis=1)
    status = np.where(
        last_wave == n_waves - 1, "completer", np.where(last_wave == 0, "baseline_only", "dropout")
    )

    part_idx, wave_idx = np.nonzero(responded)
    m = len(part_idx)
    days = np.rint(months[part_idx, wave_idx] * DAYS_PER_MONTH).astype(int)
    years = days / 365.25
    c = size_bl_c[part_idx]

    # network at each assessment: baseline plus gains minus losses over time
    gain = np.array([0.05, 0.2, 0.6, 0.4, 0.7, 0.3]) * (1.5 if d.id == "netwerkcoach" else 1.0)
    base = network_bl[part_idx]
    grown = (
        base
        + rng.poisson(gain[None, :] * years[:, None])
        - rng.binomial(base.astype(int), np.clip(0.06 * years, 0, 1)[:, None])
    )
    network = np.where(wave_idx[:, None] == 0, base, np.maximum(grown, 0))
    size = network[:, :5].sum(axis=1)

    wellbeing_latent = (
        e.intercept
        + e.network * c
        + u[part_idx, 0]
        + (e.years + e.interaction * c + u[part_idx, 1]) * years
        + rng.normal(0.0, e.sd_residual, m)
    )
    w = np.clip(wellbeing_latent, 0.0, 100.0)

    items: dict[str, np.ndarray] = {}
    scored = np.clip(np.rint(1 + 0.05 * w[:, None] + rng.normal(0, MHI5_ITEM_NOISE, (m, 5))), 1, 6)
    for k, column in enumerate(ITEM_COLUMNS["mhi5"]):
        # items c (calm) and e (happy) are positively worded: answer code = 7 − scored value
        items[column] = 7 - scored[:, k] if k in (2, 4) else scored[:, k]

    loneliness = _sigmoid(0.2 - 0.13 * (size - 8.0) - 0.035 * (w - 58.0) + rng.normal(0, 0.5, m))
    negative = {2, 3, 5, 6, 9, 10}
    for k, column in enumerate(ITEM_COLUMNS["djg11"], start=1):
        noise = rng.normal(0, 0.7, m)
        level = 1 + 4 * (1 - loneliness) if k in negative else 1 + 4 * loneliness
        items[column] = np.clip(np.rint(level + noise), 1, 5)
    for k, column in enumerate(ITEM_COLUMNS["djg6"], start=1):
        noise = rng.normal(0, 0.5, m)
        level = 1 + 2 * (1 - loneliness) if k <= 3 else 1 + 2 * loneliness
        items[column] = np.clip(np.rint(level + noise), 1, 3)
    for column in ITEM_COLUMNS["swemwbs"]:
        items[column] = np.clip(np.rint(1 + 0.04 * w + rng.normal(0, 0.6, m)), 1, 5)
    family = network[:, 0] + network[:, 1]
    friends = network[:, 2] + network[:, 3] + network[:, 4]
    for k, column in enumerate(ITEM_COLUMNS["lsns6"]):
        pool = family if k < 3 else friends
        share = (1.0, 0.55, 0.7)[k % 3]
        items[column] = _lsns_code(rng.poisson(pool * share + 0.2))
    for k, column in enumerate(ITEM_COLUMNS["network_map"]):
        items[column] = network[:, k].astype(float)
    grade = np.clip(1 + 0.09 * w + rng.normal(0, 0.7, m), 1, 10)
    items["qol_grade"] = np.where(
        half_grades[part_idx], np.round(grade * 2) / 2, np.rint(grade)
    ).clip(1, 10)

    # --- nonresponse: broken-off submissions and skipped items ---------------------------
    used = [c for instrument in d.instruments for c in ITEM_COLUMNS[instrument]]
    completed = rng.random(m) >= INCOMPLETE_RATE
    blocks = [ITEM_COLUMNS[instrument] for instrument in d.instruments]
    stop_at = rng.integers(1, len(blocks), m)  # first instrument block not reached
    for i in np.nonzero(~completed)[0]:
        for block in blocks[stop_at[i] :]:
            for column in block:
                items[column][i] = np.nan
    skipped = (rng.random((m, len(used))) < ITEM_NONRESPONSE_RATE) & completed[:, None]
    for j, column in enumerate(used):
        items[column] = np.where(skipped[:, j], np.nan, items[column])

    mhi = np.column_stack([items[c] for c in ITEM_COLUMNS["mhi5"]])
    scored_mhi = mhi.copy()
    scored_mhi[:, [2, 4]] = 7 - scored_mhi[:, [2, 4]]
    mhi5_score = 100 * (scored_mhi.sum(axis=1) - 5) / 25  # NaN when an item is missing

    assessed_on = [
        baseline_on[i] + dt.timedelta(days=int(x)) for i, x in zip(part_idx, days, strict=True)
    ]
    frame = pl.DataFrame(
        {
            "project": [d.id] * m,
            "study_id": [study_ids[i] for i in part_idx],
            "participant_index": part_idx.astype(np.int64),
            "site": sites[part_idx].tolist(),
            "gender": gender[part_idx].tolist(),
            "birth_date": [birth_on[i] for i in part_idx],
            "birth_year": np.array([birth_on[i].year for i in part_idx], dtype=np.int64),
            "age": np.floor(age[part_idx] + years).astype(np.int64),
            "wave": wave_idx.astype(np.int64),
            "baseline_on": [baseline_on[i] for i in part_idx],
            "assessed_on": assessed_on,
            "months_since_baseline": days / DAYS_PER_MONTH,
            "years": years,
            "completed": completed,
            "status": status[part_idx].tolist(),
            "network_size_bl": size_bl[part_idx],
            "network_size_bl_c": c,
            "network_size": size,
            "wellbeing_latent": wellbeing_latent,
            "loneliness_latent": loneliness,
            "u_intercept": u[part_idx, 0],
            "u_slope": u[part_idx, 1],
            **{column: items[column] for column in used},
            "wellbeing": mhi5_score,
        },
        nan_to_null=True,
    )
    return frame.with_columns(pl.col("birth_date", "baseline_on", "assessed_on").cast(pl.Date))


def simulate_panel(
    n_participants: int = 1500, *, seed: int = 20261122, projects: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """Return the true long panel of the demo projects, before any export defect.

    One row per returned questionnaire (participant × wave), sorted by project, study ID and
    wave: the raw ``study_id`` (as written in the exports), ``site``, ``gender``, ``birth_date``,
    ``wave``, ``assessed_on``, ``years``, ``completed``, ``status`` (completer / dropout /
    baseline_only), baseline network size (``network_size_bl``, centred per project in
    ``network_size_bl_c``), the latent wellbeing and loneliness the items were drawn from, the
    participant's random intercept and slope, every canonical item column of the project's
    instruments (null where not asked or not answered) and ``wellbeing``, the MHI-5 score
    (0–100) of the generated items. The same arguments give the same frame.
    """
    sizes = allocate(n_participants)
    chosen = projects if projects is not None else tuple(sizes)
    frames = [simulate_project(d, sizes[d.id], seed) for d in PROJECTS if d.id in chosen]
    return pl.concat(frames, how="diagonal_relaxed").sort(
        "project", "study_id", "wave", maintain_order=True
    )
