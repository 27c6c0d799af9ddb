// The `winnow` command end to end: `winnow clean` over a JSON Lines corpus built from
// the shared articles, on one thread and on every core, timed as whole processes,
// with `awk '!seen[$0]++'` over the same texts as plain lines for scale.

import Foundation

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

/// Measures `winnow clean` on a JSON Lines corpus of at least `megabytes` MB made of
/// the articles in `directory` (in file-name order, repeated), written to a temporary
/// folder that is removed at the end.
func benchmarkCommand(articles directory: String?, megabytes: Int, runs: Int) {
  let candidates = [directory, "../shared/data/articles/text", "../../shared/data/articles/text"].compactMap { $0 }
  guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
    let names = try? FileManager.default.contentsOfDirectory(atPath: folder).sorted(), !names.isEmpty
  else { fail("--command needs the shared articles (../shared/data/articles/text or --articles DIR)") }
  let executable = Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("winnow").path
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    fail("\(executable) not found: build it first (swift build -c release --product winnow)")
  }
  let texts = names.compactMap { name in
    FileManager.default.contents(atPath: folder + "/" + name).map { (name, [UInt8]($0)) }
  }

  let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
    "winnow-bench-\(getpid())"
  ).path
  try? FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: temporary) }
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
  while corpusBytes < megabytes * 1_000_000 {
    for (name, text) in texts {
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
  }
  guard fclose(jsonlFile) == 0, fclose(plainFile) == 0 else { fail("cannot write the corpus in \(temporary)") }
  // On disk before the first measurement, so that its write-back does not run during it.
  sync()

  let cores = ProcessInfo.processInfo.activeProcessorCount
  print("winnow clean end to end: \(executable)")
  print(
    "corpus: \(id) JSON lines, \(format(Double(corpusBytes) / 1e6)) MB (plain text \(format(Double(plainBytes) / 1e6)) MB) from \(texts.count) articles; \(cores) cores; \(runs) runs, median"
  )
  print("")
  print("| run | median s | MB/s | peak memory |")
  print("|---|---:|---:|---:|")
  var rates: [Int: Double] = [:]
  // The thread counts take turns, run after run, so that both meet the same state of
  // the machine.
  let threadCounts = Set([1, cores]).sorted()
  var results: [Int: [ProcessRun]] = [:]
  var times: [Int: String] = [:]
  for _ in 0..<runs {
    for threads in threadCounts {
      let output = temporary + "/out\(threads).jsonl"
      // A fresh output file each run, and the earlier outputs on disk: overwriting the
      // previous run's pages costs the kernel more than writing new ones, and their
      // write-back would take a core from this run.
      unlink(output)
      sync()
      results[threads, default: []].append(
        runProcess([executable, "clean", corpus, "--threads", "\(threads)", "--quiet", "-o", output]))
    }
  }
  for threads in threadCounts {
    let median = results[threads]!.map(\.seconds).sorted()[runs / 2]
    let peak = results[threads]!.map(\.peakBytes).max()!
    rates[threads] = Double(corpusBytes) / 1e6 / median
    times[threads] = results[threads]!.map { format($0.seconds, 2) }.joined(separator: " ")
    print(
      "| `winnow clean`, \(threads) thread\(threads == 1 ? "" : "s") | \(format(median, 3)) | \(format(rates[threads]!)) | \(peak / 1_000_000) MB |"
    )
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
  for threads in threadCounts { print("runs on \(threads) thread\(threads == 1 ? "" : "s"), s: \(times[threads]!)") }
  if cores > 1 {
    print("speed-up on \(cores) threads: \(format(rates[cores]! / rates[1]!, 2))x")
    let identical = FileManager.default.contentsEqual(
      atPath: temporary + "/out1.jsonl", andPath: temporary + "/out\(cores).jsonl")
    print("outputs on 1 and \(cores) threads identical: \(identical ? "yes" : "NO")")
  }
}
