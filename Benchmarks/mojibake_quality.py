#!/usr/bin/env python3
"""Quality of mojibake repair: ftfy (and optionally Winnow) on the mojibake test table.

Usage (from the repository root):

    Benchmarks/.venv-peers/bin/python Benchmarks/mojibake_quality.py [--cases PATH]
                                      [--winnow PATH] [--json PATH] [--failures N]
                                      [--articles DIR]

Python 3.11, standard library and ftfy (pip install ftfy; skipped with a note when
missing).

The table is Tests/Tools/mojibake-cases.json, written by Tests/Tools/mojibake_cases.py:
positive cases {"broken", "expected", "path", "kind"} and negatives (correct text that
must come through unchanged). Systems measured:

  ftfy.fix_encoding  ftfy's encoding repair alone, default configuration;
  ftfy.fix_text      ftfy's whole default pipeline (it also uncurls quotes, normalizes
                     to NFC, fixes ligatures...: curly quotes in `expected` then count
                     as not repaired; that is ftfy's default behaviour, reported as is);
  winnow             with --winnow PATH: see run_winnow (its command line is provisional).

Reported: per kind (single, double, mixed, lostA0, lossy) how many cases each system
repairs exactly (output == expected), the single cases per encoding, and how many
negatives each system changes. --json PATH writes the numbers and every failure.

With --articles DIR (the shared article texts, ../shared/data/articles/text), a second
measure on real text that none of the rules were written from: the first 40 lines
with a non-ASCII character of every article, each encoded as UTF-8 and decoded
through each of the nine encodings (strictly: a line that an encoding cannot decode is
left out; windows-1252 decodes its five undefined bytes as C1 controls, as
ISO-8859-1 does). Reported per encoding: how many lines each system gives back
exactly (both sides NFC; a C1 control of the article may come back as the
windows-1252 character it stands for).

Exit status: 0 success, 1 winnow failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO_ROOT / "Tests" / "Tools" / "mojibake-cases.json"
KINDS = ("single", "double", "mixed", "lostA0", "lossy")


# ---------------------------------------------------------------------------
# Winnow
#
# PROVISIONAL: Winnow's command-line flags for mojibake repair are not decided yet.
# Adjust WINNOW_ARGS (and the parsing below) once they are.

WINNOW_ARGS = ["normalize", "--profile", "minimal", "--mojibake", "on", "--format", "jsonl", "--quiet"]


def run_winnow(winnow: str, texts: list[str]) -> list[str]:
    """Runs Winnow on `texts`, one JSON Lines record each ({"id": i, "text": t}), as
    `winnow normalize --profile minimal --mojibake on --format jsonl FILE`, and returns the
    "text" of each output record (stdout, JSON Lines), in input order (by "id" when the
    records carry one). Exits with status 1, printing Winnow's stderr, when it fails."""
    with tempfile.TemporaryDirectory(prefix="mojibake-quality-") as directory:
        path = Path(directory) / "input.jsonl"
        with path.open("w", encoding="utf-8") as file:
            for i, text in enumerate(texts):
                file.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        process = subprocess.run([winnow, *WINNOW_ARGS, str(path)], capture_output=True)
    if process.returncode != 0:
        sys.stderr.write(process.stderr.decode("utf-8", "replace"))
        print(f"winnow failed (exit status {process.returncode})", file=sys.stderr)
        sys.exit(1)
    records = [json.loads(line) for line in process.stdout.decode("utf-8").splitlines() if line.strip()]
    if len(records) != len(texts):
        sys.stderr.write(process.stderr.decode("utf-8", "replace"))
        print(f"winnow wrote {len(records)} records for {len(texts)} texts", file=sys.stderr)
        sys.exit(1)
    if all("id" in record for record in records):
        records.sort(key=lambda record: int(record["id"]))
    outputs = []
    for text, record in zip(texts, records):
        output = record["text"]
        # The normalizer ends text with a line break; the one it added is not a change.
        if output.endswith("\n") and not text.endswith("\n"):
            output = output[:-1]
        outputs.append(output)
    return outputs


# ---------------------------------------------------------------------------


