from __future__ import annotations

import pytest

from agents.blameless import depersonalise, diff_versions, find_blame

PEOPLE = ["Bob", "Alice Smith"]


def test_named_person_breaking_something_is_flagged() -> None:
    flags = find_blame("Bob broke checkout", PEOPLE)

    assert [(f.kind, f.person, f.excerpt) for f in flags] == [("person_caused_failure", "Bob", "Bob broke")]


@pytest.mark.parametrize(
    "text",
    [
        "Bob owns the fix",
        "owner: Bob",
        "Bob rolled back the deploy",
        "bob: checkout failed again",
        "the payment client failed",
        "Bobby broke the build",
        "Human error is never a root cause here",
    ],
)
def test_owner_and_system_wording_is_not_flagged(text: str) -> None:
    assert find_blame(text, PEOPLE) == []


@pytest.mark.parametrize(
    ("text", "kind", "person"),
    [
        ("It was Bob's fault", "fault", "Bob"),
        ("caused by Bob", "fault", "Bob"),
        ("Bob's deploy broke checkout", "person_caused_failure", "Bob"),
        ("Alice forgot to renew the key", "person_caused_failure", "Alice Smith"),
        ("Alice Smith accidentally broke login", "person_caused_failure", "Alice Smith"),
        ("@bob misconfigured the load balancer", "person_caused_failure", "Bob"),
        ("human error by Alice", "human_error", "Alice Smith"),
        ("a careless config change", "careless", None),
        ("they should have known the key expires", "should_have_known", None),
        ("someone forgot to renew the key", "person_caused_failure", None),
        ("the on-call engineer ignored the page", "person_caused_failure", None),
    ],
)
def test_blaming_language_is_flagged(text: str, kind: str, person: str | None) -> None:
    flags = find_blame(text, PEOPLE)

    assert (kind, person) in [(f.kind, f.person) for f in flags]


def test_flag_offsets_point_at_the_excerpt() -> None:
    text = "Checkout went down. It was Bob's fault."

    (flag,) = find_blame(text, PEOPLE)

    assert text[flag.start : flag.end] == flag.excerpt == "Bob's fault"
    assert flag.suggestion


def test_depersonalise_replaces_full_first_and_handle_names() -> None:
    text = "Alice Smith paged @bob; Alice's change and Bob's rollback"

    assert depersonalise(text, PEOPLE) == (
        "a responder paged a responder; a responder's change and a responder's rollback"
    )


def test_depersonalised_blame_is_still_flagged() -> None:
    assert find_blame(depersonalise("Bob broke checkout", PEOPLE), PEOPLE)


def test_diff_versions_is_a_unified_diff_of_the_edit() -> None:
    diff = diff_versions("# Postmortem\nRoot cause: unknown\n", "# Postmortem\nRoot cause: expired key\n")

    assert diff.splitlines() == [
        "--- previous",
        "+++ edited",
        "@@ -1,2 +1,2 @@",
        " # Postmortem",
        "-Root cause: unknown",
        "+Root cause: expired key",
    ]


def test_diff_of_identical_versions_is_empty() -> None:
    assert diff_versions("same\n", "same\n") == ""
