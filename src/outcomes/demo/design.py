"""The five demo projects: study design, true model parameters and questionnaire wording.

What belongs here: everything the simulation needs to know about a project before drawing
numbers (share of the sample, waves and their timing, sites, instruments, the true fixed and
random effects of the wellbeing model, dropout) and the Dutch wording and answer labels the
exports print. The simulation itself is in ``simulate.py``; file layouts are in the exporters.

The wellbeing model (M1, docs/architecture.md, "M1 and the Matthew check") the data are drawn from,
per project, on the MHI-5 scale (0–100, higher is better):

    wellbeing_ij = b0 + b2·c_i + u0_i + (b1 + b3·c_i + u1_i)·years_ij + e_ij

with ``c_i`` the participant's baseline network size (household + family + friends + neighbours
+ acquaintances; professionals excluded) minus the project's mean over participants. ``b3`` is
the Matthew effect: positive in ``netwerkcoach`` (as its evaluation found: people with a small
family network gained least), zero elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Canonical item columns per instrument (docs/architecture.md, "Canonical items and coding").
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "mhi5": tuple(f"mhi5_{k}" for k in range(1, 6)),
    "djg11": tuple(f"djg11_{k}" for k in range(1, 12)),
    "djg6": tuple(f"djg6_{k}" for k in range(1, 7)),
    "swemwbs": tuple(f"swemwbs_{k}" for k in range(1, 8)),
    "lsns6": tuple(f"lsns6_{k}" for k in range(1, 7)),
    "network_map": (
        "net_household",
        "net_family",
        "net_friends",
        "net_neighbours",
        "net_acquaintances",
        "net_professionals",
    ),
    "qol_grade": ("qol_grade",),
}

#: Sectors counted in network size (professionals are not part of the network,
#: docs/architecture.md, "Canonical items and coding").
NETWORK_SECTORS = ITEM_COLUMNS["network_map"][:5]

#: Registry answer labels (Dutch) by canonical code.
LABELS_NL: dict[str, dict[int, str]] = {
    "mhi5": {1: "Voortdurend", 2: "Meestal", 3: "Vaak", 4: "Soms", 5: "Zelden", 6: "Nooit"},
    "djg11": {1: "ja!", 2: "ja", 3: "min of meer", 4: "nee", 5: "nee!"},
    "djg6": {1: "ja", 2: "min of meer", 3: "nee"},
    "swemwbs": {1: "Nooit", 2: "Zelden", 3: "Soms", 4: "Vaak", 5: "Altijd"},
    "lsns6": {
        0: "geen",
        1: "één",
        2: "twee",
        3: "drie of vier",
        4: "vijf tot acht",
        5: "negen of meer",
    },
}

#: Dutch item wording (RAND-36 MHI-5; De Jong Gierveld 11 and 6; SWEMWBS; LSNS-6; ecogram).
ITEM_TEXT_NL: dict[str, str] = {
    "mhi5_1": "Voelde u zich erg zenuwachtig?",
    "mhi5_2": "Zat u zo erg in de put dat niets u kon opvrolijken?",
    "mhi5_3": "Voelde u zich kalm en rustig?",
    "mhi5_4": "Voelde u zich neerslachtig en somber?",
    "mhi5_5": "Voelde u zich gelukkig?",
    "djg11_1": "Er is altijd wel iemand in mijn omgeving bij wie ik met mijn dagelijkse "
    "probleempjes terecht kan",
    "djg11_2": "Ik mis een echt goede vriend of vriendin",
    "djg11_3": "Ik ervaar een leegte om mij heen",
    "djg11_4": "Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen",
    "djg11_5": "Ik mis gezelligheid om mij heen",
    "djg11_6": "Ik vind mijn kring van kennissen te beperkt",
    "djg11_7": "Ik heb veel mensen op wie ik volledig kan vertrouwen",
    "djg11_8": "Er zijn voldoende mensen met wie ik me nauw verbonden voel",
    "djg11_9": "Ik mis mensen om mij heen",
    "djg11_10": "Vaak voel ik me in de steek gelaten",
    "djg11_11": "Wanneer ik daar behoefte aan heb, kan ik altijd bij mijn vrienden terecht",
    "djg6_1": "Ik ervaar een algemeen gevoel van leegte",
    "djg6_2": "Ik mis mensen om mij heen",
    "djg6_3": "Ik voel me vaak in de steek gelaten",
    "djg6_4": "Er zijn veel mensen op wie ik in geval van narigheid kan terugvallen",
    "djg6_5": "Er zijn veel mensen die ik volledig kan vertrouwen",
    "djg6_6": "Er zijn voldoende mensen met wie ik me nauw verbonden voel",
    "swemwbs_1": "Ik voelde me optimistisch over de toekomst",
    "swemwbs_2": "Ik voelde me nuttig",
    "swemwbs_3": "Ik voelde me ontspannen",
    "swemwbs_4": "Ik ging goed om met problemen",
    "swemwbs_5": "Ik kon helder denken",
    "swemwbs_6": "Ik voelde me dicht bij andere mensen",
    "swemwbs_7": "Ik kon zelf beslissingen nemen",
    "lsns6_1": "Hoeveel familieleden ziet of spreekt u minstens één keer per maand?",
    "lsns6_2": "Met hoeveel familieleden kunt u over persoonlijke zaken praten?",
    "lsns6_3": "Hoeveel familieleden kunt u om hulp vragen?",
    "lsns6_4": "Hoeveel vrienden ziet of spreekt u minstens één keer per maand?",
    "lsns6_5": "Met hoeveel vrienden kunt u over persoonlijke zaken praten?",
    "lsns6_6": "Hoeveel vrienden kunt u om hulp vragen?",
    "net_household": "Huisgenoten",
    "net_family": "Familie",
    "net_friends": "Vrienden",
    "net_neighbours": "Buren",
    "net_acquaintances": "Kennissen en vrijwilligers",
    "net_professionals": "Hulpverleners",
    "qol_grade": "Welk rapportcijfer geeft u uw leven op dit moment?",
}

MHI5_STEM = "Hoe vaak gedurende de afgelopen 4 weken"
DJG_STEM = "In hoeverre zijn de volgende uitspraken op u van toepassing?"
SWEMWBS_STEM = "Hoe voelde u zich de afgelopen twee weken?"
NETWORK_STEM = "Hoeveel mensen staan er op uw netwerkkaart in het vak"


@dataclass(frozen=True)
class Effects:
    """True parameters of the wellbeing model (MHI-5 points; years; network persons)."""

    intercept: float
    years: float
    network: float
    interaction: float
    sd_intercept: float
    sd_slope: float
    corr: float
    sd_residual: float


@dataclass(frozen=True)
class ProjectDesign:
    """Design of one demo project."""

    id: str
    name: str
    share: float
    id_prefix: str
    wave_months: tuple[float, ...]
    wave_labels: tuple[str, ...]
    sites: tuple[tuple[str, float], ...]
    instruments: tuple[str, ...]
    effects: Effects
    #: expected count per network sector at baseline (household, family, friends, neighbours,
    #: acquaintances, professionals)
    network_means: tuple[float, float, float, float, float, float]
    age_mean: float
    age_sd: float
    gender_p: tuple[float, float, float]  # female, male, other
    recruitment: tuple[str, str]  # first and last baseline date (ISO)
    dropout_base: float  # probability of dropping out before each follow-up at mean network
    #: a site kept deliberately small (< 10 participants) so reports must suppress it
    small_site: str | None = None
    defect_kinds: tuple[str, ...] = field(default=())


PROJECTS: tuple[ProjectDesign, ...] = (
    ProjectDesign(
        id="netwerkcoach",
        name="Natuurlijk een Netwerkcoach",
        share=0.38,
        id_prefix="NC-",
        wave_months=(0.0, 6.0, 12.0),
        wave_labels=("T0", "T1", "T2"),
        sites=(("Amersfoort", 0.3), ("Deventer", 0.25), ("Leiden", 0.25), ("Zwolle", 0.2)),
        instruments=("mhi5", "djg11", "network_map", "lsns6"),
        effects=Effects(56.0, 4.0, 0.8, 0.6, 11.0, 3.0, -0.2, 5.0),
        network_means=(1.0, 2.5, 1.8, 1.2, 1.8, 2.5),
        age_mean=58.0,
        age_sd=15.0,
        gender_p=(0.60, 0.385, 0.015),
        recruitment=("2022-02-01", "2023-10-31"),
        dropout_base=0.16,
        defect_kinds=("duplicate", "unknown_label", "out_of_range", "mistyped_id"),
    ),
    ProjectDesign(
        id="stamtafel",
        name="Kwartiermaken De Stamtafel",
        share=0.12,
        id_prefix="ST-",
        wave_months=(0.0, 6.0, 12.0, 18.0),
        wave_labels=("Voormeting", "Nameting 1", "Nameting 2", "Nameting 3"),
        sites=(("Amsterdam", 1.0),),
        instruments=("mhi5", "djg6", "network_map", "qol_grade"),
        effects=Effects(60.0, 3.0, 0.6, 0.0, 10.0, 2.5, -0.1, 5.0),
        network_means=(1.2, 3.0, 1.2, 0.8, 1.5, 3.5),
        age_mean=41.0,
        age_sd=12.0,
        gender_p=(0.42, 0.55, 0.03),
        recruitment=("2021-09-01", "2022-12-15"),
        dropout_base=0.12,
        defect_kinds=("duplicate", "out_of_range", "mistyped_id"),
    ),
    ProjectDesign(
        id="kwartiertafel",
        name="Kwartiermaken De Kwartiertafel",
        share=0.15,
        id_prefix="KT-",
        wave_months=(0.0, 6.0, 12.0),
        wave_labels=("Voormeting", "Nameting 1", "Nameting 2"),
        sites=(("Arnhem", 1.0),),
        instruments=("mhi5", "djg11", "network_map", "swemwbs"),
        effects=Effects(55.0, 3.5, 0.7, 0.0, 11.0, 3.0, -0.2, 5.0),
        network_means=(0.8, 2.5, 1.5, 1.0, 2.0, 3.0),
        age_mean=46.0,
        age_sd=12.0,
        gender_p=(0.48, 0.50, 0.02),
        recruitment=("2021-10-01", "2023-03-31"),
        dropout_base=0.15,
        defect_kinds=(
            "duplicate",
            "malformed_date",
            "unknown_label",
            "out_of_range",
            "mistyped_id",
        ),
    ),
    ProjectDesign(
        id="samen-oplopen",
        name="Samen Oplopen",
        share=0.15,
        id_prefix="SO",
        wave_months=(0.0, 6.0, 12.0, 18.0),
        wave_labels=("Intake", "Na 6 maanden", "Na 12 maanden", "Na 18 maanden"),
        sites=(("Zeist", 1.0),),
        instruments=("mhi5", "djg11", "network_map", "qol_grade"),
        effects=Effects(58.0, 4.0, 0.5, 0.0, 10.0, 3.0, -0.2, 5.0),
        network_means=(3.0, 2.0, 1.2, 1.0, 1.0, 2.0),
        age_mean=37.0,
        age_sd=7.0,
        gender_p=(0.80, 0.19, 0.01),
        recruitment=("2022-01-15", "2023-06-30"),
        dropout_base=0.14,
        defect_kinds=("duplicate", "unknown_label", "out_of_range", "mistyped_id"),
    ),
    ProjectDesign(
        id="tijdvoorelkaar",
        name="TijdvoorElkaar",
        share=0.20,
        id_prefix="",
        wave_months=(0.0, 6.0, 12.0),
        wave_labels=("Nulmeting", "Vervolgmeting 6 maanden", "Vervolgmeting 12 maanden"),
        sites=(
            ("Utrecht", 0.38),
            ("Zeist", 0.2),
            ("Eindhoven", 0.24),
            ("Nieuwegein", 0.18),
            ("Haarlem", 0.0),
        ),
        instruments=("mhi5", "djg11", "network_map", "swemwbs", "lsns6"),
        effects=Effects(62.0, 2.0, 0.6, 0.0, 10.0, 2.5, -0.1, 5.0),
        network_means=(1.0, 3.0, 2.0, 1.5, 2.5, 2.0),
        age_mean=52.0,
        age_sd=17.0,
        gender_p=(0.55, 0.43, 0.02),
        recruitment=("2022-03-01", "2023-09-30"),
        dropout_base=0.13,
        small_site="Haarlem",
        defect_kinds=("duplicate", "malformed_date", "out_of_range"),
    ),
)

PROJECT_IDS = tuple(p.id for p in PROJECTS)


def design(project: str) -> ProjectDesign:
    """Return the design of demo project ``project``."""
    for candidate in PROJECTS:
        if candidate.id == project:
            return candidate
    raise KeyError(f"unknown demo project {project!r}; known: {', '.join(PROJECT_IDS)}")


def allocate(n_participants: int) -> dict[str, int]:
    """Return participants per project for a total of ``n_participants`` (largest remainder)."""
    if n_participants < 10 * len(PROJECTS):
        raise ValueError(
            f"n_participants must be at least {10 * len(PROJECTS)} (10 per demo project), "
            f"got {n_participants}"
        )
    exact = [p.share * n_participants for p in PROJECTS]
    counts = [int(x) for x in exact]
    order = sorted(range(len(PROJECTS)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n_participants - sum(counts)]:
        counts[i] += 1
    return {p.id: c for p, c in zip(PROJECTS, counts, strict=True)}
