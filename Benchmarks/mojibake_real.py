#!/usr/bin/env python3
"""Mojibake repair on real material: false repairs on correct lines, repairs of misread lines.

Usage (from the repository root):

    python3 Benchmarks/mojibake_real.py [--data DIR] [--winnow PATH] [--part all|tune|check]
                                        [--sample N] [--seed S] [--no-ftfy] [--json PATH]
                                        [--failures N]

Python 3.11, standard library; ftfy (pip install ftfy) is measured beside Winnow when
it is installed.

The material is ../shared/data/mojibake (see its README): `negatives.txt`, correct
lines in more than 250 languages (a change to any of them is a false repair), with
their source in `negatives.meta.tsv`; `positives.tsv`, lines misread through legacy
encodings with the expected repair, their variant and source in `positives.meta.tsv`
(for lossy variants, the expected text with each lost character as U+FFFD, which also
counts as right).

Systems:

  winnow             `winnow normalize --profile minimal --mojibake on --format jsonl`, one
                     record per line; what it changes is compared with the same run with
                     `--mojibake off`, so that only the repair counts (the minimal profile
                     also normalizes line breaks and NFC);
  ftfy.fix_encoding  ftfy's encoding repair alone, default configuration.

Reported: false repairs per source (per million lines; the synthetic brand-name lines
apart), and per variant the share of misread lines repaired exactly, made wrong
(changed, but not into the expected text) and left as they were.

--part: the material is cut in two by a hash of each line (SHA-1, even or odd), the
same cut every time: `tune` is the half to study and adjust rules on, `check` the half
to confirm a change on text it was not adjusted to; the CEO keeps more of the same kind
of material aside. --sample N takes a seeded sample of N lines of each file.

Exit status: 0 success, 1 winnow failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "mojibake"
DEFAULT_WINNOW = REPO_ROOT / ".build" / "release" / "winnow"


def in_part(text: str, part: str) -> bool:
    if part == "all":
        return True
    odd = hashlib.sha1(text.encode("utf-8")).digest()[0] & 1
    return bool(odd) == (part == "check")


def load(data: Path, part: str, sample: int | None, seed: int):
    try:
        negatives = data.joinpath("negatives.txt").read_text(encoding="utf-8").split("\n")
        if negatives and negatives[-1] == "":
            negatives.pop()
        negative_sources = [
            line.split("\t")[0] for line in data.joinpath("negatives.meta.tsv").read_text(encoding="utf-8").split("\n") if line
        ]
        positives = [
            line.split("\t") for line in data.joinpath("positives.tsv").read_text(encoding="utf-8").split("\n") if line
        ]
        positive_meta = [
            line.split("\t") for line in data.joinpath("positives.meta.tsv").read_text(encoding="utf-8").split("\n") if line
        ]
    except OSError as error:
        print(f"cannot read the material in {data}: {error}", file=sys.stderr)
        sys.exit(2)
    if len(negatives) != len(negative_sources) or len(positives) != len(positive_meta):
        print("the metadata does not match the lines", file=sys.stderr)
        sys.exit(2)
    negs = [(t, s) for t, s in zip(negatives, negative_sources) if in_part(t, part)]
    poss = [
        {"misread": row[0], "expected": row[1], "variant": meta[0], "source": meta[1], "marked": meta[3]}
        for row, meta in zip(positives, positive_meta)
        if in_part(row[1], part)
    ]
    if sample is not None:
        generator = random.Random(seed)
        negs = generator.sample(negs, min(sample, len(negs)))
        poss = generator.sample(poss, min(sample, len(poss)))
    return negs, poss


def run_winnow(winnow: Path, texts: list[str], mojibake: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="mojibake-real-") as directory:
        path = Path(directory) / "input.jsonl"
        with path.open("w", encoding="utf-8") as file:
            for index, text in enumerate(texts):
                file.write(json.dumps({"id": index, "text": text}, ensure_ascii=False) + "\n")
        arguments = [str(winnow), "normalize", "--profile", "minimal", "--mojibake", mojibake]
        process = subprocess.run(arguments + ["--format", "jsonl", "--quiet", str(path)], capture_output=True)
    if process.returncode != 0:
        sys.stderr.write(process.stderr.decode("utf-8", "replace"))
        print(f"winnow failed (exit status {process.returncode})", file=sys.stderr)
        sys.exit(1)
    records = [json.loads(line) for line in process.stdout.decode("utf-8").split("\n") if line.strip()]
    if len(records) != len(texts):
        print(f"winnow wrote {len(records)} records for {len(texts)} lines", file=sys.stderr)
        sys.exit(1)
    return [record["text"] for record in records]


def systems(winnow: Path | None, use_ftfy: bool):
    found = {}
    if winnow is not None:

        def winnow_repair(texts: list[str]) -> list[str]:
            # What the repair changes: the run with it against the run without it.
            repaired = run_winnow(winnow, texts, "on")
            plain = run_winnow(winnow, texts, "off")
            return [text if a == b else a for text, a, b in zip(texts, repaired, plain)]

        found["winnow"] = winnow_repair
    if use_ftfy:
        try:
            import ftfy

            found[f"ftfy {ftfy.__version__} fix_encoding"] = lambda texts: [ftfy.fix_encoding(t) for t in texts]
        except ImportError:
            print("(ftfy is not installed: pip install ftfy)", file=sys.stderr)
    return found


def same(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--winnow", type=Path, default=DEFAULT_WINNOW)
    parser.add_argument("--no-winnow", action="store_true")
    parser.add_argument("--no-ftfy", action="store_true")
    parser.add_argument("--part", choices=["all", "tune", "check"], default="all")
    parser.add_argument("--sample", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--failures", type=int, default=0, help="print this many failures of each kind per system")
    arguments = parser.parse_args()

    negatives, positives = load(arguments.data, arguments.part, arguments.sample, arguments.seed)
    found = systems(None if arguments.no_winnow else arguments.winnow, not arguments.no_ftfy)
    print(f"material: {arguments.data} (part {arguments.part}); {len(negatives)} correct lines, {len(positives)} misread lines")
    results: dict = {}
    for name, repair in found.items():
        start = time.monotonic()
        negative_outputs = repair([text for text, _ in negatives])
        positive_outputs = repair([row["misread"] for row in positives])
        seconds = time.monotonic() - start
        false_by_source = Counter()
        lines_by_source = Counter()
        false_examples = []
        for (text, source), output in zip(negatives, negative_outputs):
            lines_by_source[source] += 1
            if output != text:
                false_by_source[source] += 1
                false_examples.append((source, text, output))
        by_variant: dict[str, Counter] = defaultdict(Counter)
        wrong_examples = []
        for row, output in zip(positives, positive_outputs):
            counts = by_variant[row["variant"]]
            counts["lines"] += 1
            if same(output, row["expected"]) or (row["marked"] != "-" and same(output, row["marked"])):
                counts["repaired"] += 1
            elif output == row["misread"]:
                counts["unchanged"] += 1
            else:
                counts["wrong"] += 1
                wrong_examples.append((row["variant"], row["misread"], output, row["expected"]))
        results[name] = {
            "seconds": seconds,
            "false": dict(false_by_source),
            "lines": dict(lines_by_source),
            "variants": {variant: dict(counts) for variant, counts in by_variant.items()},
            "falseExamples": false_examples[:200],
            "wrongExamples": wrong_examples[:200],
        }

    names = list(results)
    print("\n## False repairs on correct lines (per million lines; synthetic lines apart)\n")
    print("| source | lines | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    sources = sorted({source for _, source in negatives})
    for source in sources + ["all real lines"]:
        if source == "all real lines":
            lines = sum(count for s, count in results[names[0]]["lines"].items() if s != "synthetic") if names else 0
            cells = [
                sum(count for s, count in results[name]["false"].items() if s != "synthetic") for name in names
            ]
        else:
            lines = results[names[0]]["lines"].get(source, 0) if names else 0
            cells = [results[name]["false"].get(source, 0) for name in names]
        rendered = [f"{cell} ({cell / lines * 1e6:.0f}/M)" if lines else "-" for cell in cells]
        if source == "synthetic":
            rendered = [f"{cell} ({100 * cell / lines:.1f}%)" if lines else "-" for cell in cells]
        label = f"**{source}**" if source == "all real lines" else source
        print(f"| {label} | {lines} | " + " | ".join(rendered) + " |")

    print("\n## Misread lines: repaired exactly / made wrong (%)\n")
    print("| variant | lines | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    variants = sorted({row["variant"] for row in positives})
    for variant in variants + ["all"]:
        cells = []
        lines = 0
        for name in names:
            table = results[name]["variants"]
            counts = Counter()
            for key, value in table.items():
                if variant == "all" or key == variant:
                    counts.update(value)
            lines = counts["lines"]
            cells.append(
                f"{100 * counts['repaired'] / lines:.1f} / {100 * counts['wrong'] / lines:.1f}" if lines else "-"
            )
        label = "**all**" if variant == "all" else variant
        print(f"| {label} | {lines} | " + " | ".join(cells) + " |")
    print()
    for name in names:
        print(f"{name}: {results[name]['seconds']:.1f} s for both files")
        for source, text, output in results[name]["falseExamples"][: arguments.failures]:
            print(f"  false repair ({source}): {text!r} -> {output!r}")
        for variant, misread, output, expected in results[name]["wrongExamples"][: arguments.failures]:
            print(f"  wrong ({variant}): {misread!r} -> {output!r}, expected {expected!r}")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
