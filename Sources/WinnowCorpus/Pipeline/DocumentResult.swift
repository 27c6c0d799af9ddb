import Winnow

/// Where a document comes from: its file, and its line in a JSON Lines file.
package struct DocumentSource: Sendable, CustomStringConvertible {
  /// The file's name as given ("<stdin>" for standard input).
  package var file: String
  /// The one-based line of a JSON Lines document; 0 for a text file.
  package var line: Int
  /// The JSON Lines `id` member as it is written (`17`, `"a-17"`), if there is one.
  package var id: String?
  /// The one-based number of a WARC record.
  package var record: Int?

  package init(file: String, line: Int, id: String? = nil, record: Int? = nil) {
    self.file = file
    self.line = line
    self.id = id
    self.record = record
  }

  package var description: String {
    if let record { return "\(file): record \(record)" }
    return line == 0 ? file : "\(file):\(line)"
  }

  /// Whether the document is a record of a file (a JSON line), not a whole file: its
  /// text keeps its own final-newline state.
  package var isRecord: Bool { line != 0 || record != nil }

  /// How the cleaner treats the document's final line break.
  package var kind: DocumentCleaner.DocumentKind { isRecord ? .record : .file }
}

/// What the work on one document produced.
package struct DocumentResult: Sendable {
  /// The document's size when it was over the size limit and not processed.
  package var oversize: Int?
  /// The new text of the document (or, for reports, what to print).
  package var output: [UInt8]
  package var counts = EditCounts()
  package var repeatsRemoved = 0
  /// Boilerplate lines removed.
  package var boilerplateRemoved = 0
  /// For the first pass of boilerplate detection: the document's distinct line keys.
  package var lineKeys: [UInt64]?
  /// What was done to the document, when explanations are asked for (its `id` and
  /// `input` are filled in by the pipeline).
  package var explanation: DocumentExplanation?
  /// With cross-document deduplication: the fingerprint of `output`.
  package var fingerprint: DocumentFingerprint?
  /// With deduplication and explanations: the byte range in the original text of each
  /// of the fingerprint's removable paragraphs.
  package var paragraphOrigins: [Range<Int>] = []

  package init(output: [UInt8], counts: EditCounts = EditCounts(), repeatsRemoved: Int = 0) {
    self.output = output
    self.counts = counts
    self.repeatsRemoved = repeatsRemoved
  }
}

/// The work done on each document: its bytes in, its result out.
package typealias DocumentWork = @Sendable (_ bytes: [UInt8], _ source: DocumentSource) -> DocumentResult

/// What an explanation says of each document.
package struct ExplainMembers: OptionSet, Sendable {
  package let rawValue: Int
  package init(rawValue: Int) { self.rawValue = rawValue }
  /// `removed`: the repeats removed.
  package static let removed = ExplainMembers(rawValue: 1)
  /// `normalization` (changes by kind) and `mojibake` (the repairs).
  package static let normalization = ExplainMembers(rawValue: 2)
  /// `boilerplate`: the boilerplate lines removed.
  package static let boilerplate = ExplainMembers(rawValue: 4)
}

extension DocumentResult {
  /// The result of `document`, cleaned from `input`, with an explanation of the
  /// members asked for (none when `members` is nil).
  package init(_ document: CleanedDocument, input: [UInt8], explaining members: ExplainMembers?) {
    self.init(output: document.utf8, counts: document.counts, repeatsRemoved: document.repeats.removed.count)
    boilerplateRemoved = document.boilerplate.count
    fingerprint = document.fingerprint
    guard let members else { return }
    explanation = DocumentExplanation(document, input: input, members: members)
    // Where each paragraph that may be removed was in the original text.
    paragraphOrigins = document.fingerprint?.removableParagraphs.map(document.inputRange(ofOutput:)) ?? []
  }
}

extension JSONLine {
  /// `text` as a JSON string literal, quotes included.
  package static func quoted(_ text: String) -> String {
    var bytes: [UInt8] = []
    var text = text
    text.withUTF8 { appendString($0, to: &bytes) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
