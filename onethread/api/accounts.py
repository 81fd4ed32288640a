"""/accounts: customer organisations, each opened with its journey."""

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import (
    AccountIn,
    AccountOut,
    IdPath,
    PageOut,
    PageQuery,
    error_responses,
)
from onethread.customers.access import get_account_for_user, visible_accounts
from onethread.customers.models import Account
from onethread.journeys.access import NotPermitted, visible_journeys
from onethread.journeys.events import member_of
from onethread.journeys.models import Journey
from onethread.journeys.services import open_journey_for_new_account

router = Router(tags=["accounts"])

ACCOUNT_ORDER = [Key("name", kind=str), Key("id")]


def _current_journeys(request: HttpRequest) -> QuerySet[Journey]:
    """The caller's visible journeys, open first, then the latest closed."""
    return visible_journeys(api_user(request)).order_by(
        F("closed_at").desc(nulls_first=True), "-id"
    )


def _out(account: Account, journey_id: int | None) -> AccountOut:
    return AccountOut(
        id=account.pk,
        name=account.name,
        domain=account.domain,
        segment=account.segment,
        employees=account.employees,
        created_at=account.created_at,
        journey_id=journey_id,
    )


@router.get("/accounts", response={200: PageOut[AccountOut], **error_responses(401, 422)})
def list_accounts(request: HttpRequest, page: Query[PageQuery]) -> Page[Account]:
    """The accounts you can see, by name."""
    journeys = _current_journeys(request).filter(account=OuterRef("pk")).values("id")[:1]
    accounts = visible_accounts(api_user(request)).annotate(journey_id=Subquery(journeys))
    return paginate(accounts, ACCOUNT_ORDER, limit=page.limit, cursor=page.after)


@router.post("/accounts", response={201: AccountOut, **error_responses(400, 401, 403, 422)})
def create_account(request: HttpRequest, data: AccountIn) -> Status[AccountOut]:
    """Create an account and open its journey, owned by you, in your team."""
    user = api_user(request)
    member = member_of(user)
    if member is None:
        raise NotPermitted("Only a member of a team can open accounts.")
    journey = open_journey_for_new_account(
        data.name,
        team=member.team,
        by=user,
        owner=member,
        domain=data.domain,
        segment=data.segment,
        employees=data.employees,
        source=data.source,
    )
    return Status(201, _out(journey.account, journey.pk))


@router.get("/accounts/{account_id}", response={200: AccountOut, **error_responses(401, 404, 422)})
def get_account(request: HttpRequest, account_id: IdPath) -> AccountOut:
    account = get_account_for_user(api_user(request), account_id)
    journey_id = _current_journeys(request).filter(account=account).values_list("id", flat=True)
    return _out(account, journey_id.first())
