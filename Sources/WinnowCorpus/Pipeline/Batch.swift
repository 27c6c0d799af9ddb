import CWinnowKernels
import Winnow

/// A piece of one input, and what a worker made of it.
package final class Batch: @unchecked Sendable {
  package enum Kind {
    /// Whole lines of a JSON Lines file; the number of the first.
    case lines(firstLine: Int)
    /// Records of a WARC file; the number of the first.
    case records(firstRecord: Int)
    /// A whole text file.
    case document
    /// A piece of a large text file, normalized as it is read (its `piece`, normalized
    /// by a worker and committed in order by the writer); the last piece counts the
    /// document.
    case documentPiece
    /// A JSON Lines file has been read to its end, or (not `complete`) cut short by a
    /// read error.
    case endOfFile(complete: Bool)
    /// An input that could not be read (reported in `messages`).
    case unreadable
    /// A file found in a folder and skipped (binary).
    case skipped
    /// The end of all input.
    case finish
  }

  package let sequence: Int
  /// The index of the input file (-1 for `finish`).
  package let file: Int
  package let kind: Kind
  package var input: [UInt8]

  /// For a ``Kind/documentPiece``: the piece to normalize.
  package var piece: StreamedPieces.Piece?

  // Filled by the worker.
  package var output: [UInt8] = []
  package var explanations: [UInt8] = []
  /// Diagnostics, in input order.
  package var messages: [String] = []
  package var documents = 0
  package var skipped = 0
  /// Documents over --max-document-bytes.
  package var oversize = 0
  package var bytesIn = 0
  package var bytesOut = 0
  package var repeatsRemoved = 0
  package var boilerplateRemoved = 0
  package var invalidReplaced = 0
  /// For the first pass of boilerplate detection: each document's line keys.
  package var lineKeys: [[UInt64]] = []
  /// With --strict, processing stopped at a failed document.
  package var stoppedAtFailure = false
  /// With --output-dir, the worker could not write the document's file.
  package var writeFailure: String?
  /// With deduplication: each document, for the writer to decide on.
  package var entries: [Entry] = []
  /// With deduplication: a text document was dropped as a duplicate.
  package var dropped = false
  /// JSON lines without a string at --field.
  package var fields = FieldCounts()
  /// The records of a WARC batch.
  package var records: [WARCRecord] = []
  /// WARC records that hold no text (not `conversion`), by type.
  package var otherRecords: [String: Int] = [:]
  /// The number of the last line of a batch of lines.
  package var lastLine = 0

  /// A document of the batch, as deduplication needs it.
  package struct Entry {
    /// The document's bytes in `output` (its whole line, for JSON Lines).
    package var output: Range<Int>
    /// JSON Lines: the input line, and the text's JSON string in it, to write the line
    /// again without some paragraphs.
    package var line: (line: Range<Int>, value: Range<Int>)?
    /// The processed text (what was fingerprinted).
    package var text: [UInt8]
    package var fingerprint: DocumentFingerprint
    package var paragraphOrigins: [Range<Int>]
    /// The length of the original text, in UTF-8 bytes: the span a dropped document
    /// removes.
    package var originalCount: Int
    /// The identifier as JSON: the `id` member as written, the line number, or the
    /// quoted file path.
    package var id: String
    /// The input's display name.
    package var source: String
    /// What the work did, when explaining.
    package var explanation: DocumentExplanation?
    /// The original text, when explaining: what removed paragraphs were.
    package var original: [UInt8]

    package init(
      output: Range<Int>, line: (line: Range<Int>, value: Range<Int>)?, text: [UInt8],
      fingerprint: DocumentFingerprint, paragraphOrigins: [Range<Int>], originalCount: Int, id: String,
      source: String, explanation: DocumentExplanation?, original: [UInt8]
    ) {
      self.output = output
      self.line = line
      self.text = text
      self.fingerprint = fingerprint
      self.paragraphOrigins = paragraphOrigins
      self.originalCount = originalCount
      self.id = id
      self.source = source
      self.explanation = explanation
      self.original = explanation == nil ? [] : original
    }
  }

  package init(sequence: Int, file: Int, kind: Kind, input: [UInt8] = [], message: String? = nil) {
    self.sequence = sequence
    self.file = file
    self.kind = kind
    self.input = input
    if let message { messages = [message] }
  }
}

