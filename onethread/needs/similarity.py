"""Is a new need one the ledger already holds? Normalised text compared by
character trigrams, so word order, case, accents, punctuation and small typos
do not hide a repeat."""

import re
import unicodedata

# Dice coefficient of trigram sets at or above which two needs are "the same".
REPEAT_THRESHOLD = 0.55

_FILLER = (
    "a an and are as at be by for from has have in is it its of on or our that the their "
    "them they this to we with need needs want wants would like should must"
)
_STOPWORDS = frozenset(_FILLER.split())


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, no filler words."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return " ".join(word for word in words if word not in _STOPWORDS)


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """1.0 for the same need in other words' clothing, 0.0 for nothing alike."""
    left, right = _trigrams(normalise(a)), _trigrams(normalise(b))
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


def best_matches(
    statement: str, known: list[tuple[int, str]], threshold: float = REPEAT_THRESHOLD
) -> list[tuple[int, float]]:
    """The known needs (id, text) similar to the statement, most similar first."""
    scored = [(need_id, similarity(statement, text)) for need_id, text in known]
    return sorted(
        ((need_id, score) for need_id, score in scored if score >= threshold),
        key=lambda pair: -pair[1],
    )
