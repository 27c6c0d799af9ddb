// The `winnow` command end to end: `winnow clean` over a JSON Lines corpus built from
// the shared articles, on one thread and on every core, timed as whole processes,
// with `awk '!seen[$0]++'` over the same texts as plain lines for scale.

import Foundation
import Winnow

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One run of a child process: wall time and peak resident memory.
struct ProcessRun {
  var seconds: Double
  var peakBytes: Int
}

/// Runs `arguments` (the first is the executable's path) with standard output sent to
/// `standardOutput`, waits for it, and returns its wall time and peak memory. Exits
/// the benchmark if the process cannot be started or does not succeed.
func runProcess(_ arguments: [String], standardOutput: String = "/dev/null") -> ProcessRun {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
  defer { for pointer in argv { free(pointer) } }
  let clock = ContinuousClock()
  let start = clock.now
  var pid = pid_t()
  let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
  guard spawned == 0 else {
    fail("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
  }
  var status: Int32 = 0
  var usage = rusage()
  while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
  let elapsed = seconds(clock.now - start)
  guard status == 0 else { fail("\(arguments.joined(separator: " ")) failed (wait status \(status))") }
  // ru_maxrss is in kilobytes on Linux.
  return ProcessRun(seconds: elapsed, peakBytes: Int(usage.ru_maxrss) * 1024)
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("winnow-bench: \(message)\n".utf8))
  exit(1)
}

/// A JSON string literal for `bytes` (valid UTF-8): quotes, backslashes and control
/// characters escaped, everything else as is.
func jsonString(_ bytes: [UInt8], into output: inout [UInt8]) {
  output.append(UInt8(ascii: "\""))
  let hex = Array("0123456789abcdef".utf8)
  for byte in bytes {
    switch byte {
    case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), byte]
    case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), byte]
    case 0x0A: output += Array("\\n".utf8)
    case 0x09: output += Array("\\t".utf8)
    case 0x0D: output += Array("\\r".utf8)
    case ..<0x20: output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
    default: output.append(byte)
    }
  }
  output.append(UInt8(ascii: "\""))
}

/// Every word of `texts` (runs of bytes between spaces and line breaks), as often as
/// it occurs.
func words(_ texts: [[UInt8]]) -> [ArraySlice<UInt8>] {
  texts.flatMap { $0.split(whereSeparator: { $0 == 0x20 || $0 == 0x0A }) }
}

/// `text` with about one word in `oneIn` replaced by a word drawn from `vocabulary`
/// (spaces and line breaks stay), by a generator seeded with `seed`.
func perturbed(_ text: [UInt8], seed: UInt64, oneIn: UInt64, vocabulary: [ArraySlice<UInt8>]) -> [UInt8] {
  var result: [UInt8] = []
  result.reserveCapacity(text.count + text.count / 8)
  var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15)
  func next() -> UInt64 { random.next() }
  var start = 0
  while start <= text.count {
    var end = start
    while end < text.count && text[end] != 0x20 && text[end] != 0x0A { end += 1 }
    if end > start && next() % oneIn == 0 {
      result += vocabulary[Int(next() % UInt64(vocabulary.count))]
    } else {
      result += text[start..<end]
    }
    if end < text.count { result.append(text[end]) }
    start = end + 1
  }
  return result
}

