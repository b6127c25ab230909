"""Words of the floor's topic when no phrase of the floor was read: the second line for a possible exposure.

The floor's own readers (`statements`) know phrases: "another user's data", "credentials exposed in a public
repository". Monitors and people say the same things in words nobody listed ("unauthorized SELECT on the
users table", "Ledger invariant violations", "secret reads from an unrecognised session"), and each new
writer has new phrases. This reader works a level up: it names the families of words such an alert draws on
(unauthorised access; secrets; exposure to the wrong people; money or data integrity; customer data) and says
the topic is present when the families that only occur together in such alerts do (unauthorised access alone;
a secret with its exposure; an integrity break with customer data; an exposure with customer data). A denied
word ("no credential exposure") counts for nothing. The decision makes it P0 *uncertain*: the on-call looks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.cto.signals.facts import SecurityTopic
from agents.cto.signals.text import Clause, negated, quote

__all__ = ["read_security_topic"]

_FAMILIES: dict[str, re.Pattern[str]] = {
    "unauthorised access": re.compile(
        r"\bunauthori[sz]ed\b|\bunrecogni[sz]ed (?:session|principal|ip|client|actor|device|login)s?\b|\bintrusion\b|"
        r"\bexfiltrat\w*|\btamper(?:ed|ing)\b|\bskimm(?:er|ing)\b|\bmalware\b|\bsql injection\b|\bcompromised\b|"
        r"\bimpersonat\w*",
        re.IGNORECASE,
    ),
    "secret": re.compile(
        r"\bcredentials?\b|\bsecrets?\b|\bPATs?\b|\bapi[ _-]?keys?\b|\bprivate keys?\b|\bpasswords?\b(?! reset)|"
        r"\baccess tokens?\b|\bsession (?:tokens?|cookies?)\b",
        re.IGNORECASE,
    ),
    "exposure": re.compile(
        r"\bleak(?:ed|s|ing)?\b|\bexposed\b|\bexposure\b|\bpublicly\b|\bmade public\b|\bpublic (?:bucket|repo\w*|image|"
        r"gist|link|url|internet)\b|\bin public\b|\bvisible to\b|\bposted (?:publicly|online|to)\b|\bgist\b|\bpastebin\b|"
        r"\bwrong (?:user|customer|account|tenant|recipient)s?\b|\banother (?:user|customer|account|tenant)\b|"
        r"\bother (?:users|customers|accounts|tenants)'",
        re.IGNORECASE,
    ),
    "integrity": re.compile(
        r"\bintegrity\b|\binvariant\w*|\bledger\b|\bcorrupt\w*|\bduplicate (?:charges?|payments?|transactions?)\b|"
        r"\bdouble[- ](?:charged|credited|debited)\b|\bwrong amounts?\b|\b(?:balance|amount|ledger) mismatch\w*",
        re.IGNORECASE,
    ),
    "customer data": re.compile(
        r"\bcustomer data\b|\bpii\b|\bpersonal (?:data|information|details)\b|\brecords?\b|\baccounts?\b|\bprofiles?\b|"
        r"\bcard (?:numbers?|data|details)\b|\baddress(?:es)?\b|\bbirthdates?\b|\bssns?\b|\bbalances?\b",
        re.IGNORECASE,
    ),
}
_TOGETHER = (
    frozenset({"unauthorised access"}),
    frozenset({"secret", "exposure"}),
    frozenset({"integrity", "customer data"}),
    frozenset({"exposure", "customer data"}),
)
"""Families that, present together, make the topic: one of them alone is everyday vocabulary ('accounts',
'password', 'public API'), except unauthorised access."""


def read_security_topic(parts: Iterable[Clause]) -> SecurityTopic | None:
    found: dict[str, str] = {}
    for clause in parts:
        for family, pattern in _FAMILIES.items():
            if family in found:
                continue
            for match in pattern.finditer(clause.text):
                if not negated(clause.text, match.start(), hypothetical=False):
                    found[family] = quote(clause.text, *match.span())
                    break
    present = frozenset(found)
    together = next((group for group in _TOGETHER if group <= present), None)
    if together is None:
        return None
    families = sorted(present)
    return SecurityTopic(
        families=families,
        quote="; ".join(found[f] for f in families if f in together),
        field="text",
    )
