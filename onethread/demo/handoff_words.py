"""What the demo's people write when they hand a journey over: notes, open
questions, answers to the contract, override reasons, return comments, what
the receiver found missing, and the questions they ask earlier owners.

Keyed by transition (from stage key, to stage key). Placeholders are the
story's words (onethread.demo.story.Story.words) plus {sender} and {receiver}
(usernames, for @mentions) and {statement} (a need)."""

Step = tuple[str, str]

NOTES: dict[Step, tuple[str, ...]] = {
    ("lead", "qualification"): (
        "Inbound lead: {contact} asked about {topic}; {employees} staff. Please call today.",
        "{employees} staff across {sites} sites, interested in {topic}. Warm: replied within "
        "the hour.",
        "Came in with a clear question about {topic}; {contact} expects a call this week.",
    ),
    ("qualification", "closing"): (
        "Qualified: {sites} sites, orders tracked in spreadsheets; the main pain is {topic}. "
        "{contact} is our champion and wants a demo.",
        "Good fit: {employees} staff, {sites} sites, wants {topic} sorted before peak season.",
        "Strong interest in {plan}; {contact} has budget this year. Demo requested for the "
        "whole operations team.",
    ),
    ("onboarding", "adoption"): (
        "Live at the first site with {users} users trained. {contact} is the day-to-day contact.",
        "Go-live done; {topic} works, the other sites follow next quarter.",
        "Onboarding closed: integration running, dispatchers trained, {contact} happy so far.",
    ),
    ("adoption", "expansion"): (
        "{contact} wants {product} for the other sites; renewal looks safe.",
        "Usage is steady at {users} users; they asked for a proposal for {product}.",
        "Business review went well: they want to talk about {product} this quarter.",
    ),
}
# closing → onboarding: the AE's summary of the signed deal, built from the record.
WON_NOTE = (
    "Signed {plan}. Champion: {champion}; decision maker: {decider}. {promises}. "
    "They care most about {topic}."
)

OPEN_QUESTIONS: dict[Step, tuple[str, ...]] = {
    ("lead", "qualification"): (
        "Is this the same group as the other {segment} lead from last month?",
        "They mentioned a tender; do we know the deadline?",
    ),
    ("qualification", "closing"): (
        "Is their IT director part of the decision?",
        "Do they need SSO from day one?",
        "Are they also talking to their ERP vendor's module?",
    ),
    ("closing", "onboarding"): (
        "Who on their side owns the ERP integration?",
        "Can the first site go live before their peak season?",
        "They asked for on-site training; is that in the plan we sold?",
    ),
    ("onboarding", "adoption"): (
        "The second site is not live yet; who chases their IT?",
        "Should the first business review include their finance team?",
    ),
    ("adoption", "expansion"): (
        "Do we bundle the expansion with the renewal?",
        "Is their new COO aware of the proposal?",
    ),
}

# Contract item label → the sender's answer when they confirm it.
ANSWERS: dict[str, tuple[str, ...]] = {
    "Timing and budget known": (
        "Budget set aside for this year; they want to decide within six weeks.",
        "About 40k a year approved by the CFO; decision before the end of the quarter.",
        "Budget comes from the operations director; timing tied to their peak season.",
    ),
    "Next step agreed with the customer": (
        "Demo booked with {contact} and the operations team.",
        "{contact} agreed to a demo next week with their IT lead.",
    ),
    "Success criteria agreed with the customer": (
        "On-time delivery above 95 % at the first site within three months.",
        "No more manual carrier booking: every order routed automatically by go-live.",
        "{users} active users and {topic} in daily use by the end of the first quarter.",
    ),
    "Success criteria met, or re-dated with the customer": (
        "First site live; {users} active users. The second-site target is re-dated with {contact}.",
        "Met: on-time delivery up and {topic} in daily use.",
    ),
}
GENERIC_ANSWER = "Confirmed with {contact}."
# What a sender writes when they confirm an item without saying much.
VAGUE_ANSWERS = ("Roughly known.", "Discussed, see the notes.", "Yes.")

