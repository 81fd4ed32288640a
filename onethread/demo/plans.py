"""What happens to each demo account, decided before anything is written:
who it is, where its journey ends up, when it entered each stage and who
owned it there. Pure: no database."""

import bisect
import math
import random
import re
from dataclasses import dataclass, replace

from onethread.demo import company
from onethread.team.models import Role

# Where journeys are today, in parts per hundred: a funnel of many leads and
# fewer customers, with a sizeable minority closed.
FINAL_MIX: tuple[tuple[str, int], ...] = (
    ("lead", 16),
    ("qualification", 11),
    ("closing", 9),
    ("onboarding", 5),
    ("adoption", 15),
    ("expansion", 6),
    ("disqualified", 17),
    ("lost", 12),
    ("churned", 9),
)
ACTIVE = ("lead", "qualification", "closing", "onboarding", "adoption", "expansion")
# The stages an outcome may close, with weights.
CLOSED_FROM: dict[str, tuple[tuple[str, int], ...]] = {
    "disqualified": (("lead", 4), ("qualification", 6)),
    "lost": (("closing", 1),),
    "churned": (("onboarding", 1), ("adoption", 6), ("expansion", 3)),
}
# Working days spent in a stage on the way through it: (low, high, mode).
PASSING: dict[str, tuple[float, float, float]] = {
    "lead": (0.2, 12, 1.5),
    "qualification": (4, 30, 10),
    "closing": (10, 65, 28),
    "onboarding": (15, 55, 28),
    "adoption": (40, 220, 110),
    "expansion": (20, 110, 45),
}
# Working days spent so far in the stage a journey is in today.
DWELL: dict[str, tuple[float, float, float]] = {
    "lead": (0.1, 25, 2),
    "qualification": (0.5, 25, 7),
    "closing": (1, 60, 18),
    "onboarding": (1, 45, 14),
    "adoption": (5, 260, 60),
    "expansion": (5, 110, 30),
}
HISTORY = 385  # about 18 months of working days
# Of the journeys that reach a stage today, the share whose handoff into it is
# still waiting for the receiver: the journey stays in the stage before.
PENDING_SHARE: dict[str, float] = {
    "qualification": 0.05,
    "closing": 0.06,
    "onboarding": 0.1,
    "adoption": 0.02,
    "expansion": 0.03,
}
PENDING_SENT = (0.05, 2.2)  # working days before the horizon a waiting handoff was sent
# Inbound leads still in the lead stage that nobody has touched yet.
UNTOUCHED_SHARE = 0.3


