"""A runbook as the investigation cites it: its `## Section`s, each named by the slug GitHub gives
its heading (lower case, punctuation dropped, spaces to hyphens), so `runbook:rule-bundle-deploys`
names `## Rule bundle deploys`."""

from __future__ import annotations

import re

from agents.cto.investigation.evidence import RunbookSection

__all__ = ["runbook_sections", "slug"]


def slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def runbook_sections(markdown: str) -> list[RunbookSection]:
    """Every `##` section with its text, in order; text before the first one is left out."""
    sections: list[RunbookSection] = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            sections.append(RunbookSection(citation=f"runbook:{slug(heading)}", heading=heading, text=""))
        elif sections:
            sections[-1].text += line + "\n"
    return [s.model_copy(update={"text": s.text.strip()}) for s in sections]
