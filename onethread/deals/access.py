from django.contrib.auth.models import AnonymousUser, User

from onethread.deals.models import Deal
from onethread.journeys.access import get_journey_record_for_user


def get_deal_for_user(user: User | AnonymousUser, deal_id: int) -> Deal:
    return get_journey_record_for_user(Deal, user, deal_id)
