// The package-benchmark suite: throughput and allocation counts of each stage, on a
// seeded corpus of 1 MB (the same bytes on every machine, so that allocation counts
// can be checked against committed thresholds; times are reported, not checked).
//
//   WINNOW_BENCHMARKS=1 swift package benchmark
//   WINNOW_BENCHMARKS=1 swift package benchmark thresholds check --metric mallocCountTotal
//
// One iteration processes the whole corpus, so throughput in iterations per second is
// MB/s. Side-by-side figures against other tools come from `winnow-bench` instead.
// Names have no spaces: the tool writes thresholds under names with spaces replaced
// but looks them up as they are.

import Benchmark
import Winnow
import WinnowCorpus

extension SplitMix64 {
  mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

/// About 1 MB of scraped-looking documents: sentences of common and rare words, curly
/// quotes, no-break spaces, CRLF line breaks, some accented and non-Latin words, a
/// paragraph repeated inside some documents and a notice repeated across them.
let documents: [[UInt8]] = {
  var random = SplitMix64(seed: 42)
  let common = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "at", "by"]
  let rare = [
    "council", "bridge", "river", "market", "election", "season", "winter", "report", "minister", "budget",
    "café", "naïve", "Zürich", "São", "Paulo", "Москва", "東京", "مرحبا", "déjà", "résumé",
  ]
  let notice = "Sign up for our newsletter to get the latest news delivered to your inbox every morning."
  var result: [[UInt8]] = []
  var total = 0
  var index = 0
  while total < 1_000_000 {
    var paragraphs: [String] = []
    for _ in 0..<(6 + Int(random.next() % 6)) {
      var words: [String] = []
      for _ in 0..<(20 + Int(random.next() % 40)) {
        var word = random.next() % 3 == 0 ? random.pick(rare) : random.pick(common)
        if random.next() % 40 == 0 { word = "\u{201C}" + word + "\u{201D}" }
        words.append(word + (random.next() % 12 == 0 ? "." : ""))
      }
      paragraphs.append(words.joined(separator: random.next() % 30 == 0 ? "\u{00A0}" : " "))
    }
    if index % 4 == 0 { paragraphs.append(paragraphs[1]) }
    if index % 3 == 0 { paragraphs.append(notice) }
    let text = Array((paragraphs.joined(separator: index % 2 == 0 ? "\r\n" : "\n") + "\n").utf8)
    result.append(text)
    total += text.count
    index += 1
  }
  return result
}()

/// The same documents as JSON Lines records.
let lines: [[UInt8]] = documents.enumerated().map { index, text in
  var line = Array("{\"id\": \(index), \"source\": \"bench\", \"text\": ".utf8)
  text.withUnsafeBufferPointer { JSONLine.appendString($0, to: &line) }
  line += Array("}".utf8)
  return line
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal],
    warmupIterations: 1,
    maxDuration: .seconds(2),
    maxIterations: 20,
    // Allocation counts of a seeded corpus do not vary from run to run: any growth
    // is a regression.
    thresholds: [.mallocCountTotal: .init(relative: [.p90: 1.0], absolute: [.p90: 2])]
  )

  for (name, profile) in [
    ("default", NormalizationOptions.Profile.default), ("minimal", .minimal), ("comparison", .comparison),
  ] {
    let normalizer = TextNormalizer(profile: profile)
    Benchmark("normalize.\(name)") { benchmark in
      for document in documents { blackHole(normalizer.normalize(utf8: document).utf8.count) }
    }
    Benchmark("normalize.\(name)+edits") { benchmark in
      for document in documents { blackHole(normalizer.normalize(utf8: document, recordingEdits: true).edits?.count) }
    }
  }

  let finder = RepeatFinder()
  Benchmark("repeats.detect") { benchmark in
    for document in documents {
      blackHole(document.withUnsafeBufferPointer { finder.repeats(utf8: $0).blocks.count })
    }
  }
  let normalizer = TextNormalizer()
  Benchmark("clean.normalize+repeats") { benchmark in
    for document in documents {
      blackHole(finder.removingRepeats(utf8: normalizer.normalize(utf8: document).utf8).utf8.count)
    }
  }

  let fingerprinter = CorpusDeduplicator()
  Benchmark("dedup.fingerprint") { benchmark in
    for document in documents { blackHole(fingerprinter.fingerprint(utf8: document).tokenCount) }
  }
  let fingerprints = documents.map { fingerprinter.fingerprint(utf8: $0) }
  Benchmark("dedup.decide") { benchmark in
    var deduplicator = CorpusDeduplicator()
    for (index, fingerprint) in fingerprints.enumerated() {
      blackHole(deduplicator.decide(fingerprint, id: String(index)).isKept)
    }
  }
  Benchmark("dedup.index-save-load") { benchmark in
    var deduplicator = CorpusDeduplicator()
    for (index, fingerprint) in fingerprints.enumerated() { _ = deduplicator.decide(fingerprint, id: String(index)) }
    benchmark.startMeasurement()
    blackHole(try? CorpusDeduplicator(serialized: deduplicator.serialized()).documentCount)
  }

  // As the command parses: the path made once.
  let field = JSONLine.FieldPath(member: Array("text".utf8))
  Benchmark("jsonl.parse") { benchmark in
    for line in lines {
      blackHole(line.withUnsafeBufferPointer { try? JSONLine.parse($0, path: field).text.count })
    }
  }
  let records = lines.map { line in line.withUnsafeBufferPointer { try! JSONLine.parse($0, path: field) } }
  Benchmark("jsonl.write") { benchmark in
    var output: [UInt8] = []
    output.reserveCapacity(1 << 21)
    for (line, record) in zip(lines, records) {
      line.withUnsafeBufferPointer { record.appendReplacingText(in: $0, with: record.text, to: &output) }
    }
    blackHole(output.count)
  }
}