/// JSON lines of one file (or one batch) that are well-formed objects without a
/// string at --field: counted and reported once per file, and a run whose first lines
/// never have the field stops, naming the members it saw.
package struct FieldCounts {
  /// A field absent from every one of the first lines of a file stops the run.
  package static let linesChecked = 1000

  package init() {}
  package var absent = 0
  package var notString = 0
  package var firstAbsent: Int?
  package var firstNotString: Int?
  /// The first line with the field.
  package var firstWithField: Int?
  /// Members of the lines without the field among the first ones, in order of
  /// appearance.
  package var names: [String] = []

  package mutating func add(_ missing: JSONLine.Failure.Missing, line: Int) {
    switch missing {
    case .absent:
      absent += 1
      if firstAbsent == nil { firstAbsent = line }
    case .notAString:
      notString += 1
      if firstNotString == nil { firstNotString = line }
    }
  }

  /// Adds the counts of a later batch of the same file.
  package mutating func merge(_ later: FieldCounts) {
    absent += later.absent
    notString += later.notString
    firstAbsent = firstAbsent ?? later.firstAbsent
    firstNotString = firstNotString ?? later.firstNotString
    firstWithField = firstWithField ?? later.firstWithField
    for name in later.names where names.count < 64 && !names.contains(name) { names.append(name) }
  }

  /// Whether the first lines, up to `lastLine` (or the whole file, `ended`), show
  /// that the field is not there: none has it, and some lack it.
  package func fieldIsMissing(lastLine: Int, ended: Bool) -> Bool {
    guard absent + notString > 0, ended || lastLine >= Self.linesChecked else { return false }
    return (firstWithField ?? Int.max) > Self.linesChecked
  }

  /// What is said when ``fieldIsMissing(lastLine:ended:)``: the file called `file`
  /// lacks `field`, and which members its lines have.
  package func missingFieldMessage(file: String, field: String) -> String {
    let names = names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", ")
    let how = notString > 0 && absent == 0 ? "has a string in" : "has"
    return
      "\(file): no line among the first \(min(Self.linesChecked, absent + notString)) \(how) "
      + "the field \"\(field)\" (members seen: \(names)); name the member that holds the text with --field, "
      + "a dotted path for nested objects (meta.content)"
  }

  /// What is said at the end of the file called `file` of its lines without a string
  /// at `field`, each skipped.
  package func skippedLinesMessages(file: String, field: String) -> [String] {
    var messages: [String] = []
    if absent > 0 {
      messages.append(
        "\(file): \(absent) line\(absent == 1 ? "" : "s") without the field \"\(field)\" "
          + "(first at line \(firstAbsent!)), skipped")
    }
    if notString > 0 {
      messages.append(
        "\(file): \(notString) line\(notString == 1 ? "" : "s") where \"\(field)\" is not a string "
          + "(first at line \(firstNotString!)), skipped")
    }
    return messages
  }
}

extension Batch {
  /// A batch of the JSON lines in `piece`, the next piece of file number `file`, whose
  /// first line is number `line`; `line` is advanced past it. A byte order mark before
  /// the first record is not part of it.
  package static func lines(_ piece: [UInt8], sequence: Int, file: Int, line: inout Int) -> Batch {
    var piece = piece
    if line == 1 && piece.starts(with: [0xEF, 0xBB, 0xBF]) { piece.removeFirst(3) }
    let batch = Batch(sequence: sequence, file: file, kind: .lines(firstLine: line), input: piece)
    line += piece.withUnsafeBufferPointer { Int(winnow_count_line_feeds($0.baseAddress!, Int64($0.count))) }
    return batch
  }
}
