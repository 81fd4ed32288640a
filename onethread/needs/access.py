from django.contrib.auth.models import AnonymousUser, User

from onethread.journeys.access import get_journey_record_for_user
from onethread.needs.models import Need


def get_need_for_user(user: User | AnonymousUser, need_id: int) -> Need:
    return get_journey_record_for_user(Need, user, need_id)
