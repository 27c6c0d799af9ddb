import ArgumentParser
import Foundation
import Winnow

struct Clean: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Normalize a document, then remove repeated blocks, keeping the first copy.",
    discussion: """
      Reads one file (or standard input when INPUT is omitted or '-') and writes the
      cleaned text to standard output or --output (written atomically). Repeats are
      found on the normalized text; --explain writes what was removed and why, with
      byte offsets into the normalized text and what each removal repeats.

      Examples:
        winnow clean ../shared/fixtures/scraped-article-duplicated-body.txt
        winnow clean --min-tokens 20 --explain removed.json page.txt -o page.clean.txt
        cat page.txt | winnow clean --no-normalize
      """
  )

  @Argument(help: "The file to clean; '-' or nothing reads standard input.")
  var input: String?

  @Option(name: .shortAndLong, help: "Write the result here instead of standard output.")
  var output: String?

  @Flag(help: "Skip normalization.")
  var noNormalize = false

  @Flag(help: "Skip repeated-block removal.")
  var noRepeats = false

  @OptionGroup var normalization: NormalizationFlags
  @OptionGroup var repeats: RepeatFlags

  @Option(help: "Write a JSON description of the removals and normalization changes to this file.")
  var explain: String?

  @Flag(name: .shortAndLong, help: "Print no summary on standard error.")
  var quiet = false

  func run() throws {
    let (name, bytes) = try Input.read(input)
    let start = ContinuousClock.now
    var text = bytes
    var counts = EditCounts()
    if !noNormalize {
      let normalized = TextNormalizer(normalization.options).normalize(utf8: bytes)
      counts = normalized.counts
      text = normalized.utf8
    }
    var removal = RepeatRemoval(utf8: text, removed: [])
    if !noRepeats {
      removal = repeats.finder.removingRepeats(utf8: text)
    }
    let elapsed = seconds(since: start)

    do {
      try Output.write(removal.utf8, to: output)
      if let explain {
        let record = Explanation(document: name, text: text, removal: removal, counts: counts)
        try Output.write(try Output.jsonLine(record), to: explain)
      }
    } catch {
      Diagnostics.error("cannot write: \(Diagnostics.reason(error))")
      throw ExitCode.failure
    }
    if !quiet {
      Diagnostics.note(
        "\(name): \(bytes.count) bytes in, \(removal.utf8.count) out; "
          + "\(removal.removed.count) repeats removed (\(text.count - removal.utf8.count) bytes); "
          + "\(counts[.invalidUTF8]) invalid sequences replaced; \(counts.total) normalization changes; "
          + rate(bytes.count, elapsed))
    }
  }
}

/// The `--explain` record of one document.
struct Explanation: Encodable {
  struct Removal: Encodable {
    var start: Int
    var end: Int
    var repeatsStart: Int
    var repeatsEnd: Int
    var tokens: Int
    var similarity: Double
    var paragraphs: Bool
    var pass: Int
    var text: String
  }

  var document: String
  var removed: [Removal]
  var normalization: [String: Int]

  init(document: String, text: [UInt8], removal: RepeatRemoval, counts: EditCounts) {
    self.document = document
    removed = removal.removed.map { span in
      Removal(
        start: span.utf8.lowerBound, end: span.utf8.upperBound, repeatsStart: span.repeats.lowerBound,
        repeatsEnd: span.repeats.upperBound, tokens: span.tokenCount, similarity: span.similarity,
        paragraphs: span.isParagraphBlock, pass: span.pass,
        text: String(decoding: removal.text(of: span.utf8, in: text, for: span), as: UTF8.self))
    }
    normalization = Dictionary(uniqueKeysWithValues: counts.byName.map { ($0.name, $0.count) })
  }
}
