"""Cloud region codes as places a customer knows: `eu-west-1` is "Europe", `us-east-1` "the
eastern US". A code we cannot place is left out of public text (it stays in the internal
description): "users in ap-zz-9" helps nobody and says how we deploy."""

from __future__ import annotations

import re

__all__ = ["place"]

# First match wins; AWS (`eu-west-1`), Google Cloud (`europe-west2`) and Azure (`westeurope`) spellings.
_PLACES: list[tuple[str, str]] = [
    (r"^(us-east|useast|eastus|us-east\d|northamerica-northeast|us-east4)", "the eastern US"),
    (r"^(us-west|uswest|westus)", "the western US"),
    (r"^(us-central|centralus|northcentralus|southcentralus|us-south)", "the central US"),
    (r"^(us-gov|usgov|us)(-|\d|$)", "the US"),
    (r"^(ca-|canada)", "Canada"),
    (r"^(eu-|europe-|westeurope|northeurope|francecentral|germanywestcentral|uksouth|ukwest|swedencentral)", "Europe"),
    (r"^(ap-southeast-2|ap-southeast-4|australia)", "Australia"),
    (r"^(ap-northeast-1|ap-northeast-3|asia-northeast1|asia-northeast2|japan)", "Japan"),
    (r"^(ap-south-\d|asia-south\d|centralindia|southindia|westindia)", "India"),
    (r"^(ap-|asia-|eastasia|southeastasia|koreacentral)", "Asia-Pacific"),
    (r"^(sa-|southamerica-|brazil)", "South America"),
    (r"^(me-|il-|uaenorth|qatarcentral)", "the Middle East"),
    (r"^(af-|africa-|southafrica)", "Africa"),
]
# Airport-style codes (Fly.io `iad`, DigitalOcean `fra1`) by their city's country or region.
_AIRPORTS = {
    **dict.fromkeys(["iad", "nyc", "ewr", "bos", "atl", "mia"], "the eastern US"),
    **dict.fromkeys(["ord", "dfw", "den", "chi"], "the central US"),
    **dict.fromkeys(["sjc", "sfo", "lax", "sea"], "the western US"),
    **dict.fromkeys(["yyz", "tor", "yul"], "Canada"),
    **dict.fromkeys(["lhr", "lon"], "the UK"),
    **dict.fromkeys(["ams"], "the Netherlands"),
    **dict.fromkeys(["fra"], "Germany"),
    **dict.fromkeys(["cdg", "par"], "France"),
    **dict.fromkeys(["arn"], "Sweden"),
    **dict.fromkeys(["mad"], "Spain"),
    **dict.fromkeys(["waw"], "Poland"),
    **dict.fromkeys(["nrt", "tyo"], "Japan"),
    **dict.fromkeys(["sin", "sgp"], "Singapore"),
    **dict.fromkeys(["syd"], "Australia"),
    **dict.fromkeys(["bom", "blr", "del"], "India"),
    **dict.fromkeys(["gru"], "Brazil"),
    **dict.fromkeys(["hkg"], "Hong Kong"),
    **dict.fromkeys(["jnb"], "South Africa"),
    "eu": "Europe",
    "us": "the US",
}


def place(region: str) -> str | None:
    """The place for a region code, the value itself when it is already a place name
    ("Frankfurt", "Europe"), or None for a code we cannot place."""
    value = region.strip()
    lowered = value.lower()
    for pattern, name in _PLACES:
        if re.match(pattern, lowered):
            return name
    airport = re.fullmatch(r"([a-z]{2,3})\d*", lowered)
    if airport and airport[1] in _AIRPORTS:
        return _AIRPORTS[airport[1]]
    if value[:1].isupper() and not any(c.isdigit() for c in value):
        return value  # already a place name: "Frankfurt", "Europe"
    return None
