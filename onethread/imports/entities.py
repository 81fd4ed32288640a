"""What a mapping file may say for each kind of record it imports: the fields
a column can fill, their types and limits, which references a row may carry.
docs/importing.md is written from this table."""

from dataclasses import dataclass

from onethread.customers.models import Account, BuyingRole, Contact
from onethread.deals.models import Deal
from onethread.interactions.models import Interaction
from onethread.interactions.services import SUMMARY_MAX_LENGTH
from onethread.journeys.models import Journey
from onethread.support.models import Ticket

# text, email, domain, int, decimal, date, moment (date and time), bool,
# choice (one of `choices`, through a value map or as written), stage.
TYPES = frozenset(
    {"text", "email", "domain", "int", "decimal", "date", "moment", "bool", "choice", "stage"}
)
PRIORITIES = {"urgent": 1, "high": 2, "normal": 3, "low": 4}


@dataclass(frozen=True)
class Field:
    type: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str
    fields: dict[str, Field]
    references: frozenset[str] = frozenset()
    # At least one of these references (or inline account columns) must be mapped.
    needs_one_of: tuple[str, ...] = ()
    # The row names its account inline (account_name, account_domain) when no reference does.
    inline_account: bool = False
    # "Date entered <stage>" columns may be mapped.
    wide_history: bool = False
    # Where mapped `attributes` columns are kept: on the record, or on its
    # first event when the model has no attributes field.
    attributes_on: str = "record"
    sorting: int = 0


def _length(model: type, name: str) -> int | None:
    return model._meta.get_field(name).max_length  # type: ignore[attr-defined]


def _text(model: type, name: str, required: bool = False) -> Field:
    return Field("text", required, _length(model, name))


_INLINE_ACCOUNT = {
    "account_name": Field("text", max_length=_length(Account, "name")),
    "account_domain": Field("domain", max_length=_length(Account, "domain")),
}

ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in [
        Entity(
            "account",
            {
                "name": _text(Account, "name", required=True),
                "domain": Field("domain", max_length=_length(Account, "domain")),
                "segment": _text(Account, "segment"),
                "employees": Field("int"),
                "created_at": Field("moment"),
            },
            sorting=1,
        ),
        Entity(
            "journey",
            {
                "stage": Field("stage", required=True),
                "opened_at": Field("moment", required=True),
                "stage_entered_at": Field("moment"),
                "source": _text(Journey, "source"),
                "outcome_reason": Field("text", max_length=2000),
                "contact_name": _text(Contact, "name"),
                "contact_first_name": Field("text", max_length=100),
                "contact_last_name": Field("text", max_length=100),
                "contact_email": Field("email", max_length=_length(Contact, "email")),
                "contact_phone": _text(Contact, "phone"),
                "contact_title": _text(Contact, "title"),
                **_INLINE_ACCOUNT,
            },
            references=frozenset({"account", "owner"}),
            needs_one_of=("account",),
            inline_account=True,
            wide_history=True,
            sorting=2,
        ),
        Entity(
            "deal",
            {
                "name": _text(Deal, "name", required=True),
                "created_at": Field("moment", required=True),
                "stage": Field("stage"),
                "status": Field("choice", choices=tuple(Deal.Status.values)),
                "kind": Field("choice", choices=tuple(Deal.Kind.values)),
                "amount": Field("decimal"),
                "currency": Field("text", max_length=3),
                "close_date": Field("date"),
                "lost_reason": Field("text", max_length=2000),
                "source": _text(Journey, "source"),
            },
            references=frozenset({"journey", "account", "owner"}),
            needs_one_of=("journey", "account"),
            wide_history=True,
            sorting=3,
        ),
        Entity(
            "contact",
            {
                "name": _text(Contact, "name"),
                "first_name": Field("text", max_length=100),
                "last_name": Field("text", max_length=100),
                "email": Field("email", max_length=_length(Contact, "email")),
                "phone": _text(Contact, "phone"),
                "title": _text(Contact, "title"),
                "buying_role": Field("choice", choices=tuple(BuyingRole.values)),
                "is_active": Field("bool"),
                "created_at": Field("moment"),
                **_INLINE_ACCOUNT,
            },
            references=frozenset({"account"}),
            needs_one_of=("account",),
            inline_account=True,
            sorting=4,
        ),
        Entity(
            "stage_history",
            {"stage": Field("stage", required=True), "occurred_at": Field("moment")},
            references=frozenset({"deal", "journey", "owner"}),
            needs_one_of=("deal", "journey"),
            attributes_on="event",
            sorting=5,
        ),
        Entity(
            "interaction",
            {
                "channel": Field(
                    "choice", required=True, choices=tuple(Interaction.Channel.values)
                ),
                "direction": Field(
                    "choice", required=True, choices=tuple(Interaction.Direction.values)
                ),
                "summary": Field("text", required=True, max_length=SUMMARY_MAX_LENGTH),
                "occurred_at": Field("moment", required=True),
            },
            references=frozenset({"journey", "account", "contact", "owner"}),
            needs_one_of=("journey", "account"),
            attributes_on="event",
            sorting=6,
        ),
        Entity(
            "ticket",
            {
                "subject": Field("text", required=True, max_length=_length(Ticket, "subject")),
                "opened_at": Field("moment", required=True),
                "resolved_at": Field("moment"),
                "priority": Field("choice", choices=tuple(PRIORITIES)),
                "status": Field("choice", choices=tuple(Ticket.Status.values)),
            },
            references=frozenset({"journey", "account", "owner"}),
            needs_one_of=("journey", "account"),
            attributes_on="event",
            sorting=7,
        ),
    ]
}

# Which kind of record a reference names, for the external-id lookup.
REFERENCE_KINDS = {"account": "account", "journey": "journey", "deal": "deal", "contact": "contact"}
OWNER_LOOKUPS = ("email", "username", "name")
CONTACT_LOOKUPS = ("external_id", "email")
