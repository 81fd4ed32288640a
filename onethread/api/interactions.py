"""/journeys/{id}/interactions: conversations with the customer."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import IdPath, InteractionIn, InteractionOut, PageOut, PageQuery
from onethread.api.schemas import error_responses as errors
from onethread.customers.models import Contact
from onethread.interactions.models import Interaction
from onethread.interactions.services import log_interaction
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.models import Journey

router = Router(tags=["interactions"])

INTERACTION_ORDER = [
    Key("occurred_at", descending=True, kind=dt.datetime),
    Key("id", descending=True),
]


def _contacts(journey: Journey, contact_ids: list[int]) -> list[Contact]:
    """The named contacts, all of whom must work at the journey's account."""
    wanted = set(contact_ids)
    contacts = list(Contact.objects.filter(pk__in=wanted, account_id=journey.account_id))
    if len(contacts) != len(wanted):
        raise ValidationError({"contact_ids": "Name contacts of this account only."})
    return contacts


@router.get(
    "/journeys/{journey_id}/interactions",
    response={200: PageOut[InteractionOut], **errors(401, 404, 422)},
)
def list_interactions(
    request: HttpRequest, journey_id: IdPath, page: Query[PageQuery]
) -> Page[Interaction]:
    """A journey's interactions, latest first."""
    journey = get_journey_for_user(api_user(request), journey_id)
    interactions = (
        Interaction.objects.filter(journey=journey)
        .select_related("stage", "logged_by")
        .prefetch_related("contacts")
    )
    return paginate(interactions, INTERACTION_ORDER, limit=page.limit, cursor=page.after)


@router.post(
    "/journeys/{journey_id}/interactions",
    response={201: InteractionOut, **errors(400, 401, 404, 422)},
)
def create_interaction(
    request: HttpRequest, journey_id: IdPath, data: InteractionIn
) -> Status[Interaction]:
    """Log a call, meeting, email … on the journey."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    interaction = log_interaction(
        journey,
        channel=data.channel,
        direction=data.direction,
        summary=data.summary,
        by=user,
        contacts=_contacts(journey, data.contact_ids),
        occurred_at=data.occurred_at,
    )
    return Status(201, interaction)
