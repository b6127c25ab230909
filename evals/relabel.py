"""Independent labels: how contestable each adapted case's label is.

A case's label was given by whoever adapted the incident, with the postmortem in hand; the product
sees only the alert. `export` copies a set's alerts under opaque ids, with the labelling brief and
the severity table and nothing else (no label, no `why`, no citation, no name), for a second
labeller; the id-to-case key goes beside the folder, not in it. `import` writes that labeller's
levels into the cases as `[[relabel]]` tables, which `evals.report` turns into the agreement line.

    uv run python -m evals.relabel export /tmp/relabel --set development --sample 90
    uv run python -m evals.relabel import /tmp/relabel/labels_A.json --by "labeller A, 2026-12-05"

Importing a held-out set's labels is fine: the held-out cases are still never read while rules
change, and the agreement line prints aggregates only for them.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evals.sets import EVALS_DIR, SETS
from warroom.severity import Severity

__all__ = ["Label", "export", "import_labels", "main"]

BRIEF = Path(__file__).with_name("relabel_brief.md")


class Label(BaseModel):
    """One answer in a labeller's `labels_<NAME>.json`."""

    model_config = ConfigDict(extra="ignore")

    level: Severity
    sure: bool = True


def _key_file(folder: Path) -> Path:
    return folder.with_name(folder.name + ".key.json")


def export(folder: Path, root: Path, sample: int | None, seed: int) -> int:
    """The alerts of the set in `root` under shuffled opaque ids; returns how many."""
    cases = sorted(p for p in root.iterdir() if (p / "case.toml").is_file())
    chosen = random.Random(seed).sample(cases, sample or len(cases))
    (folder / "cases").mkdir(parents=True, exist_ok=False)
    shutil.copy(BRIEF, folder / "BRIEF.md")
    width = len(str(len(chosen)))
    key: dict[str, str] = {}
    for number, case in enumerate(chosen, 1):
        opaque = f"c{number:0{width}d}"
        target = folder / "cases" / opaque
        target.mkdir()
        for name in ("payload.json", "payloads.json"):
            if (case / name).is_file():
                shutil.copy(case / name, target / name)
        source = tomllib.loads((case / "case.toml").read_text())["source"]
        (target / "source.txt").write_text(f"{source}\n")
        key[opaque] = str(case.relative_to(root.parent))
    _key_file(folder).write_text(json.dumps(key, indent=1) + "\n")
    return len(chosen)


def import_labels(labels_file: Path, by: str, evals_dir: Path = EVALS_DIR) -> int:
    """Append the labeller's levels to the cases; a case that already holds a label `by` them is left alone."""
    folder = labels_file.parent
    key: dict[str, str] = json.loads(_key_file(folder).read_text())
    answers = {opaque: Label.model_validate(raw) for opaque, raw in json.loads(labels_file.read_text()).items()}
    unknown = answers.keys() - key.keys()
    if unknown:
        raise ValueError(f"{labels_file}: ids not in the export: {sorted(unknown)}")
    written = 0
    for opaque, label in sorted(answers.items()):
        toml_file = evals_dir / key[opaque] / "case.toml"
        text = toml_file.read_text()
        if any(entry.get("by") == by for entry in tomllib.loads(text).get("relabel", [])):
            continue
        toml_file.write_text(
            f'{text.rstrip()}\n\n[[relabel]]\nlevel = "{label.level.value}"\nsure = {str(label.sure).lower()}\nby = {json.dumps(by)}\n'
        )
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.relabel", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="a set's alerts for a second labeller")
    out.add_argument("folder", type=Path)
    out.add_argument("--set", required=True, choices=[s.name for s in SETS])
    out.add_argument("--sample", type=int, default=None, help="only this many cases, drawn at random")
    out.add_argument("--seed", type=int, default=0)
    back = commands.add_parser("import", help="write a labeller's answers into the cases")
    back.add_argument("labels", type=Path)
    back.add_argument("--by", required=True, help="who labelled, and when")
    args = parser.parse_args(argv)
    if args.command == "export":
        root = next(s.root for s in SETS if s.name == args.set)
        print(f"{export(args.folder, root, args.sample, args.seed)} cases in {args.folder}")
    else:
        print(f"{import_labels(args.labels, args.by)} cases labelled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
