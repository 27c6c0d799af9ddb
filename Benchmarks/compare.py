#!/usr/bin/env python3
"""Winnow beside the tools corpus builders use today: same corpus, same run.

    swift build -c release
    python3 Benchmarks/compare.py [--megabytes 100] [--python-megabytes 10] [--runs 3]
                                  [--scaling] [--out Benchmarks/results]

The corpus is the one `winnow-bench --command` builds from the shared articles
(JSON Lines, and the same texts as plain text): the articles, then new documents with
every other word replaced from their vocabulary, with reposts and near copies among
them. Every tool reads the same bytes for a task; the Python peers, which run at a
few MB/s, get the first --python-megabytes of it, and so does Winnow on those rows,
so that each ratio compares the same input. Times are wall-clock times of whole
processes (start-up included), the median of --runs runs; before each run the
earlier outputs are synced to disk.

Peers, when present: awk '!seen[$0]++' (repeated lines), ICU's uconv -x any-nfc
(normalization), and, installed with pip into Benchmarks/.venv-peers on first use,
ftfy's fix_text and fix_encoding, a cc_net-style paragraph hash dedup and datasketch's
MinHashLSH (Benchmarks/peers.py). A peer that cannot be run is left out and said so.
For mojibake, the Python-size corpus is written again with one line in ten of each
document misread as windows-1252; speed and the lines restored are reported.

Writes OUT/comparison.md (the tables) and OUT/comparison.svg (a bar chart of MB/s),
and prints the tables. With --scaling, `winnow clean` is also run at 10 MB, 100 MB
and 1 GB on 1 and 2 threads.
"""

import argparse
import codecs
import json
import os
import random
import shutil
import unicodedata
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, ".build", "release")


def log(message):
    print(message, file=sys.stderr, flush=True)


def build_corpus(megabytes, directory):
    if os.path.exists(os.path.join(directory, "corpus.jsonl")):
        return
    subprocess.run(
        [os.path.join(RELEASE, "winnow-bench"), "--command", "--megabytes", str(megabytes), "--keep", directory,
         "--corpus-only"],
        check=True, stdout=subprocess.DEVNULL)


def head(source, target, megabytes):
    """The first `megabytes` MB of whole lines of `source`."""
    limit = megabytes * 1_000_000
    written = 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        for line in reader:
            if written >= limit:
                break
            writer.write(line)
            written += len(line)


def peers_python():
    """The venv's Python with ftfy and datasketch, or None."""
    venv = os.path.join(ROOT, "Benchmarks", ".venv-peers")
    python = os.path.join(venv, "bin", "python3")
    check = [python, "-c", "import ftfy, datasketch"]
    if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    log("setting up Benchmarks/.venv-peers (pip install ftfy datasketch)")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "ftfy", "datasketch"], check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as error:
        log(f"Python peers left out: {error}")
        return None
    return python if subprocess.run(check, capture_output=True).returncode == 0 else None


def misread(source, target, share=10):
    """Writes `source` (JSON Lines) to `target` with one line in `share` (seeded) of each
    document encoded as UTF-8 and decoded as windows-1252, bytes that windows-1252
    leaves undefined as their Latin-1 C1 controls: mojibake as scrapers make it."""
    codecs.register_error("c1", lambda error: (error.object[error.start:error.end].decode("latin-1"), error.end))
    generator = random.Random(share)
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as output:
        for line in lines:
            document = json.loads(line)
            parts = document["text"].split("\n")
            document["text"] = "\n".join(
                part.encode("utf-8").decode("cp1252", errors="c1") if generator.randrange(share) == 0 else part
                for part in parts)
            output.write(json.dumps(document, ensure_ascii=False) + "\n")


def c1_as_windows_1252(text):
    """The C1 controls that windows-1252 maps (U+0092 for ’), as those characters."""
    def meaning(character):
        try:
            return bytes([ord(character)]).decode("cp1252")
        except UnicodeDecodeError:
            return character
    return "".join(meaning(c) if "\x80" <= c <= "\x9f" else c for c in text)


