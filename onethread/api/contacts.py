"""/accounts/{id}/contacts and /contacts/{id}: the people at an account."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import ContactIn, ContactOut, IdPath, PageOut, PageQuery, error_responses
from onethread.customers.access import get_account_for_user, get_contact_for_user
from onethread.customers.models import Contact
from onethread.customers.services import add_contact

router = Router(tags=["contacts"])

CONTACT_ORDER = [Key("name", kind=str), Key("id")]


@router.get(
    "/accounts/{account_id}/contacts",
    response={200: PageOut[ContactOut], **error_responses(401, 404, 422)},
)
def list_contacts(
    request: HttpRequest, account_id: IdPath, page: Query[PageQuery]
) -> Page[Contact]:
    """An account's contacts, by name."""
    account = get_account_for_user(api_user(request), account_id)
    contacts = Contact.objects.filter(account=account)
    return paginate(contacts, CONTACT_ORDER, limit=page.limit, cursor=page.after)


@router.post(
    "/accounts/{account_id}/contacts",
    response={201: ContactOut, **error_responses(400, 401, 404, 422)},
)
def create_contact(request: HttpRequest, account_id: IdPath, data: ContactIn) -> Status[Contact]:
    user = api_user(request)
    account = get_account_for_user(user, account_id)
    contact = add_contact(
        account,
        data.name,
        by=user,
        email=data.email,
        phone=data.phone,
        title=data.title,
        buying_role=data.buying_role,
    )
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **error_responses(401, 404, 422)})
def get_contact(request: HttpRequest, contact_id: IdPath) -> Contact:
    return get_contact_for_user(api_user(request), contact_id)
