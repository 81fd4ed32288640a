"""Finding the record an imported row already is, so an import never makes a
second copy: accounts by domain, then by normalised name; contacts by email,
whatever its case. (Matching by external id comes first, in the importer.)"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Legal forms left off the end of a company's name before comparing names.
LEGAL_SUFFIXES = frozenset(
    [
        *("inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp"),
        *("ltd", "limited", "plc", "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "se"),
        *("sa", "sas", "sasu", "sarl", "sca", "scs", "snc", "sl", "slu", "srl", "spa", "sapa"),
        *("bv", "nv", "vof", "cv", "ab", "oy", "oyj", "as", "asa", "aps"),
        *("pty", "pte", "bhd", "sdn", "kk", "ltda", "eireli"),
    ]
)
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise_name(name: str) -> str:
    """The part of a company name that identifies it: no case, no accents,
    no punctuation, no trailing legal form ("ACME, Inc." → "acme",
    "Müller GmbH & Co. KG" → "muller")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = text.replace(".", "")  # S.A. → sa, B.V. → bv
    words = _PUNCTUATION.sub(" ", text).split()
    core = list(words)
    while len(core) > 1 and core[-1] in LEGAL_SUFFIXES:
        core.pop()
    return " ".join(core)


def normalise_domain(value: str) -> str:
    """The host of a domain or web address, lower case, without www.
    ("https://www.Acme.com/about" → "acme.com"); "" when there is none."""
    text = value.strip().casefold()
    if not text:
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host if "." in host else ""


def normalise_email(value: str) -> str:
    return value.strip().casefold()


@dataclass
class AccountMatcher:
    """Existing accounts by domain and by normalised name; accounts created
    during the import are added as they are made."""

    by_domain: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, accounts: Iterable[tuple[int, str, str]]) -> "AccountMatcher":
        """From (id, name, domain) rows; the oldest account wins a tie."""
        matcher = cls()
        for account_id, name, domain in accounts:
            matcher.add(account_id, name, domain)
        return matcher

    def add(self, account_id: int, name: str, domain: str) -> None:
        key = normalise_domain(domain)
        if key:
            self.by_domain.setdefault(key, account_id)
        name_key = normalise_name(name)
        if name_key:
            self.by_name.setdefault(name_key, account_id)

    def find(self, name: str, domain: str) -> tuple[int, str] | None:
        """(account id, "domain" or "name") of the match, or None."""
        key = normalise_domain(domain)
        if key and key in self.by_domain:
            return self.by_domain[key], "domain"
        name_key = normalise_name(name)
        if name_key and name_key in self.by_name:
            return self.by_name[name_key], "name"
        return None


@dataclass
class ContactMatcher:
    """Existing contacts by email, case-insensitively."""

    by_email: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, contacts: Iterable[tuple[int, str]]) -> "ContactMatcher":
        matcher = cls()
        for contact_id, email in contacts:
            matcher.add(contact_id, email)
        return matcher

    def add(self, contact_id: int, email: str) -> None:
        key = normalise_email(email)
        if key:
            self.by_email.setdefault(key, contact_id)

    def find(self, email: str) -> int | None:
        key = normalise_email(email)
        return self.by_email.get(key) if key else None
