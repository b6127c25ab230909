"""What responders said of the findings in a running warroom: per path (rules, model), how many
were marked right, partly or wrong, and how many nobody judged. The suite's cases say how the
investigation does on known causes; these say how it does on the team's own incidents.

`python -m evals --verdicts <database URL>` prints them (read-only: the database is opened, never
migrated or written).
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import create_engine

from warroom.findings import store as findings
from warroom.findings.models import MadeBy, Verdict

__all__ = ["VerdictScore", "read_verdicts", "render_verdicts"]


class VerdictScore(BaseModel):
    by_path: dict[str, dict[str, int]] = Field(
        description="rules | model -> right | partly | wrong | unjudged -> findings"
    )


def read_verdicts(database_url: str) -> VerdictScore:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = findings.verdict_counts(conn)
    finally:
        engine.dispose()
    columns = [*(v.value for v in Verdict), "unjudged"]
    by_path = {path.value: dict.fromkeys(columns, 0) for path in MadeBy}
    for (made_by, verdict), n in counts.items():
        by_path.setdefault(made_by, dict.fromkeys(columns, 0))[verdict or "unjudged"] += n
    return VerdictScore(by_path=by_path)


def render_verdicts(score: VerdictScore) -> str:
    lines = ["responders' verdicts on findings:"]
    for path, counts in score.by_path.items():
        judged = sum(n for verdict, n in counts.items() if verdict != "unjudged")
        right = f", right {counts['right'] / judged:.0%} of those judged" if judged else ""
        lines.append(
            f"  {path}: right {counts['right']}, partly {counts['partly']}, wrong {counts['wrong']}, "
            f"not judged {counts['unjudged']}{right}"
        )
    return "\n".join(lines)
