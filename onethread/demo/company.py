"""The demo company as plain data: Shipwright, a logistics operations platform
sold business to business, its people, its catalogue, and the small word lists
the seed draws its customers and their stories from."""

from decimal import Decimal
from typing import NamedTuple

from onethread.team.models import Role

COMPANY_NAME = "Shipwright"
COMPANY_PITCH = "a logistics operations platform"
EMAIL_DOMAIN = "shipwright.example"

DEMO_PASSWORD = "onethread-demo"

NEW_BUSINESS = "New business"
CUSTOMER_SUCCESS = "Customer success"
TEAM_NAMES = (NEW_BUSINESS, CUSTOMER_SUCCESS)
# How each team assigns work nobody named a receiver for.
TEAM_ROUTING = {NEW_BUSINESS: "round_robin", CUSTOMER_SUCCESS: "least_busy"}
# Who takes no new work today, since how many working days, and why: routing skips them.
AWAY = ("maya", 10, "closes the quarter's enterprise deals and takes no new work")

# username, full name, team, role
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    ("lena", "Lena Fischer", NEW_BUSINESS, Role.LEAD_GENERATION),
    ("sam", "Sam Okafor", NEW_BUSINESS, Role.SDR),
    ("sofia", "Sofia Marin", NEW_BUSINESS, Role.SDR),
    ("alex", "Alex Novak", NEW_BUSINESS, Role.AE),
    ("maya", "Maya Lindqvist", NEW_BUSINESS, Role.AE),
    ("nina", "Nina Duarte", NEW_BUSINESS, Role.MANAGER),
    ("omar", "Omar Haddad", CUSTOMER_SUCCESS, Role.ONBOARDING),
    ("priya", "Priya Raman", CUSTOMER_SUCCESS, Role.SUPPORT),
    ("chris", "Chris Mbeki", CUSTOMER_SUCCESS, Role.CSM),
    ("julia", "Julia Santos", CUSTOMER_SUCCESS, Role.CSM),
    ("tom", "Tom Becker", CUSTOMER_SUCCESS, Role.MANAGER),
    ("ada", "Ada Kowalski", NEW_BUSINESS, Role.ADMIN),
]
# Staff and superuser too, so the Django admin works for her.
SUPERUSERS = ("ada",)

# slug, name
CATEGORIES: list[tuple[str, str]] = [
    ("reporting", "Reporting"),
    ("integrations", "Integrations"),
    ("automation", "Workflow automation"),
    ("security-compliance", "Security & compliance"),
    ("multi-site", "Multi-site operations"),
    ("onboarding-training", "Onboarding & training"),
    ("support-sla", "Support SLA"),
    ("analytics", "Analytics"),
]

PLAN, ADD_ON = "plan", "add-on"


class Offer(NamedTuple):
    """A product on the price list (a tuple, so it also unpacks)."""

    name: str
    tier: str  # base, pro or enterprise for a plan; add-on otherwise
    kind: str  # PLAN or ADD_ON
    price: Decimal  # a year; per site for Multi-site Control
    categories: tuple[str, ...]  # the needs it addresses
    description: str

    @property
    def is_plan(self) -> bool:
        return self.kind == PLAN


EVERY_CATEGORY_BUT_TRAINING = tuple(slug for slug, _ in CATEGORIES if slug != "onboarding-training")
# fmt: off
PRODUCTS: list[Offer] = [
    Offer("Shipwright Base", "base", PLAN, Decimal("6000"), ("reporting",),
          "Orders, shipments and standard reports for one site."),
    Offer("Shipwright Pro", "pro", PLAN, Decimal("14400"),
          ("reporting", "integrations", "automation"),
          "Base plus carrier and ERP connectors and workflow rules."),
    Offer("Shipwright Enterprise", "enterprise", PLAN, Decimal("36000"),
          EVERY_CATEGORY_BUT_TRAINING,
          "Everything, for many sites, with SSO, audit trail and a 4-hour SLA."),
    Offer("Integration Hub", ADD_ON, ADD_ON, Decimal("4800"), ("integrations",),
          "Two-way ERP sync, carrier tracking feeds and a data warehouse export."),
    Offer("Automation Studio", ADD_ON, ADD_ON, Decimal("3600"), ("automation",),
          "Rules for carrier selection, replanning and returns."),
    Offer("Advanced Analytics", ADD_ON, ADD_ON, Decimal("6000"), ("analytics", "reporting"),
          "Forecasts, cost-to-serve and lane performance."),
    Offer("Compliance Pack", ADD_ON, ADD_ON, Decimal("4200"), ("security-compliance",),
          "SSO, fine-grained roles, audit trail and EU data residency."),
    Offer("Multi-site Control", ADD_ON, ADD_ON, Decimal("1200"), ("multi-site",),
          "One workspace for many sites; priced per site."),
    Offer("Premium Support", ADD_ON, ADD_ON, Decimal("3000"), ("support-sla",),
          "4-hour response on incidents and a named support engineer."),
    Offer("Onboarding Academy", ADD_ON, ADD_ON, Decimal("2500"), ("onboarding-training",),
          "On-site training days and admin certification."),
]
# fmt: on
PER_SITE_PRODUCT = "Multi-site Control"

