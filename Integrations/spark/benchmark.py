#!/usr/bin/env python3
"""The Spark path against one `winnow clean` process, on the same corpus.

    python3 Integrations/spark/benchmark.py CORPUS.jsonl --winnow .build/release/winnow [--partitions 4] [--runs 3]

Times `winnow clean CORPUS` (whole process, peak memory) and the Spark driver on
local[2] (session started beforehand, not counted), checks that their outputs are
byte-identical, and reads the bytes Spark shuffled from its event log. Then loads the
index of the single run (`winnow index info`) for the deduplicator's memory per kept
document and per distinct paragraph.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import winnow_spark  # noqa: E402


def shuffle_bytes(event_directory: str) -> tuple[int, int, dict[str, int]]:
    """Bytes written and read by shuffles, over every task in the event logs, and the
    bytes written by the stages of each call site of the driver."""
    written = read = 0
    by_site: dict[str, int] = {}
    for path in glob.glob(os.path.join(event_directory, "**", "*"), recursive=True):
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                if '"SparkListenerTaskEnd"' in line:
                    metrics = json.loads(line).get("Task Metrics") or {}
                    written += metrics.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
                    reading = metrics.get("Shuffle Read Metrics", {})
                    read += reading.get("Remote Bytes Read", 0) + reading.get("Local Bytes Read", 0)
                elif '"SparkListenerStageCompleted"' in line:
                    info = json.loads(line).get("Stage Info") or {}
                    for accumulable in info.get("Accumulables", []):
                        if accumulable.get("Name") == "internal.metrics.shuffle.write.bytesWritten":
                            site = info.get("Stage Name", "?")
                            by_site[site] = by_site.get(site, 0) + int(accumulable.get("Value", 0))
    return written, read, by_site


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--winnow", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    arguments = parser.parse_args()
    winnow = str(Path(arguments.winnow).resolve())
    corpus = str(Path(arguments.corpus).resolve())
    size = os.path.getsize(corpus)
    work = Path(tempfile.mkdtemp(prefix="winnow-spark-bench-"))
    events = work / "events"
    events.mkdir()

    single_times = []
    peak = 0
    for _ in range(arguments.runs):
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", winnow, "clean", corpus, "-o", str(work / "single.jsonl"), "-q"],
                              capture_output=True, text=True)
        single_times.append(time.perf_counter() - start)
        peak = max(peak, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) * 1024)

    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(arguments.master).appName("winnow-bench")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", str(events))
             # Spark 4 compresses event logs by default; plain JSON lines are read here.
             .config("spark.eventLog.compress", "false")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark_times = []
    summary = {}
    try:
        for _ in range(arguments.runs):
            start = time.perf_counter()
            summary = winnow_spark.run(spark, [corpus], str(work / "spark"), [], arguments.partitions, winnow,
                                       output=str(work / "spark.jsonl"), log=lambda message: None)
            spark_times.append(time.perf_counter() - start)
    finally:
        spark.stop()
    identical = (work / "spark.jsonl").read_bytes() == (work / "single.jsonl").read_bytes()
    written, read, by_site = shuffle_bytes(str(events))

    subprocess.run([winnow, "clean", corpus, "-o", "/dev/null", "-q", "--index", str(work / "corpus.index")], check=True)
    info = subprocess.run([winnow, "index", "info", str(work / "corpus.index")], capture_output=True, text=True,
                          check=True).stdout
    shutil.rmtree(work, ignore_errors=True)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    documents = summary["documents"]
    print(f"corpus: {size / 1e6:.1f} MB, {documents} documents, {summary['splits']} splits")
    print(f"winnow clean (one process): median {median(single_times):.2f} s of {arguments.runs} "
          f"({size / 1e6 / median(single_times):.1f} MB/s), peak resident memory {peak / 1e6:.0f} MB")
    print(f"Spark driver ({arguments.master}, {arguments.partitions} partitions): median {median(spark_times):.2f} s "
          f"({size / 1e6 / median(spark_times):.1f} MB/s); output identical: {identical}")
    print(f"shuffled over {arguments.runs} runs: {written / arguments.runs / 1e6:.1f} MB written per run, "
          f"{written / arguments.runs / documents:.0f} bytes per document")
    for site, size in sorted(by_site.items(), key=lambda item: -item[1])[:8]:
        print(f"  {size / arguments.runs / documents:6.0f} bytes per document written by the stages at {site}")
    print(info.strip())
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
