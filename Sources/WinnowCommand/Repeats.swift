import ArgumentParser
import Foundation
import Winnow

struct Repeats: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the repeated blocks of a document, with offsets into the file as it is.",
    discussion: """
      Nothing is normalized or removed: offsets are UTF-8 byte offsets and line numbers
      of the input. Tokens are compared case-, accent-, punctuation- and
      whitespace-insensitively, so copies with other quotes or spacing are found.

      Examples:
        winnow repeats ../shared/fixtures/scraped-article-duplicated-body.txt
        winnow repeats --json page.txt | jq '.blocks[].copies[].similarity'
      """
  )

  @Argument(help: "The file to inspect; '-' or nothing reads standard input.")
  var input: String?

  @Flag(help: "Print JSON instead of text.")
  var json = false

  @OptionGroup var repeats: RepeatFlags

  func run() throws {
    let (name, bytes) = try Input.read(input)
    let report = bytes.withUnsafeBufferPointer { repeats.finder.repeats(utf8: $0) }
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
    func span(_ range: Range<Int>) -> Report.Span {
      Report.Span(
        start: range.lowerBound, end: range.upperBound, line: line(range.lowerBound),
        endLine: line(max(range.lowerBound, range.upperBound - 1)))
    }
    let blocks = report.blocks.map { block in
      Report.Block(
        paragraphs: block.isParagraphBlock, tokens: block.tokenCount, original: span(block.original.utf8),
        copies: block.copies.map {
          Report.Copy(span: span($0.span.utf8), tokens: $0.tokenCount, similarity: $0.similarity)
        })
    }
    let result = Report(document: name, blocks: blocks)
    if json {
      try Output.write(try Output.jsonLine(result), to: nil)
    } else {
      try Output.write(Array(result.text.utf8), to: nil)
    }
  }
}

struct Report: Encodable {
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

  var document: String
  var blocks: [Block]

  var text: String {
    guard !blocks.isEmpty else { return "\(document): no repeated blocks\n" }
    var lines = "\(document): \(blocks.count) repeated block\(blocks.count == 1 ? "" : "s")\n"
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
