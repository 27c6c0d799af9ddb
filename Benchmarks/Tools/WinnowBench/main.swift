// winnow-bench: throughput of Winnow's stages on a realistic corpus, with baselines.
//
//   swift run -c release winnow-bench [--megabytes 100] [--runs 5] [--articles PATH]
//   swift build -c release && .build/release/winnow-bench --command [--megabytes 200]
//
// The corpus is built from ../shared/data/articles/text when present (split into a
// Latin-script part and a non-Latin part, each replicated to --megabytes), otherwise
// from a seeded generator. Every stage runs on one core over the documents one by
// one; the table gives the minimum and median time over --runs runs and MB/s of input
// at the median. With --command, the built `winnow` executable is timed instead, end
// to end on a JSON Lines corpus (CommandBench.swift); with --large, on single large and
// hostile documents (LargeBench.swift).

import CWinnowICU
import CWinnowKernels
import Foundation
import Winnow

struct Arguments {
  var megabytes = 100
  var megabytesGiven = false
  var runs = 5
  var articles: String?
  var baselineMegabytes = 10
  var only: String?
  var scaling = false
  var corpus: String?
  var command = false
  var large = false
  var keep: String?
  var corpusOnly = false
  var paragraphIndex: Int?
  var keptDocuments: Int?
  var tokens = 400

  init() {
    var iterator = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--megabytes":
        megabytes = Int(iterator.next() ?? "") ?? megabytes
        megabytesGiven = true
      case "--runs": runs = max(1, Int(iterator.next() ?? "") ?? runs)
      case "--articles": articles = iterator.next()
      case "--baseline-megabytes": baselineMegabytes = Int(iterator.next() ?? "") ?? baselineMegabytes
      case "--only": only = iterator.next()
      case "--scaling": scaling = true
      case "--corpus": corpus = iterator.next()
      case "--command": command = true
      case "--large": large = true
      case "--keep": keep = iterator.next()
      case "--corpus-only": corpusOnly = true
      case "--paragraph-index": paragraphIndex = Int(iterator.next() ?? "")
      case "--kept-documents": keptDocuments = Int(iterator.next() ?? "")
      case "--tokens": tokens = max(1, Int(iterator.next() ?? "") ?? tokens)
      case "-h", "--help":
        print(
          """
          usage: winnow-bench [--megabytes N] [--runs N] [--articles DIR] [--baseline-megabytes N]
                              [--only STAGE-PREFIX] [--corpus NAME-PART] [--scaling]
                 winnow-bench --command [--megabytes N] [--runs N] [--articles DIR] [--keep DIR [--corpus-only]]
                 winnow-bench --large [--runs N] [--articles DIR] [--keep DIR] [--only finder]
                 winnow-bench --paragraph-index N
                 winnow-bench --kept-documents N [--tokens 400]
          """
        )
        exit(0)
      default:
        FileHandle.standardError.write(Data("winnow-bench: unknown argument \(argument)\n".utf8))
        exit(64)
      }
    }
  }
}

/// A corpus: documents as UTF-8 byte arrays.
struct Corpus {
  var name: String
  var documents: [[UInt8]]
  var bytes: Int { documents.reduce(0) { $0 + $1.count } }

  /// Repeats the documents until the corpus holds at least `target` bytes.
  func replicated(to target: Int) -> Corpus {
    guard !documents.isEmpty else { return self }
    var result = Corpus(name: name, documents: [])
    var total = 0
    while total < target {
      for document in documents {
        result.documents.append(document)
        total += document.count
        if total >= target { break }
      }
    }
    return result
  }

  func prefix(bytes target: Int) -> Corpus {
    var result = Corpus(name: name, documents: [])
    var total = 0
    for document in documents where total < target {
      result.documents.append(document)
      total += document.count
    }
    return result
  }
}

/// Whether at least 90% of the letters are Latin (below U+0250 or in U+1E00-U+1EFF).
func isLatinScript(_ text: String) -> Bool {
  var letters = 0
  var latin = 0
  for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
    letters += 1
    if scalar.value < 0x250 || (0x1E00...0x1EFF).contains(scalar.value) { latin += 1 }
  }
  return letters == 0 || Double(latin) >= 0.9 * Double(letters)
}