def load(path: Path) -> tuple[list[dict], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cases, negatives = data["cases"], data["negatives"]
        for case in cases:
            if case["kind"] not in KINDS or not isinstance(case["path"], list):
                raise ValueError(f"bad case {case!r}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read {path}: {error}", file=sys.stderr)
        sys.exit(2)
    return cases, negatives


def systems(winnow: str | None) -> tuple[dict[str, Callable[[list[str]], list[str]]], list[str]]:
    found: dict[str, Callable[[list[str]], list[str]]] = {}
    notes = []
    try:
        import ftfy

        found["ftfy.fix_encoding"] = lambda texts: [ftfy.fix_encoding(t) for t in texts]
        found["ftfy.fix_text"] = lambda texts: [ftfy.fix_text(t) for t in texts]
        notes.append(f"ftfy {getattr(ftfy, '__version__', '?')}")
    except ImportError:
        notes.append("ftfy not installed: skipped")
    if winnow:
        found["winnow"] = lambda texts: run_winnow(winnow, texts)
        notes.append(f"winnow: {winnow} {' '.join(WINNOW_ARGS)} FILE (provisional flags)")
    return found, notes


def measure(cases: list[dict], negatives: list[str], run: Callable[[list[str]], list[str]]) -> dict:
    outputs = run([case["broken"] for case in cases] + negatives)
    case_outputs, negative_outputs = outputs[: len(cases)], outputs[len(cases) :]
    per_kind = {kind: {"cases": 0, "repaired": 0} for kind in KINDS}
    per_encoding: dict[str, dict[str, int]] = {}
    failures = []
    for case, output in zip(cases, case_outputs):
        ok = output == case["expected"]
        per_kind[case["kind"]]["cases"] += 1
        per_kind[case["kind"]]["repaired"] += ok
        if case["kind"] == "single":
            entry = per_encoding.setdefault(case["path"][0], {"cases": 0, "repaired": 0})
            entry["cases"] += 1
            entry["repaired"] += ok
        if not ok:
            failures.append({**case, "output": output})
    changed = [{"text": text, "output": out} for text, out in zip(negatives, negative_outputs) if out != text]
    return {
        "per_kind": per_kind,
        "single_per_encoding": per_encoding,
        "repaired": sum(v["repaired"] for v in per_kind.values()),
        "cases": len(cases),
        "negatives": len(negatives),
        "negatives_changed": len(changed),
        "failures": failures,
        "changed_negatives": changed,
    }


def table(results: dict[str, dict], cases: list[dict]) -> str:
    names = list(results)
    width = max(18, *(len(n) + 2 for n in names))
    lines = [f"{'kind':16}{'cases':>7}" + "".join(f"{n:>{width}}" for n in names)]

    def row(label: str, total: int, counts: list[int]) -> str:
        cells = "".join(f"{f'{c} ({100 * c / total:.0f}%)' if total else '-':>{width}}" for c in counts)
        return f"{label:16}{total:>7}{cells}"

    for kind in KINDS:
        total = sum(1 for c in cases if c["kind"] == kind)
        lines.append(row(kind, total, [r["per_kind"][kind]["repaired"] for r in results.values()]))
    lines.append(row("all repaired", len(cases), [r["repaired"] for r in results.values()]))
    negatives = next(iter(results.values()))["negatives"]
    lines.append(row("negatives changed", negatives, [r["negatives_changed"] for r in results.values()]))
    lines.append("")
    lines.append(f"{'single, by path':16}{'cases':>7}" + "".join(f"{n:>{width}}" for n in names))
    encodings = sorted({c["path"][0] for c in cases if c["kind"] == "single"})
    for encoding in encodings:
        total = sum(1 for c in cases if c["kind"] == "single" and c["path"][0] == encoding)
        lines.append(row(encoding, total, [r["single_per_encoding"][encoding]["repaired"] for r in results.values()]))
    return "\n".join(lines)


ARTICLE_CODECS = {
    "windows-1252": "cp1252", "windows-1251": "cp1251", "windows-1250": "cp1250", "ISO-8859-2": "iso8859-2",
    "windows-1253": "cp1253", "windows-1254": "cp1254", "windows-1257": "cp1257", "macintosh": "mac_roman",
    "IBM437": "cp437",
}


def article_lines(directory: Path) -> list[tuple[str, str, str]]:
    """(encoding, line, misread line) for the first 40 non-ASCII lines of every article."""
    import codecs

    codecs.register_error("c1", lambda error: (error.object[error.start : error.end].decode("latin-1"), error.end))
    result = []
    for path in sorted(directory.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if any(ord(c) > 127 for c in line)]
        for encoding, codec in ARTICLE_CODECS.items():
            for line in lines[:40]:
                try:
                    broken = line.encode("utf-8").decode(codec, errors="c1" if codec == "cp1252" else "strict")
                except UnicodeDecodeError:
                    continue
                if broken != line:
                    result.append((encoding, line, broken))
    return result


def measure_articles(directory: Path, found: dict[str, Callable[[list[str]], list[str]]]) -> dict:
    import unicodedata

    def c1_as_windows_1252(text: str) -> str:
        def meaning(character: str) -> str:
            try:
                return bytes([ord(character)]).decode("cp1252")
            except UnicodeDecodeError:
                return character

        return "".join(meaning(c) if "\x80" <= c <= "\x9f" else c for c in text)

    lines = article_lines(directory)
    results = {}
    for name, run in found.items():
        outputs = run([broken for _, _, broken in lines])
        per_encoding: dict[str, dict[str, int]] = {}
        for (encoding, line, _), output in zip(lines, outputs):
            entry = per_encoding.setdefault(encoding, {"lines": 0, "restored": 0})
            entry["lines"] += 1
            expected = unicodedata.normalize("NFC", line)
            got = unicodedata.normalize("NFC", output)
            entry["restored"] += got == expected or got == c1_as_windows_1252(expected)
        results[name] = per_encoding
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="the test table (JSON)")
    parser.add_argument("--winnow", help="Winnow executable to measure too (see run_winnow)")
    parser.add_argument("--json", type=Path, help="write all numbers and failures here")
    parser.add_argument("--failures", type=int, default=5, help="failures to print per system (default 5)")
    parser.add_argument("--articles", type=Path, help="also misread the lines of these article texts (see above)")
    args = parser.parse_args()

    cases, negatives = load(args.cases)
    found, notes = systems(args.winnow)
    print(f"{len(cases)} cases, {len(negatives)} negatives from {args.cases}")
    for note in notes:
        print(f"  {note}")
    if not found:
        print("nothing to measure")
        return 0
    results = {name: measure(cases, negatives, run) for name, run in found.items()}
    print()
    print("repaired exactly (output == expected); negatives changed (output != text)")
    print(table(results, cases))
    for name, result in results.items():
        shown = result["failures"][: args.failures] + [
            {"kind": "negative", "broken": c["text"], "output": c["output"]}
            for c in result["changed_negatives"][: args.failures]
        ]
        if shown:
            print(f"\n{name}: first failures")
            for failure in shown:
                expected = f" expected {failure['expected']!r}" if "expected" in failure else ""
                print(f"  {failure['kind']:8} {failure['broken']!r} -> {failure['output']!r}{expected}")
    articles = None
    if args.articles:
        measured = {name: run for name, run in found.items() if name != "ftfy.fix_text"}
        articles = measure_articles(args.articles, measured)
        print(f"\nlines of {args.articles} misread through each encoding, given back exactly")
        names = list(articles)
        print(f"{'encoding':16}" + "".join(f"{name:>26}" for name in names))
        totals = {name: [0, 0] for name in names}
        for encoding in ARTICLE_CODECS:
            cells = []
            for name in names:
                entry = articles[name].get(encoding, {"lines": 0, "restored": 0})
                totals[name][0] += entry["restored"]
                totals[name][1] += entry["lines"]
                cells.append(f"{entry['restored']} of {entry['lines']}")
            print(f"{encoding:16}" + "".join(f"{cell:>26}" for cell in cells))
        print(f"{'all':16}" + "".join(f"{f'{r} of {t} ({r / t:.1%})':>26}" for r, t in totals.values()))
    if args.json:
        args.json.write_text(
            json.dumps({"notes": notes, "results": results, "articles": articles}, ensure_ascii=False, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
