"""Deals in a demo story: the new-business deal whose lines answer the needs
heard while selling, yearly renewals, and expansion into what is still unmet."""

from decimal import Decimal
from typing import TYPE_CHECKING

from onethread.catalogue.models import Product
from onethread.deals.models import Deal
from onethread.deals.services import LineItem, create_deal
from onethread.demo import company
from onethread.demo.workdays import YEAR, Action
from onethread.needs.models import Need

if TYPE_CHECKING:
    from onethread.demo.story import Story

PLANS = [offer.name for offer in company.PRODUCTS if offer.is_plan]


def priced(
    story: "Story", product: Product, *, quantity: int = 1, need: Need | None = None
) -> LineItem:
    discount = story.rng.choice([0, 0, 5, 10, 15])
    assert product.list_price is not None
    unit_price = (product.list_price * (100 - discount) / 100).quantize(Decimal("1"))
    return LineItem(product=product, quantity=quantity, unit_price=unit_price, need=need)


def add_on_lines(
    story: "Story", needs: list[Need], covered: set[str]
) -> tuple[list[LineItem], set[str]]:
    """Add-ons for the needs `covered` leaves out; a line names the first need it meets."""
    lines: list[LineItem] = []
    for need in needs:
        slug = story.world.slug(need)
        if not slug or slug in covered:
            continue
        product = story.world.product_for(slug)
        per_site = product.name == company.PER_SITE_PRODUCT
        lines.append(
            priced(story, product, quantity=story.plan.sites if per_site else 1, need=need)
        )
        covered = covered | story.world.covers[product.name]
    return lines, covered


def make_deal(
    story: "Story",
    moment: float,
    name: str,
    kind: str,
    lines: list[LineItem],
    *,
    closes: float,
    amount: Decimal | None = None,
) -> None:
    """Create the deal; its products also answer the other open needs of their categories."""
    deal = create_deal(
        story.journey,
        name,
        by=story.owner,
        kind=kind,
        amount=amount,
        close_date=story.world.clock.at(closes).date(),
        line_items=lines,
        at=story.when(moment),
    )
    story.deals.append(deal)
    story.needs = list(Need.objects.filter(journey=story.journey).order_by("id"))
    for need in story.needs_with(Need.Status.OPEN, Need.Status.UNMET):
        slug = story.world.slug(need)
        product = next(
            (line.product for line in lines if slug in story.world.covers[line.product.name]),
            None,
        )
        if product is not None:
            story.set_need(need.pk, Need.Status.ADDRESSED, product)(moment)


def plan_for(employees: int) -> str:
    """The plan a company of this size buys."""
    return PLANS[0 if employees < 150 else 1 if employees < 1500 else 2]


def new_business(story: "Story", closes: float) -> Action:
    """The first deal: a plan sized to the company, and add-ons for what it leaves out."""

    def action(moment: float) -> None:
        plan = story.world.products[plan_for(story.plan.employees)]
        covered = set(story.world.covers[plan.name])
        pending = story.needs_with(Need.Status.OPEN)
        answered = next((n for n in pending if story.world.slug(n) in covered), None)
        lines, covered = add_on_lines(story, pending, covered)
        lines.insert(0, priced(story, plan, need=answered))
        name = f"{plan.name} for {story.plan.name}"
        make_deal(story, moment, name, Deal.Kind.NEW_BUSINESS, lines, closes=closes)
        story.covered = covered
        story.bought = [line.product.name for line in lines]

    return action


def expansion(story: "Story", closes: float, *, wins: bool) -> Action:
    """Sell add-ons for the needs still open or unmet."""

    def action(moment: float) -> None:
        wanted = story.needs_with(Need.Status.OPEN, Need.Status.UNMET)
        lines, covered = add_on_lines(story, wanted, set(story.covered))
        if not lines:
            lines = [priced(story, story.world.products["Premium Support"])]
        name = "Expansion: " + ", ".join(line.product.name for line in lines)
        make_deal(story, moment, name, Deal.Kind.EXPANSION, lines, closes=closes)
        if wins:
            story.schedule(
                min(closes, moment + story.rng.uniform(10, 40)),
                lambda at: story.close_deals(at, Deal.Kind.EXPANSION),
            )
        story.covered = covered
        story.bought += [line.product.name for line in lines]

    return action


def schedule_renewals(story: "Story", won: float) -> None:
    """A renewal deal before each anniversary of the sale, won on the day."""
    year = 1
    while won + year * YEAR - 30 < story.plan.until:
        anniversary = won + year * YEAR
        story.schedule(anniversary - story.rng.uniform(20, 40), _renewal(story, year, anniversary))
        year += 1


def _renewal(story: "Story", year: int, anniversary: float) -> Action:
    def action(moment: float) -> None:
        first = next((d for d in story.deals if d.kind == Deal.Kind.NEW_BUSINESS), None)
        if first is None or first.amount is None:
            return
        uplift = Decimal(story.rng.choice([100, 100, 103, 105, 108])) / 100
        name = f"Renewal, year {year + 1}, for {story.plan.name}"
        amount = (first.amount * uplift).quantize(Decimal("1"))
        make_deal(story, moment, name, Deal.Kind.RENEWAL, [], closes=anniversary, amount=amount)
        story.schedule(
            anniversary - story.rng.uniform(0, 5),
            lambda at: story.close_deals(at, Deal.Kind.RENEWAL),
        )

    return action
