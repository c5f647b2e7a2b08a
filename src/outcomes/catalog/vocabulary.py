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
