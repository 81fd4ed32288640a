"""The panels of the handoff, continuity, after-the-sale and scorecard
dashboards (see panels.py)."""

from collections.abc import Callable
from typing import Any

from onethread.insights.panels import Column, Panel, bars

SUMMARY: list[Column] = [
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("returned", "Returned"),
    ("waiting", "Waiting"),
    ("overdue", "Overdue"),
    ("acceptance_rate", "Acceptance"),
    ("return_rate", "Return rate"),
    ("median_days_to_accept", "Median days to accept"),
    ("average_rating", "Average rating"),
    ("average_completeness", "Contract completeness"),
    ("overridden_items", "Overridden items"),
]


def handoffs(results: dict[str, Any]) -> list[Panel]:
    health = results["handoffs"]
    overall = health["overall"]
    transitions = [
        {**row, "transition": f"{row['from_stage']} → {row['to_stage']}"}
        for row in health["by_transition"]
    ]
    return [
        Panel("overall", "Handoffs in the period", SUMMARY, [overall] if overall else []),
        Panel(
            "transitions",
            "By transition",
            [("transition", "Transition"), *SUMMARY],
            transitions,
            bars(
                "Acceptance and return rate by transition",
                transitions,
                "transition",
                [("acceptance_rate", "accepted"), ("return_rate", "returned")],
            ),
        ),
        Panel(
            "return-reasons",
            "Why handoffs came back",
            [("reason", "Reason"), ("handoffs", "Handoffs")],
            overall["return_reasons"] if overall else [],
        ),
        Panel(
            "missing",
            "What receivers said was missing",
            [("item", "Item"), ("handoffs", "Handoffs")],
            overall["top_missing"] if overall else [],
        ),
    ]


def continuity(results: dict[str, Any]) -> list[Panel]:
    needs = results["needs_carried"]
    promises = results["promises"]
    repeated = results["repeated_discovery"]
    silences = results["silences"]
    shares = [
        {"step": "addressed in a deal", "share": needs["share_addressed"]},
        {"step": "delivered after the sale", "share": needs["share_delivered"]},
        {"step": "carried through", "share": needs["share_carried"]},
    ]
    return [
        Panel(
            "needs",
            "Needs captured before the sale, carried through it",
            [
                ("captured", "Captured"),
                ("addressed", "Addressed in a deal"),
                ("delivered", "Delivered"),
                ("carried", "Carried through"),
                ("unmet", "Unmet"),
                ("share_addressed", "Share addressed"),
                ("share_delivered", "Share delivered"),
                ("share_carried", "Share carried"),
            ],
            [needs],
            bars("Share of needs captured before the sale", shares, "step", [("share", "share")]),
        ),
        Panel(
            "promises",
            "Promises by the stage that made them",
            [
                ("stage", "Stage"),
                ("made", "Made"),
                ("kept", "Kept"),
                ("broken", "Broken"),
                ("overdue", "Overdue"),
                ("open", "Open"),
                ("kept_rate", "Kept rate"),
            ],
            promises,
            bars(
                "Promises kept, by the stage that made them",
                promises,
                "stage",
                [("kept_rate", "kept")],
            ),
        ),
        Panel(
            "repeated-discovery",
            "Repeated discovery per handoff, by stage",
            [
                ("stage", "Stage"),
                ("discoveries", "Repeated discoveries"),
                ("handoffs", "Handoffs"),
                ("rate_per_handoff", "Per handoff"),
            ],
            [*repeated["by_stage"], {**repeated, "stage": "all stages"}],
        ),
        Panel(
            "silences",
            f"Silences (gaps of more than {silences['gap_days']} days between interactions)",
            [
                ("gaps", "Gaps"),
                ("silences", "Silences"),
                ("journeys_with_gaps", "Journeys with gaps"),
                ("journeys_with_silence", "Journeys with a silence"),
                ("median_gap_days", "Median gap (days)"),
                ("silent_now", "Silent now"),
                ("share_of_journeys_with_silence", "Share of journeys with a silence"),
            ],
            [silences],
        ),
    ]


def after_sale(results: dict[str, Any]) -> list[Panel]:
    sale = results["post_sale"]
    retention = results["retention"]
    revenue = results["revenue_retention"]
    return [
        Panel(
            "activation",
            "Activation and time to first value (journeys won in the period)",
            [
                ("won", "Won"),
                ("activated", "Activated"),
                ("activation_rate", "Activation rate"),
                ("median_days_to_first_value", "Median days to first value"),
                ("p90_days_to_first_value", "p90 days to first value"),
                ("revenue", "Revenue after the win"),
            ],
            [sale],
        ),
        Panel(
            "retention",
            "Retention and churn by cohort (month won)",
            [
                ("cohort", "Cohort"),
                ("won", "Won"),
                ("retained", "Retained"),
                ("churned", "Churned"),
                ("active", "Active"),
                ("retention_rate", "Retention"),
                ("churn_rate", "Churn"),
                ("active_rate", "Active"),
            ],
            retention,
            bars(
                "Retention and churn by cohort",
                retention,
                "cohort",
                [("retention_rate", "retained"), ("churn_rate", "churned")],
            ),
        ),
        Panel(
            "revenue",
            "Revenue retention: this period against the one before",
            [
                ("base_customers", "Customers with revenue before"),
                ("previous_revenue", "Revenue before"),
                ("current_revenue", "Revenue now"),
                ("kept", "Kept"),
                ("expansion", "Expansion"),
                ("lost_customers", "Customers lost"),
                ("grr", "GRR"),
                ("nrr", "NRR"),
                ("expansion_revenue", "Expansion revenue"),
            ],
            [revenue],
        ),
    ]


def scorecards(results: dict[str, Any], shown: Callable[[int], bool], names: bool) -> list[Panel]:
    cards = [card for card in results["scorecards"]["members"] if shown(card["member_id"])]
    gaps = results["scorecards"]["gaps"]
    disagreements = [
        {"family": gap["family"], **row} for gap in gaps for row in gap["disagreements"]
    ]
    panels = [
        Panel(
            "members",
            "Stage-local number beside the journey outcome",
            [
                ("name", "Member"),
                ("role", "Role"),
                ("local_label", "Local measure"),
                ("local", "Local"),
                ("outcome_label", "Journey outcome"),
                ("outcome", "Outcome"),
                ("journeys", "Journeys"),
                ("won", "Won"),
                ("activated", "Activated"),
                ("churned", "Churned"),
                ("promises_kept_rate", "Promises kept"),
                ("handoffs_returned", "Handoffs returned"),
            ],
            cards,
        ),
        Panel(
            "gaps",
            "The compartmentalisation gap per role (rank correlation)",
            [
                ("family", "Role family"),
                ("local_label", "Local measure"),
                ("outcome_label", "Journey outcome"),
                ("members", "Members ranked"),
                ("spearman", "Spearman rank correlation (1: same order, -1: reversed)"),
            ],
            gaps,
            note="A low or negative correlation: the people the local number rewards are "
            "not those whose journeys end well.",
        ),
    ]
    if names:
        panels.append(
            Panel(
                "disagreements",
                "Members whose two rankings disagree most",
                [
                    ("family", "Role family"),
                    ("name", "Member"),
                    ("local", "Local"),
                    ("local_rank", "Local rank"),
                    ("outcome", "Outcome"),
                    ("outcome_rank", "Outcome rank"),
                ],
                disagreements,
            )
        )
    return panels
