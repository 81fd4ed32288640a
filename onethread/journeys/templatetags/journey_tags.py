import datetime as dt
import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from onethread.commitments.models import Commitment
from onethread.journeys.mentions import highlight_mentions
from onethread.journeys.models import EventKind, Journey, JourneyEvent

register = template.Library()


@register.filter
def days_in_stage(journey: Journey, now: dt.datetime) -> int:
    return journey.days_in_stage(now)


def _changes(changes: dict[str, list[Any]]) -> SafeString:
    return format_html_join(
        ", ",
        "{} {} → {}",
        (
            (field.replace("_", " "), old if old not in (None, "") else "—", new)
            for field, (old, new) in changes.items()
        ),
    )


@register.simple_tag
def event_line(event: JourneyEvent, stage_names: dict[str, str]) -> SafeString:
    """One sentence telling what the event recorded, from its payload alone."""
    p = event.payload
    kind = event.kind

    def stage(key: str | None) -> str:
        return stage_names.get(key or "", key or "—")

    if kind == EventKind.JOURNEY_OPENED:
        return format_html(
            "Journey opened{}", f" (source: {p['source']})" if p.get("source") else ""
        )
    if kind == EventKind.STAGE_ENTERED:
        reason = format_html(" — <q>{}</q>", p["reason"]) if p.get("reason") else ""
        if p.get("from"):
            return format_html(
                "Moved from {} to <strong>{}</strong>{}",
                stage(p["from"]),
                stage(p.get("to")),
                reason,
            )
        return format_html("Entered <strong>{}</strong>{}", stage(p.get("to")), reason)
    if kind == EventKind.OWNER_CHANGED:
        return format_html(
            "Owner changed from {} to <strong>{}</strong>", p.get("from") or "nobody", p.get("to")
        )
    if kind == EventKind.NEED_CAPTURED:
        return format_html("Need captured: <q>{}</q> ({})", p.get("statement"), p.get("priority"))
    if kind in (
        EventKind.NEED_CHANGED,
        EventKind.COMMITMENT_CHANGED,
        EventKind.TICKET_CHANGED,
        EventKind.DEAL_CHANGED,
        EventKind.CONTACT_CHANGED,
    ):
        subject = p.get("statement") or p.get("promise") or p.get("subject") or p.get("name")
        note = format_html(" — <q>{}</q>", p["note"]) if p.get("note") else ""
        label = {
            EventKind.NEED_CHANGED: "Need",
            EventKind.COMMITMENT_CHANGED: "Commitment",
            EventKind.TICKET_CHANGED: "Ticket",
            EventKind.DEAL_CHANGED: "Deal",
            EventKind.CONTACT_CHANGED: "Contact",
        }[EventKind(kind)]
        return format_html(
            "{} <q>{}</q>: {}{}", label, subject, _changes(p.get("changes", {})), note
        )
    if kind == EventKind.COMMITMENT_MADE:
        owner = format_html(", owner {}", p["owner"]) if p.get("owner") else ""
        due = format_html(", due {}", p["due_on"]) if p.get("due_on") else ""
        return format_html("Promised: <q>{}</q>{}{}", p.get("promise"), owner, due)
    if kind == EventKind.INTERACTION_LOGGED:
        people = format_html(" with {}", ", ".join(p["contacts"])) if p.get("contacts") else ""
        return format_html(
            "{} ({}){}: {}",
            str(p.get("channel", "")).capitalize(),
            p.get("direction"),
            people,
            p.get("summary"),
        )
    if kind == EventKind.DEAL_CREATED:
        amount = (
            format_html(", {} {}", p["amount"], p.get("currency", "")) if p.get("amount") else ""
        )
        return format_html(
            "Deal created: <strong>{}</strong> ({}){}",
            p.get("name"),
            str(p.get("kind", "")).replace("_", " "),
            amount,
        )
    if kind == EventKind.TICKET_OPENED:
        return format_html("Ticket opened: <q>{}</q> ({})", p.get("subject"), p.get("priority"))
    if kind == EventKind.CONTACT_ADDED:
        return format_html(
            "Contact added: {} ({})", p.get("name"), str(p.get("buying_role", "")).replace("_", " ")
        )
    if kind == EventKind.NOTE_ADDED:
        text = highlight_mentions(str(p.get("text", "")), p.get("mentions", []))
        if p.get("question"):
            return format_html('<strong class="question">Question:</strong> {}', text)
        return format_html("Note: {}", text)
    if kind == EventKind.HANDOFF_SENT:
        override = (
            format_html(" — sent with items missing: <q>{}</q>", p["override_reason"])
            if p.get("override_reason")
            else ""
        )
        return format_html(
            'Handoff <a href="{}">sent</a> to {} for {} ({}% of the contract){}',
            reverse("handoff", args=[p["handoff_id"]]),
            p.get("to"),
            stage(p.get("to_stage")),
            round(100 * float(p.get("completeness", 0))),
            override,
        )
    if kind == EventKind.HANDOFF_ACCEPTED:
        missing = format_html(" — missing: {}", "; ".join(p["missing"])) if p.get("missing") else ""
        return format_html(
            'Handoff <a href="{}">accepted</a>, rated {}/5{}',
            reverse("handoff", args=[p["handoff_id"]]),
            p.get("rating"),
            missing,
        )
    if kind == EventKind.HANDOFF_RETURNED:
        comment = format_html(": <q>{}</q>", p["comment"]) if p.get("comment") else ""
        return format_html(
            'Handoff <a href="{}">returned</a> — {}{}',
            reverse("handoff", args=[p["handoff_id"]]),
            p.get("reason_label") or p.get("reason"),
            comment,
        )
    if kind == EventKind.HANDOFF_OVERDUE:
        return format_html(
            'Handoff to {} <a href="{}">overdue</a> by {} h',
            p.get("to"),
            reverse("handoff", args=[p["handoff_id"]]),
            p.get("hours_over"),
        )
    if kind == EventKind.REPEATED_DISCOVERY:
        return format_html(
            "Repeated discovery: <q>{}</q> was already known from {} as <q>{}</q>",
            p.get("statement"),
            stage(p.get("known_since_stage")),
            p.get("repeats_statement"),
        )
    if kind in (EventKind.ACCOUNT_MERGED, EventKind.CONTACT_MERGED):
        return _merged_line(event)
    if kind == EventKind.PLAYBOOK_STEP_DONE:
        answer = format_html(": <q>{}</q>", p["answer"]) if p.get("answer") else ""
        return format_html("Playbook step done: <strong>{}</strong>{}", p.get("label"), answer)
    if kind in (EventKind.SIGNAL_RAISED, EventKind.SIGNAL_ACTED, EventKind.SIGNAL_DISMISSED):
        return _signal_line(event)
    return format_html("{}", event.get_kind_display())


