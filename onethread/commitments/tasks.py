"""Side effects of commitments, run after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from onethread.commitments.models import Commitment


@task
def notify_commitment_owner(commitment_id: int) -> bool:
    """Tell the owner of a promise that they must keep it. Returns whether mail went out."""
    commitment = (
        Commitment.objects.select_related("owner", "made_by", "journey__account")
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None or commitment.owner is None or not commitment.owner.email:
        return False
    due = commitment.due_on.isoformat() if commitment.due_on else "no date yet"
    made_by = commitment.made_by.get_full_name() if commitment.made_by else "onethread"
    send_mail(
        subject=f"[onethread] A promise to {commitment.journey.account.name} is yours to keep",
        message=(
            f"{made_by} promised {commitment.journey.account.name}:\n\n"
            f"  {commitment.promise}\n\nDue: {due}. You are the owner who must keep it."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[commitment.owner.email],
    )
    return True