/// The shared articles (`explicit`, else ../shared/data/articles/text from the package
/// root or one level below), `.txt` files in name order; nil when there are none.
func sharedArticles(_ explicit: String?) -> [(name: String, text: [UInt8])]? {
  let candidates = [explicit, "../shared/data/articles/text", "../../shared/data/articles/text"].compactMap { $0 }
  let fileManager = FileManager.default
  for directory in candidates {
    guard let names = try? fileManager.contentsOfDirectory(atPath: directory), !names.isEmpty else { continue }
    let articles = names.sorted().filter { $0.hasSuffix(".txt") }.compactMap { name in
      fileManager.contents(atPath: directory + "/" + name).map { (name: name, text: [UInt8]($0)) }
    }
    if !articles.isEmpty { return articles }
  }
  return nil
}

func loadArticles(_ explicit: String?) -> (latin: Corpus, other: Corpus)? {
  guard let articles = sharedArticles(explicit) else { return nil }
  var latin = Corpus(name: "articles, Latin script", documents: [])
  var other = Corpus(name: "articles, non-Latin", documents: [])
  for (_, bytes) in articles {
    if isLatinScript(String(decoding: bytes, as: UTF8.self)) {
      latin.documents.append(bytes)
    } else {
      other.documents.append(bytes)
    }
  }
  return (latin, other)
}

/// A seeded generator of scraped-looking text, used when the shared articles are absent.
struct Generator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    var x = state
    x ^= x >> 33
    x = x &* 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    return x
  }

  mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

  mutating func document(words: [String], noise: [String], paragraphs: Int) -> [UInt8] {
    var text = ""
    for _ in 0..<paragraphs {
      let length = 20 + Int(next() % 80)
      for index in 0..<length {
        if index > 0 { text += " " }
        text += pick(words)
        if next() % 40 == 0 { text += pick(noise) }
      }
      text += ".\n"
    }
    return Array(text.utf8)
  }

  static func corpora() -> (latin: Corpus, other: Corpus) {
    var generator = Generator(state: 42)
    let latinWords = [
      "the", "of", "and", "election", "minister", "said", "on", "Thursday", "government", "vote", "café",
      "naïve", "über", "policy", "in", "a", "to", "market", "report", "according", "officials", "“quoted”",
      "it’s", "—", "résumé", "2026", "percent",
    ]
    let otherWords = [
      "выборы", "министр", "заявил", "правительство", "в", "и", "选举", "首相", "政府", "表示", "الانتخابات",
      "الوزير", "قال", "選挙", "総理", "ประชาชน", "रिपोर्ट", "सरकार", "«цитата»",
    ]
    let noise = ["\u{00A0}", "  ", "\u{200B}", "\u{00AD}", "\r", "e\u{0301}", "\u{2019}"]
    var latin = Corpus(name: "generated, Latin script", documents: [])
    var other = Corpus(name: "generated, non-Latin", documents: [])
    for _ in 0..<200 {
      latin.documents.append(generator.document(words: latinWords, noise: noise, paragraphs: 8))
      other.documents.append(generator.document(words: otherWords, noise: noise, paragraphs: 8))
    }
    return (latin, other)
  }
}

