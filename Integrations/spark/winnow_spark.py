#!/usr/bin/env python3
"""Winnow on Apache Spark: the bytes of one `winnow clean` run, from many machines.

    spark-submit winnow_spark.py INPUT... --output-dir OUT [--output FILE] [--explain FILE]
        [--partitions N] [--boilerplate N] [--strict] [--winnow PATH] -- [winnow clean options]

Spark never decodes the text: every step that reads it is the `winnow` binary on a
byte range of an input (`winnow fingerprint`, `winnow apply`), and Spark moves only
fingerprint records, keys and decisions. The stages (see README.md):

1. inputs in Winnow's order, cut into byte-range splits (compressed files whole);
   the line feeds before each split counted, for its first line number;
2. with --boilerplate N: line counts per split, added up by key, kept from N on;
3. fingerprints (map): one record per document, numbered in input order;
4. candidate edges: equal exact hashes; LSH buckets, their pairs verified on the
   signatures, buckets of more than 64 documents closed into one component;
5. connected components of those edges (iterated min-label propagation on Spark);
6. `winnow decide` per component, in input-number order: exact and near duplicates;
7. paragraph holders by key: the kept document of the smallest number keeps it;
8. `winnow apply` per split (map): each split's output file, in input order.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
from typing import Iterable, Iterator

# LSH buckets with more documents than this are closed into one component: the
# deduplicator follows at most 64 kept documents per band, and which those are depends
# on the whole bucket (CorpusDeduplicator.candidatesPerBand).
CANDIDATES_PER_BAND = 64

# Options of `winnow clean` that `winnow decide` takes too, and whether each takes a
# value.
DECIDE_OPTIONS = {
    "--near-threshold": True,
    "--near-max-new-tokens": True,
    "--near-shingle": True,
    "--signature-size": True,
    "--bands": True,
    "--rows": True,
    "--min-paragraph-words": True,
    "--no-exact-documents": False,
    "--no-near-duplicates": False,
    "--no-repeated-paragraphs": False,
}

COMPRESSION_MAGIC = [
    (b"\x1f\x8b", ".gz"),
    (b"\x28\xb5\x2f\xfd", ".zst"),
    (b"BZh", ".bz2"),
    (b"\xfd7zXZ\x00", ".xz"),
]


class DriverError(Exception):
    """A failure the driver reports in a sentence (exit status 1)."""


# MARK: Inputs and splits


def list_inputs(paths: list[str]) -> list[str]:
    """The input files in Winnow's order: as named, folders walked with their files in
    byte order of their relative paths, each file once."""
    files: list[str] = []
    seen: set[tuple[int, int]] = set()

    def add(path: str) -> None:
        info = os.stat(path)
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        files.append(path)

    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, _, names in os.walk(path, followlinks=True):
                for name in names:
                    full = os.path.join(root, name)
                    if os.path.isfile(full):
                        found.append(full)
            found.sort(key=lambda f: os.fsencode(os.path.relpath(f, path)))
            for full in found:
                add(full)
        else:
            add(path)
    return files


def compression_of(path: str) -> str | None:
    """The file extension of the input's compression, told by its first bytes."""
    with open(path, "rb") as file:
        head = file.read(6)
    for magic, extension in COMPRESSION_MAGIC:
        if head.startswith(magic):
            return extension
    return None