SOURCES = ("website", "referral", "paid_search", "events", "outbound", "partner")
SOURCE_WEIGHTS = (30, 14, 16, 10, 20, 10)

# segment, the words its company names end with, employee-size weights (small → large)
SEGMENTS: list[tuple[str, tuple[str, ...], tuple[int, int, int, int]]] = [
    ("retail", ("Retail", "Stores", "Outfitters", "Market"), (30, 40, 20, 10)),
    ("manufacturing", ("Manufacturing", "Components", "Industries", "Works"), (25, 40, 25, 10)),
    ("healthcare", ("Health", "Medical Supply", "Clinics", "Pharma"), (25, 35, 25, 15)),
    ("logistics", ("Freight", "Logistics", "Transport", "Distribution"), (30, 40, 20, 10)),
    ("software", ("Software", "Labs", "Systems", "Digital"), (45, 35, 15, 5)),
    (
        "public sector",
        ("County Services", "Municipal Works", "Transit", "Public Supply"),
        (10, 35, 35, 20),
    ),
    ("food & beverage", ("Foods", "Beverages", "Farms", "Bakeries"), (35, 40, 20, 5)),
    ("wholesale", ("Wholesale", "Trading", "Supply", "Imports"), (35, 40, 20, 5)),
]
EMPLOYEE_BANDS = ((15, 99), (100, 499), (500, 1999), (2000, 12000))
NAME_STARTS = (
    "North",
    "Blue",
    "Iron",
    "Silver",
    "Harbor",
    "Summit",
    "Cedar",
    "Granite",
    "Bright",
    "Riverside",
    "Oak",
    "Pioneer",
    "Atlas",
    "Lumen",
    "Crescent",
    "Maple",
    "Falcon",
    "Meridian",
    "Evergreen",
    "Coastal",
    "Alpine",
    "Keystone",
    "Redwood",
    "Sterling",
    "Vista",
    "Beacon",
    "Highland",
    "Orchard",
    "Polar",
    "Sunrise",
)
LEGAL_FORMS = ("", "", "", " GmbH", " Ltd", " Inc.", " B.V.", " AB", " S.A.")

FIRST_NAMES = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lucia",
    "Marek",
    "Noor",
    "Oliver",
    "Paula",
    "Rafael",
    "Sara",
    "Tariq",
    "Ulla",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bjorn",
    "Chloe",
    "Dmitri",
    "Emma",
    "Farah",
)
LAST_NAMES = (
    "Andersen",
    "Brown",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jansen",
    "Kowalczyk",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okonkwo",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Underwood",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Adeyemi",
    "Bianchi",
    "Chen",
    "Dahl",
)
# buying role → job titles
TITLES: dict[str, tuple[str, ...]] = {
    "champion": (
        "Head of Operations",
        "Logistics Manager",
        "Warehouse Operations Lead",
        "Supply Chain Manager",
    ),
    "decision_maker": ("COO", "VP Operations", "CFO", "Managing Director"),
    "blocker": ("IT Director", "Head of Procurement", "CISO"),
    "user": ("Dispatcher", "Shift Supervisor", "Transport Planner", "Customer Service Lead"),
    "other": ("Office Manager", "Operations Analyst", "Executive Assistant"),
}

