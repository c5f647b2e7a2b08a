"""Closed vocabularies and plausibility bounds of the warehouse tables (docs/architecture.md,
"Catalog").

Belongs here: the values a categorical column may hold and the bounds of a plausible
assessment, each declared once; the catalog (:mod:`outcomes.catalog.tables`) attaches them to
columns, the panel and the reports use them. Does not belong here: instrument item codes and
score ranges — those come from the instrument registry (``outcomes.instruments``).
"""

from __future__ import annotations

import datetime as dt

#: Canonical gender codes ingest maps an export's labels onto.
GENDERS = ("female", "male", "other")

#: Groups of baseline network size, smallest first (cut-offs are configuration).
NETWORK_GROUPS = ("small", "medium", "large")

#: Attrition status of a participant in the panel: took part in the project's last wave,
#: stopped before it, or has a baseline only.
STATUSES = ("completer", "dropout", "baseline_only")

#: Earliest plausible assessment date (the oldest evaluations in scope started after 2000).
EARLIEST_ASSESSMENT = dt.date(2000, 1, 1)

#: Earliest plausible birth year.
EARLIEST_BIRTH_YEAR = 1900

#: Largest plausible age at an assessment, in years.
OLDEST_AGE = 120

#: The scale of ``wellbeing``: every project's primary wellbeing score rescaled to 0–100.
WELLBEING_SCALE = (0, 100)

#: Intervention types of a project spec's ``intervention_type``: the six groups of social
#: participation interventions of Webber & Fendt-Newlin (2017), Soc Psychiatry Psychiatr
#: Epidemiol 52:369–380, each with its Dutch and English label (docs/architecture.md, "Pooling
#: across projects").
INTERVENTION_TYPE_LABELS: dict[str, dict[str, str]] = {
    "individual_skills_training": {
        "nl": "individuele vaardigheidstraining",
        "en": "individual skills training",
    },
    "group_skills_training": {
        "nl": "vaardigheidstraining in een groep",
        "en": "group skills training",
    },
    "supported_community_engagement": {
        "nl": "begeleid meedoen in de buurt",
        "en": "supported community engagement",
    },
    "group_community_activities": {
        "nl": "groepsactiviteiten in de buurt",
        "en": "group community activities",
    },
    "employment": {"nl": "werk", "en": "employment"},
    "peer_support": {"nl": "steun van lotgenoten", "en": "peer support"},
}

#: The keys of :data:`INTERVENTION_TYPE_LABELS`, in Webber & Fendt-Newlin's order.
INTERVENTION_TYPES = tuple(INTERVENTION_TYPE_LABELS)
