"""`python -m evals [--json] [--llm] [CASE ...]`: score the crew's judgement on the labelled cases.

One run of the cases feeds three suites: severity (every case), comms and postmortems (the cases
the product rates P0/P1, carried on to resolution). Exits 1 when a gate fails, so CI and
`make eval` can use it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from evals.comms import CommsScore, render_comms, score_comms
from evals.harness import Outcome, load_cases, run_cases
from evals.postmortem import PostmortemScore, render_postmortems, score_postmortems
from evals.report import SeverityScore, render, score

GATE_ACCURACY = 0.90


def gate(outcomes: list[Outcome]) -> tuple[SeverityScore, list[Outcome]]:
    """The gate's score over unblocked cases, and blocked cases that now pass (their mark must go)."""
    return (score([o for o in outcomes if not o.blocked_by]), [o for o in outcomes if o.blocked_by and o.correct])


def passes(gated: SeverityScore, unblocked: list[Outcome]) -> bool:
    return gated.accuracy >= GATE_ACCURACY and gated.recall.get("P0") in (1.0, None) and not unblocked


def comms_passes(result: CommsScore) -> bool:
    """Every failure is a named product gap, every named gap still occurs, every lifecycle was played."""
    return not result.unexplained and not result.gaps_gone and not result.errors


def postmortems_pass(result: PostmortemScore) -> bool:
    return not result.failures and not result.errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("cases", nargs="*", help="case folder names (default: all)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--llm", action="store_true", help="also run with the configured LLM (WARROOM_LLM_MODEL)")
    parser.add_argument("--jobs", type=int, default=None, help="cases run in parallel (default: one per CPU)")
    args = parser.parse_args(argv)

    cases = load_cases(names=args.cases or None)
    started = time.perf_counter()
    outcomes = run_cases(cases, jobs=args.jobs)
    result = score(outcomes)
    gated, unblocked = gate(outcomes)
    comms, postmortems = score_comms(outcomes, every_case=not args.cases), score_postmortems(outcomes)
    verdicts = {
        "severity": passes(gated, unblocked),
        "comms": comms_passes(comms),
        "postmortems": postmortems_pass(postmortems),
    }
    ok = all(verdicts.values())
    seconds = time.perf_counter() - started
    llm_model = os.environ.get("WARROOM_LLM_MODEL")
    llm = score(run_cases(cases, llm_model=llm_model, jobs=args.jobs)) if args.llm and llm_model else None
    llm_note = (
        "not configured (set WARROOM_LLM_MODEL and OPENAI_API_KEY)"
        if not llm_model
        else (f"{llm_model} (pass --llm to score it)" if llm is None else llm_model)
    )
    if args.json:
        print(
            json.dumps(
                {
                    "rules": result.model_dump(mode="json"),
                    "llm": llm.model_dump(mode="json") if llm else None,
                    "llm_note": llm_note,
                    "seconds": round(seconds, 2),
                    "comms": comms.model_dump(mode="json"),
                    "postmortems": postmortems.model_dump(mode="json"),
                    "gate": {
                        "accuracy_at_least": GATE_ACCURACY,
                        "p0_recall": 1.0,
                        "passed": ok,
                        "suites": verdicts,
                        "score": gated.model_dump(mode="json", exclude={"failures"}),
                        "blocked": [o.case for o in outcomes if o.blocked_by],
                        "blocked_but_passing": [o.case for o in unblocked],
                    },
                },
                indent=2,
            )
        )
    else:
        print(render(result, llm, llm_note, seconds))
        blocked = [o for o in outcomes if o.blocked_by]
        print(
            f"\ngate over {gated.cases} unblocked cases: accuracy {gated.accuracy:.1%}, "
            f"P0 recall {gated.recall['P0']:.0%} (needs >= {GATE_ACCURACY:.0%} and 100%): "
            f"{'PASS' if verdicts['severity'] else 'FAIL'}"
        )
        for outcome in blocked:
            state = "NOW PASSES: remove blocked_by" if outcome.correct else "still fails"
            print(f"  blocked {outcome.case} ({state}): {outcome.blocked_by}")
        print(
            f"\n{render_comms(comms)}\ngate (every failure a named product gap): "
            f"{'PASS' if verdicts['comms'] else 'FAIL'}"
        )
        print(
            f"\n{render_postmortems(postmortems)}\ngate (all complete): {'PASS' if verdicts['postmortems'] else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