def make_splits(files: list[str], partitions: int) -> list[dict]:
    """Byte-range splits of about total/partitions bytes each, in input order; a
    compressed file is one split. `winnow --range` moves each bound to a line start."""
    sizes = [os.path.getsize(path) for path in files]
    target = max(1, -(-sum(sizes) // max(1, partitions)))
    splits = []
    for index, (path, size) in enumerate(zip(files, sizes)):
        compressed = compression_of(path)
        if compressed or size <= target:
            splits.append({"file": index, "path": path, "start": 0, "end": size, "compressed": compressed})
            continue
        start = 0
        while start < size:
            end = min(size, start + target)
            splits.append({"file": index, "path": path, "start": start, "end": end, "compressed": None})
            start = end
    for number, split in enumerate(splits):
        split["split"] = number
    return splits


def count_line_feeds(split: dict) -> int:
    """Line feeds in [start - 1, end - 1): added up over the earlier splits of a file,
    they give the number of a split's first line."""
    if split["compressed"]:
        return 0
    start = max(split["start"] - 1, 0)
    end = max(split["end"] - 1, 0)
    count = 0
    with open(split["path"], "rb") as file:
        file.seek(start)
        left = end - start
        while left > 0:
            chunk = file.read(min(left, 1 << 22))
            if not chunk:
                break
            count += chunk.count(b"\n")
            left -= len(chunk)
    return count


def first_lines(splits: list[dict], feeds: list[int]) -> None:
    """Sets each split's first line number: 1 at the start of a file; else 2 plus the
    line feeds before its start, less the one that may end there (see count_line_feeds)."""
    before = 0
    for split, count in zip(splits, feeds):
        if split["start"] == 0:
            before = 0
        split["first_line"] = 1 if split["start"] == 0 else before + 2
        before += count


# MARK: Running winnow on executors


def winnow_binary(path: str) -> str:
    """The winnow executable: the path given, or the file shipped with --files."""
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(os.path.basename(path))
        if os.path.isfile(shipped):
            os.chmod(shipped, 0o755)
            return shipped
    except Exception:  # noqa: BLE001 - not on an executor with shipped files
        pass
    found = shutil.which(path)
    if found:
        return found
    raise DriverError(f"no winnow executable at {path}")


def run_winnow(binary: str, arguments: list[str], stdin_path: str | None = None) -> tuple[int, bytes, bytes]:
    """Runs winnow; status 0 and 2 (some lines skipped, reported) are results, others
    failures."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        done = subprocess.run([winnow_binary(binary)] + arguments, stdin=stdin, capture_output=True)
    finally:
        if stdin_path:
            stdin.close()
    if done.returncode not in (0, 2):
        message = done.stderr.decode("utf-8", "replace").strip()
        raise DriverError(f"winnow {arguments[0]} failed (status {done.returncode}): {message}")
    return done.returncode, done.stdout, done.stderr


def range_arguments(split: dict) -> list[str]:
    arguments = [split["path"], "--format", "jsonl", "--first-line", str(split["first_line"])]
    if not split["compressed"]:
        arguments += ["--range", f"{split['start']}:{split['end']}"]
    return arguments


def signature_of(encoded: str) -> tuple[int, ...]:
    """The MinHash bins of a serialized fingerprint (DocumentFingerprint.serialized)."""
    data = base64.b64decode(encoded)
    position = 14 + (16 if data[1] == 1 else 0)
    (bins,) = struct.unpack_from("<I", data, position)
    return struct.unpack_from(f"<{bins}I", data, position + 4)


# MARK: The stages


BITMAP_BLOCK_BITS = 1 << 23  # one megabyte of bitmap per block


def members(numbers, size: int, partitions: int, context, block_bits: int = BITMAP_BLOCK_BITS):
    """A broadcast bitmap of the document numbers in `numbers` (an RDD), of `size`
    bits, so that records of documents outside it are filtered out before a join
    instead of shuffled to it. The numbers are shuffled by block of `block_bits` (2^23:
    one megabyte of bitmap), each block's bits are set by the task that holds it, and the driver
    copies the blocks one at a time into one bitmap: size / 8 bytes on the driver and
    on each executor (125 MB for a billion documents), never one bitmap per partition."""
    assert block_bits % 8 == 0
    blocks = (size + block_bits - 1) // block_bits

    def build(part: Iterator) -> Iterator:
        bits: dict[int, bytearray] = {}
        for block, number in part:
            if block not in bits:
                bits[block] = bytearray(block_bits // 8)
            offset = number - block * block_bits
            bits[block][offset >> 3] |= 1 << (offset & 7)
        for block in sorted(bits):
            yield block, bytes(bits.pop(block))

    shuffled = numbers.map(lambda number: (number // block_bits, number)).partitionBy(
        max(1, min(partitions, blocks)), lambda block: block)
    bitmap = bytearray((size + 7) // 8)
    for block, bits in shuffled.mapPartitions(build).toLocalIterator():
        start = block * block_bits // 8
        bitmap[start:start + len(bits)] = bits[:len(bitmap) - start]
    shared = context.broadcast(bitmap)
    return lambda number: shared.value[number >> 3] >> (number & 7) & 1 == 1


def connected_components(edges, partitions: int, max_rounds: int = 10_000, log=lambda message: None):
    """(node, component) for every node of `edges` (pairs of input numbers): the
    smallest number of its connected component, by min-label propagation, one Spark
    join per round, until no label changes (rounds: the largest distance from a
    component's smallest node, plus one)."""
    both = edges.flatMap(lambda edge: [(edge[0], edge[1]), (edge[1], edge[0])]).distinct(partitions).persist()
    labels = both.map(lambda edge: (edge[0], min(edge))).reduceByKey(min, partitions).persist()
    for _ in range(max_rounds):
        proposals = both.join(labels, partitions).map(lambda item: (item[1][0], item[1][1]))
        updated = labels.union(proposals).reduceByKey(min, partitions).persist()
        changed = updated.join(labels, partitions).filter(lambda item: item[1][0] != item[1][1]).count()
        labels.unpersist()
        labels = updated
        log(f"components: round {_ + 1}, {changed} labels changed")
        if changed == 0:
            break
    both.unpersist()
    return labels


def decide_partition(binary: str, options: list[str]):
    def run(records: Iterator) -> Iterator:
        directory = tempfile.mkdtemp(prefix="winnow-decide-")
        try:
            path = os.path.join(directory, "records.jsonl")
            with open(path, "w", encoding="utf-8") as file:
                for (component, number), record in records:
                    record = dict(record, b=[], p=[], n=number, c=component)
                    file.write(json.dumps(record, separators=(",", ":")) + "\n")
            _, output, _ = run_winnow(binary, ["decide", path] + options)
            for line in output.splitlines():
                decision = json.loads(line)
                yield decision["n"], decision
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    return run


def apply_partition(binary: str, options: list[str], splits: list[dict], output_dir: str, explaining: bool,
                    boilerplate: str | None, suffix: str):
    def run(items: Iterator) -> Iterator:
        directory = tempfile.mkdtemp(prefix="winnow-apply-")
        split_number = None
        try:
            path = os.path.join(directory, "decisions.jsonl")
            with open(path, "w", encoding="utf-8") as file:
                for (number, ordinal), decision in items:
                    split_number = number
                    if decision is not None:
                        file.write(json.dumps(decision, separators=(",", ":")) + "\n")
            if split_number is None:
                return
            split = splits[split_number]
            name = f"part-{split_number:05d}"
            arguments = ["apply"] + range_arguments(split) + ["--decisions", path, "-q", "--threads", "1"]
            arguments += ["-o", os.path.join(output_dir, name + ".jsonl" + suffix)]
            if explaining:
                arguments += ["--explain", os.path.join(output_dir, name + ".explain.jsonl")]
            if boilerplate:
                arguments += ["--boilerplate-lines", boilerplate]
            status, _, errors = run_winnow(binary, arguments + options)
            yield split_number, status, errors.decode("utf-8", "replace")
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    return run


def decide_options(options: list[str]) -> list[str]:
    """The options of `winnow clean` that `winnow decide` takes."""
    chosen = []
    index = 0
    while index < len(options):
        name, _, value = options[index].partition("=")
        if name in DECIDE_OPTIONS:
            chosen.append(options[index])
            if DECIDE_OPTIONS[name] and not value and index + 1 < len(options):
                chosen.append(options[index + 1])
                index += 1
        index += 1
    return chosen


def option_value(options: list[str], name: str, default: str) -> str:
    for index, option in enumerate(options):
        if option == name and index + 1 < len(options):
            return options[index + 1]
        if option.startswith(name + "="):
            return option.split("=", 1)[1]
    return default


def export_index(binary: str, index: str, directory: str) -> tuple[str, str, int]:
    """The kept documents and paragraph holders of a prior index, as files, and the
    number of documents it has seen (`winnow index export`)."""
    documents = os.path.join(directory, "index-documents.jsonl")
    paragraphs = os.path.join(directory, "index-paragraphs.jsonl")
    _, printed, _ = run_winnow(binary, ["index", "export", index, "--documents", documents, "--paragraphs", paragraphs])
    return documents, paragraphs, json.loads(printed)["documents"]


def run(spark, inputs: list[str], output_dir: str, options: list[str], partitions: int, binary: str,
        boilerplate: int | None = None, strict: bool = False, explain: str | None = None,
        output: str | None = None, index: str | None = None, index_mode: str = "update", log=print) -> dict:
    """Cleans `inputs` (JSON Lines, compressed or not) as `winnow clean INPUTS OPTIONS`
    does, writing part files into `output_dir` (and `output`, `explain`: their
    concatenation). With `index`, as `winnow clean --index INDEX --index-mode MODE`:
    the documents of the index come before all input, and (mode update) the index is
    written again with what the run kept. Returns the counts; status 2 when lines were
    skipped."""
    context = spark.sparkContext
    if __name__ != "__main__":
        # Imported: the executors' Python workers import this module by name too.
        context.addPyFile(os.path.abspath(__file__))
    files = list_inputs(inputs)
    if not files:
        raise DriverError("no input files")
    splits = make_splits(files, partitions)
    suffix = compression_of(files[0]) or ""
    os.makedirs(output_dir, exist_ok=True)
    for name in os.listdir(output_dir):
        if name.startswith("part-"):
            os.remove(os.path.join(output_dir, name))
    if strict:
        options = options + ["--strict"]

    # Partitions of every shuffle.
    shuffle = max(2, partitions)

    # 1. First line numbers.
    feeds = context.parallelize(splits, len(splits)).map(count_line_feeds).collect()
    first_lines(splits, feeds)
    split_rdd = context.parallelize(splits, len(splits))

    # 2. Boilerplate lines: counted per split, added up by key.
    boilerplate_path = None
    if boilerplate is not None:
        def count_lines(split: dict) -> Iterable:
            _, counted, _ = run_winnow(binary, ["fingerprint"] + range_arguments(split) + ["--line-counts", "-q"] + options)
            for line in counted.splitlines():
                entry = json.loads(line)
                yield entry["k"], entry["d"]

        frequent = split_rdd.flatMap(count_lines).reduceByKey(lambda a, b: a + b).filter(lambda kv: kv[1] >= boilerplate)
        boilerplate_path = os.path.join(output_dir, "boilerplate-lines.jsonl")
        with open(boilerplate_path, "w", encoding="utf-8") as file:
            for key, documents in sorted(frequent.collect()):
                file.write(json.dumps({"k": key, "d": documents}, separators=(",", ":")) + "\n")
        log(f"winnow-spark: {sum(1 for _ in open(boilerplate_path))} boilerplate lines (in {boilerplate} or more documents)")

    # 3. Fingerprints, numbered in input order.
    fingerprint_options = options + (["--boilerplate-lines", boilerplate_path] if boilerplate_path else [])

    def fingerprint(split: dict) -> Iterable:
        status, records, errors = run_winnow(
            binary, ["fingerprint"] + range_arguments(split) + ["-q", "--threads", "1"] + fingerprint_options)
        count = 0
        for line in records.splitlines():
            count += 1
            yield split["split"], json.loads(line)
        # The split's count and status, after its records.
        yield split["split"], {"status": status, "count": count, "errors": errors.decode("utf-8", "replace")}

    fingerprinted = split_rdd.flatMap(fingerprint).persist()
    ends = sorted(fingerprinted.filter(lambda item: "status" in item[1]).collect())
    if strict and any(end["status"] == 2 for _, end in ends):
        first = next(end for _, end in ends if end["status"] == 2)
        sys.stderr.write(first["errors"])
        fingerprinted.unpersist()
        return {"documents": 0, "exactDuplicates": 0, "nearDuplicates": 0, "paragraphsRemoved": 0,
                "splits": len(splits), "status": 2}
    counts = {number: end["count"] for number, end in ends}
    records = fingerprinted.filter(lambda item: "status" not in item[1])

    # A prior index: its kept documents come before all input, numbered as they were.
    if index and index_mode == "read" and not os.path.exists(index):
        raise DriverError(f"--index-mode read needs an index: {index} does not exist")
    base = 0
    index_documents = context.parallelize([], 1)
    index_paragraphs = context.parallelize([], 1)
    if index and os.path.exists(index):
        documents_path, paragraphs_path, base = export_index(binary, index, output_dir)
        with open(documents_path, encoding="utf-8") as file:
            kept_records = [json.loads(line) for line in file]
        with open(paragraphs_path, encoding="utf-8") as file:
            holders_found = [json.loads(line) for line in file]
        index_documents = context.parallelize([(r["n"], r) for r in kept_records], shuffle)
        index_paragraphs = context.parallelize([(h["k"], (h["n"], h["id"])) for h in holders_found], shuffle)
    offsets = []
    total = base
    for split in splits:
        offsets.append(total)
        total += counts.get(split["split"], 0)
    numbered = records.map(lambda item: (offsets[item[0]] + item[1]["o"], item[1])).persist()
    everything = numbered.union(index_documents)

    # 4. Candidate edges.
    exact = everything.filter(lambda item: "x" in item[1]).map(lambda item: (item[1]["x"], item[0]))
    exact_edges = exact.join(exact.reduceByKey(min, shuffle), shuffle).map(lambda kv: kv[1]).filter(lambda edge: edge[0] != edge[1])
    bands = everything.flatMap(
        lambda item: [((band, int(key, 16)), item[0]) for band, key in enumerate(item[1].get("b", []))])

    def add_member(bucket, number):
        count, smallest, members = bucket
        if count < CANDIDATES_PER_BAND + 1:
            members = members + [number]
        return count + 1, min(smallest, number), members

    def merge_buckets(a, b):
        members = (a[2] + b[2])[: CANDIDATES_PER_BAND + 1]
        return a[0] + b[0], min(a[1], b[1]), members

    buckets = bands.aggregateByKey((0, sys.maxsize, []), add_member, merge_buckets, shuffle).filter(lambda kv: kv[1][0] > 1).persist()
    oversized = buckets.filter(lambda kv: kv[1][0] > CANDIDATES_PER_BAND).mapValues(lambda bucket: bucket[1])
    closed_edges = bands.join(oversized, shuffle).map(lambda kv: kv[1]).filter(lambda edge: edge[0] != edge[1])
    pairs = (
        buckets.filter(lambda kv: kv[1][0] <= CANDIDATES_PER_BAND)
        .flatMap(lambda kv: [(a, b) for i, a in enumerate(sorted(kv[1][2])) for b in sorted(kv[1][2])[i + 1:]])
        .distinct(shuffle)
    )
    threshold = float(option_value(options, "--near-threshold", "0.4"))
    pairs.persist()
    paired = members(pairs.flatMap(lambda pair: pair), total, shuffle, context)
    signatures = everything.filter(lambda item: paired(item[0]) and item[1].get("b")).mapValues(
        lambda record: signature_of(record["f"]))

    def similar(item) -> bool:
        (_, ((_, first), second)) = item
        equal = sum(1 for x, y in zip(first, second) if x == y)
        # A margin of one bin: more edges only join components, never change a decision.
        return equal + 1 >= threshold * len(first)

    verified = (
        pairs.join(signatures, shuffle).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
        .join(signatures, shuffle).filter(similar).map(lambda kv: (kv[1][0][0], kv[0]))
    )
    edges = context.union([exact_edges, closed_edges, verified]).coalesce(shuffle)

    # 5. Components; 6. decisions of each component in input-number order.
    log(f"{total - base} documents fingerprinted in {len(splits)} splits")
    labels = connected_components(edges, shuffle, log=log)
    # What decide reads of a record: its id, fingerprint and kept flag (keys and
    # paragraphs stay behind: they are a third of a record and not shuffled here).
    # Documents in no component are kept whole and need no decision.
    labelled = members(labels.keys(), total, shuffle, context)
    deciding = everything.filter(lambda item: labelled(item[0])).mapValues(
        lambda record: {key: record[key] for key in ("o", "id", "f", "kept") if key in record})
    grouped = deciding.join(labels, shuffle).map(lambda kv: ((kv[1][1], kv[0]), kv[1][0]))
    dedup_options = decide_options(options)
    decisions = grouped.repartitionAndSortWithinPartitions(
        max(1, partitions), partitionFunc=lambda key: hash(key[0])
    ).mapPartitions(decide_partition(binary, dedup_options)).persist()

    # 7. Paragraph holders: the kept document of the smallest number holds a key.
    dropped = decisions.filter(lambda kv: "dup" in kv[1])
    removals = context.parallelize([], 1)
    if "--no-repeated-paragraphs" not in options:
        # Only the paragraphs travel, and only the numbers of dropped documents.
        paragraphs = (
            numbered.flatMap(lambda kv: [(kv[0], (p["k"], p["i"], kv[1]["id"])) for p in kv[1].get("p", [])])
            .subtractByKey(dropped.mapValues(lambda decision: None), shuffle)
            .map(lambda kv: (kv[1][0], (kv[0], kv[1][1], kv[1][2])))
        )
        holders = (
            paragraphs.mapValues(lambda value: (value[0], value[2])).union(index_paragraphs).reduceByKey(min, shuffle)
            .persist()
        )
        removals = (
            paragraphs.join(holders, shuffle).filter(lambda kv: kv[1][0][0] != kv[1][1][0])
            .map(lambda kv: (kv[1][0][0], {"i": kv[1][0][1], "id": kv[1][1][1], "n": kv[1][1][0]}))
            .groupByKey(shuffle).mapValues(lambda removed: {"p": sorted(removed, key=lambda r: r["i"])})
        )

    def merge(a: dict, b: dict) -> dict:
        return dict(a, **b)

    per_document = decisions.union(removals).reduceByKey(merge, shuffle)

    # 8. Apply, one split per partition, in input order.
    def locate(item):
        number, decision = item
        # The last split starting at or before the number: later ones start after it.
        split = bisect.bisect_right(offsets, number) - 1
        ordinal = number - offsets[split]
        return (split, ordinal), dict(decision, n=number, o=ordinal)

    markers = split_rdd.map(lambda split: ((split["split"], -1), None))
    explaining = explain is not None
    applied = (
        markers.union(per_document.map(locate))
        .repartitionAndSortWithinPartitions(len(splits), partitionFunc=lambda key: key[0])
        .mapPartitions(apply_partition(binary, options, splits, output_dir, explaining, boilerplate_path, suffix))
        .collect()
    )
    status = 0
    for _, split_status, errors in sorted(applied):
        if errors.strip():
            sys.stderr.write(errors if errors.endswith("\n") else errors + "\n")
        status = max(status, split_status)

    if index and index_mode == "update":
        write_index(binary, index, output_dir, dedup_options, total, everything.subtractByKey(dropped, shuffle),
                    holders if "--no-repeated-paragraphs" not in options else index_paragraphs)

    summary = {
        "documents": total - base,
        "exactDuplicates": decisions.filter(lambda kv: kv[1].get("dup", {}).get("kind") == "exact").count(),
        "nearDuplicates": decisions.filter(lambda kv: kv[1].get("dup", {}).get("kind") == "near").count(),
        "paragraphsRemoved": removals.map(lambda kv: len(kv[1]["p"])).sum(),
        "splits": len(splits),
        "status": status,
    }
    parts = sorted(name for name in os.listdir(output_dir) if name.startswith("part-") and ".explain." not in name)
    if output:
        concatenate([os.path.join(output_dir, name) for name in parts], output)
    if explain:
        explained = sorted(name for name in os.listdir(output_dir) if ".explain." in name)
        concatenate([os.path.join(output_dir, name) for name in explained], explain)
    fingerprinted.unpersist()
    numbered.unpersist()
    buckets.unpersist()
    pairs.unpersist()
    labels.unpersist()
    decisions.unpersist()
    return summary


def run_parquet(spark, inputs: list[str], output_dir: str, options: list[str], partitions: int, binary: str,
                **keywords) -> dict:
    """Parquet in, Parquet out: each input file's rows are written as JSON Lines by
    Spark (in row order, one file after the other), cleaned by `run`, and read back
    into the first input's schema; the output is `output_dir/parquet`, its part files
    in input order. The text is as `winnow clean` writes it for those records."""
    files = [path for path in list_inputs(inputs) if path.endswith(".parquet")]
    if not files:
        raise DriverError("no Parquet files")
    staging = os.path.join(output_dir, "staging")
    shutil.rmtree(staging, ignore_errors=True)
    schema = None
    staged = []
    for number, path in enumerate(files):
        frame = spark.read.parquet(path)
        schema = schema or frame.schema
        folder = os.path.join(staging, f"{number:05d}")
        with warnings.catch_warnings():
            # pyspark 4 announces that toJSON will return a DataFrame one day.
            warnings.simplefilter("ignore", UserWarning)
            lines = frame.toJSON()
        lines.saveAsTextFile(folder)
        staged += sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.startswith("part-"))
    summary = run(spark, staged, os.path.join(output_dir, "jsonl"), options, partitions, binary, **keywords)
    parts = sorted(name for name in os.listdir(os.path.join(output_dir, "jsonl"))
                   if name.startswith("part-") and ".explain." not in name)
    frames = [spark.read.schema(schema).json(os.path.join(output_dir, "jsonl", name)) for name in parts]
    result = frames[0]
    for frame in frames[1:]:
        result = result.union(frame)
    result.write.mode("overwrite").parquet(os.path.join(output_dir, "parquet"))
    shutil.rmtree(staging, ignore_errors=True)
    return summary


def write_index(binary: str, index: str, directory: str, options: list[str], seen: int, kept, holders) -> None:
    """Writes the index one run would leave (`winnow index build`): the kept documents
    in input-number order and the paragraph holders, streamed to the driver's disk (an
    index is one file, loaded by one process)."""
    documents = os.path.join(directory, "kept-documents.jsonl")
    paragraphs = os.path.join(directory, "paragraph-holders.jsonl")
    with open(documents, "w", encoding="utf-8") as file:
        for number, record in kept.sortByKey().toLocalIterator():
            record = dict(record, n=number, kept=True)
            file.write(json.dumps(record, separators=(",", ":")) + "\n")
    with open(paragraphs, "w", encoding="utf-8") as file:
        for key, (number, identifier) in holders.toLocalIterator():
            file.write(json.dumps({"k": key, "n": number, "id": identifier}, separators=(",", ":")) + "\n")
    run_winnow(binary, ["index", "build", "--documents", documents, "--paragraphs", paragraphs, "--seen", str(seen),
                        "-o", index] + options)
    os.remove(documents)
    os.remove(paragraphs)


def concatenate(paths: list[str], target: str) -> None:
    """Writes the files one after the other into `target`, atomically."""
    temporary = target + ".winnow-spark-tmp"
    with open(temporary, "wb") as out:
        for path in paths:
            with open(path, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    os.replace(temporary, target)


def main(argv: list[str]) -> int:
    if "--" in argv:
        cut = argv.index("--")
        argv, options = argv[:cut], argv[cut + 1:]
    else:
        options = []
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="JSON Lines files and folders (compressed or not)")
    parser.add_argument("--output-dir", required=True, help="folder of the part files (part-NNNNN.jsonl)")
    parser.add_argument("--output", help="also write the parts, concatenated in order, to this file")
    parser.add_argument("--explain", help="write the explanations of `winnow clean --explain` to this file")
    parser.add_argument("--partitions", type=int, default=8, help="splits of the input and partitions of the shuffles")
    parser.add_argument("--boilerplate", type=int, help="remove lines found in this many documents or more")
    parser.add_argument("--strict", action="store_true", help="stop at the first malformed line (exit status 2)")
    parser.add_argument("--index", help="deduplicate against this index (its documents come first) and save it updated")
    parser.add_argument("--index-mode", choices=["update", "read"], default="update",
                        help="read: use --index, never change it")
    parser.add_argument("--winnow", default="winnow", help="the winnow executable (on every executor, or shipped with --files)")
    parser.add_argument("--master", help="Spark master when not run by spark-submit, e.g. local[2]")
    arguments = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("winnow").config("spark.ui.showConsoleProgress", "false")
    if arguments.master:
        builder = builder.master(arguments.master)
    spark = builder.getOrCreate()
    try:
        summary = run(
            spark, arguments.inputs, arguments.output_dir, options, arguments.partitions, arguments.winnow,
            boilerplate=arguments.boilerplate, strict=arguments.strict, explain=arguments.explain,
            output=arguments.output, index=arguments.index, index_mode=arguments.index_mode, log=lambda message: print(message, file=sys.stderr))
    except DriverError as error:
        print(f"winnow-spark: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a task failed: its DriverError is in the message
        lines = [line for line in str(error).splitlines() if "DriverError" in line]
        print(f"winnow-spark: {lines[-1] if lines else error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(
        f"winnow-spark: {summary['documents']} documents in {summary['splits']} splits; "
        f"{summary['exactDuplicates']} exact and {summary['nearDuplicates']} near duplicates dropped; "
        f"{summary['paragraphsRemoved']} paragraphs seen before removed", file=sys.stderr)
    return summary["status"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
