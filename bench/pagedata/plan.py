"""Who works at the benchmark's company and where each account's journey goes,
decided before anything is written. Pure: no database.

Three regions, each with a new-business team (lead generation, SDRs, AEs, a
manager) and a customer-success team (onboarding, support, CSMs, a manager),
plus one admin: 100 members. Journeys follow the demo's funnel mix over three
years of history; the number of events a journey gets grows with how long it
has lived and how busy the account is, so customers of long standing have
hundreds of events and fresh leads a handful."""

import random
from dataclasses import dataclass, replace

from onethread.demo import company
from onethread.demo.plans import CLOSED_FROM, FINAL_MIX

DAY = 86_400
HISTORY_DAYS = 3 * 365
ACTIVE = ("lead", "qualification", "closing", "onboarding", "adoption", "expansion")

# The roles as stored (onethread.team.models.Role values).
LEAD_GENERATION, SDR, AE, ONBOARDING, SUPPORT, CSM, MANAGER, ADMIN = (
    "lead_generation",
    "sdr",
    "ae",
    "onboarding",
    "support",
    "csm",
    "manager",
    "admin",
)
NEW_BUSINESS_STAFF = ((LEAD_GENERATION, 4), (SDR, 7), (AE, 6), (MANAGER, 1))
CUSTOMER_SUCCESS_STAFF = ((ONBOARDING, 3), (SUPPORT, 4), (CSM, 7), (MANAGER, 1))
ADMIN_TEAM = "Operations"

# region → the cities its customers are in (so a region's share of accounts
# follows the length of its list: 45 / 35 / 20)
REGIONS: dict[str, tuple[str, ...]] = {
    "EMEA": (
        "Lyon", "Rotterdam", "Leeds", "Porto", "Gdansk", "Malmo", "Bilbao", "Turin", "Graz",
        "Aarhus", "Ghent", "Bremen", "Tampere", "Brno", "Cork", "Toledo", "Basel", "Plovdiv",
    ),
    "Americas": (
        "Austin", "Denver", "Calgary", "Monterrey", "Raleigh", "Tucson", "Curitiba", "Quebec",
        "Memphis", "Omaha", "Rosario", "Boise", "Halifax", "Fresno",
    ),
    "APAC": ("Osaka", "Busan", "Perth", "Penang", "Pune", "Auckland", "Cebu", "Adelaide"),
}  # fmt: skip
LEGAL_FORMS = ("", " GmbH", " Ltd", " Inc.", " B.V.", " AB", " S.A.", " Oy")

# Calendar days spent in a stage on the way through it, and so far in the
# stage a journey is in today: (low, high, mode) of a triangular draw.
PASSING: dict[str, tuple[float, float, float]] = {
    "lead": (0.3, 17, 2),
    "qualification": (5, 42, 14),
    "closing": (14, 90, 40),
    "onboarding": (20, 75, 40),
    "adoption": (60, 540, 240),
    "expansion": (30, 150, 60),
}
DWELL: dict[str, tuple[float, float, float]] = {
    "lead": (0.1, 35, 3),
    "qualification": (0.5, 35, 10),
    "closing": (1, 85, 25),
    "onboarding": (1, 60, 20),
    "adoption": (7, 700, 200),
    "expansion": (7, 150, 40),
}


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    team: str
    role: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def new_business_team(region: str) -> str:
    return f"New business {region}"


def customer_success_team(region: str) -> str:
    return f"Customer success {region}"


