#!/usr/bin/env python3
"""Quality of near-duplicate document detection: `winnow dedup` against datasketch.

Usage (from the repository root):

    python3 Benchmarks/dedup_quality.py [--articles DIR] [--winnow PATH] [--seed N]
                                        [--json PATH] [--keep DIR]
                                        [--winnow-args "..."] [--skip-winnow]

Python 3.11, standard library only; datasketch (pip install datasketch) is optional.

The script builds a labeled JSON Lines corpus from the real articles in --articles
(default ../shared/data/articles/text from the repository root), keeping the
articles with at least --min-words (150) whitespace-separated words. For each such
article A it emits, ids `<file stem>/<label>`:

    original                  A itself                                  must be kept
    exact                     A again, byte for byte                    to drop
    near-R                    A with a fraction R of its words edited   to drop
    near-R+boilerplate        the same with a boilerplate line added at
                              the start or the end                      to drop
    syndicated                A with another headline and 1% of its
                              words edited                              to drop
    partial                   a contiguous run of about 25% of A's lines
                              (at least 3) followed by a longer run of
                              another, unrelated article, so that A's
                              part is under a third of the document     must be kept
    mixed-P                   A whole, with a contiguous run of lines of
                              another, unrelated article before or after
                              it (equal chances) that makes up the share
                              P of the document's words                must be kept

with R in 0.01, 0.03, 0.05 (the target: up to 5%) and 0.10 (a target of its own),
and P in 0.10, 0.20, 0.30, 0.40, 0.50. A mixed document is most of A with text of
its own: its similarity to A is about 1 - P, as high as a near copy's, and a tool
that drops it as a copy of A loses the other article's text (the paragraphs that
an earlier document holds are still removed from it, as from any kept document).
Two articles are put together in at most one partial or mixed document, so that
no such document is, by chance, held whole by another one (which a tool could
then rightly drop). An
edit picks round(R x words) distinct word positions and, with equal chances,
replaces the word by a different one from another article, deletes it, or inserts
a word from another article after it; it works on the whitespace tokens of each
line, so the line (paragraph) structure stays and unedited lines stay byte for byte.

All originals come first, in file-name order, then every other document, shuffled;
so each copy comes after its original and a keep-first deduplicator should drop it.
Everything is drawn from one random.Random(--seed), so the corpus is the same for a
given seed and article set.

Systems measured, on the ids that survive:

  winnow      `winnow dedup CORPUS.jsonl -o OUT.jsonl --quiet --explain EXPLAIN
              [--winnow-args]` (default executable .build/release/winnow); skipped
              with a note when the executable is missing or has no `dedup`
              command, or --skip-winnow. Its explanations give, per label, the
              longest run of a document's tokens that the kept document it was
              checked against lacks (dropped documents and kept ones that had a
              similar candidate).
  winnow --boilerplate 50
              the same with `--boilerplate 50`: lines held by 50 or more documents
              (the six boilerplate lines, each in about 180 documents; no article
              line is in more than 14) are removed first, as a pipeline that
              removes site boilerplate does, so that a copy with a boilerplate line
              added is a copy again.
  datasketch  MinHashLSH as commonly used: tokens = text.lower().split(),
              shingles = the set of 5-token runs joined by spaces (the whole text
              when it has fewer than 5 tokens), MinHash(num_perm=128) of the
              shingles as UTF-8, MinHashLSH(threshold=0.8, num_perm=128); a
              document is dropped when lsh.query returns any candidate, otherwise
              inserted (keep-first).
  datasketch (verified)
              the same, but a document is dropped only when some candidate's
              estimated Jaccard similarity (MinHash.jaccard) is at least 0.8: LSH
              candidates are not checked by datasketch itself.

Reported: per label the fraction dropped (the recall for copies; should be 0 for
originals and partial documents), the recall over the target copies (exact, near
0.01/0.03/0.05 with and without boilerplate, syndicated), the precision (dropped
true copies / all dropped), originals and partial documents dropped, wall time and
MB/s (corpus bytes / seconds; MB = 10^6 bytes). Winnow's time is the whole process
(start, reading, writing); datasketch's covers reading and parsing the corpus file,
shingling, hashing and LSH. --json PATH writes all numbers.

Exit status: 0 success, 1 winnow failed or wrote ids it was not given, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The repository root: defaults are resolved from it, so the script runs from anywhere.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = REPO_ROOT / ".." / "shared" / "data" / "articles" / "text"
DEFAULT_WINNOW = REPO_ROOT / ".build" / "release" / "winnow"

# Word edit rates of the near copies; TARGET_RATES count towards the overall recall.
TARGET_RATES = (0.01, 0.03, 0.05)
EXTRA_RATES = (0.10,)
SYNDICATED_RATE = 0.01

# Partial documents: share of A's non-blank lines taken, fewest lines taken, and
# how much longer the other article's text is than the shared part (2.5 puts the
# shared part at about 29% of the document, under the third required).
PARTIAL_LINE_SHARE = 0.25
PARTIAL_MIN_LINES = 3
PARTIAL_FILLER_FACTOR = 2.5
# The other article's run is at most this share of that article, so that the
# partial document is not a near copy of it either.
PARTIAL_MAX_FILLER_SHARE = 0.5
# Articles whose 5-word shingle Jaccard similarity to A reaches this are "related"
# (same story, shared quotes) and never used as the other article of A's partial.
RELATED_JACCARD = 0.01

# A first line is taken as a headline (and replaced in the syndicated copy) when it
# is this short; otherwise the article has no headline line and one is prepended.
HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_SHARE = 0.10

BOILERPLATE = (
    "Sign up for our newsletter to get the latest news delivered to your inbox.",
    "Cookies help us deliver our services. By using our services, you agree to our use of cookies.",
    "Follow us on Facebook, Twitter and Instagram for more stories like this one.",
    "This article originally appeared on our partner site and is republished with permission.",
    "Subscribe now for unlimited access to all our articles, podcasts and newsletters.",
    "We use cookies to personalise content and ads and to analyse our traffic. Accept all cookies?",
)

# datasketch settings (its common use).
DS_NUM_PERM = 128
DS_SHINGLE = 5
DS_THRESHOLD = 0.8


# ---------------------------------------------------------------------------
# Labels


def rate_label(rate: float, boilerplate: bool = False) -> str:
    return f"near-{rate:.2f}" + ("+boilerplate" if boilerplate else "")


# Labels in report order, and which of them are copies (should be dropped).
TARGET_LABELS = (
    ["exact"]
    + [rate_label(r, b) for r in TARGET_RATES for b in (False, True)]
    + ["syndicated"]
)
# Copies with words changed and nothing added: what a content check must drop.
EDITED_LABELS = [rate_label(r) for r in TARGET_RATES]
EXTRA_LABELS = [rate_label(r, b) for r in EXTRA_RATES for b in (False, True)]
MIXED_SHARES = (0.10, 0.20, 0.30, 0.40, 0.50)
MIXED_LABELS = [f"mixed-{p:.2f}" for p in MIXED_SHARES]
KEEP_LABELS = ("original", "partial", *MIXED_LABELS)
ALL_LABELS = ["original"] + TARGET_LABELS + EXTRA_LABELS + ["partial"] + MIXED_LABELS
BOILERPLATE_DOCUMENTS = 50  # --boilerplate of the second winnow run
COPY_LABELS = frozenset(TARGET_LABELS + EXTRA_LABELS)


# ---------------------------------------------------------------------------
# Articles


@dataclass
class Article:
    stem: str
    text: str
    words: list[str]  # whitespace tokens of the whole text
    separator: str  # "\n\n" when paragraphs are separated by blank lines, else "\n"


def load_articles(directory: Path, min_words: int) -> tuple[list[Article], int, list[str]]:
    """The articles of `directory` (*.txt, file-name order) with at least `min_words`
    words; also the number of files read and the names of files not valid UTF-8."""
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == ".txt")
    articles, invalid = [], []
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            invalid.append(path.name)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        words = text.split()
        if len(words) >= min_words:
            separator = "\n\n" if "\n\n" in text else "\n"
            articles.append(Article(path.stem, text, words, separator))
    return articles, len(files), invalid


def shingle_set(text: str, size: int) -> set[str]:
    """Lowercased whitespace tokens in runs of `size` (the whole text when shorter);
    the same shingles as the datasketch baseline when size is 5."""
    tokens = text.lower().split()
    if len(tokens) < size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# ---------------------------------------------------------------------------
# The labeled corpus


@dataclass
class Document:
    id: str
    label: str
    text: str
    source: int  # index of the original article


@dataclass
class CorpusNotes:
    """What the generator had to adapt, for the report."""

    headlines_replaced: int = 0
    headlines_prepended: int = 0
    partial_skipped: list[str] = field(default_factory=list)  # too few lines
    partial_shortened: int = 0  # fewer lines than the 25% aimed at
    partial_shared_fraction: list[float] = field(default_factory=list)
    mixed_skipped: int = 0  # no unrelated article long enough
    mixed_share: dict[str, list[float]] = field(default_factory=dict)  # actual shares per label


class CorpusBuilder:
    """Builds the documents of every article from one seeded random generator."""

    def __init__(self, articles: list[Article], seed: int):
        self.articles = articles
        self.rng = random.Random(seed)
        self.notes = CorpusNotes()
        self.shingles = [shingle_set(a.text, DS_SHINGLE) for a in articles]
        self.paired: set[frozenset[int]] = set()  # articles already put together

    # -- word edits ---------------------------------------------------------

    def foreign_word(self, source: int, unlike: str | None = None) -> str:
        """A random word of a random article other than `source`, different from
        `unlike`."""
        while True:
            other = self.rng.randrange(len(self.articles) - 1)
            if other >= source:
                other += 1
            word = self.rng.choice(self.articles[other].words)
            if word != unlike:
                return word

    def edit_words(self, text: str, rate: float, source: int) -> str:
        """`text` with round(rate x words) word positions edited (replace, delete or
        insert after, equal chances); lines are edited one by one, so line breaks
        stay and untouched lines are unchanged."""
        lines = text.split("\n")
        tokens = [line.split() for line in lines]
        positions = [(i, j) for i, words in enumerate(tokens) for j in range(len(words))]
        count = round(rate * len(positions))
        edits: dict[int, dict[int, str]] = {}
        for k in sorted(self.rng.sample(range(len(positions)), count)):
            i, j = positions[k]
            edits.setdefault(i, {})[j] = self.rng.choice(("replace", "delete", "insert"))
        for i, line_edits in edits.items():
            out = []
            for j, word in enumerate(tokens[i]):
                operation = line_edits.get(j)
                if operation is None:
                    out.append(word)
                elif operation == "replace":
                    out.append(self.foreign_word(source, unlike=word))
                elif operation == "insert":
                    out += [word, self.foreign_word(source)]
                # "delete": nothing
            lines[i] = " ".join(out)
        return "\n".join(lines)

    def with_boilerplate(self, text: str, separator: str) -> str:
        line = self.rng.choice(BOILERPLATE)
        return line + separator + text if self.rng.random() < 0.5 else text + separator + line

    # -- syndicated copy ----------------------------------------------------

    def headline(self, article: Article) -> str:
        """A headline-like line: 6 to 12 words of the article in random order,
        outer punctuation stripped, first letter capitalized, no final stop."""
        words = [w.strip(".,;:!?\"'()[]«»“”‘’") for w in self.rng.sample(article.words, 12)]
        words = [w for w in words if w][: self.rng.randint(6, 12)]
        line = " ".join(words)
        return line[:1].upper() + line[1:]

    def syndicated(self, article: Article, source: int) -> str:
        lines = article.text.split("\n")
        first = lines[0].split()
        new = self.headline(article)
        if len(first) <= HEADLINE_MAX_WORDS and len(first) <= HEADLINE_MAX_SHARE * len(article.words):
            lines[0] = new
            self.notes.headlines_replaced += 1
            text = "\n".join(lines)
        else:  # the first line is a paragraph: the article has no headline line
            text = new + article.separator + article.text
            self.notes.headlines_prepended += 1
        return self.edit_words(text, SYNDICATED_RATE, source)

    # -- partial overlap ----------------------------------------------------

    def partial(self, article: Article, source: int) -> str | None:
        """About 25% of the article's non-blank lines (a contiguous run of at least
        PARTIAL_MIN_LINES) followed by a contiguous run of an unrelated article with
        PARTIAL_FILLER_FACTOR times as many words, taken from an article at least
        twice as long as that run. None for articles with too few lines."""
        lines = article.text.split("\n")
        paragraphs = [i for i, line in enumerate(lines) if line.strip()]
        if len(paragraphs) <= PARTIAL_MIN_LINES:
            self.notes.partial_skipped.append(article.stem)
            return None
        wanted = max(PARTIAL_MIN_LINES, round(PARTIAL_LINE_SHARE * len(paragraphs)))
        unrelated = [
            k
            for k in range(len(self.articles))
            if k != source and jaccard(self.shingles[source], self.shingles[k]) < RELATED_JACCARD
        ]
        # Long articles may find no other article long enough: take fewer lines.
        for size in range(wanted, PARTIAL_MIN_LINES - 1, -1):
            start = self.rng.randrange(len(paragraphs) - size + 1)
            first, last = paragraphs[start], paragraphs[start + size - 1]
            shared = "\n".join(lines[first : last + 1])
            need = PARTIAL_FILLER_FACTOR * len(shared.split())
            hosts = [
                k
                for k in unrelated
                if len(self.articles[k].words) * PARTIAL_MAX_FILLER_SHARE >= need
                and frozenset((source, k)) not in self.paired
            ]
            found = self.filler(hosts, need, PARTIAL_MAX_FILLER_SHARE) if hosts else None
            if found is None:
                continue
            host, filler = found
            self.paired.add(frozenset((source, host)))
            if size < wanted:
                self.notes.partial_shortened += 1
            shared_words, filler_words = len(shared.split()), len(filler.split())
            self.notes.partial_shared_fraction.append(shared_words / (shared_words + filler_words))
            return shared + article.separator + filler
        self.notes.partial_skipped.append(article.stem)
        return None

    def filler(self, hosts: list[int], need: float, max_share: float) -> tuple[int, str] | None:
        """A random article of `hosts` and a contiguous run of its lines, from a
        random non-blank line, of at least `need` words and at most `max_share` of
        that article's words."""
        for _ in range(10):
            index = self.rng.choice(hosts)
            host = self.articles[index]
            lines = host.text.split("\n")
            starts = [i for i, line in enumerate(lines) if line.strip()]
            start = self.rng.choice(starts)
            words, end = 0, start
            while end < len(lines) and words < need:
                words += len(lines[end].split())
                end += 1
            if need <= words <= max_share * len(host.words):
                return index, "\n".join(lines[start:end]).strip("\n")
        return None

    # -- mixed documents ------------------------------------------------------

    def mixed(self, article: Article, source: int, share: float) -> str | None:
        """The whole article with a run of lines of an unrelated article before or
        after it, making up about `share` of the words; None when no unrelated
        article is long enough."""
        need = share / (1 - share) * len(article.words)
        hosts = [
            k
            for k in range(len(self.articles))
            if k != source
            and len(self.articles[k].words) >= need
            and jaccard(self.shingles[source], self.shingles[k]) < RELATED_JACCARD
            and frozenset((source, k)) not in self.paired
        ]
        # The closest to the share of 20 tries (a run of whole lines overshoots).
        found = None
        for _ in range(20 if hosts else 0):
            attempt = self.filler(hosts, need, 1.0)
            if attempt and (found is None or len(attempt[1].split()) < len(found[1].split())):
                found = attempt
        if found is None:
            self.notes.mixed_skipped += 1
            return None
        host, other = found
        self.paired.add(frozenset((source, host)))
        added = len(other.split())
        self.notes.mixed_share.setdefault(f"mixed-{share:.2f}", []).append(added / (added + len(article.words)))
        if self.rng.random() < 0.5:
            return other + article.separator + article.text
        return article.text + article.separator + other

    # -- all documents --------------------------------------------------------

    def build(self) -> list[Document]:
        originals, others = [], []
        for index, article in enumerate(self.articles):

            def add(label: str, text: str) -> None:
                others.append(Document(f"{article.stem}/{label}", label, text, index))

            originals.append(Document(f"{article.stem}/original", "original", article.text, index))
            add("exact", article.text)
            for rate in TARGET_RATES + EXTRA_RATES:
                add(rate_label(rate), self.edit_words(article.text, rate, index))
                edited = self.edit_words(article.text, rate, index)
                add(rate_label(rate, True), self.with_boilerplate(edited, article.separator))
            add("syndicated", self.syndicated(article, index))
            text = self.partial(article, index)
            if text is not None:
                add("partial", text)
            for share in MIXED_SHARES:
                text = self.mixed(article, index, share)
                if text is not None:
                    add(f"mixed-{share:.2f}", text)
        self.rng.shuffle(others)
        return originals + others


