import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

struct Repeats: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the repeated blocks of documents, with offsets into each text as it is.",
    discussion: """
      Nothing is normalized or removed: offsets are UTF-8 byte offsets and line numbers of each document's text (for JSON Lines, of the string in --field). Tokens are compared case-, accent-, punctuation- and whitespace-insensitively, so copies with other quotes or spacing are found. Inputs are read as 'winnow clean' reads them (see 'winnow clean --help'); the reports of all documents go, in input order, to standard output or --output.

      Examples (from the repository root):
        winnow repeats Examples/Corpus/duplicated-body.txt
        winnow repeats --json Examples/Corpus/scraped-sample.txt
        winnow repeats --json Examples/Corpus/pages.jsonl --output /tmp/repeats.jsonl
      """
  )

  @OptionGroup var corpus: CorpusFlags

  @Flag(help: "Print one JSON object per document instead of text.")
  var json = false

  @OptionGroup var repeats: RepeatFlags

  func validate() throws {
    if corpus.outputDir != nil {
      throw ValidationError("repeats writes one report: use --output instead of --output-dir.")
    }
  }

  func run() throws {
    let finder = RepeatFinder(repeats.options)
    let json = json
    let work: DocumentWork = { bytes, source in
      let report = Report(bytes, finder: finder, source: source)
      let output = json ? report.jsonLine : Array(report.text.utf8)
      return DocumentResult(output: output, repeatsRemoved: report.blocks.count)
    }
    let run = CorpusRun(flags: corpus, outputsDocuments: false, explain: nil)
    run.reportsRepeats = true
    let status = try run.run(work)
    if status != 0 { throw ExitCode(status) }
  }
}

/// The repeated blocks of one document, as text or as a JSON line.
struct Report {
  struct Span: Encodable {
    var start: Int
    var end: Int
    var line: Int
    var endLine: Int
    var text: String { "bytes \(start)..<\(end), lines \(line)-\(endLine)" }
  }
  struct Copy: Encodable {
    var span: Span
    var tokens: Int
    var similarity: Double
  }
  struct Block: Encodable {
    var paragraphs: Bool
    var tokens: Int
    var original: Span
    var copies: [Copy]
  }

  /// The file, and line for JSON Lines (`file:line`).
  var document: String
  /// The JSON Lines `id` member as it is written, if any.
  var id: String?
  var blocks: [Block]

  /// The repeated blocks of `bytes`, with line numbers of `bytes`.
  init(_ bytes: [UInt8], finder: RepeatFinder, source: DocumentSource) {
    document = source.description
    id = source.id
    let report = bytes.withUnsafeBufferPointer { finder.repeats(utf8: $0) }
    guard !report.blocks.isEmpty else {
      blocks = []
      return
    }
    var lineStarts = [0]
    // Lines end at LF, CRLF or a lone CR.
    for (index, byte) in bytes.enumerated()
    where byte == 0x0A || (byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) {
      lineStarts.append(index + 1)
    }
    func line(_ offset: Int) -> Int {
      var low = 0
      var high = lineStarts.count - 1
      while low < high {
        let middle = (low + high + 1) / 2
        if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
      }
      return low + 1
    }
    func span(_ range: Range<Int>) -> Span {
      Span(
        start: range.lowerBound, end: range.upperBound, line: line(range.lowerBound),
        endLine: line(max(range.lowerBound, range.upperBound - 1)))
    }
    blocks = report.blocks.map { block in
      Block(
        paragraphs: block.isParagraphBlock, tokens: block.tokenCount, original: span(block.original.utf8),
        copies: block.copies.map { Copy(span: span($0.span.utf8), tokens: $0.tokenCount, similarity: $0.similarity) })
    }
  }

  /// `{"blocks": [...], "document": "file:line", "id": <the id member as it is>}` and a
  /// line feed.
  var jsonLine: [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding fails only for non-finite numbers, which similarities never are.
    let encoded = (try? encoder.encode(blocks)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    var line = "{\"blocks\":\(encoded),\"document\":\(JSONLine.quoted(document))"
    if let id { line += ",\"id\":\(id)" }
    return Array((line + "}\n").utf8)
  }

  var text: String {
    let name = id.map { "\(document) (id \($0))" } ?? document
    guard !blocks.isEmpty else { return "\(name): no repeated blocks\n" }
    var lines = "\(name): \(blocks.count) repeated block\(blocks.count == 1 ? "" : "s")\n"
    for (index, block) in blocks.enumerated() {
      lines += "block \(index + 1): \(block.paragraphs ? "paragraphs" : "span"), \(block.tokens) tokens\n"
      lines += "  original  \(block.original.text)\n"
      for copy in block.copies {
        lines += "  copy      \(copy.span.text), \(copy.tokens) tokens, similarity "
        lines += String(format: "%.2f", copy.similarity) + "\n"
      }
    }
    return lines
  }
}
