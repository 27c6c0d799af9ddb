#!/usr/bin/env python3
"""Quality of removing blocks repeated inside a document: `winnow clean` against awk.

Usage (from the repository root):

    python3 Benchmarks/repeats_quality.py [--articles DIR] [--winnow PATH] [--seed N]
                                          [--json PATH]

Python 3.11, standard library only.

The script builds a labeled JSON Lines corpus from the real articles in --articles
(default ../shared/data/articles/text from the repository root), keeping the
articles with at least 8 non-blank lines and no repeats of their own. An article
has repeats of its own, by a check independent of winnow (the one of
Tests/WinnowTests/RepeatFinderTests.swift), when some run of 12 words occurs twice
in it or two of its lines of 12 words or more share 80% of their words (words
lower-cased, letters and digits only): a pull quote printed twice, an interview
scraped with its questions repeated. For such an article the expected output "the
article itself" would be wrong, so it is left out and counted (--with-own-repeats
keeps them, to see what the tools do with them). For each such article, A is its text with
every line stripped of trailing whitespace (and leading and trailing blank lines
dropped); P1..Pn are its non-blank lines (paragraphs). Variants, ids
`<file stem>/<label>`, and what a perfect tool outputs:

    body-twice           A + "\\n" + A, then 5 to 10 blank lines          A
                         (the article body emitted twice)
    paragraph-repeated   one random paragraph of at least 12 words      A
                         inserted again right after itself or 2-3
                         paragraphs later
    block-repeated       a run of 3 consecutive paragraphs (12 words    A
                         or more together) inserted again later
    repeat-other-quotes  body-twice, but in the second copy straight    A
                         quotes ' " become curly ones (‘ ’ “ ”) and
                         about half of the single spaces after a
                         period become double spaces
    glued                the body twice, the copy's first paragraph      A
                         glued onto the original's last line ("... last
                         paragraph. First paragraph of the copy ...")
    copy-ends-mid-line   the body twice, a closing sentence F of its     A, then F
                         own glued onto the copy's last line            on a line
    sentence-repeated    a sentence of 12 words or more repeated back    A
                         to back inside its paragraph
    block-short-edges    a run of 3 or more consecutive paragraphs      A
                         whose first and last are under 12 words
                         (a headline, a dateline, a credit) inserted
                         again later
    clean                A unchanged                                    A
    legit-repeats        A with one short line (under 12 words, e.g.    the input
                         "Advertisement") inserted at 3 places          itself
                                                                        (all kept)

Variants that an article cannot give (no paragraph of 12 words, a second copy that
no quote or period changes) are left out and counted. Inserted copies take the
article's paragraph separator (a blank line). Everything is drawn from one
random.Random(--seed) (default 1), so the corpus is the same for a given seed and
article set.

Tools measured:

    winnow            `winnow clean --no-dedup --no-normalize CORPUS.jsonl --quiet`
    winnow-normalize  `winnow clean --no-dedup CORPUS.jsonl --quiet`
    awk               `awk '!seen[$0]++' FILE`, run once per document on a file
                      holding its text (this also removes later blank lines and
                      every later copy of a short line: what users do, reported
                      as it is)

The winnow executable is .build/release/winnow unless --winnow PATH. If a winnow
run fails (for instance because the executable is being rebuilt) it is retried
once after 30 s.

Scoring. Input, output and expected texts are canonicalized the same way: split at
LF, every line stripped, empty lines dropped (blank-line runs are not the point).
For winnow-normalize the lines are also mapped as its default normalization maps
them, so that normalization changes do not count as errors: NFC; C1 controls read
as Windows-1252; U+00AD, U+180E, U+200B, U+2060, U+206A-U+206F, U+FEFF removed;
curly quotes U+2018-U+201F and U+2E42 to ' and "; every run of Unicode white space
to one space; lines split at U+2028, U+2029, VT, FF. Then, per label and overall:

    exact match   documents whose canonical line list equals the expected one
    removed       lines of the input missing from the output (multiset difference)
    extra         lines of the input beyond the expected output (the inserted
                  copies; none for clean and legit-repeats)
    true removals the removed lines that were extra copies (per line, the smaller
                  of the two counts); false removals = removed - true removals
    precision     true removals / removed;  recall   true removals / extra
    added         lines of the output not in the input (a changed line counts as
                  one removed and one added)

Speed: bytes/s = UTF-8 bytes of all input texts / seconds. For winnow the seconds
are the wall time of the whole process (start, JSON parsing, writing), the median
of 3 runs (which must write the same output); for awk the sum of the wall times of
the per-document runs, which process start-up dominates. MB = 10^6 bytes.

Prints Markdown tables (exact-match rate per label; overall precision and recall;
speed) and notes on documents where a tool's output differs from the expected one
on the `clean` label. --json PATH writes all numbers and those differences.

Exit status: 0 success, 1 a tool failed or returned other ids, 2 bad input.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import re
import subprocess
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# The repository root: defaults are resolved from it, so the script runs from anywhere.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = REPO_ROOT / ".." / "shared" / "data" / "articles" / "text"
DEFAULT_WINNOW = REPO_ROOT / ".build" / "release" / "winnow"

MIN_LINES = 8  # non-blank lines an article needs
MIN_PARAGRAPH_WORDS = 12  # words of the repeated paragraph (and of a repeated block)
BLOCK_PARAGRAPHS = 3
TRAILING_BLANKS = (5, 10)
RETRY_SECONDS = 30
WINNOW_RUNS = 3  # winnow's time is the median of this many runs

LABELS = (
    "body-twice",
    "paragraph-repeated",
    "block-repeated",
    "repeat-other-quotes",
    "glued",
    "copy-ends-mid-line",
    "sentence-repeated",
    "block-short-edges",
    "clean",
    "legit-repeats",
)

# Closing sentences of a page's own, glued after the copy (copy-ends-mid-line).
CLOSING_SENTENCES = (
    "Follow us on Twitter and Facebook for the latest updates on this story.",
    "This article was amended on the day of publication to correct a date.",
    "Additional reporting by our correspondents in the region and the capital.",
    "Our newsroom welcomes tips and corrections from readers at any time of day.",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"\u201c\u2018(])")

# Short lines that legitimately recur in scraped articles (all under 12 words).
LEGIT_LINES = (
    "Advertisement",
    "Photo: Reuters",
    "Share this article",
    "Continue reading below",
    "Story continues below advertisement",
    "Click to enlarge",
    "Read more",
    "Image: Getty Images",
    "Sponsored content",
    "Scroll to continue with content",
)

TOOLS = ("winnow", "winnow-normalize", "awk")
TOOL_TITLES = {
    "winnow": "winnow (no normalize)",
    "winnow-normalize": "winnow (normalize)",
    "awk": "awk '!seen[$0]++'",
}


# ---------------------------------------------------------------------------
# Articles and the labeled corpus


@dataclass
class Article:
    stem: str
    lines: list[str]  # A's lines, trailing white space stripped
    paragraphs: list[int]  # indexes in `lines` of the non-blank lines

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Document:
    id: str
    label: str
    text: str
    expected: str


WORD = re.compile(r"[^\W_]+")


def has_own_repeats(text: str) -> bool:
    """Some run of 12 words occurs twice, or two lines of 12 words or more share 80%
    of their words (multiset Dice), words lower-cased, letters and digits only."""
    words = WORD.findall(text.lower())
    seen = set()
    for start in range(len(words) - MIN_PARAGRAPH_WORDS + 1):
        run = tuple(words[start : start + MIN_PARAGRAPH_WORDS])
        if run in seen:
            return True
        seen.add(run)
    lines = [WORD.findall(line.lower()) for line in text.split("\n")]
    lines = [line for line in lines if len(line) >= MIN_PARAGRAPH_WORDS]
    for i, first in enumerate(lines):
        for second in lines[i + 1 :]:
            shared = sum((Counter(first) & Counter(second)).values())
            if 2 * shared >= 0.8 * (len(first) + len(second)):
                return True
    return False


def load_articles(directory: Path, with_own_repeats: bool = False) -> tuple[list[Article], int, int]:
    """The articles of `directory` (*.txt, file-name order) with at least MIN_LINES
    non-blank lines and, unless `with_own_repeats`, no repeats of their own; the
    number of files read and of articles left out for their own repeats."""
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == ".txt")
    articles = []
    own_repeats = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = [line.rstrip() for line in text.split("\n")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        paragraphs = [i for i, line in enumerate(lines) if line.strip()]
        if len(paragraphs) >= MIN_LINES:
            if not with_own_repeats and has_own_repeats("\n".join(lines)):
                own_repeats += 1
                continue
            articles.append(Article(path.stem, lines, paragraphs))
    return articles, len(files), own_repeats


def separator_lines(article: Article) -> list[str]:
    """What goes before an inserted paragraph: a blank line when the article
    separates its paragraphs by blank lines."""
    gaps = sum(1 for a, b in zip(article.paragraphs, article.paragraphs[1:]) if b > a + 1)
    return [""] if 2 * gaps >= len(article.paragraphs) - 1 else []


def insert_after(article: Article, lines: list[str], paragraph: int, block: list[str]) -> list[str]:
    """`lines` (A's lines) with `block` inserted after paragraph number `paragraph`."""
    at = article.paragraphs[paragraph] + 1
    return lines[:at] + separator_lines(article) + block + lines[at:]


def body_twice(rng: random.Random, first: str, second: str) -> str:
    blanks = rng.randint(*TRAILING_BLANKS)
    return first + "\n" + second + "\n" * (blanks + 1)


def curly_quotes(line: str, rng: random.Random) -> str:
    """Straight quotes to curly ones (by context) and about half of the single
    spaces after a period to double spaces."""
    out = []
    for i, ch in enumerate(line):
        before = line[i - 1] if i else " "
        opening = before.isspace() or before in "([{-—–/"
        if ch == "'":
            out.append("\u2018" if opening else "\u2019")
        elif ch == '"':
            out.append("\u201c" if opening else "\u201d")
        else:
            out.append(ch)
    line = "".join(out)
    return re.sub(r"\. (?=\S)", lambda m: ".  " if rng.random() < 0.5 else ". ", line)


def build_corpus(articles: list[Article], seed: int) -> tuple[list[Document], Counter]:
    """The labeled documents, article by article in label order, and the number of
    variants left out per label."""
    rng = random.Random(seed)
    docs: list[Document] = []
    skipped: Counter = Counter()
    for article in articles:
        a = article.text
        n = len(article.paragraphs)
        para = [article.lines[i] for i in article.paragraphs]

        def add(label: str, text: str, expected: str = a) -> None:
            docs.append(Document(f"{article.stem}/{label}", label, text, expected))

        # body-twice
        add("body-twice", body_twice(rng, a, a))

        # paragraph-repeated: a paragraph of 12+ words, again right after itself or
        # 2-3 paragraphs later (as far as the article goes).
        long = [i for i in range(n) if len(para[i].split()) >= MIN_PARAGRAPH_WORDS]
        if long:
            i = rng.choice(long)
            offset = rng.choice([0, 2, 3])
            after = min(i + offset, n - 1)
            add("paragraph-repeated", "\n".join(insert_after(article, article.lines, after, [para[i]])))
        else:
            skipped["paragraph-repeated"] += 1

        # block-repeated: paragraphs i..i+2 (with the lines between them) again after a
        # later paragraph.
        starts = [
            i
            for i in range(n - BLOCK_PARAGRAPHS + 1)
            if sum(len(p.split()) for p in para[i : i + BLOCK_PARAGRAPHS]) >= MIN_PARAGRAPH_WORDS
        ]
        if starts:
            i = rng.choice(starts)
            last = i + BLOCK_PARAGRAPHS - 1
            block = article.lines[article.paragraphs[i] : article.paragraphs[last] + 1]
            after = rng.randint(last, n - 1)
            add("block-repeated", "\n".join(insert_after(article, article.lines, after, block)))
        else:
            skipped["block-repeated"] += 1

        # repeat-other-quotes
        second = "\n".join(curly_quotes(line, rng) for line in article.lines)
        if second != a:
            add("repeat-other-quotes", body_twice(rng, a, second))
        else:
            skipped["repeat-other-quotes"] += 1

        # glued: the copy's first paragraph on the original's last line, then the rest.
        last = article.paragraphs[-1]
        first = article.paragraphs[0]
        glued_lines = article.lines[:last] + [article.lines[last] + " " + article.lines[first]]
        glued_lines += article.lines[first + 1 :]
        add("glued", "\n".join(glued_lines) + "\n")

        # copy-ends-mid-line: the body twice, a closing sentence glued to the copy's end.
        closing = rng.choice(CLOSING_SENTENCES)
        add("copy-ends-mid-line", a + "\n" + a + " " + closing + "\n", expected=a + "\n" + closing)

        # sentence-repeated: a sentence of 12+ words of a paragraph, again right after itself.
        sentences = []
        for i in range(n):
            parts = SENTENCE_END.split(para[i])
            sentences += [(i, k) for k, part in enumerate(parts) if len(part.split()) >= MIN_PARAGRAPH_WORDS and len(parts) > 1]
        if sentences:
            i, k = rng.choice(sentences)
            parts = SENTENCE_END.split(para[i])
            doubled = " ".join(parts[: k + 1] + [parts[k]] + parts[k + 1 :])
            lines = list(article.lines)
            lines[article.paragraphs[i]] = doubled
            add("sentence-repeated", "\n".join(lines))
        else:
            skipped["sentence-repeated"] += 1

        # block-short-edges: paragraphs i..j (3 or more) with short first and last ones,
        # 12 words or more together, inserted again after a later paragraph.
        short_edge_blocks = [
            (i, j)
            for i in range(n)
            for j in range(i + 2, min(n, i + 6))
            if len(para[i].split()) < MIN_PARAGRAPH_WORDS
            and len(para[j].split()) < MIN_PARAGRAPH_WORDS
            and sum(len(p.split()) for p in para[i : j + 1]) >= 2 * MIN_PARAGRAPH_WORDS
        ]
        if short_edge_blocks:
            i, j = rng.choice(short_edge_blocks)
            block = article.lines[article.paragraphs[i] : article.paragraphs[j] + 1]
            after = rng.randint(j, n - 1)
            add("block-short-edges", "\n".join(insert_after(article, article.lines, after, block)))
        else:
            skipped["block-short-edges"] += 1

        # clean
        add("clean", a)

        # legit-repeats: one short line (not already in A) after 3 distinct paragraphs;
        # the expected output is the input itself.
        present = {p.strip() for p in para}
        choices = [line for line in LEGIT_LINES if line not in present]
        short = rng.choice(choices)
        places = sorted(rng.sample(range(n), 3), reverse=True)
        lines = article.lines
        for place in places:  # from the end, so that earlier indexes stay valid
            lines = insert_after(article, lines, place, [short])
        text = "\n".join(lines)
        add("legit-repeats", text, expected=text)
    return docs, skipped


# ---------------------------------------------------------------------------
# Canonical line lists

C1_MAP = {}
for _b in range(0x80, 0xA0):
    try:
        C1_MAP[_b] = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:
        C1_MAP[_b] = ""  # C1 controls with no Windows-1252 character are removed
INVISIBLES = {c: None for c in (0xAD, 0x180E, 0x200B, 0x2060, 0xFEFF, *range(0x206A, 0x2070))}
QUOTES = {c: "'" for c in (0x2018, 0x2019, 0x201A, 0x201B)}
QUOTES.update({c: '"' for c in (0x201C, 0x201D, 0x201E, 0x201F)})
QUOTES[0x2E42] = '"'
NORMALIZE_TABLE = {**INVISIBLES, **QUOTES}  # after C1_MAP: U+0093 is a curly quote
WHITESPACE_RUN = re.compile(r"\s+")
EXTRA_BREAKS = re.compile("[\u2028\u2029\x0b\x0c]")


def canonical(text: str, normalized: bool) -> list[str]:
    """Stripped non-empty lines; with `normalized`, also mapped as winnow's default
    normalization maps them (see the module docstring)."""
    if not normalized:
        return [s for line in text.split("\n") if (s := line.strip())]
    text = EXTRA_BREAKS.sub("\n", text.translate(C1_MAP).translate(NORMALIZE_TABLE))
    text = unicodedata.normalize("NFC", text)
    lines = (WHITESPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


# ---------------------------------------------------------------------------
# Scores


@dataclass
class Score:
    docs: int = 0
    exact: int = 0
    removed: int = 0
    true_removed: int = 0
    extra: int = 0
    added: int = 0

    def add(self, other: "Score") -> None:
        for name in ("docs", "exact", "removed", "true_removed", "extra", "added"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def false_removed(self) -> int:
        return self.removed - self.true_removed

    @property
    def exact_rate(self) -> float | None:
        return self.exact / self.docs if self.docs else None

    @property
    def precision(self) -> float | None:
        return self.true_removed / self.removed if self.removed else None

    @property
    def recall(self) -> float | None:
        return self.true_removed / self.extra if self.extra else None

    def as_json(self) -> dict:
        return {
            "documents": self.docs,
            "exact_matches": self.exact,
            "exact_match_rate": self.exact_rate,
            "removed_lines": self.removed,
            "true_removals": self.true_removed,
            "false_removals": self.false_removed,
            "extra_lines": self.extra,
            "added_lines": self.added,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class DocResult:
    score: Score
    false_removed: Counter  # removed lines that were not extra copies
    kept_extra: Counter  # extra copies left in the output
    added: Counter  # output lines not in the input (changed or new lines)
    missing: list[str] = field(default_factory=list)  # expected lines not in the output


def score_document(doc: Document, output: str, normalized: bool) -> DocResult:
    inp = canonical(doc.text, normalized)
    out = canonical(output, normalized)
    exp = canonical(doc.expected, normalized)
    cin, cout, cexp = Counter(inp), Counter(out), Counter(exp)
    removed = cin - cout
    extra = cin - cexp
    true = removed & extra
    added = cout - cin
    s = Score(
        docs=1,
        exact=int(out == exp),
        removed=sum(removed.values()),
        true_removed=sum(true.values()),
        extra=sum(extra.values()),
        added=sum(added.values()),
    )
    return DocResult(s, removed - extra, extra - removed, added, list((cexp - cout).elements()))


# ---------------------------------------------------------------------------
# Running the tools


class ToolError(Exception):
    pass


def winnow_once(cmd: list[str]) -> tuple[bytes, float]:
    """Standard output and wall time of one winnow run; retried once after
    RETRY_SECONDS when the run fails."""
    for attempt in (1, 2):
        try:
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True)
            seconds = time.perf_counter() - start
            if proc.returncode == 0:
                break
            problem = f"exit status {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[:500]}"
        except OSError as error:  # missing or busy executable while it is being rebuilt
            problem = str(error)
        if attempt == 1:
            print(f"winnow failed ({problem}); retrying in {RETRY_SECONDS} s", file=sys.stderr)
            time.sleep(RETRY_SECONDS)
    else:
        raise ToolError(f"{' '.join(cmd)} failed twice: {problem}")
    return proc.stdout, seconds


def run_winnow(winnow: Path, corpus: Path, normalize: bool) -> tuple[dict[str, str], list[float]]:
    """The output texts by id (of the first run) and the wall times of
    WINNOW_RUNS runs, which must all write the same output."""
    cmd = [str(winnow), "clean", "--no-dedup"]
    if not normalize:
        cmd.append("--no-normalize")
    cmd += [str(corpus), "--quiet"]
    stdout, first = winnow_once(cmd)
    times = [first]
    for _ in range(WINNOW_RUNS - 1):
        again, seconds = winnow_once(cmd)
        if again != stdout:
            raise ToolError(f"{' '.join(cmd)} wrote another output on a second run")
        times.append(seconds)
    outputs = {}
    for number, line in enumerate(stdout.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ToolError(f"winnow output line {number} is not JSON: {error}") from None
        outputs[record["id"]] = record["text"]
    return outputs, times


def run_awk(docs: list[Document], directory: Path) -> tuple[dict[str, str], float]:
    """awk '!seen[$0]++' on each document's text in its own file; the outputs and
    the summed wall time of the runs."""
    env = dict(os.environ, LC_ALL="C")
    paths = []
    for number, doc in enumerate(docs):
        path = directory / f"{number:05d}.txt"
        path.write_bytes(doc.text.encode("utf-8"))
        paths.append(path)
    outputs, total = {}, 0.0
    for doc, path in zip(docs, paths):
        start = time.perf_counter()
        proc = subprocess.run(["awk", "!seen[$0]++", str(path)], capture_output=True, env=env)
        total += time.perf_counter() - start
        if proc.returncode != 0:
            raise ToolError(f"awk failed on {doc.id}: {proc.stderr.decode(errors='replace')[:300]}")
        outputs[doc.id] = proc.stdout.decode("utf-8", errors="replace")
    return outputs, total


# ---------------------------------------------------------------------------
# Report


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def describe_difference(result: DocResult, limit: int = 2) -> str:
    parts = []
    for what, counter in (
        ("removed {} line(s) that should stay", result.false_removed),
        ("kept {} extra copy line(s)", result.kept_extra),
        ("added or changed {} line(s)", result.added),
    ):
        lines = list(counter.elements())
        if lines:
            shown = "; ".join(repr(short(line)) for line in lines[:limit])
            parts.append(what.format(len(lines)) + ": " + shown)
    if not parts:
        parts.append("the expected lines in another order")
    return "; ".join(parts)


def short(line: str, width: int = 90) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--winnow", type=Path, default=DEFAULT_WINNOW)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write all numbers here")
    parser.add_argument("--with-own-repeats", action="store_true",
                        help="keep the articles that have repeats of their own")
    args = parser.parse_args()

    if not args.articles.is_dir():
        print(f"error: articles folder not found: {args.articles} (use --articles DIR)", file=sys.stderr)
        return 2
    articles, files, own_repeats = load_articles(args.articles, args.with_own_repeats)
    if not articles:
        print(f"error: no article in {args.articles} has {MIN_LINES} non-blank lines", file=sys.stderr)
        return 2
    if not (args.winnow.is_file() and os.access(args.winnow, os.X_OK)):
        # It may be being rebuilt: the run itself retries once.
        print(f"warning: {args.winnow} is not an executable file (yet)", file=sys.stderr)

    docs, skipped = build_corpus(articles, args.seed)
    by_label = Counter(d.label for d in docs)
    corpus_bytes = sum(len(d.text.encode("utf-8")) for d in docs)
    label_bytes = Counter()
    for d in docs:
        label_bytes[d.label] += len(d.text.encode("utf-8"))

    outputs: dict[str, dict[str, str]] = {}
    seconds: dict[str, float] = {}
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="repeats-quality-") as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n")
        jsonl_bytes = corpus.stat().st_size
        try:
            outputs["winnow"], runs["winnow"] = run_winnow(args.winnow, corpus, normalize=False)
            outputs["winnow-normalize"], runs["winnow-normalize"] = run_winnow(
                args.winnow, corpus, normalize=True
            )
            awk_dir = tmp_path / "awk"
            awk_dir.mkdir()
            outputs["awk"], awk_seconds = run_awk(docs, awk_dir)
            runs["awk"] = [awk_seconds]
            seconds = {t: statistics.median(runs[t]) for t in TOOLS}
        except ToolError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    ids = [d.id for d in docs]
    for tool in TOOLS:
        if set(outputs[tool]) != set(ids):
            missing = sorted(set(ids) - set(outputs[tool]))[:5]
            unknown = sorted(set(outputs[tool]) - set(ids))[:5]
            print(f"error: {tool} returned other ids (missing {missing}, unknown {unknown})", file=sys.stderr)
            return 1

    scores = {tool: {label: Score() for label in LABELS} for tool in TOOLS}
    overall = {tool: Score() for tool in TOOLS}
    differences: dict[str, dict[str, list[dict]]] = {tool: {label: [] for label in LABELS} for tool in TOOLS}
    for tool in TOOLS:
        normalized = tool == "winnow-normalize"
        for d in docs:
            result = score_document(d, outputs[tool][d.id], normalized)
            scores[tool][d.label].add(result.score)
            overall[tool].add(result.score)
            if not result.score.exact:
                differences[tool][d.label].append(
                    {
                        "id": d.id,
                        "false_removals": [short(x, 200) for x in result.false_removed.elements()],
                        "kept_extra_copies": [short(x, 200) for x in result.kept_extra.elements()],
                        "added_or_changed": [short(x, 200) for x in result.added.elements()],
                        "expected_but_missing": [short(x, 200) for x in result.missing],
                        "summary": describe_difference(result),
                    }
                )

    # --- print
    print("# Repeated blocks inside documents: winnow clean vs awk '!seen[$0]++'\n")
    print(
        f"Corpus: {len(docs)} documents from {len(articles)} of {files} articles "
        f"(>= {MIN_LINES} non-blank lines; {own_repeats} left out for repeats of their own), seed {args.seed}, "
        f"{corpus_bytes / 1e6:.2f} MB of text ({jsonl_bytes / 1e6:.2f} MB as JSON Lines)."
    )
    composition = ", ".join(f"{label} {by_label[label]}" for label in LABELS)
    print(f"Documents per label: {composition}.")
    if skipped:
        print("Left out: " + ", ".join(f"{label} {count}" for label, count in skipped.items())
              + " (article cannot give the variant).")
    print()
    print("## Exact-match rate (canonical lines equal the expected ones)\n")
    print("| label | docs | " + " | ".join(TOOL_TITLES[t] for t in TOOLS) + " |")
    print("|---|---:|" + "---:|" * len(TOOLS))
    for label in LABELS:
        cells = " | ".join(pct(scores[t][label].exact_rate) for t in TOOLS)
        print(f"| {label} | {by_label[label]} | {cells} |")
    cells = " | ".join(pct(overall[t].exact_rate) for t in TOOLS)
    print(f"| **overall** | {len(docs)} | {cells} |")
    print()
    print("## Removed lines, overall\n")
    print("| tool | removed | true removals | false removals | extra copies | precision | recall | lines added/changed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for t in TOOLS:
        s = overall[t]
        print(
            f"| {TOOL_TITLES[t]} | {s.removed} | {s.true_removed} | {s.false_removed} | {s.extra} "
            f"| {pct(s.precision)} | {pct(s.recall)} | {s.added} |"
        )
    print()
    print("## False removals and recall per label\n")
    print("| label | " + " | ".join(f"{TOOL_TITLES[t]} false / recall" for t in TOOLS) + " |")
    print("|---|" + "---:|" * len(TOOLS))
    for label in LABELS:
        cells = " | ".join(f"{scores[t][label].false_removed} / {pct(scores[t][label].recall)}" for t in TOOLS)
        print(f"| {label} | {cells} |")
    print()
    print("## Speed (whole labeled corpus)\n")
    print("| tool | seconds | MB/s |")
    print("|---|---:|---:|")
    for t in TOOLS:
        print(f"| {TOOL_TITLES[t]} | {seconds[t]:.3f} | {corpus_bytes / seconds[t] / 1e6:.2f} |")
    print()
    print(
        f"MB = 10^6 bytes of input text. winnow: wall time of one process over the JSON Lines "
        f"file, median of {WINNOW_RUNS} runs. awk: sum of {len(docs)} per-document runs; process start-up per file dominates "
        f"({1000 * seconds['awk'] / len(docs):.2f} ms per document)."
    )
    print()
    for t in ("winnow", "winnow-normalize"):
        diffs = differences[t]["clean"]
        if diffs:
            print(f"{TOOL_TITLES[t]} differs from the expected output on {len(diffs)} `clean` documents:")
            for item in diffs[:8]:
                print(f"- {item['id']}: {item['summary']}")
            if len(diffs) > 8:
                print(f"- ... {len(diffs) - 8} more (--json lists them all)")
            print()

    if args.json:
        report = {
            "command": {
                "winnow": [str(args.winnow), "clean", "--no-dedup", "--no-normalize", "CORPUS.jsonl", "--quiet"],
                "winnow-normalize": [str(args.winnow), "clean", "--no-dedup", "CORPUS.jsonl", "--quiet"],
                "awk": ["awk", "!seen[$0]++", "FILE"],
            },
            "articles": str(args.articles.resolve()),
            "article_files": files,
            "articles_used": len(articles),
            "articles_with_own_repeats_left_out": own_repeats,
            "seed": args.seed,
            "documents": len(docs),
            "documents_per_label": {label: by_label[label] for label in LABELS},
            "bytes_per_label": {label: label_bytes[label] for label in LABELS},
            "skipped_per_label": dict(skipped),
            "text_bytes": corpus_bytes,
            "jsonl_bytes": jsonl_bytes,
            "tools": {
                t: {
                    "seconds": seconds[t],
                    "runs_seconds": runs[t],
                    "bytes_per_second": corpus_bytes / seconds[t],
                    "overall": overall[t].as_json(),
                    "labels": {label: scores[t][label].as_json() for label in LABELS},
                    "mismatches": differences[t],
                }
                for t in TOOLS
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
