"""/signals: the signals routed to you, one signal with its evidence, acting
on it (an expansion deal or a follow-up) or dismissing it with a reason."""

from django.http import HttpRequest
from ninja import Query, Router

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import IdPath, PageOut
from onethread.api.schemas import error_responses as errors
from onethread.api.signal_schemas import ActIn, DismissIn, SignalOut, SignalQuery
from onethread.journeys.access import viewer_for
from onethread.signals.access import check_can_settle, get_signal_for_user
from onethread.signals.models import Signal
from onethread.signals.services import act_on_signal, dismiss_signal

router = Router(tags=["signals"])

SIGNAL_ORDER = [Key("id", descending=True)]
SETTLE_ERRORS = (400, 401, 403, 404, 409, 422)


@router.get("/signals", response={200: PageOut[SignalOut], **errors(401, 422)})
def list_signals(request: HttpRequest, query: Query[SignalQuery]) -> Page[Signal]:
    """The signals routed to you, newest first; ?status=open for those to act on."""
    member = viewer_for(api_user(request)).member
    signals = Signal.objects.filter(routed_to=member) if member else Signal.objects.none()
    if query.status is not None:
        signals = signals.filter(status=query.status)
    return paginate(signals, SIGNAL_ORDER, limit=query.limit, cursor=query.after)


@router.get("/signals/{signal_id}", response={200: SignalOut, **errors(401, 404, 422)})
def get_signal(request: HttpRequest, signal_id: IdPath) -> Signal:
    """One signal with its evidence (on a journey you can see)."""
    return get_signal_for_user(api_user(request), signal_id)


@router.post("/signals/{signal_id}/act", response={200: SignalOut, **errors(*SETTLE_ERRORS)})
def act(request: HttpRequest, signal_id: IdPath, data: ActIn) -> Signal:
    """Act on it: an expansion signal becomes an expansion deal linked to the
    signal and its need; any other becomes a follow-up task for you."""
    user = api_user(request)
    signal = get_signal_for_user(user, signal_id)
    check_can_settle(user, signal)
    act_on_signal(
        signal,
        by=user,
        deal_name=data.deal_name,
        task=data.task,
        due_on=data.due_on,
        expected_version=data.expected_version,
    )
    return get_signal_for_user(user, signal_id)


@router.post("/signals/{signal_id}/dismiss", response={200: SignalOut, **errors(*SETTLE_ERRORS)})
def dismiss(request: HttpRequest, signal_id: IdPath, data: DismissIn) -> Signal:
    """Dismiss it with a reason (and a note)."""
    user = api_user(request)
    signal = get_signal_for_user(user, signal_id)
    check_can_settle(user, signal)
    dismiss_signal(
        signal, data.reason, by=user, note=data.note, expected_version=data.expected_version
    )
    return get_signal_for_user(user, signal_id)
