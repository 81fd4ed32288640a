"""/journeys/{id}/needs and /needs/{id}: the needs ledger."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import IdPath, NeedChangeIn, NeedIn, NeedOut, NeedQuery, PageOut
from onethread.api.schemas import error_responses as errors
from onethread.catalogue.models import Category, Product
from onethread.journeys.access import get_journey_for_user
from onethread.needs.access import get_need_for_user
from onethread.needs.models import Need
from onethread.needs.services import capture_need, change_need

router = Router(tags=["needs"])

NEED_ORDER = [Key("priority"), Key("id")]
NEED_RELATED = ["category", "product", "captured_by", "captured_at_stage"]


def _category(slug: str | None) -> Category | None:
    if slug is None:
        return None
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationError({"category": f"There is no category {slug!r}."})
    return category


def _product(product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError({"product": f"There is no product {product_id}."})
    return product


@router.get(
    "/journeys/{journey_id}/needs", response={200: PageOut[NeedOut], **errors(401, 404, 422)}
)
def list_needs(request: HttpRequest, journey_id: IdPath, query: Query[NeedQuery]) -> Page[Need]:
    """A journey's needs, most pressing first."""
    journey = get_journey_for_user(api_user(request), journey_id)
    needs = Need.objects.filter(journey=journey).select_related(*NEED_RELATED)
    if query.status:
        needs = needs.filter(status=query.status)
    return paginate(needs, NEED_ORDER, limit=query.limit, cursor=query.after)


@router.post("/journeys/{journey_id}/needs", response={201: NeedOut, **errors(400, 401, 404, 422)})
def create_need(request: HttpRequest, journey_id: IdPath, data: NeedIn) -> Status[Need]:
    """Capture a need, at the journey's current stage."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    need = capture_need(
        journey,
        data.statement,
        by=user,
        category=_category(data.category),
        priority=data.priority,
    )
    return Status(201, get_need_for_user(user, need.pk))


@router.get("/needs/{need_id}", response={200: NeedOut, **errors(401, 404, 422)})
def get_need(request: HttpRequest, need_id: IdPath) -> Need:
    return get_need_for_user(api_user(request), need_id)


@router.patch("/needs/{need_id}", response={200: NeedOut, **errors(400, 401, 404, 409, 422)})
def update_need(request: HttpRequest, need_id: IdPath, data: NeedChangeIn) -> Need:
    """Change a need; name the version you edited (409 when it changed since)."""
    user = api_user(request)
    need = get_need_for_user(user, need_id)
    change_need(
        need,
        by=user,
        expected_version=data.version,
        statement=data.statement,
        status=data.status,
        priority=data.priority,
        category=_category(data.category),
        product=_product(data.product),
    )
    return get_need_for_user(user, need_id)