def staff() -> list[Person]:
    """The 100 members, with distinct deterministic names."""
    people: list[Person] = []
    teams: list[tuple[str, tuple[tuple[str, int], ...]]]
    teams = [(new_business_team(r), NEW_BUSINESS_STAFF) for r in REGIONS]
    teams += [(customer_success_team(r), CUSTOMER_SUCCESS_STAFF) for r in REGIONS]
    teams.append((ADMIN_TEAM, ((ADMIN, 1),)))
    firsts, lasts = company.FIRST_NAMES, company.LAST_NAMES
    for team, roles in teams:
        for role, count in roles:
            for _ in range(count):
                number = len(people)
                first = firsts[number % len(firsts)]
                last = lasts[(number * 7 + number // len(firsts)) % len(lasts)]
                username = f"{first}.{last}".lower()
                people.append(Person(username, first, last, team, role))
    return people


@dataclass(frozen=True)
class JourneyPlan:
    number: int  # the account's and the journey's id
    name: str
    domain: str
    segment: str
    employees: int
    region: str
    source: str
    path: tuple[str, ...]  # stages entered, first to today's (an outcome when closed)
    entered: tuple[int, ...]  # when each was entered (epoch seconds)
    until: int  # the close, or now: nothing happens after it
    activity: float  # how busy the account is: scales its ordinary events
    seed: int

    @property
    def is_closed(self) -> bool:
        return self.path[-1] not in ACTIVE

    @property
    def opened(self) -> int:
        return self.entered[0]

    @property
    def sites(self) -> int:
        return max(1, min(40, self.employees // 120))


def _company(index: int, rng: random.Random) -> tuple[str, str, str, int, str]:
    """(name, domain, segment, employees, region): a bijection from index to
    name while the word lists last, numbered after that."""
    endings = [(end, seg) for seg, ends, _ in company.SEGMENTS for end in ends]
    cities = [(city, region) for region, names in REGIONS.items() for city in names]
    starts = company.NAME_STARTS
    size = len(starts) * len(endings) * len(cities) * len(LEGAL_FORMS)
    combo = (index * 1_000_003 + 17) % size
    combo, legal = divmod(combo, len(LEGAL_FORMS))
    combo, city = divmod(combo, len(cities))
    start, ending = divmod(combo, len(endings))
    word, segment = endings[ending]
    town, region = cities[city]
    base = f"{starts[start]} {word} {town}"
    if index >= size:
        base += f" {index // size + 1}"
    weights = next(w for seg, _, w in company.SEGMENTS if seg == segment)
    low, high = rng.choices(company.EMPLOYEE_BANDS, weights=weights)[0]
    domain = "".join(ch for ch in base.lower() if ch.isalnum()) + ".example"
    return base + LEGAL_FORMS[legal], domain, segment, rng.randint(low, high), region


def _path(rng: random.Random) -> tuple[str, ...]:
    keys, weights = zip(*FINAL_MIX, strict=True)
    final = rng.choices(keys, weights=weights)[0]
    if final in ACTIVE:
        return ACTIVE[: ACTIVE.index(final) + 1]
    stages, stage_weights = zip(*CLOSED_FROM[final], strict=True)
    last = rng.choices(stages, weights=stage_weights)[0]
    return (*ACTIVE[: ACTIVE.index(last) + 1], final)


def _timing(path: tuple[str, ...], now: int, rng: random.Random) -> tuple[tuple[int, ...], int]:
    """When each stage was entered, and when the story stops."""
    closed = path[-1] not in ACTIVE
    active = path[:-1] if closed else path
    spans = [rng.triangular(*PASSING[key]) for key in active[:-1]]
    spans.append(rng.triangular(*(PASSING if closed else DWELL)[active[-1]]))
    total = sum(spans)
    if total > HISTORY_DAYS - 7:
        spans = [span * (HISTORY_DAYS - 7) / total for span in spans]
        total = sum(spans)
    end = now - rng.uniform(0.5, HISTORY_DAYS - total) * DAY if closed else now
    moments = [end - total * DAY]
    for span in spans:
        moments.append(moments[-1] + span * DAY)
    if not closed:
        moments.pop()
    return tuple(int(moment) for moment in moments), int(end)


def plan_journeys(count: int, *, seed: int, now: int) -> list[JourneyPlan]:
    """One journey per account, numbered in the order they were opened."""
    drafts = []
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        name, domain, segment, employees, region = _company(index, rng)
        source = rng.choices(company.SOURCES, weights=company.SOURCE_WEIGHTS)[0]
        path = _path(rng)
        entered, until = _timing(path, now, rng)
        activity = min(rng.lognormvariate(0, 0.8), 8.0)
        drafts.append(
            JourneyPlan(
                number=0,
                name=name,
                domain=domain,
                segment=segment,
                employees=employees,
                region=region,
                source=source,
                path=path,
                entered=entered,
                until=until,
                activity=activity,
                seed=seed * 7_919 + index,
            )
        )
    drafts.sort(key=lambda plan: (plan.opened, plan.seed))
    return [replace(plan, number=number) for number, plan in enumerate(drafts, start=1)]


def filler_counts(plans: list[JourneyPlan], skeletons: list[int], total: int) -> list[int]:
    """Share the events beyond each story's skeleton among the journeys, in
    proportion to how long each has lived and how busy it is, so the whole log
    holds `total` events (or just the skeletons, if they alone exceed it)."""
    spare = max(total - sum(skeletons), 0)
    weights = [max(p.until - p.opened, 0) / DAY * p.activity for p in plans]
    scale = spare / (sum(weights) or 1)
    shares = [weight * scale for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(plans)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return counts