@dataclass(frozen=True)
class JourneyPlan:
    number: int
    name: str
    domain: str
    segment: str
    employees: int
    source: str
    path: tuple[str, ...]  # the stages entered, first to today's (an outcome when closed)
    entered: tuple[float, ...]  # the working-day moment each was entered
    until: float  # the close, or just before now: nothing happens after it
    owners: dict[str, str]  # active stage → username of its owner
    reason: str  # why it closed
    referrer: str  # the customer who referred it, for referrals
    pending: bool = False  # the handoff into the last stage waits for an answer today
    untouched: bool = False  # a lead nobody has contacted yet

    @property
    def final(self) -> str:
        return self.path[-1]

    @property
    def is_closed(self) -> bool:
        return self.final not in ACTIVE

    @property
    def sites(self) -> int:
        return max(1, min(40, self.employees // 120))


def usernames_with(role: str) -> list[str]:
    return [username for username, _, _, member_role in company.DEMO_LOGINS if member_role == role]


def final_stages(count: int, rng: random.Random) -> list[str]:
    """Today's stage for `count` journeys: the mix above by largest remainder,
    at least one of each once there are enough, shuffled."""
    total = sum(weight for _, weight in FINAL_MIX)
    shares = [(key, weight * count / total) for key, weight in FINAL_MIX]
    counts = {key: int(share) for key, share in shares}
    if count >= len(FINAL_MIX):
        counts = {key: max(number, 1) for key, number in counts.items()}
    by_remainder = sorted(shares, key=lambda item: item[1] - int(item[1]), reverse=True)
    largest = max(counts, key=lambda key: counts[key])
    while sum(counts.values()) < count:
        for key, _ in by_remainder:
            if sum(counts.values()) < count:
                counts[key] += 1
    while sum(counts.values()) > count:
        counts[largest] -= 1
    finals = [key for key, number in counts.items() for _ in range(number)]
    rng.shuffle(finals)
    return finals


def company_names(count: int, rng: random.Random) -> list[tuple[str, str, str, int]]:
    """(name, domain, segment, employees) for `count` distinct companies."""
    seen: set[str] = set()
    result: list[tuple[str, str, str, int]] = []
    misses = 0
    while len(result) < count:
        segment, endings, size_weights = rng.choice(company.SEGMENTS)
        base = f"{rng.choice(company.NAME_STARTS)} {rng.choice(endings)}"
        if base in seen:
            misses += 1
            if misses < 50:
                continue
            base = f"{base} {len(result) + 1}"  # the word lists ran out: number the rest
        misses = 0
        seen.add(base)
        low, high = rng.choices(company.EMPLOYEE_BANDS, weights=size_weights)[0]
        legal = "" if segment == "public sector" else rng.choice(company.LEGAL_FORMS)
        domain = re.sub(r"[^a-z0-9]+", "", base.lower()) + ".example"
        result.append((base + legal, domain, segment, rng.randint(low, high)))
    return result


def _path(final: str, rng: random.Random) -> tuple[str, ...]:
    if final in ACTIVE:
        return ACTIVE[: ACTIVE.index(final) + 1]
    stages, weights = zip(*CLOSED_FROM[final], strict=True)
    last = rng.choices(stages, weights=weights)[0]
    return (*ACTIVE[: ACTIVE.index(last) + 1], final)


def _timing(
    path: tuple[str, ...], horizon: float, rng: random.Random
) -> tuple[tuple[float, ...], float]:
    """When each stage was entered, and the moment the story stops."""
    closed = path[-1] not in ACTIVE
    active = path[:-1] if closed else path
    spans = [rng.triangular(*PASSING[key]) for key in active[:-1]]
    spans.append(rng.triangular(*(PASSING if closed else DWELL)[active[-1]]))
    if sum(spans) > HISTORY - 5:
        spans = [span * (HISTORY - 5) / sum(spans) for span in spans]
    end = horizon - rng.uniform(0.3, HISTORY - sum(spans)) if closed else horizon
    moments = [end - sum(spans)]
    for span in spans:
        moments.append(moments[-1] + span)
    if not closed:
        moments.pop()
    return tuple(moments), end


def _owners(source: str, rng: random.Random) -> dict[str, str]:
    """Who works each stage. SDRs qualify the leads they source themselves; a
    CSM hands an account to a colleague acting as its account manager for expansion."""
    sdr = rng.choice(usernames_with(Role.SDR))
    csm, account_manager = rng.sample(usernames_with(Role.CSM), 2)
    first = sdr if source == "outbound" else rng.choice(usernames_with(Role.LEAD_GENERATION))
    return {
        "lead": first,
        "qualification": sdr,
        "closing": rng.choice(usernames_with(Role.AE)),
        "onboarding": rng.choice(usernames_with(Role.ONBOARDING)),
        "adoption": csm,
        "expansion": account_manager,
    }


def _reason(final: str, rng: random.Random) -> str:
    reasons = {
        "disqualified": company.DISQUALIFIED_REASONS,
        "lost": company.LOST_REASONS,
        "churned": company.CHURN_REASONS,
    }
    return rng.choice(reasons[final]) if final in reasons else ""


def plan_journeys(*, count: int, seed: int, horizon: float) -> list[JourneyPlan]:
    """Plans for `count` accounts; `horizon` is the last working moment before now."""
    rng = random.Random(seed)
    plans = []
    for number, ((name, domain, segment, employees), final) in enumerate(
        zip(company_names(count, rng), final_stages(count, rng), strict=True), start=1
    ):
        own = random.Random(f"{seed}:{number}:plan")
        source = own.choices(company.SOURCES, weights=company.SOURCE_WEIGHTS)[0]
        path = _path(final, own)
        entered, until = _timing(path, horizon, own)
        plans.append(
            JourneyPlan(
                number=number,
                name=name,
                domain=domain,
                segment=segment,
                employees=employees,
                source=source,
                path=path,
                entered=entered,
                until=until,
                owners=_owners(source, own),
                reason=_reason(final, own),
                referrer="",
            )
        )
    won = sorted(
        (plan.entered[plan.path.index("onboarding")], plan.name)
        for plan in plans
        if "onboarding" in plan.path
    )
    plans = [_with_referrer(plan, won, rng) for plan in plans]
    return _with_pending(_with_untouched(plans, rng), horizon, rng)


def _with_untouched(plans: list[JourneyPlan], rng: random.Random) -> list[JourneyPlan]:
    """Some inbound leads still waiting today were never contacted."""
    return [
        replace(plan, untouched=True)
        if plan.path == ("lead",) and plan.source != "outbound" and rng.random() < UNTOUCHED_SHARE
        else plan
        for plan in plans
    ]


def _with_pending(
    plans: list[JourneyPlan], horizon: float, rng: random.Random
) -> list[JourneyPlan]:
    """For each stage, a few of the journeys that reach it last wait today for
    the receiver's answer, sent within the last couple of working days (some
    of them past the SLA). At least one journey of each stage reaches it."""
    result = list(plans)
    for key, share in PENDING_SHARE.items():
        reaching = sorted(
            (index for index, plan in enumerate(result) if plan.final == key),
            key=lambda index: (-result[index].entered[-1], index),
        )
        wanted = min(math.ceil(len(reaching) * share), len(reaching) - 1)
        for index in reaching[: max(wanted, 0)]:
            plan = result[index]
            sent = max(horizon - rng.uniform(*PENDING_SENT), plan.entered[-2] + 0.5)
            if sent >= horizon:
                continue
            result[index] = replace(plan, entered=(*plan.entered[:-1], sent), pending=True)
    return result


def _with_referrer(
    plan: JourneyPlan, won: list[tuple[float, str]], rng: random.Random
) -> JourneyPlan:
    """A referral names an account that was already a customer when it came in."""
    if plan.source != "referral":
        return plan
    earlier = bisect.bisect_left(won, (plan.entered[0], ""))
    referrer = won[rng.randrange(earlier)][1] if earlier else "an existing customer"
    return replace(plan, referrer=referrer)