def _signal_line(event: JourneyEvent) -> SafeString:
    p = event.payload
    kind = str(p.get("kind", "")).replace("_", " ")
    if event.kind == EventKind.SIGNAL_RAISED:
        routed = format_html(", for {}", p["routed_to"]) if p.get("routed_to") else ""
        return format_html("Signal raised ({}{}): <q>{}</q>", kind, routed, p.get("explanation"))
    if event.kind == EventKind.SIGNAL_ACTED:
        if p.get("deal_id"):
            return format_html("Signal ({}) acted on: an expansion deal was created", kind)
        return format_html("Signal ({}) acted on: <q>{}</q>", kind, p.get("task") or "")
    note = format_html(" — <q>{}</q>", p["note"]) if p.get("note") else ""
    return format_html(
        "Signal ({}) dismissed: {}{}", kind, str(p.get("reason", "")).replace("_", " "), note
    )


def _merged_line(event: JourneyEvent) -> SafeString:
    p = event.payload
    if event.kind == EventKind.ACCOUNT_MERGED:
        journeys, contacts = len(p.get("journeys", [])), len(p.get("contacts", []))
        return format_html(
            "Account <strong>{}</strong> merged into this one: {} journey{} and {} contact{} "
            "moved here with all their events",
            p.get("merged_account"),
            journeys,
            pluralize(journeys),
            contacts,
            pluralize(contacts),
        )
    return format_html(
        "Contact <strong>{}</strong> merged into <strong>{}</strong>",
        p.get("merged_contact"),
        p.get("name"),
    )


@register.filter
def is_overdue(commitment: Commitment, today: dt.date) -> bool:
    return commitment.is_overdue(today)


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> SafeString:
    """The <option>s of a select, written in one pass (a page has many long
    selects; a template loop per option costs more than the page's queries).
    Escaped as conditional_escape would, without its per-call lazy checks."""
    chosen = "" if selected is None else str(selected)
    parts = []
    for value, label in choices:
        mark = " selected" if chosen and str(value) == chosen else ""
        parts.append(f'<option value="{_escaped(value)}"{mark}>{_escaped(label)}</option>')
    return mark_safe("".join(parts))  # every piece escaped above


def _escaped(value: Any) -> str:
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@register.simple_tag
def board_cards(cards: Iterable[Any]) -> SafeString:
    """A column's cards (journeys.queries.Card), written in one pass: a board
    shows 120 of them, and a template loop per card cost more than reading
    them. Every value is escaped."""
    parts = []
    for card in cards:
        overdue = card.overdue_label
        flags = f'<span class="flag">{_escaped(card.needs_label)}</span>'
        if overdue:
            flags += f'<span class="flag overdue">{_escaped(overdue)}</span>'
        if card.open_signals:
            flags += f'<span class="flag signal">{_escaped(card.signals_label)}</span>'
        parts.append(
            f'<li class="card{" has-overdue" if overdue else ""}">\n'
            f'  <a class="card-title" href="{_escaped(card.url)}">'
            f"{_escaped(card.account_name)}</a>\n"
            f'  <div class="card-meta"><span>{_escaped(card.owner_name)}</span>'
            f"<span>{_escaped(card.days_label)}</span></div>\n"
            f'  <div class="card-flags">{flags}</div>\n'
            "</li>\n"
        )
    return mark_safe("".join(parts))  # every piece escaped above


@register.simple_tag
def timeline_events(events: Iterable[JourneyEvent], stage_names: dict[str, str]) -> SafeString:
    """The timeline's events, written in one pass (a page shows 30 of them;
    two date filters and the lines of a template loop per event cost more
    than reading them). Every value is escaped."""
    parts = []
    for event in events:
        if event.occurred_at:
            moment = timezone.localtime(event.occurred_at)
            when = (
                f'<time datetime="{moment.isoformat()}">'
                f"{_escaped(dateformat.format(moment, 'j M Y, H:i'))}</time>"
            )
        else:
            when = '<span class="muted">time unknown</span>'
        actor = event.actor
        by = (actor.get_full_name() or actor.get_username()) if actor else "onethread"
        parts.append(
            f'<li class="event kind-{_escaped(event.kind)}" id="event-{event.pk}">\n'
            f'  <div class="event-when">{when}</div>\n'
            '  <div class="event-body">\n'
            f'    <span class="event-line">{event_line(event, stage_names)}</span>\n'
            f'    <span class="muted event-by">{_escaped(by)} · '
            f"{_escaped(event.stage.name)}</span>\n"
            "  </div>\n"
            "</li>\n"
        )
    return mark_safe("".join(parts))  # every piece escaped above
