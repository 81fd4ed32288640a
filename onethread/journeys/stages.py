"""The default bow tie. Stages are rows, editable in the admin; these are the
ones a new installation starts with."""

from typing import Any

# key, name, kind, side
DEFAULT_STAGES: list[tuple[str, str, str, str]] = [
    ("lead", "Lead", "active", "acquisition"),
    ("qualification", "Qualification", "active", "acquisition"),
    ("closing", "Closing", "active", "acquisition"),
    ("onboarding", "Onboarding", "active", "retention"),
    ("adoption", "Adoption", "active", "retention"),
    ("expansion", "Expansion", "active", "retention"),
    ("disqualified", "Disqualified", "outcome", "acquisition"),
    ("lost", "Lost", "outcome", "acquisition"),
    ("churned", "Churned", "outcome", "retention"),
]


def install_default_stages(stage_model: Any) -> None:
    """Create the default stages that are missing. Takes the model so a data
    migration can pass its historical one."""
    for position, (key, name, kind, side) in enumerate(DEFAULT_STAGES, start=1):
        stage_model.objects.get_or_create(
            key=key, defaults={"name": name, "kind": kind, "side": side, "position": position * 10}
        )