# category slug → what customers say they need ({sites} is filled in)
NEEDS: dict[str, tuple[str, ...]] = {
    "reporting": (
        "Weekly on-time delivery report for the operations director, without spreadsheet work",
        "Daily exceptions report per warehouse before the morning stand-up",
        "One report of carrier cost per shipment across every region",
    ),
    "integrations": (
        "Two-way sync of orders and stock with their ERP",
        "Carrier tracking feeds connected, so customer service stops copying numbers by hand",
        "Shipment events in their data warehouse every night",
    ),
    "automation": (
        "Automatic carrier selection by cost and delivery promise",
        "Replan routes when a driver calls in sick without rebuilding the day by hand",
        "Returns labels created automatically from the customer portal",
    ),
    "security-compliance": (
        "Pass their annual security review: SOC 2 report, DPA, data kept in the EU",
        "Role-based access so temporary staff see only their own site",
        "Audit trail of every change to customer orders, for GDPR requests",
    ),
    "multi-site": (
        "Run all {sites} sites from one workspace with targets per site",
        "Move stock between warehouses without re-keying orders",
        "Compare throughput across sites in one view",
    ),
    "onboarding-training": (
        "Train the night shift without taking the team off the floor",
        "Admins who can configure workflows themselves after go-live",
        "Go live before peak season",
    ),
    "support-sla": (
        "Four-hour response on incidents that stop shipping",
        "A named support contact who knows their setup",
        "Support in German and English during their shift hours",
    ),
    "analytics": (
        "Forecast weekly volume to plan staffing",
        "Cost-to-serve per customer, to renegotiate contracts",
        "Spot late-delivery patterns by carrier and lane",
    ),
}

# category slug → ticket subjects
TICKETS: dict[str, tuple[str, ...]] = {
    "reporting": (
        "Weekly delivery report is missing Saturday shipments",
        "Excel export of the quarter times out",
    ),
    "integrations": (
        "Orders from the ERP stopped syncing overnight",
        "Tracking numbers not updating for one carrier",
    ),
    "automation": (
        "Carrier rule picks the express service for every order",
        "Returns labels not created for web shop orders",
    ),
    "security-compliance": (
        "New site manager cannot sign in with SSO",
        "Request for the updated data processing agreement",
    ),
    "multi-site": (
        "Stock transfer between two warehouses shows twice",
        "Site targets reset after adding a new site",
    ),
    "onboarding-training": (
        "Refresher session needed for new dispatchers",
        "Help configuring a new approval workflow",
    ),
    "support-sla": (
        "Urgent: label printing down at the main warehouse",
        "Escalation: response time on the last incident was missed",
    ),
    "analytics": (
        "Forecast looks off after the holiday week",
        "Cost-to-serve dashboard shows no data for one customer",
    ),
}

# Promises made while closing. Before the sale the AE keeps them; after it,
# the onboarding manager or the CSM does.
PRESALE_PROMISES = (
    "Send the SOC 2 report and a draft data processing agreement",
    "Share a reference customer in {segment}",
    "Send a revised quote with a two-year option",
    "Set up a call with our integration engineer about their ERP",
    "Send the implementation plan and timeline",
)
ONBOARDING_PROMISES = (
    "Go live at the first site within six weeks of signature",
    "Connect the ERP integration before go-live",
    "Train the dispatch team in two on-site sessions",
    "Deliver the on-time delivery report template during onboarding",
)
CSM_PROMISES = (
    "Hold a first business review with the operations director after 90 days",
    "Review the carrier rules together after the first month live",
    "Provide a named support contact for peak season",
)

DISQUALIFIED_REASONS = (
    "No budget this year",
    "Too small: fewer than 20 shipments a day",
    "Under contract with a competitor until next year",
    "No response after six attempts",
    "Operates only outside our markets",
    "Student research project, not a buyer",
)
LOST_REASONS = (
    "Chose a competitor on price",
    "Moved to an in-house tool",
    "Project postponed to next fiscal year",
    "Went with the module of their existing ERP",
    "Champion left the company",
    "Security review not finished in time",
)
CHURN_REASONS = (
    "Moved to an in-house tool",
    "Acquired; the parent company standardised on another platform",
    "Budget cut after a restructuring",
    "Never got past the first site; low adoption",
    "Chose a competitor with built-in telematics",
    "Closed their own warehouse operation and outsourced it",
)

