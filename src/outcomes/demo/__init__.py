"""Synthetic questionnaire exports of the five seed interventions, with a known ground truth.

``write_demo(home)`` writes, for ``netwerkcoach`` (Qualtrics CSV), ``stamtafel`` (SPSS .sav),
``kwartiertafel`` (Excel), ``samen-oplopen`` (LimeSurvey CSV) and ``tijdvoorelkaar`` (Castor EDC
CSV), the files such a project would hand over into ``home/landing/<project>/``, and the truth
(true model parameters, planted Matthew effect, planted defects) into ``home/demo/truth.json``.
``simulate_panel()`` returns the true long panel the files were written from.
"""

from outcomes.demo.design import PROJECT_IDS, PROJECTS
from outcomes.demo.generate import DemoTruth, write_demo
from outcomes.demo.simulate import simulate_panel

__all__ = ["PROJECTS", "PROJECT_IDS", "DemoTruth", "simulate_panel", "write_demo"]
