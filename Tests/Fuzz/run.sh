#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for SECONDS
# (default 60), starting from the committed seeds in Tests/Fuzz/Seeds/NAME. Exits
# non-zero on the first finding; the crashing input is left in Tests/Fuzz/Findings.
#
#   Tests/Fuzz/run.sh            # CI: a minute each
#   Tests/Fuzz/run.sh 3600       # a longer run
#   Tests/Fuzz/run.sh 600 repeats
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
targets=("${@:2}")
if [ ${#targets[@]} -eq 0 ]; then targets=(normalizer repeats jsonlines index); fi
export WINNOW_FUZZ=1 SWIFT_BACKTRACE=enable=no
# SwiftPM's --sanitize=fuzzer instruments and links the fuzz target itself; through
# -Xswiftc and -Xcc, every library module and the C targets get coverage too.
flags=(-c release --sanitize=fuzzer --sanitize=address --disable-dead-strip --scratch-path .build-fuzz
  -Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link)
findings=Tests/Fuzz/Findings
mkdir -p "$findings"
for target in "${targets[@]}"; do
  echo "== fuzz-$target: build"
  swift build "${flags[@]}" --product "fuzz-$target"
  binary="$(swift build "${flags[@]}" --show-bin-path)/fuzz-$target"
  work="$(mktemp -d)"
  cp -R "Tests/Fuzz/Seeds/$target/." "$work/"
  echo "== fuzz-$target: ${seconds} s"
  # -rss_limit_mb: a test input that needs more memory is a finding too.
  status=0
  "$binary" "$work" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
    -artifact_prefix="$findings/$target-" -print_final_stats=1 > "$work.log" 2>&1 || status=$?
  grep -E "INFO: Loaded|INITED|DONE|Done|ERROR|SUMMARY|Fatal error|stat::" "$work.log" | tail -n 25 || true
  rm -rf "$work" "$work.log"
  if [ "$status" -ne 0 ]; then
    echo "fuzz-$target found a problem (exit $status); input in $findings" >&2
    exit 1
  fi
done
echo "== fuzzing: no findings"
