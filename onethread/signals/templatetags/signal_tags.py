from django import template

from onethread.signals.health_records import panel_history
from onethread.signals.models import DismissReason
from onethread.signals.queries import open_on_journey

register = template.Library()


@register.filter
def dismiss_label(value: str) -> str:
    try:
        return str(DismissReason(value).label)
    except ValueError:
        return value or "—"


@register.inclusion_tag("signals/_account_signals.html", takes_context=True)
def account_signals(context: template.Context, journey_id: int) -> dict[str, object]:
    """The open signals on the account page: one query."""
    return {"signals": open_on_journey(journey_id), "request": context.get("request")}


@register.inclusion_tag("signals/_journey_health.html")
def journey_health(journey_id: int) -> dict[str, object]:
    """The latest health score with each component's contribution, and the
    trend of the last 30 computations: one query."""
    scores = panel_history(journey_id)
    trend = [round(score.score) for score in reversed(scores)]
    return {"latest": scores[0] if scores else None, "trend": trend}
