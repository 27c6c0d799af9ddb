// `winnow-bench --large`: single large and hostile documents, each one file read as a
// text document by the built `winnow` executable, timed as whole processes (wall time
// and peak resident memory), with `uconv -x any-nfc` on the largest text for scale.

import Foundation
import Winnow

/// The large documents: written a piece at a time (this process must stay small, see
/// `benchmarkCommand`), each a single text document.
private struct LargeInputs {
  var folder: String
  /// (label, path, bytes)
  var files: [(label: String, path: String, bytes: Int)] = []

  /// Writes `bytes` bytes made by `piece` (called until enough is written) to `name`;
  /// with `wholePieces`, the last piece whole (at least `bytes`, ending where a piece
  /// ends: a text is not cut inside a character).
  mutating func write(
    _ label: String, _ name: String, bytes: Int, wholePieces: Bool = false, trailingLineFeed: Bool = false,
    piece: () -> [UInt8]
  ) {
    let path = folder + "/" + name
    guard let file = fopen(path, "w") else { fail("cannot write \(path)") }
    var written = 0
    while written < bytes {
      let whole = piece()
      let next = wholePieces ? whole[...] : whole.prefix(bytes - written)
      guard fwrite(Array(next), 1, next.count, file) == next.count else { fail("cannot write \(path)") }
      written += next.count
    }
    if trailingLineFeed {
      guard fputc(0x0A, file) != EOF else { fail("cannot write \(path)") }
      written += 1
    }
    guard fclose(file) == 0 else { fail("cannot write \(path)") }
    files.append((label, path, written))
  }
}

func benchmarkLarge(articles directory: String?, runs: Int, keep: String?, finderOnly: Bool) {
  let executable = Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("winnow").path
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    fail("\(executable) not found: build it first (swift build -c release --product winnow)")
  }
  let articles = sharedArticles(directory)
  let source = articles.map { "\($0.count) shared articles" } ?? "a seeded generator (no shared articles)"
  let texts = articles?.map(\.text) ?? Generator.corpora().0.documents
  let vocabulary = words(texts)

  let folder =
    keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("winnow-bench-large-\(getpid())").path
  try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  defer { if keep == nil { try? FileManager.default.removeItem(atPath: folder) } }

  var inputs = LargeInputs(folder: folder)
  // Text: the articles one after another, every round after the first with one word
  // in two replaced (so that the document does not repeat itself), 100 MB.
  func articleText() -> () -> [UInt8] {
    var (round, index) = (0, 0)
    return {
      defer {
        index += 1
        if index == texts.count { (round, index) = (round + 1, 0) }
      }
      let text = texts[index] + [0x0A]
      return round == 0
        ? text : perturbed(text, seed: UInt64(round * 1000 + index), oneIn: 2, vocabulary: vocabulary)
    }
  }
  inputs.write("text, 100 MB", "text-100.txt", bytes: 100_000_000, wholePieces: true, piece: articleText())
  for megabytes in [12.5, 25, 50] {
    inputs.write(
      "text, \(format(megabytes, 1)) MB", "text-\(megabytes).txt", bytes: Int(megabytes * 1_000_000),
      wholePieces: true, piece: articleText())
  }
  let word = Array("word ".utf8)
  inputs.write("one 100 MB line (`word ` repeated)", "one-line.txt", bytes: 100_000_000, trailingLineFeed: true) {
    Array(repeating: word, count: 1 << 16).flatMap { $0 }
  }
  var random = SplitMix64(seed: 7)
  inputs.write("50 MB of random bytes", "random.bin", bytes: 50_000_000) {
    (0..<(1 << 13)).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } }
  }
  let line = Array("abcdefghij klmnopqrst uvwxyz!\n".utf8)
  inputs.write("30-byte line x 1.5 million", "short-lines.txt", bytes: 45_000_000) {
    Array(repeating: line, count: 1 << 12).flatMap { $0 }
  }
  sync()

  struct Variant {
    var label: String
    var arguments: [String]
    var input: (label: String, path: String, bytes: Int)
  }
  let file = { (name: String) in inputs.files.first { $0.path.hasSuffix("/" + name) }! }
  let finderFiles = ["text-12.5.txt", "text-50.0.txt", "one-line.txt", "short-lines.txt"].map(file)
  if finderOnly { return benchmarkFinderMemory(finderFiles) }
  var variants = [Variant(label: "`winnow normalize`", arguments: ["normalize"], input: file("text-100.txt"))]
  for name in ["text-12.5.txt", "text-25.0.txt", "text-50.0.txt"] {
    variants.append(Variant(label: "`winnow repeats`", arguments: ["repeats"], input: file(name)))
    variants.append(Variant(label: "`winnow clean`", arguments: ["clean"], input: file(name)))
  }
  for name in ["one-line.txt", "random.bin", "short-lines.txt"] {
    variants.append(Variant(label: "`winnow clean`", arguments: ["clean"], input: file(name)))
  }
  variants.append(
    Variant(
      label: "`winnow clean --encoding windows-1252`", arguments: ["clean", "--encoding", "windows-1252"],
      input: file("random.bin")))
  let uconv = ["/usr/bin/uconv", "/bin/uconv"].first(where: FileManager.default.isExecutableFile)

  print("single large documents: \(executable); text from \(source); \(runs) runs, median; whole process")
  print("")
  print("| run | input | median s | MB/s | peak memory | peak / input |")
  print("|---|---|---:|---:|---:|---:|")
  var results: [[ProcessRun]] = Array(repeating: [], count: variants.count)
  var uconvRuns: [ProcessRun] = []
  for _ in 0..<runs {
    for (index, variant) in variants.enumerated() {
      results[index].append(
        runProcess([executable] + variant.arguments + [variant.input.path, "--quiet", "-o", "/dev/null"]))
    }
    if let uconv {
      uconvRuns.append(runProcess([uconv, "-x", "any-nfc", file("text-100.txt").path]))
    }
  }
  func row(_ label: String, _ input: (label: String, path: String, bytes: Int), _ runs: [ProcessRun]) -> Double {
    let median = runs.map(\.seconds).sorted()[runs.count / 2]
    let peak = runs.map(\.peakBytes).max()!
    let rate = Double(input.bytes) / 1e6 / median
    print(
      "| \(label) | \(input.label) | \(format(median, 3)) | \(format(rate)) | \(peak / 1_000_000) MB | \(format(Double(peak) / Double(input.bytes), 2)) |"
    )
    return rate
  }
  var rates: [Double] = []
  for (index, variant) in variants.enumerated() {
    rates.append(row(variant.label, variant.input, results[index]))
  }
  if uconv != nil {
    let rate = row("`uconv -x any-nfc`", file("text-100.txt"), uconvRuns)
    print("")
    print("winnow normalize against uconv -x any-nfc on the same 100 MB: \(format(rates[0] / rate, 1))x")
  } else {
    print("(no uconv here: icu-devtools is not installed)")
  }
  for (label, offset) in [("repeats", 1), ("clean", 2)] {
    let sizes = [0, 2, 4].map { rates[offset + $0] }
    print(
      "winnow \(label) at 12.5 / 25 / 50 MB: \(sizes.map { format($0) }.joined(separator: " / ")) MB/s; 50 MB at \(format(100 * sizes[2] / sizes[0], 1))% of 12.5 MB's speed"
    )
  }
  benchmarkFinderMemory(finderFiles)
}

