#!/usr/bin/env python3
"""The Python peers Benchmarks/compare.py measures Winnow against, one task per run.

    python3 Benchmarks/peers.py ftfy|ftfy-encoding|ccnet|datasketch INPUT.jsonl OUTPUT.jsonl

INPUT is JSON Lines with the text in "text"; OUTPUT gets the documents that stay, with
their text changed as the task does. Each task is written the way its tool is
commonly used:

- ftfy: ftfy.fix_text on every document (mojibake, quotes, line breaks, ...).
- ftfy-encoding: ftfy.fix_encoding on every document (mojibake only).
- ccnet: cc_net's paragraph deduplication: each line normalized as cc_net does
  (lower case, digits to 0, accents and punctuation removed, spaces collapsed),
  hashed with SHA-1, and dropped when an earlier line had the same hash.
- datasketch: MinHashLSH (128 permutations, threshold 0.8) over sets of 5-word
  shingles of the lower-cased whitespace tokens; a document is dropped when the LSH
  returns any earlier document (its common keep-first use).
"""

import hashlib
import json
import re
import sys
import unicodedata


def documents(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def write(output, document):
    output.write(json.dumps(document, ensure_ascii=False))
    output.write("\n")


def run_ftfy(source, target, encoding_only=False):
    import ftfy

    fix = ftfy.fix_encoding if encoding_only else ftfy.fix_text
    with open(target, "w", encoding="utf-8") as output:
        for document in documents(source):
            document["text"] = fix(document["text"])
            write(output, document)


DIGITS = re.compile(r"\d")
SPACES = re.compile(r"\s+")


def ccnet_normalize(line):
    """cc_net's text_normalizer.normalize: lower case, accents stripped, digits to 0,
    punctuation removed, whitespace collapsed."""
    line = line.strip().lower()
    line = unicodedata.normalize("NFD", line)
    line = "".join(c for c in line if unicodedata.category(c) != "Mn")
    line = DIGITS.sub("0", line)
    line = "".join(c for c in line if not unicodedata.category(c).startswith("P"))
    return SPACES.sub(" ", line).strip()


def run_ccnet(source, target):
    seen = set()
    with open(target, "w", encoding="utf-8") as output:
        for document in documents(source):
            kept = []
            for line in document["text"].split("\n"):
                key = hashlib.sha1(ccnet_normalize(line).encode("utf-8")).digest()[:8]
                if line.strip() and key in seen:
                    continue
                seen.add(key)
                kept.append(line)
            document["text"] = "\n".join(kept)
            write(output, document)


def run_datasketch(source, target):
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    with open(target, "w", encoding="utf-8") as output:
        for number, document in enumerate(documents(source)):
            tokens = document["text"].lower().split()
            shingles = {" ".join(tokens[i : i + 5]) for i in range(max(1, len(tokens) - 4))}
            signature = MinHash(num_perm=128)
            signature.update_batch([s.encode("utf-8") for s in shingles])
            if lsh.query(signature):
                continue
            lsh.insert(str(number), signature)
            write(output, document)


if __name__ == "__main__":
    tasks = {
        "ftfy": run_ftfy,
        "ftfy-encoding": lambda source, target: run_ftfy(source, target, encoding_only=True),
        "ccnet": run_ccnet,
        "datasketch": run_datasketch,
    }
    if len(sys.argv) != 4 or sys.argv[1] not in tasks:
        sys.exit(__doc__)
    tasks[sys.argv[1]](sys.argv[2], sys.argv[3])