def write_jsonl(documents: list[Document], path: Path) -> int:
    """Writes {"id", "text"} lines (UTF-8, non-ASCII as is; U+2028 and U+2029
    escaped so that no line-splitting reader breaks a record); returns the bytes."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for doc in documents:
            line = json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False)
            out.write(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
    return path.stat().st_size


# ---------------------------------------------------------------------------
# Systems: each returns the set of ids it kept and its wall time.


@dataclass
class SystemRun:
    name: str
    kept: set[str]
    seconds: float
    details: dict = field(default_factory=dict)


def winnow_available(executable: Path) -> str | None:
    """None when `executable` has a working `dedup` command, otherwise why not.
    A build without `dedup` may still exit 0 on `dedup --help` (printing the
    top-level help), so the usage line is checked too."""
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        return f"{executable} not found (build it with `swift build -c release`)"
    try:
        result = subprocess.run(
            [str(executable), "dedup", "--help"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`{executable} dedup --help` could not run: {error}"
    if result.returncode != 0 or not re.search(r"USAGE:\s*winnow dedup\b", result.stdout + result.stderr):
        return f"`{executable} dedup --help` failed or shows no dedup usage: this build has no `winnow dedup`"
    return None


def run_winnow(
    name: str, executable: Path, extra: list[str], corpus: Path, output: Path, ids: list[str]
) -> SystemRun:
    explain = output.with_suffix(".explain.jsonl")
    command = [str(executable), "dedup", str(corpus), "-o", str(output), "--quiet", "--explain", str(explain), *extra]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(
            f"`{shlex.join(command)}` exited with status {result.returncode}:\n{result.stderr.strip()}"
        )
    kept: list[str] = []
    with open(output, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    kept.append(json.loads(line)["id"])
                except (ValueError, KeyError, TypeError) as error:
                    raise RuntimeError(f"{output}:{number}: not a JSON object with an id ({error})") from None
    unknown = set(kept) - set(ids)
    if unknown:
        raise RuntimeError(f"winnow wrote {len(unknown)} ids not in the corpus, e.g. {sorted(unknown)[:3]}")
    if len(set(kept)) != len(kept):
        raise RuntimeError("winnow wrote some ids more than once")
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    in_order = all(position[a] < position[b] for a, b in zip(kept, kept[1:]))
    # The longest run each checked document lacks from its kept document.
    new_runs: dict[str, int] = {}
    with open(explain, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            checked = record.get("duplicateOf") or record.get("nearCandidate")
            if checked and "longestNewRun" in checked:
                new_runs[record["id"]] = checked["longestNewRun"]
    details = {"command": shlex.join(command), "output_in_input_order": in_order, "new_runs": new_runs}
    return SystemRun(name, set(kept), seconds, details)


def run_datasketch(corpus: Path, verified: bool) -> SystemRun:
    """datasketch's usual keep-first deduplication over the corpus file, timed from
    reading the file to the last LSH operation."""
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=DS_THRESHOLD, num_perm=DS_NUM_PERM)
    kept: set[str] = set()
    signatures: dict[str, MinHash] = {}  # kept documents' signatures, for verification
    unverified_candidates = 0  # documents kept although LSH returned candidates
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            m = MinHash(num_perm=DS_NUM_PERM)
            # update_batch gives the same signature as calling update per shingle.
            m.update_batch([s.encode("utf-8") for s in shingle_set(doc["text"], DS_SHINGLE)])
            candidates = lsh.query(m)
            if candidates and verified:
                if any(m.jaccard(signatures[c]) >= DS_THRESHOLD for c in candidates):
                    continue
                unverified_candidates += 1
            elif candidates:
                continue
            lsh.insert(doc["id"], m)
            kept.add(doc["id"])
            if verified:
                signatures[doc["id"]] = m
    seconds = time.perf_counter() - start
    details = {"bands": lsh.b, "rows_per_band": lsh.r}
    if verified:
        details["kept_despite_lsh_candidates"] = unverified_candidates
    return SystemRun("datasketch (verified)" if verified else "datasketch", kept, seconds, details)


# ---------------------------------------------------------------------------
# Measures


def measure(run: SystemRun, documents: list[Document], corpus_bytes: int) -> dict:
    by_label: dict[str, dict] = {}
    for label in ALL_LABELS:
        ids = [d.id for d in documents if d.label == label]
        dropped = [i for i in ids if i not in run.kept]
        by_label[label] = {
            "count": len(ids),
            "dropped": len(dropped),
            "dropped_fraction": len(dropped) / len(ids) if ids else None,
        }
    target = [d for d in documents if d.label in TARGET_LABELS]
    edited = [d for d in documents if d.label in EDITED_LABELS]
    ten = [d for d in documents if d.label == rate_label(0.10)]
    mixed = [d for d in documents if d.label in MIXED_LABELS]
    all_dropped = [d for d in documents if d.id not in run.kept]
    copies_dropped = [d for d in all_dropped if d.label in COPY_LABELS]
    new_runs = run.details.pop("new_runs", None)
    if new_runs is not None:
        for label in ALL_LABELS:
            runs = [(new_runs[d.id], d.id not in run.kept) for d in documents if d.label == label and d.id in new_runs]
            dropped_runs = [r for r, dropped in runs if dropped]
            kept_runs = [r for r, dropped in runs if not dropped]
            by_label[label]["checked"] = len(runs)
            by_label[label]["longest_new_run_dropped_max"] = max(dropped_runs, default=None)
            by_label[label]["longest_new_run_kept_min"] = min(kept_runs, default=None)
    return {
        "labels": by_label,
        "target_recall": sum(d.id not in run.kept for d in target) / len(target),
        "edited_recall": sum(d.id not in run.kept for d in edited) / len(edited),
        "ten_recall": sum(d.id not in run.kept for d in ten) / len(ten) if ten else None,
        "mixed_kept": sum(d.id in run.kept for d in mixed) / len(mixed) if mixed else None,
        "precision": len(copies_dropped) / len(all_dropped) if all_dropped else None,
        "dropped": len(all_dropped),
        "originals_dropped": [d.id for d in all_dropped if d.label == "original"],
        "partials_dropped": [d.id for d in all_dropped if d.label == "partial"],
        "mixed_dropped": [d.id for d in all_dropped if d.label in MIXED_LABELS],
        "seconds": run.seconds,
        "mb_per_s": corpus_bytes / 1e6 / run.seconds,
        **run.details,
    }


def composition(documents: list[Document], articles: list[Article]) -> dict[str, dict]:
    """Per label: documents, mean words, and mean Jaccard similarity to the original
    of lowercased whitespace-token shingles of 5 (datasketch's) and 3 tokens."""
    originals = {size: [shingle_set(a.text, size) for a in articles] for size in (5, 3)}
    rows = {}
    for label in ALL_LABELS:
        docs = [d for d in documents if d.label == label]
        if not docs:
            continue
        row = {"count": len(docs), "mean_words": statistics.fmean(len(d.text.split()) for d in docs)}
        for size in (5, 3):
            row[f"mean_jaccard{size}"] = statistics.fmean(
                jaccard(shingle_set(d.text, size), originals[size][d.source]) for d in docs
            )
        rows[label] = row
    return rows


# ---------------------------------------------------------------------------
# Report


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def print_report(results: dict[str, dict], documents: list[Document], skipped: dict[str, str]) -> None:
    names = list(results)
    counts = {label: sum(d.label == label for d in documents) for label in ALL_LABELS}
    header = ["label", "count"] + names
    print("Fraction of documents dropped per label (recall for copies; should be 0 for"
          " original, partial and mixed):\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for label in ALL_LABELS:
        if counts[label] == 0:
            continue
        note = ""
        cells = [percent(results[n]["labels"][label]["dropped_fraction"]) for n in names]
        print(f"| {label}{note} | {counts[label]} | " + " | ".join(cells) + " |")
    target_count = sum(counts[label] for label in TARGET_LABELS)
    rows = [
        ("**recall, copies with up to 5% of words changed**", sum(counts[label] for label in EDITED_LABELS),
         lambda r: percent(r["edited_recall"])),
        ("**recall, copies with 10% of words changed**", counts[rate_label(0.10)],
         lambda r: percent(r["ten_recall"])),
        ("recall, all copies up to 5% (boilerplate line and syndicated included)", target_count,
         lambda r: percent(r["target_recall"])),
        ("**mixed documents kept**", sum(counts[label] for label in MIXED_LABELS),
         lambda r: percent(r["mixed_kept"])),
        ("**precision**", "", lambda r: percent(r["precision"])),
        ("documents dropped", "", lambda r: str(r["dropped"])),
        ("originals dropped", counts["original"], lambda r: str(len(r["originals_dropped"]))),
        ("partials dropped", counts["partial"], lambda r: str(len(r["partials_dropped"]))),
        ("time (s)", "", lambda r: f"{r['seconds']:.2f}"),
        ("MB/s", "", lambda r: f"{r['mb_per_s']:.2f}"),
    ]
    for title, count, cell in rows:
        print(f"| {title} | {count} | " + " | ".join(cell(results[n]) for n in names) + " |")
    checked = [n for n in names if "checked" in results[n]["labels"]["original"]]
    for name in checked:
        print(f"\n{name}: the longest run of a document's tokens missing from the kept document it was"
              " checked against (near copies dropped: at most; kept documents: at least):\n")
        print("| label | checked | dropped, longest run at most | kept, longest run at least |")
        print("|---|---:|---:|---:|")
        for label in ALL_LABELS:
            row = results[name]["labels"][label]
            if counts[label] == 0 or label in ("original", "exact"):
                continue
            cells = [str(row["checked"]), str(row["longest_new_run_dropped_max"] if row["longest_new_run_dropped_max"] is not None else "-"),
                     str(row["longest_new_run_kept_min"] if row["longest_new_run_kept_min"] is not None else "-")]
            print(f"| {label} | " + " | ".join(cells) + " |")
    for name in names:
        for key in ("originals_dropped", "partials_dropped", "mixed_dropped"):
            if results[name][key]:
                shown = ", ".join(results[name][key][:5])
                print(f"\n{name}: {key.replace('_', ' ')}: {shown}" + (" ..." if len(results[name][key]) > 5 else ""))
    for name, why in skipped.items():
        print(f"\n{name}: skipped ({why})")


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Near-duplicate detection quality: winnow dedup against datasketch MinHashLSH.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="folder of article .txt files")
    parser.add_argument("--winnow", type=Path, default=DEFAULT_WINNOW, help="the winnow executable")
    parser.add_argument("--winnow-args", default="", help="extra options for winnow dedup (shell-split)")
    parser.add_argument("--skip-winnow", action="store_true", help="measure datasketch only")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus generator")
    parser.add_argument("--min-words", type=int, default=150, help="shortest article used, in words")
    parser.add_argument("--keep", type=Path, help="write the corpus (and winnow's output) here and keep it")
    parser.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    args = parser.parse_args()

    if not args.articles.is_dir():
        print(f"error: article folder {args.articles} not found (pass --articles DIR)", file=sys.stderr)
        return 2
    articles, files, invalid = load_articles(args.articles, args.min_words)
    if len(articles) < 3:
        print(f"error: {args.articles} has {len(articles)} articles of {args.min_words}+ words; 3 needed",
              file=sys.stderr)
        return 2

    # Which systems can run.
    skipped: dict[str, str] = {}
    if args.skip_winnow:
        skipped["winnow"] = "--skip-winnow"
    elif (why := winnow_available(args.winnow)) is not None:
        skipped["winnow"] = why
    try:
        import datasketch  # noqa: F401
    except ImportError:
        skipped["datasketch"] = "`import datasketch` failed (pip install datasketch)"
    for name, why in skipped.items():
        print(f"note: {name} skipped: {why}", file=sys.stderr)

    builder = CorpusBuilder(articles, args.seed)
    documents = builder.build()
    ids = [d.id for d in documents]

    with tempfile.TemporaryDirectory(prefix="dedup-quality-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        corpus = folder / "corpus.jsonl"
        corpus_bytes = write_jsonl(documents, corpus)
        if args.keep:
            with open(folder / "labels.tsv", "w", encoding="utf-8") as out:
                out.writelines(f"{d.id}\t{d.label}\n" for d in documents)

        notes = builder.notes
        shared = notes.partial_shared_fraction
        print(f"Articles: {len(articles)} of {files} files in {args.articles} have {args.min_words}+ words"
              + (f" ({len(invalid)} not valid UTF-8: {', '.join(invalid)})" if invalid else ""))
        print(f"Corpus: {len(documents)} documents, {corpus_bytes / 1e6:.2f} MB, seed {args.seed}"
              + (f", kept in {folder}" if args.keep else ""))
        print(f"Syndicated: first line replaced as a headline in {notes.headlines_replaced},"
              f" a headline prepended in {notes.headlines_prepended} (first line a paragraph)")
        span = f"shared part {min(shared):.0%}-{max(shared):.0%} of the document, " if shared else ""
        print(f"Partial: {len(shared)} built ({span}{notes.partial_shortened} with fewer lines than 25%"
              f" for lack of a long enough other article),"
              f" {len(notes.partial_skipped)} skipped (too few lines: {', '.join(notes.partial_skipped) or '-'})")
        mixed_span = ", ".join(f"{label} {min(v):.0%}-{max(v):.0%}" for label, v in notes.mixed_share.items())
        print(f"Mixed: share of the other article's words {mixed_span}; {notes.mixed_skipped} skipped"
              " (no unrelated article long enough)\n")

        comp = composition(documents, articles)
        print("| label | count | mean words | Jaccard to original, 5-word shingles | 3-word shingles |")
        print("|---|---:|---:|---:|---:|")
        for label, row in comp.items():
            print(f"| {label} | {row['count']} | {row['mean_words']:.0f} | {row['mean_jaccard5']:.3f}"
                  f" | {row['mean_jaccard3']:.3f} |")
        print()

        runs: list[SystemRun] = []
        status = 0
        if "winnow" not in skipped:
            try:
                extra = shlex.split(args.winnow_args)
                runs.append(run_winnow("winnow", args.winnow, extra, corpus, folder / "winnow-out.jsonl", ids))
                runs.append(run_winnow(f"winnow --boilerplate {BOILERPLATE_DOCUMENTS}", args.winnow,
                                       extra + ["--boilerplate", str(BOILERPLATE_DOCUMENTS)], corpus,
                                       folder / "winnow-boilerplate-out.jsonl", ids))
            except (RuntimeError, OSError) as error:
                print(f"error: winnow: {error}", file=sys.stderr)
                skipped["winnow"] = "failed, see the error above"
                status = 1
        if "datasketch" not in skipped:
            runs.append(run_datasketch(corpus, verified=False))
            runs.append(run_datasketch(corpus, verified=True))

    results = {run.name: measure(run, documents, corpus_bytes) for run in runs}
    print_report(results, documents, skipped)

    if args.json:
        report = {
            "articles": {"folder": str(args.articles), "files": files, "used": len(articles),
                         "min_words": args.min_words, "invalid_utf8": invalid},
            "seed": args.seed,
            "corpus": {"documents": len(documents), "bytes": corpus_bytes, "labels": comp,
                       "syndicated_headlines_replaced": notes.headlines_replaced,
                       "syndicated_headlines_prepended": notes.headlines_prepended,
                       "partial_skipped": notes.partial_skipped,
                       "partial_shortened": notes.partial_shortened,
                       "partial_shared_fraction": {"min": min(shared), "mean": statistics.fmean(shared),
                                                   "max": max(shared)} if shared else None,
                       "mixed_skipped": notes.mixed_skipped,
                       "mixed_share": {k: {"min": min(v), "max": max(v)} for k, v in notes.mixed_share.items()}},
            "target_labels": TARGET_LABELS,
            "ten_percent_labels": EXTRA_LABELS,
            "mixed_labels": MIXED_LABELS,
            "datasketch_settings": {"num_perm": DS_NUM_PERM, "shingle": DS_SHINGLE, "threshold": DS_THRESHOLD},
            "systems": results,
            "skipped": skipped,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nJSON written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
