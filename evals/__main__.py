"""`python -m evals [--json] [--llm | --recorded NAME] [--sets S,...] [--show-holdout] [CASE ...]`: score the crew's judgement.

Three labelled sets (`evals.sets`). The tuned set feeds three suites from one run: severity (every
case), comms and postmortems (the cases the product rates P0/P1, carried on to resolution), and
carries the CI gates. The development and held-out sets are scored on severity only, each against
its own gate when played whole (`evals.sets.SetGate`); the held-out one is printed as aggregates
unless `--show-holdout` is given. The investigation suite (`evals.investigation`) scores the rules'
first look, and with `--llm` the model's investigation too, on its development and held-out cases
apart. `--recorded NAME` is `--llm` with a reader's recorded answers standing in for the model
(`evals.recorded_model`). Exits 1 when any gate fails, so CI and `make eval` can use it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import ExitStack
from typing import Any

from evals.comms import CommsScore, render_comms, score_comms
from evals.harness import Outcome, load_cases, run_cases
from evals.investigation import report as investigation_report
from evals.investigation.cases import load_cases as load_investigation_cases
from evals.investigation.cases import read_holdout
from evals.investigation.runner import run_cases as run_investigations
from evals.investigation.verdicts import read_verdicts, render_verdicts
from evals.postmortem import PostmortemScore, render_postmortems, score_postmortems
from evals.recorded_model import recorded_model
from evals.report import SeverityScore, render, render_set, score, set_json
from evals.sets import SETS, TUNED, CaseSet

GATE_ACCURACY = 0.90
INVESTIGATION = "investigation"


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


def _sets(text: str) -> list[CaseSet | str]:
    by_name: dict[str, CaseSet | str] = {case_set.name: case_set for case_set in SETS}
    by_name[INVESTIGATION] = INVESTIGATION
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in by_name]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(by_name)} (comma-separated), got {text!r}")
    return [by_name[name] for name in names]


def _investigation(args: argparse.Namespace, llm_model: str | None) -> tuple[str, dict[str, Any]]:
    """The investigation suite: development and held-out cases apart, per path (rules, model)."""
    held = set(read_holdout())
    private = not args.show_holdout
    if private and args.cases and held & set(args.cases):
        note = "skipped: naming held-out cases would show single held-out results; run it whole"
        return f"== investigation suite ==\n{note}", {"skipped": note}
    cases = load_investigation_cases(names=args.cases or None)
    groups = [("development", [c for c in cases if c.slug not in held], False)]
    groups.append(("held-out", [c for c in cases if c.slug in held], private))
    paths: list[tuple[str, str | None]] = [("rules", None)]
    if args.llm and llm_model and not args.recorded:  # recorded answers are severity answers only
        paths.append((f"model {llm_model}", llm_model))
    started = time.perf_counter()
    lines, report = [], {}
    for path, model in paths:
        for name, group, hidden in groups:
            if not group:
                continue
            result = investigation_report.score(run_investigations(group, llm_model=model, jobs=args.jobs))
            title = f"{path}, {name} set"
            lines.append(investigation_report.render(result, title=title, private=hidden))
            report[f"{path}/{name}"] = result.model_dump(mode="json", exclude={"results"} if hidden else None)
    seconds = time.perf_counter() - started
    if args.recorded:
        lines.append("model: not scored (recorded answers hold severity opinions, not investigations)")
    elif args.llm and not llm_model:
        lines.append("model: not configured (set WARROOM_LLM_MODEL, OPENAI_API_KEY and OPENAI_BASE_URL)")
    report["seconds"] = round(seconds, 2)
    return f"== investigation suite ({seconds:.1f}s) ==\n" + "\n".join(lines), report


def _tuned(args: argparse.Namespace, llm_model: str | None) -> tuple[str, dict[str, Any], bool]:
    """The tuned set with its three suites and gates: the print-out, the JSON and whether every gate passed."""
    cases = load_cases(TUNED.root, names=args.cases or None)
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
    llm = score(run_cases(cases, llm_model=llm_model, jobs=args.jobs)) if args.llm and llm_model else None
    llm_note = (
        "not configured (set WARROOM_LLM_MODEL and OPENAI_API_KEY)"
        if not llm_model
        else (f"{llm_model} (pass --llm to score it)" if llm is None else llm_model)
    )
    report = {
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
    }
    lines = [
        f"== {TUNED.title} ==",
        render(result, llm, llm_note, seconds),
        f"\ngate over {gated.cases} unblocked cases: accuracy {gated.accuracy:.1%}, "
        f"P0 recall {'n/a' if gated.recall['P0'] is None else format(gated.recall['P0'], '.0%')} (needs >= {GATE_ACCURACY:.0%} and 100%): "
        f"{'PASS' if verdicts['severity'] else 'FAIL'}",
    ]
    for outcome in (o for o in outcomes if o.blocked_by):
        state = "NOW PASSES: remove blocked_by" if outcome.correct else "still fails"
        lines.append(f"  blocked {outcome.case} ({state}): {outcome.blocked_by}")
    lines += [
        f"\n{render_comms(comms)}\ngate (every failure a named product gap): {'PASS' if verdicts['comms'] else 'FAIL'}",
        f"\n{render_postmortems(postmortems)}\ngate (all complete): {'PASS' if verdicts['postmortems'] else 'FAIL'}",
    ]
    return "\n".join(lines), report, ok


def _adapted(case_set: CaseSet, args: argparse.Namespace, llm_model: str | None) -> tuple[str, dict[str, Any], bool]:
    """A set scored on severity alone, with no lifecycle run; its gate, if any, when played whole."""
    private = case_set.private and not args.show_holdout
    if private and args.cases:
        note = "skipped: naming cases would show single held-out results; run it whole, or with --show-holdout"
        return f"== {case_set.title} ==\n{note}", {"skipped": note}, True
    cases = load_cases(case_set.root, names=args.cases or None)
    started = time.perf_counter()
    result = score(run_cases(cases, jobs=args.jobs, lifecycle=False))
    seconds = time.perf_counter() - started
    llm = (
        score(run_cases(cases, llm_model=llm_model, jobs=args.jobs, lifecycle=False))
        if args.llm and llm_model
        else None
    )
    report = {
        **set_json(result, private=private),
        "llm": set_json(llm, private=private) if llm else None,
        "seconds": round(seconds, 2),
    }
    text = f"== {case_set.title} ({seconds:.1f}s) ==\n{render_set(result, private=private, llm=llm)}"
    gate = case_set.gate
    if gate is None or args.cases:
        return text, report, True
    recall = result.recall["P0"]
    ok = result.accuracy >= gate.accuracy and (recall is None or recall >= gate.p0_recall)
    report["gate"] = {"accuracy_at_least": gate.accuracy, "p0_recall_at_least": gate.p0_recall, "passed": ok}
    verdict = f"\ngate: accuracy >= {gate.accuracy:.0%}, P0 recall >= {gate.p0_recall:.0%}: {'PASS' if ok else 'FAIL'}"
    return text + verdict, report, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("cases", nargs="*", help="case folder names (default: all)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--llm", action="store_true", help="also run with the configured LLM (WARROOM_LLM_MODEL)")
    parser.add_argument(
        "--recorded",
        metavar="NAME",
        help="score the LLM path with NAME's recorded answers (evals/recorded/*.NAME.json) as the model; "
        "A+B answers with B only what A has no answer for",
    )
    parser.add_argument("--jobs", type=int, default=None, help="cases run in parallel (default: one per CPU)")
    parser.add_argument(
        "--sets",
        type=_sets,
        default=[*SETS, INVESTIGATION],
        help="which sets to score, comma-separated: tuned, development, paraphrase, holdout, investigation (default: all five)",
    )
    parser.add_argument(
        "--show-holdout",
        action="store_true",
        help="list the held-out cases' failures too; never while changing the severity rules",
    )
    parser.add_argument(
        "--verdicts",
        metavar="DATABASE_URL",
        help="only print responders' verdicts on the findings stored in that warroom database",
    )
    args = parser.parse_args(argv)
    if args.verdicts:
        score = read_verdicts(args.verdicts)
        print(json.dumps(score.model_dump(), indent=2) if args.json else render_verdicts(score))
        return 0

    with ExitStack() as stack:
        if args.recorded:
            server = stack.enter_context(recorded_model(args.recorded))
            args.llm = True
        ok, texts, report = _play(args, os.environ.get("WARROOM_LLM_MODEL"))
        if args.recorded:
            asked, missing = len(server.asked), len(server.unanswered)
            note = f"recorded answers {args.recorded}: {asked - missing} of {asked} severity requests answered"
            texts.append(note + (f"; the rules stood for the other {missing}" if missing else ""))
            report["recorded"] = {"name": args.recorded, "requests": asked, "unanswered": missing}
    print(json.dumps(report, indent=2) if args.json else "\n\n".join(texts))
    return 0 if ok else 1


def _play(args: argparse.Namespace, llm_model: str | None) -> tuple[bool, list[str], dict[str, Any]]:
    texts: list[str] = []
    report: dict[str, Any] = {}
    ok = True
    for case_set in args.sets:
        if case_set == INVESTIGATION:
            text, report[INVESTIGATION] = _investigation(args, llm_model)
        elif case_set is TUNED:
            text, tuned_report, passed = _tuned(args, llm_model)
            report.update(tuned_report)
            ok = ok and passed
        else:
            text, report[case_set.name], passed = _adapted(case_set, args, llm_model)
            ok = ok and passed
        texts.append(text)
    return ok, texts, report


if __name__ == "__main__":
    sys.exit(main())