# Contract rule (or label of a confirmed item) → why the sender sends anyway.
OVERRIDES: dict[str, tuple[str, ...]] = {
    "decision_maker": (
        "Their COO only meets us with an AE in the room; {contact} is arranging it.",
        "The decision maker is new in the role; we meet them at the demo.",
    ),
    "stakeholders": (
        "No decision maker met: {contact} signed under delegated authority.",
        "Their MD signed without meeting us; {contact} runs the project.",
    ),
    "needs_mapped": (
        "Signed today; the open needs will be scoped at the kickoff.",
        "Customer wants to start this week; we map the last needs together.",
    ),
    "need_captured": ("The discovery call is booked for the AE; they asked for a demo first.",),
    "commitments_handed_over": (
        "I keep the open onboarding promises until the second site is live.",
        "Two onboarding promises still open; they are mine until go-live.",
    ),
    "confirmed": (
        "The customer will set this at the kickoff.",
        "Not agreed yet; the champion is on holiday until next week.",
        "Customer wants to start now; the rest follows.",
    ),
}

# On a promise the sender hands to the next stage's owner.
HANDED_OVER = "Handed over with the account: the next stage keeps this promise."

# Return reason key → the receiver's comment. {missing} names what was missing.
RETURN_COMMENTS: dict[str, tuple[str, ...]] = {
    "missing_information": (
        "Missing: {missing}. I can't plan from this; please complete it first.",
        "Please add {missing} before I take it.",
        "Not enough to work with: {missing}.",
    ),
    "wrong_owner": (
        "This is {other}'s territory; sending it back so you can route it to them.",
        "{other} already knows this customer; please send it to them.",
    ),
    "bad_timing": (
        "They are mid-reorganisation until next month; send it again when they are ready.",
        "Their peak season starts now; nobody there has time. Back in a few days.",
    ),
    "not_qualified": (
        "Under 20 shipments a day from what I see; please confirm volume first.",
        "No budget owner yet; qualify it further, then send it again.",
    ),
}
# When nothing formally required was missing but the answers said nothing.
VAGUE_RETURN = (
    "The answers say nothing concrete: which KPI, by when, agreed with whom?",
    "“Roughly known” is not enough for me to plan with; please be specific.",
)

# What the receiver names as missing on accepting, beyond the contract.
MISSING_FEEDBACK: dict[Step, tuple[str, ...]] = {
    ("lead", "qualification"): ("A phone number for the contact", "Company size"),
    ("qualification", "closing"): (
        "Who signs off the budget",
        "Their current tool and when its contract ends",
        "How many sites are in scope",
    ),
    ("closing", "onboarding"): (
        "Technical contact for the ERP integration",
        "The go-live date the customer expects",
        "Which site goes live first",
        "What was promised about training",
        "Success criteria in the customer's own words",
    ),
    ("onboarding", "adoption"): (
        "Usage per site since go-live",
        "Open support tickets and their history",
    ),
    ("adoption", "expansion"): ("Renewal date and current price", "Who approves new spend"),
}

# The new owner asks the previous one on the timeline; the previous owner answers.
ASKS: dict[Step, tuple[str, ...]] = {
    ("lead", "qualification"): ("@{sender} did they say how they found us?",),
    ("qualification", "closing"): (
        "@{sender} did they mention a budget owner besides {contact}?",
        "@{sender} which carrier do they use today?",
    ),
    ("closing", "onboarding"): (
        "@{sender} what exactly did we promise about training?",
        "@{sender} did they agree to the go-live date in writing?",
        "@{sender} who is their IT contact for the integration?",
    ),
    ("onboarding", "adoption"): ("@{sender} anything the customer was unhappy about at go-live?",),
    ("adoption", "expansion"): ("@{sender} how did the last business review go?",),
}
REPLIES = (
    "@{receiver} yes, it's in the notes of my last call with {contact}.",
    "@{receiver} {contact} knows; I'll introduce you by email today.",
    "@{receiver} not discussed, sorry. Worth asking {contact} directly.",
    "@{receiver} good question: I added what I know to the timeline.",
)
# The receiver tells the earlier owner the customer had to repeat themselves.
REPEATED = (
    "@{sender} the customer had to explain this again: “{statement}”. It was in the "
    "ledger already; let's mention it in the brief next time.",
    "@{sender} {contact} told us again about {statement_short}. Heard it before?",
)
# How a need sounds the second time the customer says it.
RESTATED = (
    "They told us again: {statement}",
    "Customer asked again for {statement}",
    "{statement} (asked again at the kick-off)",
)
