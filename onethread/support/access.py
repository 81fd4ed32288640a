from django.contrib.auth.models import AnonymousUser, User

from onethread.journeys.access import get_journey_record_for_user
from onethread.support.models import Ticket


def get_ticket_for_user(user: User | AnonymousUser, ticket_id: int) -> Ticket:
    return get_journey_record_for_user(Ticket, user, ticket_id)