def repaired_lines(original, repaired, broken):
    """How many of the lines that `broken` misread come back exactly in `repaired`, and
    how many other lines changed (NFC on both sides: Winnow's minimal profile applies it).
    A few articles hold C1 controls (U+0092 for ’); a line counts as restored with them
    or with the windows-1252 characters they stand for."""
    restored = misread_lines = changed = 0
    with open(original, encoding="utf-8") as a, open(repaired, encoding="utf-8") as b, \
            open(broken, encoding="utf-8") as c:
        for first, second, third in zip(a, b, c):
            before = json.loads(first)["text"].split("\n")
            after = json.loads(second)["text"].split("\n")
            damaged = json.loads(third)["text"].split("\n")
            for expected, got, seen in zip(before, after, damaged):
                expected = unicodedata.normalize("NFC", expected)
                got = unicodedata.normalize("NFC", got)
                if seen != expected:
                    misread_lines += 1
                    restored += got == expected or got == c1_as_windows_1252(expected)
                elif got != expected:
                    changed += 1
    return {"misread": misread_lines, "restored": restored, "clean_changed": changed}


def timed(command, output, runs):
    """Median wall-clock seconds of `command`, its standard output to `output`."""
    times = []
    for _ in range(runs):
        if os.path.exists(output):
            os.unlink(output)
        os.sync()
        start = time.perf_counter()
        with open(output, "wb") as sink:
            result = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0,):
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--python-megabytes", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "results"))
    parser.add_argument("--work", default="/tmp/winnow-compare")
    arguments = parser.parse_args()

    winnow = os.path.join(RELEASE, "winnow")
    if not os.path.exists(winnow) or not os.path.exists(os.path.join(RELEASE, "winnow-bench")):
        sys.exit("build first: swift build -c release")
    os.makedirs(arguments.work, exist_ok=True)
    big = os.path.join(arguments.work, f"corpus-{arguments.megabytes}")
    build_corpus(arguments.megabytes, big)
    jsonl, text = os.path.join(big, "corpus.jsonl"), os.path.join(big, "corpus.txt")
    small = os.path.join(arguments.work, f"corpus-{arguments.python_megabytes}-head")
    os.makedirs(small, exist_ok=True)
    small_jsonl = os.path.join(small, "corpus.jsonl")
    head(jsonl, small_jsonl, arguments.python_megabytes)
    out = os.path.join(arguments.work, "out")
    python = peers_python()
    awk = shutil.which("awk")
    uconv = shutil.which("uconv")

    rows = []  # (task, tool, input bytes, seconds)

    def measure(task, tool, command, source):
        seconds = timed(command, out, arguments.runs)
        rows.append((task, tool, os.path.getsize(source), seconds))
        log(f"{task}: {tool}: {os.path.getsize(source) / 1e6 / seconds:.1f} MB/s")

    quiet = ["--quiet"]  # output to standard output, which `timed` sends to a file
    # Normalization: Unicode NFC (and line breaks, invalid UTF-8) over the whole corpus.
    measure("Unicode normalization (NFC)", "winnow normalize --profile minimal",
            [winnow, "normalize", "--profile", "minimal", jsonl] + quiet, jsonl)
    if uconv:
        measure("Unicode normalization (NFC)", "uconv -x any-nfc",
                [uconv, "-f", "utf-8", "-t", "utf-8", "-x", "any-nfc", text], text)
    # Text fixing: ftfy's job.
    measure("Fixing text (quotes, spaces, controls, ...)", "winnow normalize",
            [winnow, "normalize", small_jsonl] + quiet, small_jsonl)
    if python:
        measure("Fixing text (quotes, spaces, controls, ...)", "ftfy fix_text",
                [python, os.path.join(ROOT, "Benchmarks", "peers.py"), "ftfy", small_jsonl, "/dev/stdout"], small_jsonl)
    # Mojibake: one line in ten of each document misread as windows-1252.
    broken = os.path.join(small, "misread.jsonl")
    misread(small_jsonl, broken)
    mojibake_task = "Mojibake repair (1 line in 10 misread)"
    measure(mojibake_task, "winnow normalize", [winnow, "normalize", broken] + quiet, broken)
    if python:
        measure(mojibake_task, "ftfy fix_text", [python, os.path.join(ROOT, "Benchmarks", "peers.py"), "ftfy", broken,
                                                 "/dev/stdout"], broken)
        measure(mojibake_task, "ftfy fix_encoding", [python, os.path.join(ROOT, "Benchmarks", "peers.py"),
                                                     "ftfy-encoding", broken, "/dev/stdout"], broken)
    mojibake = {}
    repaired = os.path.join(arguments.work, "repaired.jsonl")
    subprocess.run([winnow, "normalize", "--profile", "minimal", "--mojibake", "on", broken, "-o", repaired, "--quiet"],
                   check=True)
    mojibake["winnow"] = repaired_lines(small_jsonl, repaired, broken)
    if python:
        subprocess.run([python, os.path.join(ROOT, "Benchmarks", "peers.py"), "ftfy-encoding", broken, repaired],
                       check=True)
        mojibake["ftfy fix_encoding"] = repaired_lines(small_jsonl, repaired, broken)
    os.unlink(repaired)
    # Repeated lines and paragraphs, keep the first.
    paragraphs = [winnow, "dedup", "--no-exact-documents", "--no-near-duplicates", "--min-paragraph-words", "1"]
    measure("Repeated lines, keep the first", "winnow dedup (paragraphs)", paragraphs + [jsonl] + quiet, jsonl)
    if awk:
        measure("Repeated lines, keep the first", "awk '!seen[$0]++'", [awk, "!seen[$0]++", text], text)
    measure("Repeated lines, keep the first (Python size)", "winnow dedup (paragraphs)",
            paragraphs + [small_jsonl] + quiet, small_jsonl)
    if python:
        measure("Repeated lines, keep the first (Python size)", "cc_net-style paragraph hashes",
                [python, os.path.join(ROOT, "Benchmarks", "peers.py"), "ccnet", small_jsonl, "/dev/stdout"],
                small_jsonl)
    # Near-duplicate documents.
    measure("Near-duplicate documents", "winnow dedup", [winnow, "dedup", small_jsonl] + quiet, small_jsonl)
    if python:
        measure("Near-duplicate documents", "datasketch MinHashLSH",
                [python, os.path.join(ROOT, "Benchmarks", "peers.py"), "datasketch", small_jsonl, "/dev/stdout"],
                small_jsonl)
    # Everything at once.
    measure("Everything: normalize, repeats, dedup", "winnow clean", [winnow, "clean", jsonl] + quiet, jsonl)

    scaling = []
    if arguments.scaling:
        for megabytes in (10, 100, 1000):
            directory = os.path.join(arguments.work, f"corpus-{megabytes}")
            build_corpus(megabytes, directory)
            source = os.path.join(directory, "corpus.jsonl")
            for threads in (1, 2):
                seconds = timed([winnow, "clean", source, "--threads", str(threads)] + quiet, out, arguments.runs)
                scaling.append((os.path.getsize(source), threads, seconds))
                log(f"scaling: {os.path.getsize(source) / 1e6:.0f} MB, {threads} threads: "
                    f"{os.path.getsize(source) / 1e6 / seconds:.1f} MB/s")
    if os.path.exists(out):
        os.unlink(out)

    quality = None
    if python:
        report = os.path.join(arguments.work, "quality.json")
        result = subprocess.run(
            [python, os.path.join(ROOT, "Benchmarks", "dedup_quality.py"), "--winnow", winnow, "--json", report],
            capture_output=True)
        if result.returncode == 0:
            with open(report) as file:
                quality = json.load(file)

    repeats = None
    report = os.path.join(arguments.work, "repeats.json")
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "Benchmarks", "repeats_quality.py"), "--winnow", winnow, "--json", report],
        capture_output=True)
    if result.returncode == 0:
        with open(report) as file:
            repeats = json.load(file)
    else:
        log("repeated-block quality left out: " + result.stderr.decode()[-300:])

    os.makedirs(arguments.out, exist_ok=True)
    markdown = tables(rows, scaling, quality, arguments, repeats, mojibake)
    with open(os.path.join(arguments.out, "comparison.md"), "w") as file:
        file.write(markdown)
    with open(os.path.join(arguments.out, "comparison.svg"), "w") as file:
        file.write(chart(rows))
    print(markdown)


