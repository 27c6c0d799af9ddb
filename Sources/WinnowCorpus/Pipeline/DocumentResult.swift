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
  /// The explanation members for this document (JSON, without braces), if asked for.
  package var explanation: String?
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
  /// The result of a cleaned document, with the explanation members asked for (none
  /// when `members` is nil).
  package init(_ document: CleanedDocument, explaining members: ExplainMembers?) {
    self.init(output: document.utf8, counts: document.counts, repeatsRemoved: document.repeats.removed.count)
    boilerplateRemoved = document.boilerplate.count
    fingerprint = document.fingerprint
    guard let members else { return }
    var parts: [String] = []
    if members.contains(.removed) { parts.append(Self.removedMember(of: document)) }
    if members.contains(.normalization) { parts.append(Self.normalizationMembers(of: document)) }
    if members.contains(.boilerplate) { parts.append(Self.boilerplateMember(of: document)) }
    explanation = parts.isEmpty ? nil : parts.joined(separator: ",")
    // Where each paragraph that may be removed was in the original text.
    paragraphOrigins = document.fingerprint?.removableParagraphs.map(document.inputRange(ofOutput:)) ?? []
  }

  /// The member for removed boilerplate lines: spans in the original text and how
  /// many documents hold each line.
  static func boilerplateMember(of document: CleanedDocument) -> String {
    let spans = document.boilerplate.map { line in
      let span = document.inputRange(ofNormalized: line.utf8)
      return "{\"span\":[\(span.lowerBound),\(span.upperBound)],\"documents\":\(line.documents)}"
    }
    return "\"boilerplate\":[\(spans.joined(separator: ","))]"
  }

  /// The member for removed repeats: spans with offsets into the original text, the
  /// span each repeats, and the removed text.
  static func removedMember(of document: CleanedDocument) -> String {
    func original(_ range: Range<Int>) -> String {
      let range = document.inputRange(ofRepeatInput: range)
      return "\(range.lowerBound),\(range.upperBound)"
    }
    let removal = document.repeats
    let text = document.repeatInput ?? []
    var spans: [String] = []
    for span in removal.removed {
      let removedText = String(decoding: removal.text(of: span.utf8, in: text, for: span), as: UTF8.self)
      var line = "{\"span\":[\(original(span.utf8))],\"repeats\":[\(original(span.repeats))]"
      line += ",\"tokens\":\(span.tokenCount),\"similarity\":\(span.similarity)"
      line += ",\"paragraphs\":\(span.isParagraphBlock),\"pass\":\(span.pass)"
      line += ",\"text\":\(JSONLine.quoted(removedText))}"
      spans.append(line)
    }
    return "\"removed\":[\(spans.joined(separator: ","))]"
  }

  /// The members for normalization: changes by kind, and the mojibake repairs when
  /// there are any.
  static func normalizationMembers(of document: CleanedDocument) -> String {
    let kinds = document.counts.byName.map { "\(JSONLine.quoted($0.name)):\($0.count)" }.joined(separator: ",")
    var members = "\"normalization\":{\(kinds)}"
    if let repairs = document.normalization?.repairs, !repairs.isEmpty { members += "," + mojibakeMember(repairs) }
    return members
  }

  /// The member for mojibake repairs: each span in the original text, what it was and
  /// became, the encodings it went through and the score.
  static func mojibakeMember(_ repairs: [MojibakeRepair.Fix]) -> String {
    let fixes = repairs.map { fix in
      let encodings = fix.encodings.map(JSONLine.quoted).joined(separator: ",")
      return "{\"span\":[\(fix.input.lowerBound),\(fix.input.upperBound)],\"original\":\(JSONLine.quoted(fix.original))"
        + ",\"replacement\":\(JSONLine.quoted(fix.replacement)),\"encodings\":[\(encodings)],\"score\":\(fix.score)}"
    }
    return "\"mojibake\":[\(fixes.joined(separator: ","))]"
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
