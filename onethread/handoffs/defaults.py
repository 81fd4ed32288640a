"""The contracts, SLAs and return reasons a new installation starts with.
Editable in the admin; a data migration installs them."""

from typing import Any

# from stage, to stage, SLA hours, [(label, rule, required)]
DEFAULT_TRANSITIONS: list[tuple[str, str, int, list[tuple[str, str, bool]]]] = [
    ("lead", "qualification", 24, []),
    (
        "qualification",
        "closing",
        24,
        [
            ("At least one need, with its priority", "need_captured", True),
            ("Decision maker identified", "decision_maker", True),
            ("Timing and budget known", "confirmed", True),
            ("Next step agreed with the customer", "confirmed", True),
        ],
    ),
    (
        "closing",
        "onboarding",
        24,
        [
            ("Every need mapped to a product or marked out of scope (unmet)", "needs_mapped", True),
            ("Every commitment has an owner and a due date", "commitments_owned", True),
            ("Success criteria agreed with the customer", "confirmed", True),
            ("Stakeholders named: champion and decision maker", "stakeholders", True),
        ],
    ),
    (
        "onboarding",
        "adoption",
        24,
        [
            ("Success criteria met, or re-dated with the customer", "confirmed", True),
            ("Open commitments handed over", "commitments_handed_over", True),
        ],
    ),
    ("adoption", "expansion", 48, []),
]

DEFAULT_RETURN_REASONS = [
    ("not_qualified", "Not qualified"),
    ("missing_information", "Missing information"),
    ("wrong_owner", "Wrong owner"),
    ("bad_timing", "Bad timing"),
    ("duplicate", "Duplicate"),
]


def install_defaults(stage: Any, transition: Any, item: Any, reason: Any) -> None:
    """Create the default transitions, contract items and return reasons that
    are missing. Takes the models so a data migration can pass its own."""
    stages = {row.key: row for row in stage.objects.all()}
    for from_key, to_key, sla_hours, items in DEFAULT_TRANSITIONS:
        if from_key not in stages or to_key not in stages:
            continue
        step, created = transition.objects.get_or_create(
            from_stage=stages[from_key], to_stage=stages[to_key], defaults={"sla_hours": sla_hours}
        )
        if created:
            for position, (label, rule, required) in enumerate(items, start=1):
                item.objects.create(
                    transition=step, label=label, rule=rule, required=required, position=position
                )
    for position, (key, label) in enumerate(DEFAULT_RETURN_REASONS, start=1):
        reason.objects.get_or_create(key=key, defaults={"label": label, "position": position})
