"""The default bow tie. Stages are rows, editable in the admin; these are the
ones a new installation starts with."""

from typing import Any

# key, name, kind, side, the role that works it
DEFAULT_STAGES: list[tuple[str, str, str, str, str]] = [
    ("lead", "Lead", "active", "acquisition", "sdr"),
    ("qualification", "Qualification", "active", "acquisition", "sdr"),
    ("closing", "Closing", "active", "acquisition", "ae"),
    ("onboarding", "Onboarding", "active", "retention", "onboarding"),
    ("adoption", "Adoption", "active", "retention", "csm"),
    ("expansion", "Expansion", "active", "retention", "csm"),
    ("disqualified", "Disqualified", "outcome", "acquisition", ""),
    ("lost", "Lost", "outcome", "acquisition", ""),
    ("churned", "Churned", "outcome", "retention", ""),
]


def install_default_stages(stage_model: Any) -> None:
    """Create the default stages that are missing. Takes the model so a data
    migration can pass its historical one."""
    # A migration older than the owner_role field passes a model without it.
    has_roles = any(field.name == "owner_role" for field in stage_model._meta.get_fields())
    for position, (key, name, kind, side, role) in enumerate(DEFAULT_STAGES, start=1):
        defaults = {"name": name, "kind": kind, "side": side, "position": position * 10}
        if has_roles:
            defaults["owner_role"] = role
        stage, created = stage_model.objects.get_or_create(key=key, defaults=defaults)
        if has_roles and not created and not stage.owner_role and role:
            stage.owner_role = role
            stage.save(update_fields=["owner_role"])