/// The memory `RepeatFinder.removingRepeats` takes beyond its input, in this process:
/// the rise of the resident high-water mark (reset through /proc/self/clear_refs before
/// each run) over the resident size before it, per token and per input byte.
private func benchmarkFinderMemory(_ files: [(label: String, path: String, bytes: Int)]) {
  print("")
  print("| repeat finder (in process) | tokens | peak over input | bytes per token | per input byte |")
  print("|---|---:|---:|---:|---:|")
  for file in files {
    guard let data = FileManager.default.contents(atPath: file.path) else { fail("cannot read \(file.path)") }
    let bytes = [UInt8](data)
    let tokens = bytes.withUnsafeBufferPointer { RepeatFinder._tokenCount($0) }
    guard let reset = fopen("/proc/self/clear_refs", "w"), fputs("5", reset) >= 0, fclose(reset) == 0 else {
      print("(no /proc/self/clear_refs here: the finder's peak is not measured)")
      return
    }
    let before = residentMemory().current
    let removal = RepeatFinder().removingRepeats(utf8: bytes)
    let peak = residentMemory().peak - before
    withExtendedLifetime(removal) {
      print(
        "| \(file.label) | \(tokens) | \(peak / 1_000_000) MB | \(format(Double(peak) / Double(max(tokens, 1)), 1)) | \(format(Double(peak) / Double(file.bytes), 2)) |"
      )
    }
  }
}

/// This process's resident memory, its high-water mark and now (VmHWM, VmRSS), in bytes.
private func residentMemory() -> (peak: Int, current: Int) {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
  func kilobytes(_ name: String) -> Int {
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
  return (kilobytes("VmHWM") * 1024, kilobytes("VmRSS") * 1024)
}
