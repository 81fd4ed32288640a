"""The stage playbook panel of the account page."""

from typing import Any

from django import template

from onethread.journeys.models import Journey
from onethread.training.queries import playbook_for

register = template.Library()


@register.inclusion_tag("training/_playbook_panel.html", takes_context=True)
def stage_playbook(context: template.Context, journey: Journey) -> dict[str, Any]:
    """The current stage's checklist; read-only for a shadowing reader."""
    return {
        "journey": journey,
        "stage_playbook": None if journey.is_closed else playbook_for(journey),
        "can_tick": not context.get("shadow_read", False),
        "csrf_token": context.get("csrf_token"),
    }
