"""@mentions in notes: finding them in the text, resolving them to members who
can see the journey, and showing them highlighted on the timeline."""

import datetime as dt
import re
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from onethread.journeys.access import visible_journeys
from onethread.journeys.models import Journey, JourneyEvent
from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.team.models import Member

# `@` at the start or after anything but a word character (so `ann@acme.com`
# is not a mention), then the characters Django allows in a username except `@`.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")
MAX_MENTIONS = 20
QUOTED_WORDS = 30


def mentioned_usernames(text: str) -> list[str]:
    """The distinct @names in the text, in order, without trailing dots
    (`@sam.` at the end of a sentence is sam)."""
    names: list[str] = []
    seen: set[str] = set()
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def resolve_mentions(journey: Journey, text: str) -> list[Member]:
    """The active members the text mentions (unknown names stay plain text).

    A mentioned member who cannot see the journey is a validation error
    naming them: nobody is sent a link they cannot open."""
    names = mentioned_usernames(text)
    if not names:
        return []
    if len(names) > MAX_MENTIONS:
        raise ValidationError({"text": f"Mention at most {MAX_MENTIONS} people in one note."})
    by_name = Q()
    for name in names:
        by_name |= Q(user__username__iexact=name)
    found = {
        member.user.username.lower(): member
        for member in Member.objects.filter(by_name, user__is_active=True).select_related("user")
    }
    members = [found[name.lower()] for name in names if name.lower() in found]
    blind = [member.name for member in members if not _can_see(member.user, journey)]
    if blind:
        raise ValidationError(
            {"text": "; ".join(f"{name} cannot see this account" for name in blind) + "."}
        )
    return members


def _can_see(user: User, journey: Journey) -> bool:
    return visible_journeys(user).filter(pk=journey.pk).exists()


def mention_payload(members: Iterable[Member]) -> list[dict[str, object]]:
    return [
        {"id": member.user.pk, "username": member.user.username, "name": member.name}
        for member in members
    ]


def mention_text(author: str, account: str, text: str, *, question: bool) -> str:
    """What the mentioned member is told: who, where, and the start of the note."""
    quote = Truncator(" ".join(text.split())).words(QUOTED_WORDS)
    if question:
        return f"{author} asks you: “{quote}” ({account})"
    return f"{author} mentioned you on {account}: “{quote}”"


def notify_mentioned(
    journey: Journey,
    event: JourneyEvent,
    recipients: list[User],
    *,
    by: User | None,
    at: dt.datetime,
) -> None:
    """Tell each mentioned member (never the author), linking to the note."""
    author = (by.get_full_name() or by.get_username()) if by is not None else "onethread"
    notify(
        recipients,
        kind=Notification.Kind.MENTION,
        text=mention_text(
            author,
            journey.account.name,
            event.payload["text"],
            question=bool(event.payload.get("question")),
        ),
        journey=journey,
        url=reverse("account-thread", args=[journey.account_id]) + f"#event-{event.pk}",
        by=by,
        at=at,
    )


def highlight_mentions(text: str, mentions: Iterable[dict[str, object]]) -> SafeString:
    """The text, escaped, with each resolved @mention wrapped in a highlight."""
    names = {str(mention.get("username", "")).lower(): mention for mention in mentions}
    parts: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        mention = names.get(name.lower())
        if mention is None:
            continue
        end = match.start(1) + len(name)
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(
            format_html(
                '<span class="mention" title="{}">@{}</span>', mention.get("name", name), name
            )
        )
        last = end
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))  # every part was escaped above