struct Measurement {
  var stage: String
  var corpus: String
  var bytes: Int
  var times: [Double]
  var best: Double { times.min() ?? 0 }
  var median: Double { times.sorted()[times.count / 2] }
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Runs `body` over every document `runs` times; `body` returns a value that is
/// accumulated so the work cannot be optimized away.
func measure(_ stage: String, _ corpus: Corpus, runs: Int, _ body: ([UInt8]) -> Int) -> Measurement? {
  if let only = arguments.only, !stage.hasPrefix(only) { return nil }
  guard runs > 0 else { return nil }
  var times: [Double] = []
  var sink = 0
  let clock = ContinuousClock()
  // Warm up: tables built on first use (ICU property sets) are not part of a stage.
  if let first = corpus.documents.first { sink &+= body(first) }
  for _ in 0..<runs {
    let start = clock.now
    for document in corpus.documents { sink &+= body(document) }
    times.append(seconds(clock.now - start))
  }
  if sink == 42 { print("") }  // keeps `sink` alive
  return Measurement(stage: stage, corpus: corpus.name, bytes: corpus.bytes, times: times)
}

/// ICU's own NFC over the same bytes: UTF-8 to UTF-16, unorm2_normalize, back to UTF-8.
func icuNFC(_ document: [UInt8]) -> Int {
  var output = [UInt8](repeating: 0, count: document.count * 3 + 16)
  let capacity = Int32(output.count)
  return document.withUnsafeBufferPointer { source in
    output.withUnsafeMutableBufferPointer { destination in
      Int(
        winnow_normalize_utf8(
          Int32(WINNOW_NFC), source.baseAddress, Int32(source.count), destination.baseAddress, capacity))
    }
  }
}

/// A plain Swift cleaner: Foundation's NFC, then a Character loop that collapses
/// whitespace and maps curly quotes.
func swiftBaseline(_ document: [UInt8]) -> Int {
  let text = String(decoding: document, as: UTF8.self).precomposedStringWithCanonicalMapping
  var result = ""
  result.reserveCapacity(text.utf8.count)
  var lastWasSpace = false
  for character in text {
    if character.isWhitespace && !character.isNewline {
      if !lastWasSpace { result.append(" ") }
      lastWasSpace = true
      continue
    }
    lastWasSpace = false
    switch character {
    case "\u{2018}", "\u{2019}": result.append("'")
    case "\u{201C}", "\u{201D}": result.append("\"")
    default: result.append(character)
    }
  }
  return result.utf8.count
}

let arguments = Arguments()
if let count = arguments.paragraphIndex {
  // The exact paragraph index: memory per distinct paragraph, and time per insertion.
  var deduplicator = CorpusDeduplicator()
  let clock = ContinuousClock()
  let start = clock.now
  deduplicator._addRandomParagraphs(count, seed: 1)
  let elapsed = seconds(clock.now - start)
  print(
    "paragraph index: \(deduplicator.paragraphCount) distinct paragraphs, \(deduplicator.paragraphIndexBytes) bytes, "
      + "\(format(Double(deduplicator.paragraphIndexBytes) / Double(deduplicator.paragraphCount), 2)) bytes each; "
      + "\(format(elapsed, 2)) s, \(format(elapsed * 1e9 / Double(count), 0)) ns per insertion")
  exit(0)
}
if let count = arguments.keptDocuments {
  // Memory per kept document of the deduplicator (signature, bands, exact hashes,
  // identifier, shingles for the content check), and time per document.
  var deduplicator = CorpusDeduplicator()
  let clock = ContinuousClock()
  let start = clock.now
  deduplicator._addRandomDocuments(count, tokens: arguments.tokens, seed: 1)
  let elapsed = seconds(clock.now - start)
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  let total = deduplicator.memoryBytes
  let shingles = deduplicator.shingleStoreBytes
  print(
    "kept documents: \(deduplicator.keptIDs.count) of \(arguments.tokens) tokens, \(total) bytes, "
      + "\(format(Double(total) / Double(count), 1)) bytes each (content check \(format(Double(shingles) / Double(count), 1)), "
      + "the rest \(format(Double(total - shingles) / Double(count), 1))); peak resident \(usage.ru_maxrss / 1024) MB; "
      + "\(format(elapsed, 2)) s, \(format(elapsed * 1e9 / Double(count), 0)) ns per document")
  exit(0)
}
if arguments.large {
  benchmarkLarge(
    articles: arguments.articles, runs: arguments.runs, keep: arguments.keep, finderOnly: arguments.only == "finder")
  exit(0)
}
if arguments.command {
  benchmarkCommand(
    articles: arguments.articles, megabytes: arguments.megabytesGiven ? arguments.megabytes : 200, runs: arguments.runs,
    keep: arguments.keep, corpusOnly: arguments.corpusOnly && arguments.keep != nil)
  exit(0)
}
let target = arguments.megabytes * 1_000_000
let (latinBase, otherBase) = loadArticles(arguments.articles) ?? Generator.corpora()
let latin = latinBase.replicated(to: target)
let other = otherBase.replicated(to: target)
let broken = mojibakeCorpus(Corpus(name: "", documents: latinBase.documents + otherBase.documents)).replicated(
  to: target)

print(
  "winnow-bench: ICU \(TextNormalizer.icuVersion) (Unicode \(TextNormalizer.unicodeVersion)), \(ProcessInfo.processInfo.activeProcessorCount) cores, one core used"
)
print(
  "corpora: \(latin.name) \(latin.bytes / 1_000_000) MB from \(latinBase.documents.count) documents; \(other.name) \(other.bytes / 1_000_000) MB from \(otherBase.documents.count) documents"
)
print("runs: \(arguments.runs); MB/s = input bytes / median time")
print("")

var results: [Measurement] = []
extension Array where Element == Measurement {
  mutating func append(_ measurement: Measurement?) {
    if let measurement { append(contentsOf: [measurement]) }
  }
}
let profiles: [(String, NormalizationOptions.Profile)] = [
  ("default", .default), ("minimal", .minimal), ("comparison", .comparison),
]
for corpus in [latin, other, broken] where arguments.corpus.map({ corpus.name.contains($0) }) ?? true {
  let repair = MojibakeRepair()
  results.append(
    measure("mojibake: repair alone", corpus, runs: arguments.runs) { document in
      document.withUnsafeBufferPointer { repair.repair(utf8Buffer: $0)?.fixes.count ?? 0 }
    })
  if corpus.name == broken.name {
    let normalizer = TextNormalizer()
    results.append(
      measure("normalize default", corpus, runs: arguments.runs) { document in
        document.withUnsafeBufferPointer { normalizer.normalize(utf8Buffer: $0).utf8.count }
      })
    continue
  }
  for (name, profile) in profiles {
    let normalizer = TextNormalizer(profile: profile)
    results.append(
      measure("normalize \(name)", corpus, runs: arguments.runs) { document in
        document.withUnsafeBufferPointer { normalizer.normalize(utf8Buffer: $0).utf8.count }
      })
    if profile == .default {
      results.append(
        measure("normalize \(name) + edits", corpus, runs: arguments.runs) { document in
          document.withUnsafeBufferPointer { normalizer.normalize(utf8Buffer: $0, recordingEdits: true).edits!.count }
        })
    }
  }
  let finder = RepeatFinder()
  let wordTable: [Bool] = (0..<256).map {
    ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 >= 0x80
  }
  // A plain Swift loop that counts words and hashes their bytes: the speed of a
  // minimal tokenizer on this machine, for scale. Run with --only calibration.
  results.append(
    measure(
      "calibration: count words", corpus, runs: arguments.only?.hasPrefix("calibration") == true ? arguments.runs : 0
    ) { d in
      d.withUnsafeBufferPointer { buffer in
        wordTable.withUnsafeBufferPointer { table in
          var words = 0
          var inWord = false
          var hash: UInt64 = 0
          for byte in buffer {
            let isWord = table[Int(byte)]
            if isWord { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
            if isWord && !inWord { words += 1 }
            inWord = isWord
          }
          return words &+ Int(truncatingIfNeeded: hash & 1)
        }
      }
    })
  // The tokenizer's SIMD kernel alone over the text, stepping over each word it hands
  // back (apostrophes, line breaks, non-ASCII letters) as the Swift tokenizer would.
  results.append(
    measure(
      "calibration: ASCII word kernel", corpus,
      runs: arguments.only?.hasPrefix("calibration") == true ? arguments.runs : 0
    ) { d in
      d.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress!
        let capacity = buffer.count / 2 + 64
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        let starts = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let ends = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        defer {
          hashes.deallocate()
          starts.deallocate()
          ends.deallocate()
        }
        var tokens = winnow_token_buffer(
          hashes: hashes, starts: starts, ends: ends, count: 0, capacity: Int64(capacity))
        var content: Int32 = 0
        var position = 0
        while position < buffer.count - 72 {
          let stopped = Int(winnow_scan_ascii_words(base, Int64(buffer.count), Int64(position), &tokens, &content))
          if stopped > position {
            position = stopped
          } else {
            while position < buffer.count && buffer[position] != 0x20 && buffer[position] != 0x0A { position += 1 }
            position += 1
          }
        }
        return Int(tokens.count)
      }
    })
  results.append(
    measure("repeats: tokenize", corpus, runs: arguments.runs) { d in
      d.withUnsafeBufferPointer { RepeatFinder._tokenCount($0) }
    })
  results.append(
    measure("repeats: tokenize+winnow", corpus, runs: arguments.runs) { d in
      d.withUnsafeBufferPointer { finder._pairCount($0) }
    })
  results.append(
    measure("repeats: detect", corpus, runs: arguments.runs) { document in
      document.withUnsafeBufferPointer { finder.repeats(utf8: $0).blocks.count }
    })
  // Cross-document deduplication: the fingerprint (tokens, the MinHash signature and
  // its band keys, exact hashes, paragraph keys), then the decisions as well, on a
  // deduplicator that starts empty at each run.
  let fingerprinter = CorpusDeduplicator()
  results.append(
    measure("dedup: fingerprint (tokens + MinHash)", corpus, runs: arguments.runs) { document in
      fingerprinter.fingerprint(utf8: document).tokenCount
    })
  var deduplicator = CorpusDeduplicator()
  var decided = 0
  results.append(
    measure("dedup: fingerprint + decide", corpus, runs: arguments.runs) { document in
      // The warm-up call, then each run, start from an empty index. (The corpus is
      // replicated: after its first round, every document is an exact repost.)
      if decided == 0 || (decided - 1) % corpus.documents.count == 0 { deduplicator = CorpusDeduplicator() }
      decided += 1
      return deduplicator.decide(fingerprinter.fingerprint(utf8: document), id: "").isKept ? 1 : 0
    })
  // The decisions alone, on distinct documents (every other word of each replica
  // replaced, as in --command), fingerprinted beforehand: the work of the thread that
  // writes, per MB of input.
  if arguments.only.map({ "dedup: decide".hasPrefix($0) || $0.hasPrefix("dedup: decide") }) ?? true {
    let vocabulary = words(corpus.documents)
    let distinct = corpus.documents.enumerated().map { index, document in
      perturbed(document, seed: UInt64(index), oneIn: 2, vocabulary: vocabulary)
    }
    let fingerprints = distinct.map { fingerprinter.fingerprint(utf8: $0) }
    var position = 0
    results.append(
      measure(
        "dedup: decide (distinct documents)", Corpus(name: corpus.name, documents: distinct), runs: arguments.runs
      ) { _ in
        if position == 0 || (position - 1) % fingerprints.count == 0 { deduplicator = CorpusDeduplicator() }
        defer { position += 1 }
        return deduplicator.decide(fingerprints[max(0, position - 1) % fingerprints.count], id: "").isKept ? 1 : 0
      })
  }
  let normalizer = TextNormalizer()
  results.append(
    measure("clean: normalize + detect + remove", corpus, runs: arguments.runs) { document in
      let normalized = document.withUnsafeBufferPointer { normalizer.normalize(utf8Buffer: $0).utf8 }
      return finder.removingRepeats(utf8: normalized).utf8.count
    })
  let baselineCorpus = corpus.prefix(bytes: arguments.baselineMegabytes * 1_000_000)
  results.append(measure("ICU NFC (UTF-8→16→8)", baselineCorpus, runs: arguments.runs, icuNFC))
  results.append(
    measure(
      "Swift baseline (Foundation NFC + Character loop)", baselineCorpus, runs: max(1, arguments.runs / 2),
      swiftBaseline))
}

/// The documents with one line in ten (seeded) encoded as UTF-8 and decoded as
/// windows-1252: mojibake as scrapers make it, in part of each document.
func mojibakeCorpus(_ corpus: Corpus) -> Corpus {
  var generator = Generator(state: 10)
  var documents: [[UInt8]] = []
  var brokenBytes = 0
  var total = 0
  for document in corpus.documents {
    var output: [UInt8] = []
    for line in document.split(separator: 0x0A, omittingEmptySubsequences: false) {
      if !output.isEmpty { output.append(0x0A) }
      if generator.next() % 10 == 0, let misread = try? TextEncoding.decode(Array(line), from: "windows-1252").utf8 {
        output.append(contentsOf: misread)
        brokenBytes += misread.count
      } else {
        output.append(contentsOf: line)
      }
    }
    total += output.count
    documents.append(output)
  }
  let share = total > 0 ? Double(brokenBytes) / Double(total) * 100 : 0
  return Corpus(name: "articles, \(format(share, 0))% of bytes in misread lines", documents: documents)
}

func pad(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

if !results.isEmpty {
  print("| stage | corpus | MB | min s | median s | MB/s | vs ICU NFC |")
  print("|---|---|---:|---:|---:|---:|---:|")
}
for result in results {
  let megabytes = Double(result.bytes) / 1e6
  let rate = megabytes / result.median
  let icu = results.first { $0.corpus == result.corpus && $0.stage.hasPrefix("ICU NFC") }
  let ratio = icu.map { format(rate / (Double($0.bytes) / 1e6 / $0.median), 2) + "x" } ?? "–"
  print(
    "| \(result.stage) | \(result.corpus) | \(format(megabytes)) | \(format(result.best, 3)) | \(format(result.median, 3)) | \(format(rate)) | \(ratio) |"
  )
}

// Scaling: adversarial documents at three sizes. Constant MB/s across sizes means
// cost linear in the input.
if arguments.scaling {
  let full = arguments.megabytes * 1_000_000 / 2
  func oneLineRepeated(_ bytes: Int) -> [UInt8] {
    let line = Array("The same scraped line appears again and again on this page.\n".utf8)
    return Array([[UInt8]](repeating: line, count: bytes / line.count).joined())
  }
  func oneWordRepeated(_ bytes: Int) -> [UInt8] {
    Array([[UInt8]](repeating: Array("word ".utf8), count: bytes / 5).joined())
  }
  func noRepeats(_ bytes: Int) -> [UInt8] {
    var generator = Generator(state: 7)
    var text: [UInt8] = []
    text.reserveCapacity(bytes + 64)
    var count = 0
    while text.count < bytes {
      // Distinct tokens: a counter spelled in letters, so that no run repeats.
      var value = count
      repeat {
        text.append(UInt8(ascii: "a") + UInt8(value % 26))
        value /= 26
      } while value > 0
      text.append(generator.next() % 12 == 0 ? 0x0A : 0x20)
      count += 1
    }
    return text
  }
  let documents: [(String, (Int) -> [UInt8])] = [
    ("one line repeated", oneLineRepeated), ("one word repeated", oneWordRepeated), ("no repeats", noRepeats),
  ]
  let finder = RepeatFinder()
  let normalizer = TextNormalizer()
  print("")
  print("| document | MB | tokens | detect s | detect MB/s | clean s | clean MB/s |")
  print("|---|---:|---:|---:|---:|---:|---:|")
  for (name, make) in documents {
    for size in [full / 4, full / 2, full] {
      let document = make(size)
      let clock = ContinuousClock()
      // The median of three runs of each: single runs of this size vary by a third.
      var detectTimes: [Double] = []
      var cleanTimes: [Double] = []
      for _ in 0..<3 {
        var start = clock.now
        let report = document.withUnsafeBufferPointer { finder.repeats(utf8: $0) }
        detectTimes.append(seconds(clock.now - start))
        start = clock.now
        let cleaned = finder.removingRepeats(
          utf8: document.withUnsafeBufferPointer { normalizer.normalize(utf8Buffer: $0).utf8 })
        cleanTimes.append(seconds(clock.now - start))
        _ = (report.blocks.count, cleaned.utf8.count)
      }
      let detect = detectTimes.sorted()[1]
      let clean = cleanTimes.sorted()[1]
      let megabytes = Double(document.count) / 1e6
      let tokens = document.withUnsafeBufferPointer { RepeatFinder._tokenCount($0) }
      print(
        "| \(name) | \(format(megabytes)) | \(tokens) | \(format(detect, 3)) | \(format(megabytes / detect)) | \(format(clean, 3)) | \(format(megabytes / clean)) |"
      )
    }
  }
}
