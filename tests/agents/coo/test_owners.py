"""An action item's owner becomes an email for the tracker and the reminders: by name, by
CODEOWNERS handle, or as written when it is an email already."""

from __future__ import annotations

from agents.coo.owners import owner_email
from warroom.settings import Person, Settings

SETTINGS = Settings(
    on_call=Person(name="Dana Reyes", email="dana@acme.example"),
    people=[
        Person(name="Ana Ortiz", email="ana@acme.example", handles=["@ana", "@acme/payments"]),
        Person(name="Raj Patel", email="raj@acme.example", handles=["@acme/payments"]),
    ],
)


def test_a_named_person_or_their_handle_gives_their_email() -> None:
    assert owner_email("Dana Reyes (incident commander)", SETTINGS) == "dana@acme.example"
    assert owner_email("Ana Ortiz", SETTINGS) == "ana@acme.example"
    assert owner_email("@ana", SETTINGS) == "ana@acme.example"
    assert owner_email("sam@acme.example", SETTINGS) == "sam@acme.example"


def test_a_team_of_several_a_role_or_a_stranger_gives_none() -> None:
    assert owner_email("@acme/payments", SETTINGS) is None
    assert owner_email("on-call", SETTINGS) is None
    assert owner_email("@stranger", SETTINGS) is None
