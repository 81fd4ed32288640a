"""The baseline: the journey-level derivation (visits, journeys, monthly
value) and the bow-tie and after-the-sale metrics written the straightforward
way in pandas, one DataFrame operation after another, as an analyst would.
It computes the same numbers as onethread.insights for the metrics in
COMPARED (the bench checks a few of them agree)."""

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

COMPARED = (
    "funnel",
    "funnel_by_cohort",
    "funnel_by_source",
    "funnel_by_team",
    "funnel_by_member",
    "lead_to_won",
    "by_source",
    "speed_to_lead",
    "post_sale",
    "retention",
    "revenue_retention",
)
GROUPS = ("all", "cohort", "source", "team", "member")
DAY = pd.Timedelta(days=1)


def derive(events: pd.DataFrame, base: pd.DataFrame) -> dict[str, pd.DataFrame]:
    stage = events[events["kind"] == "stage_entered"].sort_values("event_id")
    by_journey = stage.groupby("journey_id", sort=False)
    visits = pd.DataFrame(
        {
            "journey_id": stage["journey_id"],
            "seq": by_journey.cumcount() + 1,
            "stage": stage["stage"],
            "entered_at": stage["occurred_at"],
            "left_at": by_journey["occurred_at"].shift(-1),
            "next_stage": by_journey["stage"].shift(-1),
        }
    )
    value = events[events["kind"] == "value_recorded"]
    after = value.merge(base[["journey_id", "won_at"]], on="journey_id")
    after = after[after["won_at"].notna() & (after["occurred_at"] >= after["won_at"])]
    facts = after.groupby("journey_id").agg(
        first_value_at=("occurred_at", "min"), revenue_after_won=("amount", "sum")
    )
    journeys = base.merge(facts, on="journey_id", how="left")
    journeys["revenue_after_won"] = journeys["revenue_after_won"].fillna(0.0)
    timed = value[value["occurred_at"].notna()].copy()
    timed["month"] = timed["occurred_at"].dt.tz_localize(None).dt.to_period("M").dt.start_time
    monthly = (
        timed.groupby(["journey_id", "month"])
        .agg(amount=("amount", "sum"), events=("amount", "size"))
        .reset_index()
    )
    return {"visits": visits, "journeys": journeys, "monthly_value": monthly}


def _cohort(journeys: pd.DataFrame, start: Any, end: Any, now: Any, by: str) -> pd.DataFrame:
    opened = journeys["opened_at"]
    j = journeys[(opened >= start) & (opened < end) & (opened <= now)].copy()
    if by == "all":
        j["grp"] = "all"
    elif by == "cohort":
        j["grp"] = j["opened_at"].dt.strftime("%Y-%m")
    elif by == "source":
        j["grp"] = j["source"].replace("", None).fillna("(no source)")
    elif by == "team":
        j["grp"] = j["team_id"].astype(str)
    else:
        j["grp"] = j["owner_id"].astype("Int64").astype(str).replace("<NA>", "(no owner)")
    return j


def funnel(
    frames: dict[str, pd.DataFrame], stages: pd.DataFrame, start: Any, end: Any, now: Any, by: str
) -> dict[str, list[dict[str, Any]]]:
    j = _cohort(frames["journeys"], start, end, now, by)
    v = frames["visits"].merge(j[["journey_id"]], on="journey_id")
    v = v[v["entered_at"].isna() | (v["entered_at"] <= now)].copy()
    v["finished"] = v["next_stage"].notna() & (v["left_at"].isna() | (v["left_at"] <= now))
    v.loc[v["left_at"] > now, "left_at"] = pd.NaT
    sv = v.merge(stages[["key", "position", "kind"]], left_on="stage", right_on="key")
    sv = sv.sort_values(["journey_id", "seq"])
    # The highest active position entered after each visit.
    sv["active_position"] = np.where(sv["kind"] == "active", sv["position"], -1)
    reverse = sv.iloc[::-1]
    later = reverse.groupby("journey_id")["active_position"].cummax()
    sv["best_after"] = later.groupby(reverse["journey_id"]).shift(1).fillna(-1).iloc[::-1]
    active = sv[sv["kind"] == "active"]
    first = active.loc[active.groupby(["journey_id", "stage"])["seq"].idxmin()]
    first = first.assign(advanced=first["best_after"] > first["position"])
    first = first.merge(j[["journey_id", "grp", "outcome", "outcome_reason"]], on="journey_id")
    counts = first.groupby(["grp", "stage"]).agg(
        entered=("journey_id", "size"), advanced=("advanced", "sum")
    )
    done = sv[sv["finished"]].merge(j[["journey_id", "grp"]], on="journey_id")
    done["days"] = (done["left_at"] - done["entered_at"]) / DAY
    times = done.groupby(["grp", "stage"])["days"].agg(
        median_days="median", p90_days=lambda s: s.quantile(0.9)
    )
    excluded = (
        done[done["entered_at"].isna() | done["left_at"].isna()].groupby(["grp", "stage"]).size()
    )
    drops = (
        first[~first["advanced"]]
        .assign(outcome=lambda d: d["outcome"].fillna("open"))
        .groupby(["grp", "stage", "outcome", "outcome_reason"])
        .size()
    )
    ordered = stages[stages["kind"] == "active"].sort_values("position")
    result: dict[str, list[dict[str, Any]]] = {}
    for grp in sorted(counts.index.get_level_values(0).unique()):
        rows = []
        for key, name in zip(ordered["key"], ordered["name"], strict=True):
            hit = (grp, key)
            entered = int(counts["entered"].get(hit, 0))
            advanced = int(counts["advanced"].get(hit, 0))
            rows.append(
                {
                    "stage": key,
                    "name": name,
                    "entered": entered,
                    "advanced": advanced,
                    "dropped": entered - advanced,
                    "conversion_rate": advanced / entered if entered else None,
                    "median_days_in_stage": times["median_days"].get(hit),
                    "p90_days_in_stage": times["p90_days"].get(hit),
                    "excluded_without_time": int(excluded.get(hit, 0)),
                    "drop_off": drops.loc[grp, key].reset_index().to_dict("records")
                    if (grp, key) in drops.index.droplevel([2, 3])
                    else [],
                }
            )
        result[grp] = rows
    return result


