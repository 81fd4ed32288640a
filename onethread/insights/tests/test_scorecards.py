import pytest

from onethread.insights import scorecards
from onethread.insights.tests.data import NOW, PERIOD, day, frames, journey

MEMBERS = [
    {"member_id": 1, "name": "Ana", "role": "sdr", "team_id": 1},
    {"member_id": 2, "name": "Bo", "role": "sdr", "team_id": 1},
    {"member_id": 3, "name": "Cy", "role": "sdr", "team_id": 1},
    {"member_id": 9, "name": "Dee", "role": "ae", "team_id": 1},
]


def won(journey_id, activated):
    values = [(30, 10.0)] if activated else []
    return journey(
        journey_id,
        [("qualification", 1), ("closing", 2), ("onboarding", 20)],
        won=20,
        values=values,
    )


def seat(journey_id, member_id, stage):
    return {"journey_id": journey_id, "member_id": member_id, "stage": stage, "owned": True}


def test_each_member_sees_their_local_number_beside_the_journey_outcome():
    # Ana qualified 3 leads, one activated; Bo 2, both activated; Cy 1 lead that stalled.
    stalled = journey(7, [("qualification", 1)])
    journeys = [won(1, True), won(2, False), won(3, False), won(4, True), won(5, True), stalled]
    seats = [
        seat(1, 1, "qualification"),
        seat(2, 1, "qualification"),
        seat(3, 1, "qualification"),
        seat(4, 2, "qualification"),
        seat(5, 2, "qualification"),
        seat(7, 3, "qualification"),
        seat(1, 9, "closing"),
        seat(2, 9, "closing"),
    ]
    handoffs = [
        {
            "journey_id": 1,
            "from_member_id": 9,
            "from_stage": "closing",
            "to_stage": "onboarding",
            "sent_at": day(19),
            "status": "returned",
        }
    ]
    data = frames(*journeys, seats=seats, members=MEMBERS, handoffs=handoffs)

    result = scorecards.scorecards(data, PERIOD, NOW)

    cards = {card["name"]: card for card in result["members"]}
    assert (cards["Ana"]["local"], cards["Ana"]["outcome"]) == (3, pytest.approx(1 / 3))
    assert (cards["Bo"]["local"], cards["Bo"]["outcome"]) == (2, 1.0)
    assert (cards["Cy"]["local"], cards["Cy"]["outcome"]) == (0, None)
    assert (cards["Dee"]["local"], cards["Dee"]["outcome"]) == (2, 0.5)
    assert cards["Dee"]["handoffs_returned"] == 1
    assert cards["Dee"]["first_year_retention"] is None  # won less than a year before NOW
    sdr = next(gap for gap in result["gaps"] if gap["family"] == "sdr")
    assert sdr["members"] == 2  # Cy has no outcome to rank
    assert sdr["spearman"] is None  # three members are needed


def test_first_year_retention_counts_wins_a_year_old_not_churned_within_the_year():
    kept = journey(1, [("closing", 1), ("onboarding", 2)], won=2)
    churned_late = journey(
        2, [("closing", 1), ("onboarding", 2), ("churned", 400)], won=2, outcome="churned"
    )
    churned_early = journey(
        3, [("closing", 1), ("onboarding", 2), ("churned", 100)], won=2, outcome="churned"
    )
    seats = [seat(n, 9, "closing") for n in (1, 2, 3)]
    data = frames(kept, churned_late, churned_early, seats=seats, members=MEMBERS)

    cards = scorecards.member_scorecards(data, PERIOD, day(500))

    assert cards[0]["won_a_year_ago"] == 3
    assert cards[0]["first_year_retention"] == pytest.approx(2 / 3)


def test_average_ranks_share_ties():
    assert scorecards.average_ranks([10, 30, 30, 5]) == [3, 1.5, 1.5, 4]


def test_spearman_is_one_for_the_same_order_and_minus_one_for_the_reverse():
    assert scorecards.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1)
    assert scorecards.spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1)
    # hand-computed: ranks (4,3,2,1) vs (3,4,1,2): d² = 1+1+1+1 → 1 - 6·4/(4·15) = 0.6
    assert scorecards.spearman([1, 2, 3, 4], [2, 1, 4, 3]) == pytest.approx(0.6)
    assert scorecards.spearman([1, 1, 1], [1, 2, 3]) is None


def test_the_gap_names_the_members_whose_two_ranks_differ_most():
    cards = [
        {"member_id": n, "name": name, "family": "ae", "local": local, "outcome": outcome}
        for n, (name, local, outcome) in enumerate(
            [("A", 10, 0.1), ("B", 8, 0.5), ("C", 6, 0.6), ("D", 1, 0.9)], start=1
        )
    ]
    gap = next(g for g in scorecards.compartmentalisation_gaps(cards) if g["family"] == "ae")

    assert gap["spearman"] == pytest.approx(-1)  # d² = 9+1+1+9 = 20 → 1 - 6·20/(4·15)
    assert [d["name"] for d in gap["disagreements"]] == ["A", "D", "B"]
    assert gap["disagreements"][0] | {} == {
        "member_id": 1,
        "name": "A",
        "local": 10,
        "outcome": 0.1,
        "local_rank": 1.0,
        "outcome_rank": 4.0,
    }