EVENTS = ("Supply Chain Days", "the Warehouse Operations Forum", "the Retail Logistics Summit")
PARTNERS = ("Kestrel Consulting", "Nordlicht ERP Partners", "Bayside Systems Integrators")

# stage → (channel, direction, summary) for ordinary conversations in it.
# Placeholders: {contact} {topic} {plan} {sites} {users} {product}
CONVERSATIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lead": (
        ("email", "outbound", "Sent the {segment} case study and asked for a short call."),
        ("call", "outbound", "Left a voicemail for {contact}; follow-up email sent."),
        ("email", "inbound", "{contact} replied: interested, asked what onboarding takes."),
    ),
    "qualification": (
        (
            "call",
            "outbound",
            "Discovery call with {contact}: {sites} sites, orders tracked in spreadsheets.",
        ),
        (
            "meeting",
            "outbound",
            "Video discovery with {contact} and the logistics team; walked through order to "
            "delivery.",
        ),
        ("call", "outbound", "Follow-up call: confirmed who owns the budget and the timeline."),
        ("email", "outbound", "Sent the qualification summary and proposed a product demo."),
    ),
    "closing": (
        (
            "meeting",
            "outbound",
            "Product demo for {contact} and the operations team, focused on {topic}.",
        ),
        (
            "meeting",
            "outbound",
            "Pricing discussion with {contact}: {plan} against the tier below.",
        ),
        ("call", "outbound", "Security review call with their IT about SSO and data residency."),
        ("email", "outbound", "Sent the proposal for {plan}."),
        ("call", "inbound", "{contact} asked for a discount on a two-year term."),
    ),
    "onboarding": (
        (
            "meeting",
            "outbound",
            "Kick-off with {contact}: agreed the go-live plan and the first site.",
        ),
        ("meeting", "outbound", "Training session for the dispatchers."),
        ("call", "outbound", "Integration check with their IT: test orders flowing from the ERP."),
        ("email", "outbound", "Sent the go-live checklist and the admin guide."),
    ),
    "adoption": (
        (
            "meeting",
            "outbound",
            "Business review with {contact}: on-time delivery up; {topic} is next.",
        ),
        ("call", "outbound", "Check-in call: usage steady at {users} active users."),
        ("email", "outbound", "Shared the release notes and invited the team to the webinar."),
        ("email", "inbound", "{contact} asked about adding another site."),
    ),
    "expansion": (
        ("meeting", "outbound", "Expansion workshop with {contact}: {topic} for the other sites."),
        ("call", "outbound", "Pricing call for {product}."),
        ("email", "outbound", "Sent the expansion proposal for {product}."),
    ),
}

# source → the first touch: (channel, direction, summary). Further placeholders:
# {employees} {referrer} {event} {partner}
FIRST_TOUCH: dict[str, tuple[str, str, str]] = {
    "website": (
        "email",
        "inbound",
        "Demo request through the website form: {employees} staff, interested in {topic}.",
    ),
    "paid_search": (
        "email",
        "inbound",
        "Downloaded the pricing guide after a search ad; asked about {topic}.",
    ),
    "referral": (
        "email",
        "inbound",
        "Introduced by {referrer}, a customer; wants the same for {topic}.",
    ),
    "events": ("event", "inbound", "Met {contact} at {event}; wants to see {topic}."),
    "outbound": ("email", "outbound", "Cold email to {contact} about {topic} in {segment}."),
    "partner": ("email", "inbound", "{partner} registered the lead: evaluating tools for {topic}."),
}

RENEGOTIATION_NOTES = (
    "Their IT moved the integration window; new date agreed with the champion.",
    "Customer asked to wait until after their stock-take.",
    "Slipped a week on our side; told the customer before the date.",
)
BROKEN_NOTES = (
    "Missed: the team was busy with another go-live.",
    "Missed: we waited on the customer's IT and did not tell them.",
    "Not delivered; the customer raised it in the review.",
)
MANAGER_REVIEWS = (
    "Account review: healthy; renewal looks safe.",
    "Account review: usage dropped at two sites; plan a visit.",
    "Account review: ask for a reference once the second site is live.",
    "Account review: the champion is changing roles; meet the successor early.",
)