/// Measures `winnow clean` on a JSON Lines corpus of at least `megabytes` MB made of
/// the articles in `directory` (in file-name order, repeated), written to a temporary
/// folder that is removed at the end.
func benchmarkCommand(articles directory: String?, megabytes: Int, runs: Int, keep: String?, corpusOnly: Bool = false) {
  guard let texts = sharedArticles(directory) else {
    fail("--command needs the shared articles (../shared/data/articles/text or --articles DIR)")
  }
  let executable = Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("winnow").path
  guard corpusOnly || FileManager.default.isExecutableFile(atPath: executable) else {
    fail("\(executable) not found: build it first (swift build -c release --product winnow)")
  }

  // --keep DIR: the corpus and outputs stay there, for runs by hand.
  let temporary =
    keep
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("winnow-bench-\(getpid())").path
  try? FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
  defer { if keep == nil { try? FileManager.default.removeItem(atPath: temporary) } }
  let corpus = temporary + "/corpus.jsonl"
  let corpusText = temporary + "/corpus.txt"

  // The corpus: one {"id", "source", "text"} object per line, and the same texts as
  // plain text, one after another. Both are written a document at a time: a child
  // process reports the peak memory of the process that spawned it as its own when
  // that is larger (Linux keeps the high-water mark across the spawn), so this one
  // must stay small.
  guard let jsonlFile = fopen(corpus, "w"), let plainFile = fopen(corpusText, "w") else {
    fail("cannot write the corpus in \(temporary)")
  }
  var (corpusBytes, plainBytes, id) = (0, 0, 0)
  var line: [UInt8] = []
  var reposts = 0
  var nearCopies = 0
  func write(_ name: String, _ text: [UInt8]) {
    line.removeAll(keepingCapacity: true)
    line += Array("{\"id\": \(id), \"source\": ".utf8)
    jsonString(Array(name.utf8), into: &line)
    line += Array(", \"text\": ".utf8)
    jsonString(text, into: &line)
    line += Array("}\n".utf8)
    guard fwrite(line, 1, line.count, jsonlFile) == line.count, fwrite(text, 1, text.count, plainFile) == text.count,
      fputc(0x0A, plainFile) != EOF
    else { fail("cannot write the corpus in \(temporary)") }
    corpusBytes += line.count
    plainBytes += text.count + 1
    id += 1
  }
  let vocabulary = words(texts.map(\.1))
  var round = 0
  while corpusBytes < megabytes * 1_000_000 {
    for (index, (name, text)) in texts.enumerated() {
      // The first round is the articles as they are. In later rounds every other word
      // is replaced by a word drawn from all the articles: new documents, which share
      // few runs of three words with each other (estimated Jaccard near 0.07).
      let document =
        round == 0 ? text : perturbed(text, seed: UInt64(round * 1000 + index), oneIn: 2, vocabulary: vocabulary)
      write(name, document)
      // Among them, as in a crawl: one document in 20 reposted as it is, one in 20
      // copied with 1 word in 20 changed.
      if index % 20 == 19 {
        write(name, document)
        reposts += 1
      } else if index % 20 == 9 {
        write(name, perturbed(document, seed: UInt64(round * 1000 + index) ^ 0xFFFF, oneIn: 20, vocabulary: vocabulary))
        nearCopies += 1
      }
    }
    round += 1
  }
  guard fclose(jsonlFile) == 0, fclose(plainFile) == 0 else { fail("cannot write the corpus in \(temporary)") }
  // On disk before the first measurement, so that its write-back does not run during it.
  sync()
  // --corpus-only: the corpus is all that is wanted (by Benchmarks/compare.py).
  if corpusOnly {
    print("corpus: \(corpus) (\(corpusBytes) bytes, \(id) lines), \(corpusText) (\(plainBytes) bytes)")
    return
  }

  let cores = ProcessInfo.processInfo.activeProcessorCount
  print("winnow clean end to end: \(executable)")
  print(
    "corpus: \(id) JSON lines, \(format(Double(corpusBytes) / 1e6)) MB (plain text \(format(Double(plainBytes) / 1e6)) MB) from \(texts.count) articles, \(reposts) reposts and \(nearCopies) near copies among them; \(cores) cores; \(runs) runs, median"
  )
  print("")
  print("| run | median s | MB/s | peak memory |")
  print("|---|---:|---:|---:|")
  // The variants take turns, run after run, so that all meet the same states of the
  // machine. `winnow clean` on one thread and on every core must give the same output.
  struct Variant {
    var label: String
    var arguments: [String]
    var output: String
  }
  let threadCounts = Set([1, cores]).sorted()
  var variants = threadCounts.map { threads in
    Variant(
      label: "`winnow clean`, \(threads) thread\(threads == 1 ? "" : "s")",
      arguments: ["clean", "--threads", "\(threads)"], output: temporary + "/clean\(threads).jsonl")
  }
  variants += threadCounts.map { threads in
    Variant(
      label: "`winnow clean --no-dedup`, \(threads) thread\(threads == 1 ? "" : "s")",
      arguments: ["clean", "--no-dedup", "--threads", "\(threads)"], output: temporary + "/no-dedup\(threads).jsonl")
  }
  variants.append(
    Variant(label: "`winnow dedup`, \(cores) threads", arguments: ["dedup"], output: temporary + "/dedup.jsonl"))
  // The same corpus compressed as corpora ship (gzip -6 as C4 and Dolma, zstd -3 as
  // Dolma), by the system's tools: `winnow clean` on every core reads it directly.
  var compressed: [(label: String, path: String, bytes: Int)] = []
  for (tool, suffix) in [("gzip", "gz"), ("zstd", "zst")] {
    guard let path = ["/usr/bin/\(tool)", "/bin/\(tool)"].first(where: FileManager.default.isExecutableFile) else {
      print("(no \(tool) here: the .\(suffix) corpus is not measured)")
      continue
    }
    let file = corpus + "." + suffix
    _ = runProcess([path, "-c", tool == "zstd" ? "-q" : "-6", corpus], standardOutput: file)
    let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
    compressed.append((suffix, file, size))
  }
  let firstCompressed = variants.count
  for entry in compressed {
    variants.append(
      Variant(
        label:
          "`winnow clean` on corpus.jsonl.\(entry.label) (\(format(Double(entry.bytes) / 1e6)) MB), \(cores) threads",
        arguments: ["clean", "--threads", "\(cores)"], output: temporary + "/clean-\(entry.label).jsonl"))
  }
  var results: [[ProcessRun]] = Array(repeating: [], count: variants.count)
  for _ in 0..<runs {
    for (index, variant) in variants.enumerated() {
      // A fresh output file each run, and the earlier outputs on disk: overwriting the
      // previous run's pages costs the kernel more than writing new ones, and their
      // write-back would take a core from this run.
      unlink(variant.output)
      sync()
      let input = index >= firstCompressed ? compressed[index - firstCompressed].path : corpus
      results[index].append(runProcess([executable] + variant.arguments + [input, "--quiet", "-o", variant.output]))
    }
  }
  var rates: [Double] = []
  for (index, variant) in variants.enumerated() {
    let median = results[index].map(\.seconds).sorted()[runs / 2]
    let peak = results[index].map(\.peakBytes).max()!
    rates.append(Double(corpusBytes) / 1e6 / median)
    print("| \(variant.label) | \(format(median, 3)) | \(format(rates[index])) | \(peak / 1_000_000) MB |")
  }
  var awkTimes: [Double] = []
  var awkPeak = 0
  for _ in 0..<runs {
    let result = runProcess(["/usr/bin/awk", "!seen[$0]++", corpusText], standardOutput: temporary + "/awk.txt")
    awkTimes.append(result.seconds)
    awkPeak = max(awkPeak, result.peakBytes)
  }
  let awkMedian = awkTimes.sorted()[runs / 2]
  print(
    "| `awk '!seen[$0]++'` over the plain text (exact lines only) | \(format(awkMedian, 3)) | \(format(Double(plainBytes) / 1e6 / awkMedian)) | \(awkPeak / 1_000_000) MB |"
  )
  print("")
  for (index, variant) in variants.enumerated() {
    print("runs of \(variant.label), s: \(results[index].map { format($0.seconds, 2) }.joined(separator: " "))")
  }
  // Speeds are of the uncompressed corpus's bytes, so the compressed runs compare
  // directly with the uncompressed one on the same thread count.
  let uncompressed = threadCounts.count - 1
  for (offset, entry) in compressed.enumerated() {
    let index = firstCompressed + offset
    print(
      "winnow clean on .\(entry.label): \(format(100 * rates[index] / rates[uncompressed], 1))% of its speed uncompressed; output identical: \(FileManager.default.contentsEqual(atPath: variants[index].output, andPath: variants[uncompressed].output) ? "yes" : "NO")"
    )
  }
  if cores > 1 {
    for (name, one) in [("winnow clean", 0), ("winnow clean --no-dedup", 2)] {
      print("speed-up of \(name) on \(cores) threads: \(format(rates[one + 1] / rates[one], 2))x")
      let identical = FileManager.default.contentsEqual(
        atPath: variants[one].output, andPath: variants[one + 1].output)
      print("outputs of \(name) on 1 and \(cores) threads identical: \(identical ? "yes" : "NO")")
    }
  }
}
