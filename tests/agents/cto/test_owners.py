"""CODEOWNERS: GitHub's matching, then words, then the catch-all default."""

from __future__ import annotations

import pytest

from agents.cto.owners import matches, owners_for

# GitHub's documented examples (docs.github.com, "About code owners", example CODEOWNERS file).
GITHUB_EXAMPLES = [
    ("*.js", "src/app/index.js", True),
    ("docs/*", "docs/getting-started.md", True),
    ("docs/*", "docs/build-app/troubleshooting.md", False),
    ("apps/", "services/apps/web.py", True),
    ("/docs/", "docs/a/b/c.md", True),
    ("/docs/", "src/docs/a.md", False),
    ("**/logs", "deeply/nested/logs/x.log", True),
    ("/build/logs/", "build/logs/x", True),
    ("/build/logs/", "other/build/logs/x", False),
    ("/apps/github", "apps/github/x.rb", True),
    ("/api/login/", "api/checkout", False),
    ("/api/checkout/", "/api/checkout", True),
    ("a?c", "abc", True),
    ("a?c", "a/c", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GITHUB_EXAMPLES)
def test_patterns_match_the_way_github_does(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_the_exact_route_owner_wins_over_a_later_line_sharing_only_api() -> None:
    # The adopter's file from the issue: checkout got @identity-team (last line containing "api").
    text = "/api/checkout/ @payments-team\n/api/login/ @identity-team\n"
    assert owners_for(text, ["/api/checkout", "checkout"]) == ["@payments-team"]
    assert owners_for(text, ["/api/login"]) == ["@identity-team"]


def test_last_matching_line_wins_and_an_empty_line_unowns() -> None:
    text = "/apps/ @octocat\n/apps/github @doctocat\n/apps/legacy\n"
    assert owners_for(text, ["/apps/github"]) == ["@doctocat"]
    assert owners_for(text, ["/apps/web"]) == ["@octocat"]
    assert owners_for(text, ["/apps/legacy"]) == []


def test_a_route_finds_the_source_folder_by_a_whole_word_not_a_substring() -> None:
    text = (
        "* @acme/eng\n"
        "/src/services/checkout/ @acme/payments\n"
        "/src/services/checkout-history/ @acme/data\n"
        "/src/services/login/ @acme/identity\n"
        "/src/api/ @acme/platform\n"
    )
    assert owners_for(text, ["/api/v1/checkout", "checkout"]) == ["@acme/payments"]
    assert owners_for(text, ["/api/login", "login"]) == ["@acme/identity"]
    # "out" is in "checkout" but is no word of it; nothing named: the catch-all owner.
    assert owners_for(text, ["/api/out"]) == ["@acme/eng"]


def test_nothing_matching_means_no_owner() -> None:
    assert owners_for("/docs/ @writers\n", ["/api/checkout", "checkout"]) == []
    assert owners_for("", ["/api/checkout"]) == []