def lead_to_won(journeys: pd.DataFrame, start: Any, end: Any, now: Any, by: str) -> list[dict]:
    j = _cohort(journeys, start, end, now, by)
    j["won"] = j["won_at"].notna() & (j["won_at"] <= now)
    j["days"] = ((j["won_at"] - j["opened_at"]) / DAY).where(j["won"])
    grouped = j.groupby("grp").agg(
        leads=("journey_id", "size"),
        won=("won", "sum"),
        median_days=("days", "median"),
        p90_days=("days", lambda s: s.quantile(0.9)),
    )
    grouped["conversion_rate"] = grouped["won"] / grouped["leads"]
    return grouped.sort_values("leads", ascending=False).reset_index().to_dict("records")


def speed_to_lead(journeys: pd.DataFrame, start: Any, end: Any, now: Any) -> dict[str, Any]:
    j = _cohort(journeys, start, end, now, "all")
    touched = j["first_touch_at"].notna() & (j["first_touch_at"] <= now)
    seconds = ((j["first_touch_at"] - j["opened_at"]).dt.total_seconds()).clip(lower=0)
    seconds = seconds.where(touched)
    return {
        "leads": len(j),
        "touched": int(touched.sum()),
        "median_days": seconds.median() / 86400,
        "share_within_1h": (seconds <= 3600).sum() / len(j) if len(j) else None,
        "share_within_24h": (seconds <= 86400).sum() / len(j) if len(j) else None,
    }


def after_sale(frames: dict[str, pd.DataFrame], start: Any, end: Any, now: Any) -> dict[str, Any]:
    journeys, monthly = frames["journeys"], frames["monthly_value"]
    won = journeys[
        (journeys["won_at"] >= start) & (journeys["won_at"] < end) & (journeys["won_at"] <= now)
    ]
    active = won["first_value_at"] <= now
    ttfv = ((won["first_value_at"] - won["won_at"]) / DAY).where(active)
    post = {
        "won": len(won),
        "activated": int(active.sum()),
        "median_days_to_first_value": ttfv.median(),
        "p90_days_to_first_value": ttfv.quantile(0.9),
        "revenue": round(float(won["revenue_after_won"].sum()), 2),
    }
    cohorts = won.assign(
        cohort=won["won_at"].dt.strftime("%Y-%m"),
        churned=(won["outcome"] == "churned") & (won["closed_at"] <= now),
    )
    recent = monthly[
        (
            monthly["month"]
            >= (now - pd.Timedelta(days=90)).tz_localize(None).to_period("M").start_time
        )
        & (monthly["month"] <= now.tz_localize(None))
    ]["journey_id"].unique()
    cohorts["active"] = cohorts["journey_id"].isin(recent)
    retention = (
        cohorts.groupby("cohort")
        .agg(won=("journey_id", "size"), churned=("churned", "sum"), active=("active", "sum"))
        .reset_index()
        .to_dict("records")
    )
    months = pd.period_range(start.tz_localize(None), end.tz_localize(None) - DAY, freq="M")
    c0, c1 = months[0].start_time, months[-1].end_time
    length = len(months)
    p0 = (months[0] - length).start_time
    per = monthly[monthly["month"] <= now.tz_localize(None)]
    previous = per[(per["month"] >= p0) & (per["month"] < c0)].groupby("journey_id")["amount"].sum()
    current = per[(per["month"] >= c0) & (per["month"] <= c1)].groupby("journey_id")["amount"].sum()
    base = pd.DataFrame({"previous": previous}).join(current.rename("current")).fillna(0.0)
    base = base[base["previous"] > 0]
    kept = np.minimum(base["current"], base["previous"]).sum()
    total = base["previous"].sum()
    revenue = {
        "base_customers": len(base),
        "grr": kept / total if total else None,
        "nrr": base["current"].sum() / total if total else None,
        "expansion": (base["current"] - base["previous"]).clip(lower=0).sum(),
    }
    return {"post_sale": post, "retention": retention, "revenue_retention": revenue}


def compute(
    events: pd.DataFrame,
    base: pd.DataFrame,
    stages: pd.DataFrame,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> dict[str, Any]:
    start_, end_, now_ = (pd.Timestamp(value) for value in (start, end, now))
    frames = derive(events, base)
    results: dict[str, Any] = {}
    for by in GROUPS:
        key = "funnel" if by == "all" else f"funnel_by_{by}"
        grouped = funnel(frames, stages, start_, end_, now_, by)
        results[key] = grouped.get("all", []) if by == "all" else grouped
    results["lead_to_won"] = lead_to_won(frames["journeys"], start_, end_, now_, "all")
    results["by_source"] = lead_to_won(frames["journeys"], start_, end_, now_, "source")
    results["speed_to_lead"] = speed_to_lead(frames["journeys"], start_, end_, now_)
    results.update(after_sale(frames, start_, end_, now_))
    return results
