from django.contrib.auth.models import AnonymousUser, User

from onethread.commitments.models import Commitment
from onethread.journeys.access import get_journey_record_for_user


def get_commitment_for_user(user: User | AnonymousUser, commitment_id: int) -> Commitment:
    return get_journey_record_for_user(Commitment, user, commitment_id)
