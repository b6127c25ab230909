"""What the alert says outright: impact statements, customer reports, exposure and loss.

An explicit impact statement is weighed (DESIGN.md): "no customer impact", "pages still load",
"running services unaffected", "other regions healthy", "for all customers", "users cannot load
the app". Exposure and loss set the P0 floor whatever the volume: another customer's data shown
or served, data readable by anyone, a confirmed breach (tokens or keys used by an unknown party),
data deleted, truncated or corrupted. A denied or hypothetical mention ("to avoid data loss",
"no data loss") is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agents.cto.signals.facts import CustomerReports, Exposure, Statement, StatementKind
from agents.cto.signals.text import PEER_PLACES, PEERS_NEAR_ZERO, Clause, negated, quote

__all__ = ["Said", "read_statements"]

_PEOPLE = (
    r"(?:customers?|users?|clients?|merchants?|tenants?|accounts?|orgs?|organi[sz]ations?|people|everyone|visitors?|"
    r"players?|members?|shoppers?|buyers?|sellers?|drivers?|riders?|developers?|subscribers?|viewers?)"
)
_FUNCTION = (
    r"(?:traffic|requests|pages?|sites?|apps?|services?|reads?|builds?|meetings?|machines?|instances?|workloads?|"
    r"deploys?|deployments?|payments?|checkouts?|logins?|sign-?ins?|api|dashboard|edge|serving|content|forwarding rules|"
    r"running [\w\s]{1,25}|existing [\w\s]{1,25}|cached [\w\s]{1,15}|customer[- ]facing [\w\s]{1,20})"
)
_STATEMENTS: list[tuple[StatementKind, re.Pattern[str]]] = [
    (
        StatementKind.NO_IMPACT,
        re.compile(
            rf"\bno (?:{_PEOPLE}|user|customer)[- ]?(?:facing )?(?:impact|errors?|visible (?:impact|errors?))\b|"
            rf"\b(?:without|no) (?:any )?(?:impact on|{_PEOPLE}[- ]?impact)\b|\bnot customer[- ]facing\b|"
            rf"\b{_PEOPLE} (?:are |were |is |remain |remains )?(?:not |un)(?:affected|impacted)\b|"
            rf"\b{_PEOPLE} traffic (?:is |remains? )?normal\b|"
            r"\b(?:request )?(?:latency|errors?|error rates?|success rates?)(?: and (?:latency|errors?|error rates?))? "
            r"(?:are |is |remain |remains |stay |stays )?(?:normal|nominal|unchanged|flat|"
            r"within (?:the )?(?:normal|expected|usual) (?:range|limits|bounds))\b|"
            r"\bno (?:(?:end-)?user|customer|client|user-facing|customer-facing|visible|service|production|functional|"
            r"operational|known|observed|observable)?[- ]?impact\b|"
            r"\b(?:every|all|each)\b[^.;]{0,40}?\b(?:completed|succeeded|went through|was delivered|were delivered|"
            r"was processed|were processed) on (?:a |the )?(?:retry|retries|next attempt|second attempt)\b|"
            r"\b(?:0|zero|no|none of the) (?:[\w-]+ ){0,2}(?:failed|lost) permanently\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.OFF_PATH,
        re.compile(
            r"\btraffic (?:does not|doesn't|never) (?:route|go|pass|flow)s? through\b|\bnot (?:in|on) the "
            r"(?:request|serving|critical|user) path\b|\binternal[- ]only\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.AT_RISK_ONLY,
        re.compile(
            r"\bnothing (?:fails|is failing|is broken|broken)\b|\bbuilds? pass\b|\bno failures? yet\b", re.IGNORECASE
        ),
    ),
    (
        StatementKind.STILL_WORKS,
        re.compile(
            rf"\b(?:still|continues? to|keeps?) (?:loads?|works?|serves?|serving|render\w*|run\w*|function\w*|available|up)\b|"
            rf"\b(?:stays?|remains?) (?:usable|available|up|reachable)\b|"
            r"\b[\w-]+ and [\w-]+ (?:traffic |synthetic )?(?:checks|probes) (?:are )?(?:passing|green)\b|"
            r"\b(?:end-user|customer-facing|user-facing) (?:[\w-]+ )?(?:checks?|probes?|synthetics?|transactions?|flows?) "
            r"(?:are |is |remain |stay )?still (?:passing|green|healthy)\b(?!\s*[:(]?\s*\d)|"
            r"(?<!\bwere )(?<!\bwas )(?<!\bbeen )\b(?:completing|succeeding|going through) (?:at (?:a |the )?(?:normal|usual|"
            r"expected) (?:rate|levels?|volume)|normally)\b(?!\s+(?:until|before)\b)|"
            rf"\b{_FUNCTION} (?:are |is |remain |remains )?(?:unaffected|not affected|unimpacted|normal|healthy|working|"
            rf"fine|up|serv(?:e|es|ing) normally|work normally)\b|\bread[- ]only\b|"
            r"\b[a-z][\w/-]*(?: [a-z][\w/-]*){0,2} (?:is |are |remain |remains |stays? )?(?:unaffected|not affected|unimpacted)\b|"
            r"\b[a-z][\w/-]*(?:, [a-z][\w/-]*)+,? and [a-z][\w/-]* (?:still )?work\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.OTHERS_FINE,
        re.compile(
            rf"\bother (?:\d+ )?(?:[\w-]+ ){{0,2}}?(?:{PEER_PLACES})\b"
            r"[^.;]{0,20}\b(?:healthy|fine|normal|nominal|unaffected|ok|clean|working|serving|serve|up|at baseline)\b",
            re.IGNORECASE,
        ),
    ),
    (StatementKind.OTHERS_FINE, PEERS_NEAR_ZERO),
    (
        StatementKind.ALL_AFFECTED,
        re.compile(
            rf"\b(?:for |to )?(?:all|every) (?!affected\b)(?!(?:the )?others?\b[^.;]{{0,40}}?\b(?:passing|healthy|fine|ok|normal|nominal|"
            rf"unaffected|up|working|operational|green)\b)(?:(?![\w.]+-(?:connected|enabled|based|hosted|tier|plan)\b)[\w.-]+ ){{0,2}}?"
            rf"{_PEOPLE}\b(?! (?:with|on|in|using|who|that|whose|having|behind|under)\b)|\bnobody can\b|\bno one can\b|\beveryone\b|"
            rf"(?<!\bsome )(?<!\bfew )(?<!\bcertain )(?<!\bseveral )\b{_PEOPLE} (?:can ?not|can't|are unable to|cannot|unable to) \w+|"
            rf"\bfails? to load for (?:all|every)\b|"
            r"\bno (?!(?:new )?(?:errors?|issues?|problems?|alerts?|failures?|impact|anomal\w*|warnings?)\b)[\w /-]{1,30}? anywhere\b|"
            rf"\b(?:major|full|complete|total|global|widespread|site-?wide|"
            rf"platform-?wide) (?:outage|disruption)\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.WORKAROUND,
        re.compile(
            r"\bwork-?arounds? (?:is |are )?(?:available|exists?|in place|documented)\b|\b(?:is|as) a work-?around\b|\b(?:can|could|may) (?:still )?(?:use|send|pay|"
            r"sign in|log in|download|upload|access|submit|order|book|print|export|call|text|email)\b[^.;]{0,40}?\binstead\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.SELF_CLEARING,
        re.compile(
            r"\b(?:last|previous|past|earlier|prior) (?:\d+ |few |several )?(?:firings?|alerts?|occurrences?|times?|"
            r"incidents?|pages?)\b[^.;]{0,40}?\b(?:cleared|resolved|recovered)\s+(?:on (?:its|their) own|by (?:it|them)"
            r"sel(?:f|ves)|without (?:any )?(?:intervention|action)|within \d+ ?(?:s|sec\w*|m|min\w*))\b|"
            r"\bhistorically self-?(?:resolv|clear)\w*|\b(?:cleared|resolved|recovered) (?:on its own|by itself)\b[^.;]{0,30}?"
            r"\b(?:every|each) time\b|\b(?:always|usually|typically) (?:clears?|resolves?|recovers?) "
            r"(?:on its own|by itself|within \d+ ?(?:s|sec\w*|m|min\w*))\b",
            re.IGNORECASE,
        ),
    ),
    (
        StatementKind.INPUT_SPECIFIC,
        re.compile(
            r"\bvalidation\w*|\binvalid\w*(?! (?:memory|pointer|address|instruction|opcode))|can't be blank|cannot be blank|must not be (?:blank|empty)|not recogni[sz]ed|"
            r"\bunknown (?:locale|format|field|parameter)\b|\bmalformed\b",
            re.IGNORECASE,
        ),
    ),
]
_NOT_PLACE = (
    r"(?!(?:cpu|memory|mem|disk|latency|errors?|traffic|throughput|load|requests?|io|network|saturation|apdex|success|"
    r"rates?|queue|replication|p\d+|db|database|cache|dns)\b)"
)
_PLACE = rf"{_NOT_PLACE}[a-z][\w.-]*"
_PLACE_FIGURE = r"\s+\d+(?:\.\d+)?\s*%"
_PLACE_ITEM = rf"{_PLACE}(?:{_PLACE_FIGURE})?"
_PLACES_FINE = re.compile(
    rf"\b(?P<places>{_PLACE_ITEM}(?:\s*(?:,\s*and|,|/|and)\s*{_PLACE_ITEM}){{1,8}})(?P<noun>\s+(?:regions?|zones?|sites?|"
    r"data ?cent(?:er|re)s?|datacenters?|dcs?|pops|clusters?|lbs?|load balancers?|ingress|edges?|cells?))?"
    r"\s+(?:are |remain |stay )?(?:all )?(?P<fine>healthy|normal|unaffected|fine|ok|serving|unchanged)\b",
    re.IGNORECASE,
)
"""'ulsfo, esams and codfw healthy', 'nyc1/nyc3/ams3 LBs normal', 'Frankfurt, Ohio and Virginia unaffected',
'us-east-1 99.5%, us-west-2 99.7% unchanged': the other places serve. A list of metrics ('CPU, memory and disk
normal', 'heap 40%, threads 12% normal') is not one: a place is a name with a digit of its own, three or more
capitalised names, or one followed by a place word; 'Messages, channels and presence unaffected', 'Email and SMS
unaffected' and 'app, API and git unaffected' are lists of features."""


def _near_edge(figures: list[str]) -> bool:
    """Figures that say a place serves whichever way they are meant: all at least 99% (success) or under 1%
    (errors). Only such figures make 'unchanged' a place's health rather than its staying as it was."""
    values = [float(re.sub(r"[^\d.]", "", figure)) for figure in figures]
    return bool(values) and (all(v >= 99 for v in values) or all(v < 1 for v in values))


def _places_fine(text: str) -> list[re.Match[str]]:
    found = []
    for match in _PLACES_FINE.finditer(text):
        if match.group("fine").lower() == "unchanged" and not _near_edge(
            re.findall(_PLACE_FIGURE, match.group("places"))
        ):
            continue  # 'us-east-1 41%, us-west-2 37% unchanged' is as bad as before, not fine
        listed = re.sub(_PLACE_FIGURE, "", match.group("places"))
        places = [p for p in re.split(r"\s*(?:,\s*and|,|/|\band\b)\s*", listed) if p]
        named = len(places) >= 3 and all(p[0].isupper() for p in places) or any(re.search(r"\d", p) for p in places)
        if match.group("noun") or named:
            found.append(match)
    return found


_CROSS_TENANT = re.compile(
    r"\b(?:another|different|other|wrong) (?:(?:signed-in|logged-in|random|unrelated|anonymous|paying|existing|active) )?(?:user|customer|org(?:ani[sz]ation)?|tenant|account|site|merchant|project|member|person|"
    r"visitor|subscriber|client|patient|player|student)"
    r"(?:s'|s|'s|’s)?(?!\w)",
    re.IGNORECASE,
)
_THEIR_DATA = re.compile(
    r"\bdata\b|histor\w*|records?|responses?|cookies?|tokens?|files?|returned|shown|served|visible|restored|snapshot|"
    r"backups?|conversations?|messages?|content|\bpii\b|owned by|belonging to|memory|bodies|titles?|emails?|"
    r"addresses|invoices?|documents?|details|information|\binfo\b|profiles?|personal|\bnames?\b|card numbers?|fields|"
    r"\b(?:lab |test )?results\b|\bphotos?\b|\bbalances?\b",
    re.IGNORECASE,
)
_STILL_FINE = re.compile(
    r"^\W{0,3}(?:are |is |remain )?(?:unaffected|healthy|fine|normal|can still|still|not affected|work)", re.IGNORECASE
)
_IMAGES_DELETED = (
    r"(?:disk|vm|vps|qcow2|volume|guest)[ -]images? (?:were |was |are |is |have been |has been )?"
    r"(?:deleted|removed|wiped|destroyed|purged)"
)
"""A machine's disk images gone: loss when the alert says they were live or the guests running, not an image GC."""
_EXPOSURE: list[tuple[str, re.Pattern[str]]] = [
    (
        "exposed",
        re.compile(
            r"\b(?:allows?|allowing|grants?) (?:\w+ )?(?:anonymous|public) (?:reads?|access|listing)\b|"
            r"\bpublicly (?:readable|accessible|exposed|listed)\b|\bworld[- ]readable\b|\bAllUsers\b|"
            r"\b(?:data|records|pii|credentials|secrets?|tokens?|keys?|passwords?) (?:were |was |are |is )?(?:exposed|leaked)\b|"
            r"(?<!memory )(?<!connection )(?<!goroutine )(?<!descriptor )(?<!handle )\bleak(?:ed|s|ing)?\b|"
            r"\bexposed (?:to|publicly)\b|\bcross[- ](?:tenant|user|account|org)\b|"
            r"\b(?:plain|clear)[- ]?text (?:passwords?|credentials?|tokens?|secrets?)\b|"
            r"\b(?:plain|clear)[- ]?text (?:password|credential|token|secret) values?\b|"
            r"\b(?:credentials?|secrets?|tokens?|api keys?|access keys?|private keys?|passwords?)\b[^.;]{0,40}?"
            r"\b(?:(?:exposed|leaked) (?:in|to|on|into|publicly)|(?:committed|published|found) (?:in|to|into|on) (?:an? |the )?"
            r"(?:public|hosted|source|git|github))\b|"
            r"\b(?:passwords?|credentials?|secrets?|api keys?|"
            r"access tokens?|pii) (?:were |was |are |is )?(?:written|logged|stored|visible|shown|included|committed|"
            r"published) (?:in|to|into)\b|\bsomeone else's\b|\b(?:session|account)s? mix-?up\b|\bmixed up\b|"
            r"\b(?:lists?|listing|listed|includ(?:es|ing|ed))\b[^.;]{0,60}?\b(?:names?|emails?|users?|members?|"
            r"developers?|people|contacts?|customers?|documents?|files?|records?|invoices?|projects?|messages?|orders?|"
            r"devices?|photos?|details|profiles?)\b[^.;]{0,40}?\b(?:that |which |who )?(?:is |are |were |was )?not "
            r"(?:on|in|from|part of) (?:their|his|her|its|the (?:user|customer)'s) (?:own )?(?:account|"
            r"org(?:ani[sz]ation)?|workspace|tenant|profile)s?\b(?!'s)(?!\s+(?:chart|unit|directory|yet|list))"
            r"(?![^.;]{0,20}\b(?:yet|pending)\b)|"
            r"\b(?:see|sees|seeing|saw|seen|shown|shows|showing|display\w*|visible|served)\b[^.;]{0,80}?\b(?:(?:that |which )?"
            r"(?:is |are |were |was )?not (?:on|in|from) (?:their|his|her|its|the (?:user|customer)'s) (?:own )?(?:account|"
            r"org\w*|workspace|tenant|profile)|(?:they|customers?|users?|the (?:customer|user|viewer)) (?:do|does|did) not own|"
            r"(?:were |was )?never shared with (?:them|him|her|the (?:customer|user|viewer)))\b|"
            r"\b(?:served|shown|returned|displayed|rendered|published) (?:under|to|for) (?:the )?(?P<owner>[a-z][\w-]*) "
            r"#?[\w-]*\d[\w-]* but (?:authored|owned|created|written|posted|uploaded) by (?:another |a different |the )?"
            r"(?P=owner) #?[\w-]*\d|"
            r"\bprivate (?:repos?|repositories|projects?|data|files?|messages?|channels?|documents?) (?:were |was |are |is "
            r")?(?:visible|public|exposed|accessible|made public|readable)\b|\bmade public\b|"
            r"\b(?:sent|emailed|delivered|shown|displayed|visible|served) to (?:the )?wrong (?:customers?|users?|"
            r"recipients?|accounts?|people)\b|\bindexed by search engines\b|"
            r"\b(?:tenant|data|account|customer) isolation (?:violation|breach|failure|broken|bypass)\b|"
            r"\b(?:credentials?|secrets?|tokens?|pats?|api keys?|access keys?|private keys?|passwords?)\b(?:[^.;]|\.(?=\w)){0,60}?"
            r"\b(?:found|exposed|left|embedded|baked|shipped|included) (?:in|inside|into)\b(?:[^.;]|\.(?=\w)){0,40}?\bpublic\b|"
            r"\b(?:credential|secret|token|password|customer data|pii) exposure\b|"
            r"\b(?:gist|pastebin|paste site|leak site|dark ?web|hacker forum)\b[^.;]{0,60}?\b(?:data|records|dump|pii|"
            r"credentials|customers?)\b|\b(?:data|records|dump|pii|credentials)\b[^.;]{0,60}?\b(?:posted|published|"
            r"dumped|for sale) (?:on|to) (?:an? |the )?(?:gist|pastebin|paste site|leak site|dark ?web|forum|public)\b|"
            r"\b(?:sessions?|(?:access |auth |session |api )?tokens?|cookies?) (?:issued |minted |granted |created )?for "
            r"(?:the )?(?:wrong|viewed|other|another|a different) (?:\w+ )?(?:users?|profiles?|accounts?|subjects?|persons?)\b|"
            r"\bsubject ?!= ?(?:the )?(?:viewer|requester|caller|user)\b|\bprivilege escalation\b|"
            r"\b(?:over-?granted|excess(?:ive)?|unintended) (?:permissions?|privileges?|access)\b|"
            r"\b(?:permissions?|privileges?|access) (?:over-?granted|granted to (?:all|every|non-admin|standard|ordinary))\b|"
            r"\b(?:can|could) (?:open|read|see|view|edit|access|download) [^.;]{0,40}\b(?:hide|hides|hidden|restricted|"
            r"not (?:entitled|allowed|permitted|authori[sz]ed))\b|\breads? of restricted\b|"
            r"\b(?:access control|authori[sz]ation|permission) (?:checks? )?(?:bypass\w*|skipped|disabled|broken)\b|"
            r"\b(?:could|can|was able to|were able to) (?:read|see|view|access|download)\b[^.;]{0,40}\b(?:of|belonging to|"
            r"owned by) (?:another |other |a different )?(?:account|tenant|customer|user|org(?:ani[sz]ation)?)s?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "breach",
        re.compile(
            r"\bbreach(?:ed)?\b|\bcompromised?\b|\bexfiltrat\w*|\bexfil\b|\b(?:sends?|sent|posts?|posted|beacons?|"
            r"forwards?|ships?) (?:the )?document\.cookie\b[^.;]{0,30}?\bto (?:an? |the )?(?:external|remote|third[- ]party|"
            r"attacker)|\b(?:tokens?|jwts?|sessions?|credentials?|cookies?)\b[^.;]{0,40}?\b(?:admins?|administrators?|"
            r"privileged|root|superusers?)\b[^.;]{0,60}?\bfrom (?:\d+ )?(?:ips?|addresses|asns?|networks?)(?:/\w+)? never "
            r"(?:been )?seen\b|\bunauthori[sz]ed (?:access|login|use)\b|\bransomware\b|"
            r"\battacker\b|\bstolen\b|\bunauthori[sz]ed (?:party|actor|user|change|modification|commit)\b|"
            r"\bmalicious (?:code|package|actor|commit|version|script|payload)\b|\bintrusion\b|\bhijack\w*|"
            r"\bbackdoor\w*|\bsupply[- ]chain attack\b|\bleaked (?:credentials|keys|tokens|secrets|passwords)\b|\b(?:tokens?|credentials?|keys?|passwords?)\b[^.;]{0,60}\bused from (?:an? )?"
            r"(?:unknown|unfamiliar|unrecogni[sz]ed|suspicious|foreign|new) (?:ip|location|party|address|host)|"
            r"\b(?:owners?|users?) did not initiate\b|\bsql injection\b|\bremote code execution\b|\brootkit\w*|"
            r"\b(?:passwords?|credentials?|keys?|tokens?)\b[^.;]{0,30}?\b(?:sniffed|keylogged|phished)\b|"
            r"\bchanges? not (?:made )?(?:by|from) any (?:admin|administrator|operator|deploy\w*)\b|"
            r"\b(?:owner|admin\w*|he|she)\b[^.;]{0,20}\b(?:did not|didn't|never) (?:run|initiate|perform|issue) "
            r"(?:it|this|that|them|the (?:query|change|export|login))\b|"
            r"\b(?:script|file|binary|executable)\b[^.;]{0,40}?\b(?:created|dropped|written|uploaded|appeared) in (?:the )?(?:[\w-]+ ){0,3}?"
            r"(?:web ?root|wwwroot|htdocs|public_html)\b|"
            r"\bweb ?shells? (?:found|detected|uploaded|dropped|planted|installed)\b|\b(?:found|detected|uploaded|dropped|"
            r"planted|installed) (?:an? |the )?web ?shells?\b|\b(?:exported|downloaded|dumped|copied|pulled)\b(?:[^.;]|\.(?=\d)){0,60}?\bfrom an? (?:address|ip|location|device|"
            r"client|asn)\b[^.;]{0,20}?\bnever (?:been )?seen\b|"
            r"\bunauthori[sz]ed (?:select|query|queries|reads?|sessions?|principals?|api calls?|downloads?|exports?|decrypt\w*)\b|"
            r"\b(?:secrets?|tokens?|credentials?|keys?|data|records?|rows?)\b[^.;]{0,30}?\b(?:reads?|read|accessed|decrypted|"
            r"downloaded|exported|queried) (?:by|from) (?:an? )?(?:unrecogni[sz]ed|unknown|unauthori[sz]ed|suspicious|foreign)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "loss",
        re.compile(
            r"\bdata[ -]?loss\b|\bdata (?:was |were |is )?(?:lost|deleted|destroyed|removed|wiped)\b|"
            r"\b(?:not|never) (?:stored|persisted|saved|kept|written|recorded) anywhere\b|"
            r"\b(?:deleted|removed|wiped|truncated|purged|dropped|lost)\b[^.;]{0,40}(?<!\bvia )(?<!\bover )(?<!\bthrough )"
            r"(?<!\busing )(?<!\bto )\b(?:rows?|records?|tables?|data|"
            r"files?|uploads?|backups?|databases?|sites?|repositories|accounts?|directory|writes|events)\b|"
            rf"\b(?:live|running|active|attached|in-use|customers?'?) (?:[\w-]+ ){{0,2}}?{_IMAGES_DELETED}\b|"
            rf"\b{_IMAGES_DELETED}\b[^.;]{{0,60}}?\b(?:while|guests?|vms?|instances?) (?:were |was |are |is )?running\b|"
            r"\b(?:rows?|records?|tables?|data|files?|uploads?|sites?|repositories|accounts?|writes|directory) "
            r"(?:were |was |are |is |has been |have been )?(?:deleted|removed|wiped|truncated|purged|lost|dropped)\b|"
            r"\btruncate\b|\brm -rf\b|\bnow empty\b|\bevents are dropped\b|\bhours of (?:writes|data)\b|"
            r"\b(?:cannot|can't|can not|could not) be (?:replayed|recovered|restored|re-?sent|re-?delivered)\b|"
            r"\b(?:are|is|were|was) not recoverable\b|\bno replay source\b|"
            r"\b(?:unrecoverabl|irrecoverabl|permanently (?:deleted|lost))\w*|"
            r"\bmissing (?:stored |saved |persisted )?(?:data|records|rows|files|messages|objects|blobs|documents|attachments)\b|"
            r"\b(?!0\b)\d[\d,]* (?:[\w-]+ ){1,3}(?:have|has) no (?:matching |corresponding )?(?:rows?|records?|entr(?:y|ies)) in\b|"
            r"\b(?:committed|saved|stored|persisted|written)\b[^.;]{0,20}?\b(?:with (?:(?:0|zero|none) of \d+|0% of)|without "
            r"(?:its|their) )\s*(?!optional\b)(?:[\w-]+ ){0,2}?[\w-]*(?:fields?|values|contents?|attachments)\b(?!\s*:\s*0\b)|"
            r"\b(?:data|records?|rows?|files?|uploads?|backups?|documents?|messages?|repositories|events|writes|orders|webhooks|"
            r"payments|transactions|emails|progress|inventor(?:y|ies)|saves?|scores?|datastores?)\b[^.;]{0,40}?\b(?:lost|"
            r"deleted|wiped|overwritten|destroyed|(?:are|is|were|was) gone)\b|"
            r"\b(?:my|our|their|your|customers?'|users?') (?:[\w-]+ )?(?:data|records|files|uploads|documents|events|orders|"
            r"projects|photos|posts|notes|accounts|messages)\b (?:have |has |had |just )?(?:all )?(?:disappeared|vanished)\b"
            r"(?!\s+from\b)|\brestored over (?:production|live|customer)\b|"
            r"\b(?:data|records|rows|files) (?:were |was |are |is )?(?:overwritten|missing)\b|"
            r"\b(?:data|records|rows|writes|payments|orders|transactions|events)\b[^.;]{0,30}?\bmissing from (?:the )?"
            r"(?:[\w-]+ )?(?:database|db|table|primary|ledger)\b|"
            r"\b\d[\d,]* (?:[\w-]+ )?(?!(?:shards?|replicas?|nodes?|pods?|hosts?|instances?|servers?|metrics?|partitions?|"
            r"brokers?|workers?|members?|heartbeats?) )[\w-]+ missing (?:from|on|in) (?:the )?(?:new |[\w-]+ )?(?:database|db|table|primary|"
            r"ledger|replica|cluster)\b|"
            r"\b(?:data|progress|inventor(?:y|ies)|saves?)\s+(?:(?:was|were|has been|have been)\s+)?(?:rolled back|rollback)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "corruption",
        re.compile(
            r"\bcorrupt(?:ed|ion|s)?\b|\bchecksum failures?\b|\bbad extent\b|\b(?:ledger|balance|accounting) "
            r"(?:invariant|integrity)\b|\binvariant violations?\b|\b(?:data )?integrity (?:violations?|check failed)\b|"
            r"\b(?:ledger|balances?|amounts?|totals?|quantit(?:y|ies)|qty) mismatch\w*|"
            r"\b(?:credited|debited|charged|paid out|settled) (?:amounts? )?differs?\b|"
            r"\b(?:credited|debited|charged|paid out) (?:\w+ )?(?:twice|\d+x|x\d+|\d+ times)\b|"
            r"\b(?:wrong|incorrect) (?:balances?|amounts? (?:credited|debited|charged))\b|\bdouble[- ](?:charged|credited|debited)\b|"
            r"\btruncated at \d[\d,]* ?(?:bytes|b|kb|kib|characters|chars)\b|"
            r"\b(?:barcodes?|ids?|identifiers?|numbers?|serials?|keys?|codes?)\b[^.;]{0,20}?\b(?:already|previously) "
            r"(?:assigned|allocated|issued) to (?:another|a different|other)\b|"
            r"\bstored (?:[\w-]+ ){1,2}(?:is|are|was|were) (?:not valid|invalid|unreadable|truncated|garbled)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "exposed",
        re.compile(
            r"\b(?:rendered|showed|shown|served|returned|displayed|sent)\s+(?:account |user |customer |org )?"
            r"(?!(?:today|yesterday|tomorrow|tonight|this week|last week|the day)'s)[\w-]+'s\b"
            r"[^.;]{0,60}?\bto (?:account |user |customer |org )?[\w-]+\b|"
            r"\b(?:includes?|included|including|contains?|containing|captur\w+|collect\w+|logg\w+)\s+(?:the\s+)?"
            r"(?:user's\s+|users'\s+|customers'\s+)?(?:typed\s+|plain-?text\s+|raw\s+|full\s+|unmasked\s+)"
            r"(?:passwords?|card numbers?|cvvs?|ssns?|secrets?)\b|"
            r"\b(?:files?|records?|documents?|data|phi|pii|exports?|backups?)\b[^.;]{0,40}?\b(?:are |is |were |was )?"
            r"publicly (?:reachable|accessible|readable|downloadable|listed|exposed)\b|"
            r"\bregardless of (?:sharing rules|record-level|field-level|permissions?|access controls?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "breach",
        re.compile(
            r"\b(?:an? )?outside (?:party|actor)\b[^.;]{0,40}?\b(?:pulled|cloned|downloaded|accessed|copied|exported)\b|"
            r"\b(?:pulled|cloned|downloaded|accessed|copied|exported) by (?:an? )?outside (?:party|actor)\b|"
            r"\b(?:approved|completed|processed|allowed|logged in)\b[^.;]{0,20}?\b(?:with no |without (?:a |any )?)"
            r"(?:2fa|mfa|two-factor|otp|second-factor)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "loss",
        re.compile(
            r"\b(?:customer|user|stored|their|uploaded)\b[^.;]{0,40}?\b(?:were|was|are|is|have been|has been)\s+"
            r"(?:hard[- ]|permanently )?(?:deleted|wiped|destroyed|purged|erased)\b|"
            r"\b(?:are|is|were|was)\s+not\s+(?:being\s+)?(?:stored|persisted|saved|written|recorded)\b(?! (?:anywhere|by design))|"
            r"\b(?:archives?|recordings?|files?|backups?|documents?|objects?|uploads?)\s+(?:is |are |now |left )?"
            r"(?:unplayable|unreadable|unrecoverable)\b|"
            r"\b(?:quantity|balance|items?|credits?) (?:was |were )?not restored\b",
            re.IGNORECASE,
        ),
    ),
]
_NOT_SECURITY = re.compile(r"\b(?:slo|sla|threshold|budget|objective|target|limit)\b", re.IGNORECASE)
_REPORTS = re.compile(
    r"\b(?:(?P<count>\d+)\s+)?(?:customer|user|support)?\s*(?:reports?|tickets?(?!\s+(?:wallets?|activations?|sales?|"
    r"purchases?|bookings?|scans?|scanners?|scanning|validations?|inventory|prices?|types?|holders?|office|machines?|barcodes?)\b)|"
    r"complaints?)\b(?:\s+(?:this|in the last|over the last|per)"
    r"\s+(?P<window>week|day|hour|month|\d+\s*(?:days?|hours?|minutes?)))?|\b(?:customers?|users?) (?:report|say|complain)\w*\b",
    re.IGNORECASE,
)
_WINDOW_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}


@dataclass
class Said:
    statements: list[Statement]
    exposure: list[Exposure]
    reports: list[CustomerReports]


_REACH = {kind: 1 if kind is StatementKind.ALL_AFFECTED else 0 for kind in StatementKind}
"""How many words may stand between a denial and the statement it denies: 'not a full outage', 'not all users'."""
_METRIC_NORMAL = re.compile(r"(?:request )?(?:latency|errors?|error rates?|success rates?)\b", re.IGNORECASE)
_ANOTHER_PARTS_METRIC = re.compile(
    r"\b(?!(?:request|customer|user|client|overall|end-user|and|the|all|our|its|but|while|with|p\d+|avg|average|median|"
    r"mean|is|are|was|were)\b)[a-z][\w/-]*\s+$",
    re.IGNORECASE,
)
"""A word naming a component right before 'latency normal' / 'errors normal': that part is fine, which says the
rest of the product works, not that nobody is affected."""


_THE_OTHERS = re.compile(r"\b(?:the |all )?other (?:\d[\d,]* )?(?:[\w-]+ )?$", re.IGNORECASE)
"""'Other 47 orgs', 'all other customers' right before 'unaffected': the failure is confined to the rest."""


def _the_others_of_a_cohort(text: str, match: re.Match[str], whole: str) -> bool:
    """'Other 47 orgs unaffected' beside '3 partner orgs failing': a cohort fails and the rest serve. Beside one
    customer, merchant or host it still says nobody else is affected."""
    if not _THE_OTHERS.search(text[: match.start()]):
        return False
    noun = re.match(r"[a-z]+?(?=s?\b)", match.group(0), re.IGNORECASE)
    if noun is None:
        return False
    counted = re.finditer(rf"\b(\w+ )?(\d[\d,]*) (?:[\w-]+ ){{0,2}}?{noun.group(0)}s?\b", whole, re.IGNORECASE)
    return any((m.group(1) or "").strip().lower() != "other" and int(m.group(2).replace(",", "")) >= 2 for m in counted)


def read_statements(parts: Iterable[Clause], events: int) -> Said:
    found = Said([], [], [])
    parts = list(parts)
    whole = " ".join(clause.text for clause in parts)
    for clause in parts:
        text = clause.text
        for kind, pattern in _STATEMENTS:
            for match in pattern.finditer(text):
                if kind is not StatementKind.NO_IMPACT and negated(text, match.start(), reach=_REACH[kind]):
                    continue  # 'not a full outage' denies it as surely as 'no full outage'
                if kind is StatementKind.STILL_WORKS and re.search(r"\bother\b", match.group(0), re.IGNORECASE):
                    continue  # 'users on other homeservers unaffected': another product works, not the rest of this one
                another_part = _METRIC_NORMAL.match(match.group(0)) and _ANOTHER_PARTS_METRIC.search(
                    text[: match.start()]
                )
                read_as = StatementKind.STILL_WORKS if kind is StatementKind.NO_IMPACT and another_part else kind
                if kind is StatementKind.NO_IMPACT and _the_others_of_a_cohort(text, match, whole):
                    read_as = StatementKind.OTHERS_FINE  # 'Other 47 orgs unaffected': the rest of them, not nobody
                found.statements.append(Statement(kind=read_as, quote=quote(text, *match.span()), field=clause.field))
        for match in _places_fine(text):
            found.statements.append(
                Statement(kind=StatementKind.OTHERS_FINE, quote=quote(text, *match.span()), field=clause.field)
            )
        found.exposure += _exposure(clause, whole)
        report = _REPORTS.search(text)
        counted = report is not None and report.group("count") and report.group("window")
        several = re.search(
            r"\b(?:several|multiple|many|numerous|dozens of|hundreds of) (?:customers?|users?|reports?|"
            r"tickets?|complaints?)\b",
            text,
            re.IGNORECASE,
        )
        if report and negated(text, report.start(), reach=1):
            report = None  # 'no customer reports', 'no support tickets yet'
        if report and (counted or re.search(r"customer|user|support|ticket|complain", report.group(0), re.IGNORECASE)):
            count = int(report.group("count")) if report.group("count") else max(events, 3 if several else 1)
            found.reports.append(
                CustomerReports(
                    count=max(count, 1),
                    window_days=_window(report.group("window")),
                    quote=quote(text, *report.span()),
                    field=clause.field,
                )
            )
    return found


_ACCEPTED_THEN_LOST = re.compile(
    r"\b(?:acknowledged|accepted|acked)\b[^.;]{0,40}?\b(?:and|but)\s+(?:then\s+)?(?:(?:are|were|is|was|get|got)\s+)?"
    r"(?:discarded|never stored|not stored|not forwarded to (?:storage|the (?:database|db|store)))\b|"
    r"\b(?:discarded|dropped)\b[^.;]{0,40}?\b(?:already|previously) (?:acknowledged|accepted|acked)\b",
    re.IGNORECASE,
)
"""Loss by its mechanism: what was accepted, and so is not sent again, thrown away before it was kept."""
_BY_DESIGN = re.compile(
    r"\bduplicat\w*|\bdedup\w*|\bidempoten\w*|\bsampl\w*|\bfilter\w*|\bexclusion\b|\bpolicy\b|\bby design\b|"
    r"\btokeni[sz]\w*|\bvault\b|\b(?:alerts?|incidents?|pages?)\s+(?:(?:were|was|are|is)\s+)?(?:already\s+|previously\s+)?"
    r"(?:acknowledged|acked)\b",
    re.IGNORECASE,
)
"""Discarding that is the system working: de-duplication, sampling, filters, tokenisation, an alert already acked."""


_NONE_REMOVED = re.compile(r"\w+\s+(?:0|zero|no|none)\b(?![.,]\d)(?!\s*(?:%|percent))", re.IGNORECASE)
"""'Purge removed 0 expired records', 'deleted no rows': a count of nothing removed is no loss."""
_HOUSEKEEPING = re.compile(
    r"\b(?:expired|stale|temporary|tmp|cached|caches?|obsolete|orphan(?:ed|s)?|sessions?|locks?|leases?)\b",
    re.IGNORECASE,
)
"""What is meant to be removed: expired, stale, temporary or cached copies; removing them is upkeep, not loss."""


_NOT_KEPT_BY_DESIGN = re.compile(
    rf"{_BY_DESIGN.pattern}|{_HOUSEKEEPING.pattern}|\bcard numbers?\b|\bpasswords?\b", re.I
)


def _exposure(clause: Clause, whole: str) -> list[Exposure]:
    """Exposure, breach, loss and corruption in one clause; not when denied, hypothetical or about an SLO."""
    text = clause.text
    found: list[Exposure] = []
    for match in _CROSS_TENANT.finditer(text):
        if (
            _THEIR_DATA.search(text)
            and not _STILL_FINE.search(text[match.end() :])
            and not negated(text, match.start(), hypothetical=False)
        ):
            found.append(Exposure(kind="exposed", quote=quote(text, *match.span()), field=clause.field))
    for kind, pattern in _EXPOSURE:
        for match in pattern.finditer(text):
            near = text[max(0, match.start() - 24) : match.end() + 24]
            if negated(text, match.start(), hypothetical=False) or (kind == "breach" and _NOT_SECURITY.search(near)):
                continue
            if kind == "loss" and (_NONE_REMOVED.match(text, match.start()) or _HOUSEKEEPING.search(match.group(0))):
                continue
            kept_out = match.group(0).endswith("anywhere") or re.search(r"\bnot\b", match.group(0), re.IGNORECASE)
            if kind == "loss" and kept_out and _NOT_KEPT_BY_DESIGN.search(text):
                continue  # 'card numbers are not stored anywhere (tokenized)': a property, not a loss
            found.append(Exposure(kind=kind, quote=quote(text, *match.span()), field=clause.field))  # type: ignore[arg-type]
    for match in [*_stored_collapse(text, whole), *_work_missing(text, whole)]:
        found.append(Exposure(kind="loss", quote=quote(text, *match.span()), field=clause.field))
    for match in _ACCEPTED_THEN_LOST.finditer(text):
        sentence = text[max(0, match.start() - 60) : match.end() + 60]
        if not _BY_DESIGN.search(sentence) and not negated(text, match.start(), hypothetical=False):
            found.append(Exposure(kind="loss", quote=quote(text, *match.span()), field=clause.field))
    return found


_STORED = r"(?:rows?|records?|tuples?|n_live_tup|objects?|files?|packages?|rpms?|documents?|blobs?|attachments?)"
_STORED_COUNT_DOWN = re.compile(
    rf"\b{_STORED}\b(?: count)?(?:[^.;%]|\.(?=\w)){{0,60}}?\b(?:down|dropped|fell|decreased|shrank)(?: by)? "
    r"(?P<pct>\d+(?:\.\d+)?)\s*%|"
    rf"\blost (?P<lost>\d+(?:\.\d+)?)\s*% of (?:its |the |their |all )?(?:[\w-]+ ){{0,2}}{_STORED}\b|"
    rf"\b{_STORED}\b(?: count)?(?:[^.;%]|\.(?=\w)){{0,80}}?(?:\b(?:went|from)\s+|:\s*)(?P<was>\d[\d,]*)\s*(?:->|→|to)\s*"
    r"(?P<now>\d[\d,]*)\b(?!\s*(?:%|ms|s|m|h|mins?|minutes?|hours?|days?)\b)",
    re.IGNORECASE,
)
"""What is stored, counted, and most of it gone: 'tasks table row count down 99.8%', 'lost 100% of its RPMs',
'rpm count went 13914 -> 0'. A count of stored things is not throughput: rows do not come back next minute."""
_NOT_STORED = re.compile(
    r"\b(?:per|examined|scanned|received|incoming|ingested|synced|processed|sent|read|written|pending|queued|"
    r"outdated|failed|failing|duplicate\w*|log|cache\w*|outbox|temp\w*)\b",
    re.IGNORECASE,
)
"""Counts that are a flow, a to-do list or a copy ('rows examined per query', 'files pending upload', 'outdated
packages', 'log files', 'cache entries'): their falling is work done, not data gone."""
_MOVED_OR_MEANT = re.compile(
    r"\b(?:\w+-)?(?:retention|archiv\w* (?:job|run|policy)|compaction|ttl|rotat\w*|prun\w*|as expected|expected (?:drop|"
    r"decrease|decline)|migrat\w*|copied|moved|reassign\w*|relocat\w*|re-?index\w*|dedup\w*|merg\w*|drain\w*|"
    r"replay\w*|lifecycle|restart\w*|transition\w*|cache\w*|patch\w*|upgrad\w*|rebalanc\w*)\b",
    re.IGNORECASE,
)
"""Removal meant by design or a move elsewhere: a retention window, an archive job, TTL, a migration, a reindex, a
shard relocated, a cache restarted. Not a cleanup script: those are how data is lost."""


_HOURS_MISSING = re.compile(
    r"\b\d+\s*(?:h|hrs?|hours?|d|days?|mins?|minutes?) of (?!(?:[\w-]+ ){0,2}?(?:logs?|metrics?|samples?|traces?|spans?|"
    r"heartbeats?|backups?|events|telemetry|data points|audit)\b)(?:[\w-]+ ){1,3}?(?:missing|lost|gone)\b|"
    r"\bexists? (?:only )?in (?:the )?(?:source|old|original|previous|pre-migration|backup)\b[^.;]{0,40}?\bbut not "
    r"(?:on|in) (?:the )?(?:new|target|migrated|destination)\b",
    re.IGNORECASE,
)
"""Work that was written and is not where it should be: '17h of course activity missing on new storage', 'writes exist
in the source snapshot but not on the new volume'. Not a telemetry gap (logs, metrics, heartbeats, backups)."""
_STILL_RECOVERABLE = re.compile(
    r"\b(?:retain\w*|buffer\w*|backfill\w*|replay\w*|yet|lag\w*|still copying|in progress|expected|scheduled|(?<!post-)(?<!post )cutover)\b",
    re.IGNORECASE,
)
"""A gap the alert says will close: the source retains it, a backfill runs, the copy is still under way."""


def _work_missing(text: str, whole: str) -> list[re.Match[str]]:
    if _said(_STILL_RECOVERABLE, whole):
        return []
    return [m for m in _HOURS_MISSING.finditer(text) if not negated(text, m.start(), hypothetical=False)]


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """The text says it and does not deny it: 'after the retention job' is said, 'no bulk-archive job is scheduled'
    is not."""
    return any(not negated(text, m.start()) for m in pattern.finditer(text))


def _stored_collapse(text: str, whole: str) -> list[re.Match[str]]:
    """Stored things (rows, records, files, packages) whose count fell by half or more, or any share of them lost;
    not a flow, a to-do list or a copy, and not a count that fell because work drained or data moved (anywhere in
    the alert: 'Table migration finished' over 'rows went 1,204,332 -> 0')."""
    found = []
    for match in _STORED_COUNT_DOWN.finditer(text):
        if negated(text, match.start(), hypothetical=False) or _NOT_STORED.search(
            text[max(0, match.start() - 30) : match.end()]
        ):
            continue
        if match.group("pct"):
            gone = float(match.group("pct")) >= 50
        elif match.group("lost"):
            gone = float(match.group("lost")) > 0
        else:
            was, now = (int(match.group(k).replace(",", "")) for k in ("was", "now"))
            gone = was >= 100 and now <= was / 2
        if gone and not _said(_MOVED_OR_MEANT, whole):
            found.append(match)
    return found


def _window(text: str | None) -> float | None:
    if not text:
        return None
    word = text.strip().lower()
    if word in _WINDOW_DAYS:
        return _WINDOW_DAYS[word]
    number, unit = re.match(r"(\d+)\s*(\w+)", word).groups()  # type: ignore[union-attr]
    per_day = {"d": 1.0, "h": 1 / 24, "m": 1 / 1440}[unit[0]]
    return float(number) * per_day
