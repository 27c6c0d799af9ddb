#!/usr/bin/env python3
"""The Spark driver gives the bytes of one `winnow clean` run.

    python3 Integrations/spark/test_spark.py --winnow .build/debug/winnow [--articles DIR]

Builds a corpus of more than 2,000 documents in five JSON Lines files (from the shared
articles when present, else from a seeded generator): articles, documents made of their
paragraphs, reposts, near copies with words changed, documents holding paragraphs of
others, a site's boilerplate lines on many, records without id, invalid escapes, blank
and malformed lines. Then checks, on Spark in local[2] mode, that the driver's output
and explanations are byte-identical to `winnow clean --explain` over the same files for
1, 3 and 8 partitions, for gzip input, with --boilerplate, for Parquet input (the text of
each row), and that --strict stops as the command does. Exit status 0 when every check
holds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import winnow_spark  # noqa: E402

SHARED_ARTICLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "articles" / "text"


def generated_articles(random_source: random.Random, count: int) -> list[str]:
    """Articles of seeded pseudo-words: paragraphs of 20 to 80 words."""
    syllables = ["ka", "lo", "mi", "ne", "ra", "su", "ti", "vo", "ze", "pu", "an", "el", "or", "is", "um"]
    vocabulary = sorted({"".join(random_source.choice(syllables) for _ in range(random_source.randint(1, 4)))
                         for _ in range(6000)})
    articles = []
    for _ in range(count):
        paragraphs = []
        for _ in range(random_source.randint(3, 9)):
            words = [random_source.choice(vocabulary) for _ in range(random_source.randint(20, 80))]
            paragraphs.append(" ".join(words).capitalize() + ".")
        articles.append("\n".join(paragraphs))
    return articles


def load_articles(directory: Path) -> list[str]:
    articles = []
    for path in sorted(directory.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) >= 3:
            articles.append("\n".join(lines))
    return articles


def change_words(random_source: random.Random, text: str, share: float) -> str:
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        for index in range(len(words)):
            if random_source.random() < share:
                words[index] = random_source.choice(["alpha", "beta", "gamma", "delta", "omega", "sigma"])
        lines.append(" ".join(words))
    return "\n".join(lines)


def build_corpus(directory: Path, articles: list[str], seed: int = 7) -> list[Path]:
    """Five JSON Lines files; returns their paths in order."""
    random_source = random.Random(seed)
    paragraphs = [p for article in articles for p in article.split("\n") if len(p.split()) >= 12]
    boilerplate = [
        "Sign up for our newsletter to receive the latest stories every morning in your inbox today.",
        "Cookies help us deliver our services and by using our services you agree to our use of cookies.",
        "Share this article on social media with your friends and family and follow us for more updates.",
    ]
    texts: list[str] = []
    for article in articles:
        texts.append(article)
    while len(texts) < 1300:
        texts.append("\n".join(random_source.sample(paragraphs, random_source.randint(2, 5))))
    originals = list(texts)
    for _ in range(250):
        texts.append(random_source.choice(originals))
    for _ in range(300):
        texts.append(change_words(random_source, random_source.choice(originals), random_source.choice([0.03, 0.05, 0.1])))
    for _ in range(200):
        texts.append(random_source.choice(originals) + "\n" + random_source.choice(paragraphs))
    random_source.shuffle(texts)
    for index in range(len(texts)):
        if random_source.random() < 0.35:
            texts[index] = random_source.choice(boilerplate) + "\n" + texts[index] + "\n" + boilerplate[2]
        if random_source.random() < 0.05:
            # Curly quotes, a non-breaking space and a repeated block for the cleaner.
            texts[index] = "\u201cQuoted\u201d\u00a0start.\n" + texts[index] + "\n" + texts[index].split("\n")[0]
    lines: list[str] = []
    for index, text in enumerate(texts):
        record: dict = {"text": text, "source": "test", "n": index}
        if index % 17 != 0:
            record = {"id": f"doc-{index}", **record}
        line = json.dumps(record, ensure_ascii=index % 3 == 0)
        if index % 97 == 5:
            # An invalid escape (a lone surrogate), replaced by the cleaner.
            line = line.replace('"text": "', '"text": "\\ud800', 1)
        lines.append(line)
        if index % 400 == 13:
            lines.append("")
        if index % 450 == 21:
            lines.append('{"id": "broken", "text": "no end')
    files = []
    per_file = -(-len(lines) // 5)
    for number in range(5):
        path = directory / f"corpus-{number}.jsonl"
        path.write_text("\n".join(lines[number * per_file:(number + 1) * per_file]) + "\n", encoding="utf-8")
        files.append(path)
    return files


def winnow_clean(winnow: str, files: list[Path], output: Path, explain: Path, options: list[str]) -> int:
    done = subprocess.run([winnow, "clean", *map(str, files), "-o", str(output), "--explain", str(explain), "-q", *options],
                          capture_output=True)
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--winnow", required=True)
    parser.add_argument("--articles", default=str(SHARED_ARTICLES))
    arguments = parser.parse_args()
    winnow = str(Path(arguments.winnow).resolve())
    articles_directory = Path(arguments.articles)
    if articles_directory.is_dir():
        articles = load_articles(articles_directory)
        origin = f"{len(articles)} shared articles"
    else:
        articles = generated_articles(random.Random(3), 300)
        origin = "300 generated articles (no shared articles)"

    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("winnow-test")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4")
             .config("spark.driver.maxResultSize", "8m").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    work = Path(tempfile.mkdtemp(prefix="winnow-spark-test-"))
    failures: list[str] = []

    def check(name: str, condition: bool, detail: str = "") -> None:
        print(f"{'ok  ' if condition else 'FAIL'} {name}{': ' + detail if detail and not condition else ''}")
        if not condition:
            failures.append(name)

    try:
        # The member bitmap, over many small blocks and over four of a megabyte: the
        # driver receives each block once (8 partitions of numbers, each spread over the
        # whole range, would send it 8 bitmaps of 4 MB, past the 8 MB limit set above).
        for size, block_bits in ((10_000, 512), (1 << 25, winnow_spark.BITMAP_BLOCK_BITS)):
            chosen = sorted(random.Random(3).sample(range(size), 5000))
            member = winnow_spark.members(spark.sparkContext.parallelize(chosen, 8), size, 3, spark.sparkContext,
                                          block_bits=block_bits)
            held = set(chosen)
            probes = chosen + [n + 1 for n in chosen if n + 1 < size] + random.Random(4).sample(range(size), 9000)
            wrong = [n for n in probes if member(n) != (n in held)]
            check(f"member bitmap of {size:,} bits in blocks of {block_bits:,} holds exactly the numbers given",
                  not wrong, str(wrong[:5]))
        files = build_corpus(work, articles)
        documents = sum(1 for path in files for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"corpus: {documents} lines in {len(files)} files, from {origin}")
        check("corpus has at least 2,000 documents", documents >= 2000, str(documents))

        def compare(name: str, inputs: list[Path], options: list[str], partitions: int, boilerplate: int | None = None,
                    decompress: bool = False) -> None:
            reference, reference_explain = work / "reference.jsonl", work / "reference.explain.jsonl"
            extra = ["--boilerplate", str(boilerplate)] if boilerplate else []
            status = winnow_clean(winnow, inputs, reference, reference_explain, options + extra)
            out = work / f"out-{name}"
            output, explain = work / f"{name}.jsonl", work / f"{name}.explain.jsonl"
            summary = winnow_spark.run(spark, [str(p) for p in inputs], str(out), options, partitions, winnow,
                                       boilerplate=boilerplate, explain=str(explain), output=str(output),
                                       log=lambda message: None)
            written = gzip.decompress(output.read_bytes()) if decompress else output.read_bytes()
            expected = reference.read_bytes()
            check(f"{name}: output identical ({len(expected):,} bytes, {summary['exactDuplicates']} exact, "
                  f"{summary['nearDuplicates']} near, {summary['paragraphsRemoved']} paragraphs)",
                  written == expected, first_difference(written, expected))
            check(f"{name}: explanations identical", explain.read_bytes() == reference_explain.read_bytes(),
                  first_difference(explain.read_bytes(), reference_explain.read_bytes()))
            check(f"{name}: exit status {status} as winnow clean's", summary["status"] == status,
                  f"{summary['status']} != {status}")

        for partitions in (1, 3, 8):
            compare(f"jsonl-{partitions}-partitions", files, [], partitions)
        compare("jsonl-boilerplate-3-partitions", files, [], 3, boilerplate=40)

        compressed = []
        for path in files:
            target = path.with_suffix(".jsonl.gz")
            target.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
            compressed.append(target)
        compare("gzip-3-partitions", compressed, [], 3, decompress=True)

        # --strict: the first malformed line stops both, with status 2.
        status = winnow_clean(winnow, files, work / "strict.jsonl", work / "strict.explain", ["--strict"])
        summary = winnow_spark.run(spark, [str(p) for p in files], str(work / "out-strict"), [], 3, winnow,
                                   strict=True, log=lambda message: None)
        check("--strict stops with status 2 as winnow clean does", status == 2 and summary["status"] == 2,
              f"{summary['status']} and {status}")

        index_check(spark, winnow, work, files, articles, check)
        parquet_check(spark, winnow, work, files, check)
    finally:
        spark.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all checks hold")
    return 1 if failures else 0


def index_check(spark, winnow: str, work: Path, files: list[Path], articles: list[str], check) -> None:
    """--index: two files make an index, the other three are deduplicated against it
    and added to it, by the command and by Spark; then the command reads a new file
    against each index."""
    first, rest = [str(p) for p in files[:2]], [str(p) for p in files[2:]]
    command_index, spark_index = work / "command.index", work / "spark.index"
    quiet = ["-o", "/dev/null", "-q"]
    subprocess.run([winnow, "clean", *first, *quiet, "--index", str(command_index)], capture_output=True)
    reference, reference_explain = work / "index-reference.jsonl", work / "index-reference.explain.jsonl"
    status = winnow_clean(winnow, [Path(p) for p in rest], reference, reference_explain,
                          ["--index", str(command_index)])
    winnow_spark.run(spark, first, str(work / "out-index-1"), [], 3, winnow, index=str(spark_index),
                     log=lambda message: None)
    output, explain = work / "index.jsonl", work / "index.explain.jsonl"
    summary = winnow_spark.run(spark, rest, str(work / "out-index-2"), [], 3, winnow, index=str(spark_index),
                               explain=str(explain), output=str(output), log=lambda message: None)
    check(f"--index: output against a prior index identical ({summary['exactDuplicates']} exact, "
          f"{summary['nearDuplicates']} near)",
          output.read_bytes() == reference.read_bytes(), first_difference(output.read_bytes(), reference.read_bytes()))
    check("--index: explanations identical", explain.read_bytes() == reference_explain.read_bytes(),
          first_difference(explain.read_bytes(), reference_explain.read_bytes()))
    check("--index: exit status as winnow clean's", summary["status"] == status)
    extra = build_corpus(work / "extra", articles, seed=11)[1] if (work / "extra").mkdir() is None else None
    results = []
    for index in (command_index, spark_index):
        done = subprocess.run([winnow, "clean", str(extra), "-q", "--index", str(index), "--index-mode", "read",
                               "--explain", "/dev/stderr"], capture_output=True)
        results.append((done.returncode, done.stdout, done.stderr))
    check(f"--index: the command reads the Spark run's index with the same decisions ({len(results[0][1]):,} bytes)",
          results[0] == results[1], first_difference(results[0][1] + results[0][2], results[1][1] + results[1][2]))


def parquet_check(spark, winnow: str, work: Path, files: list[Path], check) -> None:
    """Parquet in, Parquet out: the text of each row is the text of the record
    `winnow clean` writes for the same records, in the same order."""
    valid = work / "valid"
    valid.mkdir()
    parquet_inputs = []
    for number, path in enumerate(files):
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "\ud800" in record.get("text", "") or "id" not in record:
                continue
            records.append({"id": record["id"], "text": record["text"]})
        (valid / f"corpus-{number}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        target = work / f"corpus-{number}.parquet"
        spark.createDataFrame(records, "id string, text string").coalesce(1).write.parquet(str(target))
        parquet_inputs.append(str(target))
    reference = work / "parquet-reference.jsonl"
    winnow_clean(winnow, sorted(valid.iterdir()), reference, work / "parquet-reference.explain", [])
    expected = [(r["id"], r["text"]) for r in map(json.loads, reference.read_text(encoding="utf-8").splitlines())]
    out = work / "out-parquet"
    winnow_spark.run_parquet(spark, parquet_inputs, str(out), [], 3, winnow, log=lambda message: None)
    # Each part file read on its own: Spark orders the files of a folder by size.
    rows = []
    for part in sorted((out / "parquet").glob("part-*.parquet")):
        rows += [(row["id"], row["text"]) for row in spark.read.parquet(str(part)).collect()]
    check(f"parquet-3-partitions: rows and texts identical ({len(expected)} rows)", rows == expected,
          f"{len(rows)} rows against {len(expected)}")


def first_difference(a: bytes, b: bytes) -> str:
    if a == b:
        return ""
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at byte {index} of {len(a)} / {len(b)}: {a[max(0, index - 80):index + 80]!r} / {b[max(0, index - 80):index + 80]!r}"


if __name__ == "__main__":
    sys.exit(main())