def tables(rows, scaling, quality, arguments, repeats=None, mojibake=None):
    lines = [
        f"Machine: {os.cpu_count()} cores, {machine()}; corpus {arguments.megabytes} MB "
        f"(Python rows: its first {arguments.python_megabytes} MB); median of {arguments.runs} runs.",
        "",
        "| task | tool | MB | seconds | MB/s | Winnow ÷ tool |",
        "|---|---|---:|---:|---:|---:|",
    ]
    winnow_rate = {}
    for task, tool, size, seconds in rows:
        if tool.startswith("winnow"):
            winnow_rate[task] = size / seconds
    for task, tool, size, seconds in rows:
        rate = size / seconds
        ratio = "" if tool.startswith("winnow") else f"{winnow_rate.get(task, 0) / rate:.1f}x"
        lines.append(f"| {task} | {tool} | {size / 1e6:.1f} | {seconds:.3f} | {rate / 1e6:.1f} | {ratio} |")
    if scaling:
        lines += ["", "| `winnow clean` input | threads | seconds | MB/s |", "|---:|---:|---:|---:|"]
        for size, threads, seconds in scaling:
            lines.append(f"| {size / 1e6:.0f} MB | {threads} | {seconds:.3f} | {size / 1e6 / seconds:.1f} |")
    if quality:
        systems = quality["systems"]
        names = [name for name in ("winnow", "datasketch", "datasketch (verified)") if name in systems]
        lines += [
            "",
            "Near-duplicate quality on the labeled corpus of `Benchmarks/dedup_quality.py` "
            f"({quality['corpus']['documents']} documents):",
            "",
            "| measure | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
            "| recall, copies with up to 5% of words changed | "
            + " | ".join(f"{systems[n]['target_recall']:.3f}" for n in names) + " |",
            "| precision | " + " | ".join(f"{systems[n]['precision']:.3f}" for n in names) + " |",
            "| documents that must stay, dropped | "
            + " | ".join(str(len(systems[n]['originals_dropped']) + len(systems[n]['partials_dropped'])) for n in names)
            + " |",
            "| MB/s | " + " | ".join(f"{systems[n]['mb_per_s']:.1f}" for n in names) + " |",
        ]
    if repeats:
        tools = repeats["tools"]
        names = [name for name in ("winnow", "winnow-normalize", "awk") if name in tools]
        titles = {"winnow": "winnow clean --no-normalize", "winnow-normalize": "winnow clean", "awk": "awk (per document)"}
        lines += [
            "",
            "Repeated blocks inside documents, on the labeled corpus of `Benchmarks/repeats_quality.py` "
            f"({repeats['documents']} documents; expected output: the original article):",
            "",
            "| measure | " + " | ".join(titles[n] for n in names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for label in ("body-twice", "paragraph-repeated", "block-repeated", "repeat-other-quotes", "clean",
                      "legit-repeats"):
            lines.append(f"| exact match, {label} | "
                         + " | ".join(f"{tools[n]['labels'][label]['exact_match_rate']:.3f}" for n in names) + " |")
        for measure, key in (("exact match, overall", "exact_match_rate"), ("precision of removed lines", "precision"),
                             ("recall of removed lines", "recall")):
            lines.append(f"| {measure} | " + " | ".join(f"{tools[n]['overall'][key]:.3f}" for n in names) + " |")
    if mojibake:
        names = list(mojibake)
        lines += [
            "",
            "Mojibake repair on the same input (one line in ten of each document misread as windows-1252; "
            "Winnow with `--profile minimal --mojibake on`, so that only the repair changes text):",
            "",
            "| measure | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
            "| misread lines restored exactly | "
            + " | ".join(f"{mojibake[n]['restored']} of {mojibake[n]['misread']}" for n in names) + " |",
            "| other lines changed | " + " | ".join(str(mojibake[n]["clean_changed"]) for n in names) + " |",
        ]
    return "\n".join(lines) + "\n"


def machine():
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def chart(rows):
    """A horizontal bar chart of MB/s, logarithmic, one bar per row."""
    import math

    width, bar_left, row_height = 900, 430, 26
    height = 40 + row_height * len(rows)
    top = max(size / seconds / 1e6 for _, _, size, seconds in rows)
    scale = math.log10(max(top, 10) * 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        'font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">MB/s, logarithmic (same corpus, same run)</text>',
    ]
    for index, (task, tool, size, seconds) in enumerate(rows):
        rate = size / seconds / 1e6
        y = 34 + index * row_height
        length = max(2, (width - bar_left - 70) * max(math.log10(max(rate, 1)) + 0.3, 0) / (scale + 0.3))
        color = "#2b7bb9" if tool.startswith("winnow") else "#b0b0b0"
        # About 6.5 pixels a character at this size: labels end before the bars.
        short = task.split(" (")[0] + (" (10 MB)" if "Python size" in task else "")
        label = f"{short}: {tool}"
        label = label if len(label) <= 64 else label[:61] + "..."
        parts.append(f'<text x="10" y="{y + 16}">{escape(label)}</text>')
        parts.append(f'<rect x="{bar_left}" y="{y + 4}" width="{length:.1f}" height="{row_height - 8}" fill="{color}"/>')
        parts.append(f'<text x="{bar_left + length + 6:.1f}" y="{y + 16}">{rate:.1f}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


if __name__ == "__main__":
    main()
