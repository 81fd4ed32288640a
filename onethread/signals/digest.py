"""The weekly digest: one email per member with open signals, when email is
configured. At most one per member and week, whatever the schedule."""

import datetime as dt
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from onethread.signals.models import DigestSent, Signal
from onethread.team.models import Member

SHOWN = 5


def digest_text(member: Member, signals: list[Signal], now: dt.datetime) -> str:
    """Plain words: how many, of which kinds, the new ones of the week, the strongest."""
    kinds = Counter(signal.get_kind_display() for signal in signals)
    new = sum(1 for signal in signals if signal.raised_at >= now - dt.timedelta(days=7))
    lines = [
        f"Hello {member.name},",
        "",
        f"{len(signals)} open signal{'s' if len(signals) != 1 else ''} for you "
        f"({new} new this week): "
        + ", ".join(f"{count} {kind.lower()}" for kind, count in kinds.most_common())
        + ".",
        "",
        "The strongest:",
    ]
    for signal in sorted(signals, key=lambda s: (-s.score, -s.pk))[:SHOWN]:
        lines.append(f"- {signal.journey.account.name}: {signal.explanation}")
    lines += ["", f"Act on them or dismiss them: {settings.ONETHREAD_BASE_URL}{reverse('signals')}"]
    return "\n".join(lines)


def send_weekly_digests(*, now: dt.datetime) -> int:
    """Email each member with open signals once this week; returns how many went out."""
    if not settings.EMAIL_ENABLED:
        return 0
    week = now.date() - dt.timedelta(days=now.weekday())
    open_signals = (
        Signal.objects.filter(
            status=Signal.Status.OPEN,
            routed_to__user__is_active=True,
            routed_to__user__email__gt="",
        )
        .exclude(routed_to__in=DigestSent.objects.filter(week=week).values("member"))
        .select_related("journey__account", "routed_to__user")
        .order_by("routed_to_id", "-score")
    )
    by_member: dict[int, list[Signal]] = {}
    for signal in open_signals.iterator(2000):
        by_member.setdefault(signal.routed_to_id, []).append(signal)  # type: ignore[arg-type]
    sent = 0
    for signals in by_member.values():
        member: Member = signals[0].routed_to  # type: ignore[assignment]
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    member=member, week=week, signals=len(signals), sent_at=now
                )
                send_mail(
                    subject=f"[onethread] Your signals this week: {len(signals)} open",
                    message=digest_text(member, signals, now),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[member.user.email],
                )
        except IntegrityError:
            continue  # another worker sent it meanwhile
        sent += 1
    return sent
