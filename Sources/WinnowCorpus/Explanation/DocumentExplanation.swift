import Winnow

/// What cleaning did to one document: one line of `winnow clean --explain`, and what
/// ``CorpusPipeline`` hands to its `explanations` closure.
///
/// Every span is a range of UTF-8 byte offsets into the document's original text
/// (for a JSON Lines record, the string at the field, unescaped), and every `text`
/// is the original text at its span: what was removed or repaired, as it was. Decode
/// a line with `JSONDecoder`:
///
/// ```swift
/// let explanation = try JSONDecoder().decode(DocumentExplanation.self, from: Data(line))
/// for removal in explanation.removed ?? [] { print(removal.span, removal.text) }
/// ```
///
/// Members that a step did not run for are absent.
public struct DocumentExplanation: Codable, Sendable, Hashable {
  /// The record's identifier as written in the input: its `id` member (a JSON string
  /// or number), else its line number; the path of a text file; a WARC record's
  /// `WARC-Record-ID`.
  public var id: RecordID
  /// The input's name.
  public var input: String
  /// Repeated blocks removed inside the document.
  public var removed: [RepeatRemoval]?
  /// Changes by kind in normalization.
  public var normalization: ChangeCounts?
  /// Mojibake repaired.
  public var mojibake: [MojibakeRepairSpan]?
  /// Boilerplate lines removed.
  public var boilerplate: [BoilerplateRemoval]?
  /// The encoding a text file was read in.
  public var encoding: DetectedEncoding?
  /// The most similar kept document that was checked as a near copy of this one and
  /// found to lack a run of its text: why the document stays.
  public var nearCandidate: NearCandidate?
  /// The kept document this one repeats, when it is dropped.
  public var duplicateOf: Duplicate?
  /// Paragraphs removed because an earlier kept document holds them (empty when
  /// none was; absent without deduplication or when the document is dropped).
  public var removedParagraphs: [ParagraphRemoval]?

  /// An explanation of the document `id` of `input`, with nothing in it yet.
  public init(id: RecordID, input: String) {
    self.id = id
    self.input = input
  }

  /// A record's identifier, kept as the JSON text it was written as. Decoding one
  /// with `JSONDecoder` reads strings, integers, numbers, Booleans and `null`
  /// (written back in the decoder's form: `"a\/b"` becomes `"a/b"`); an object or an
  /// array as an identifier is not decoded.
  public struct RecordID: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The identifier as JSON: `17`, `"a-17"`.
    public var json: String

    /// An identifier from its JSON text.
    public init(json: String) { self.json = json }

    /// A string identifier.
    public init(string: String) { json = JSONLine.quoted(string) }

    /// A line number.
    public init(line: Int) { json = String(line) }

    public var description: String { json }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let string = try? container.decode(String.self) {
        self.init(string: string)
      } else if let integer = try? container.decode(Int.self) {
        self.init(line: integer)
      } else if let flag = try? container.decode(Bool.self) {
        self.init(json: flag ? "true" : "false")
      } else if container.decodeNil() {
        self.init(json: "null")
      } else {
        self.init(json: String(try container.decode(Double.self)))
      }
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      if json == "null" {
        try container.encodeNil()
      } else if json.hasPrefix("\""), let string = JSONLine.unquoted(json) {
        try container.encode(string)
      } else if let integer = Int(json) {
        try container.encode(integer)
      } else if let number = Double(json) {
        try container.encode(number)
      } else if json == "true" || json == "false" {
        try container.encode(json == "true")
      } else {
        try container.encode(json)
      }
    }
  }

  /// A repeated block removed: where it was, what it repeats, and the text removed.
  public struct RepeatRemoval: Codable, Sendable, Hashable {
    /// Where the removed copy was in the original text, with the line break or
    /// spaces removed with it. A span of a later pass (``pass`` above 1) can enclose
    /// spans removed by an earlier one.
    public var span: [Int]
    /// Where the kept copy it repeats is in the original text.
    public var repeats: [Int]
    /// Its number of tokens.
    public var tokens: Int
    /// The Dice coefficient of its token bigrams and the kept copy's (1.0 for an
    /// exact repeat).
    public var similarity: Double
    /// Whether it is made of whole paragraphs.
    public var paragraphs: Bool
    /// The pass of the repeat finder that found it (1 for most).
    public var pass: Int
    /// The original text at ``span``.
    public var text: String
  }

  /// Changes by kind (`"quote": 3`), in the order of `TextEdit.Reason.all`.
  public struct ChangeCounts: Codable, Sendable, Hashable {
    /// Each kind's name and count, kinds without changes left out.
    public var counts: [Count]

    /// One kind of change and how many there were.
    public struct Count: Sendable, Hashable {
      /// The kind's name, as `TextEdit.Reason` names it.
      public var kind: String
      /// How many changes of the kind.
      public var count: Int
    }

    init(_ counts: EditCounts) { self.counts = counts.byName.map { Count(kind: $0.name, count: $0.count) } }

    private struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: Key.self)
      let order = TextEdit.Reason.all.map(\.name)
      counts = try container.allKeys.map {
        Count(kind: $0.stringValue, count: try container.decode(Int.self, forKey: $0))
      }
      .sorted { (order.firstIndex(of: $0.kind) ?? .max, $0.kind) < (order.firstIndex(of: $1.kind) ?? .max, $1.kind) }
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Key.self)
      for count in counts { try container.encode(count.count, forKey: Key(stringValue: count.kind)) }
    }
  }

  /// A misread span repaired.
  public struct MojibakeRepairSpan: Codable, Sendable, Hashable {
    /// Where it was in the original text.
    public var span: [Int]
    /// The text as it was.
    public var original: String
    /// What it became.
    public var replacement: String
    /// The encodings it was misread through, outermost first.
    public var encodings: [String]
    /// The repair's score (see the mojibake rules).
    public var score: Int
  }

  /// A boilerplate line removed.
  public struct BoilerplateRemoval: Codable, Sendable, Hashable {
    /// Where it was in the original text, with its line break.
    public var span: [Int]
    /// How many documents of the corpus hold the line.
    public var documents: Int
    /// The original text at ``span``.
    public var text: String
  }

  /// The encoding a text file was read in.
  public struct DetectedEncoding: Codable, Sendable, Hashable {
    /// Its name ("UTF-8", "windows-1252", ...).
    public var name: String
    /// 100 for a byte order mark or valid UTF-8, else ICU's detector's 0–100.
    public var confidence: Int
    /// Whether the file started with a byte order mark.
    public var byteOrderMark: Bool
    /// Present, and true, when the confidence was too low to be sure.
    public var doubtful: Bool?

    /// The encoding `name`, detected with `confidence`.
    public init(name: String, confidence: Int, byteOrderMark: Bool, doubtful: Bool? = nil) {
      self.name = name
      self.confidence = confidence
      self.byteOrderMark = byteOrderMark
      self.doubtful = doubtful
    }
  }

  /// A kept document similar to this one.
  public struct NearCandidate: Codable, Sendable, Hashable {
    /// The kept document's identifier.
    public var id: RecordID
    /// Their estimated Jaccard similarity (MinHash).
    public var similarity: Double
    /// The share of this document's tokens the kept one covers.
    public var coveredShare: Double
    /// The longest run of this document's tokens the kept one lacks.
    public var longestNewRun: Int
  }

  /// The kept document a dropped one repeats.
  public struct Duplicate: Codable, Sendable, Hashable {
    /// The kept document's identifier.
    public var id: RecordID
    /// `"exact"` or `"near"`.
    public var kind: String
    /// Their estimated Jaccard similarity (1.0 for an exact copy).
    public var similarity: Double
    /// The share of this document's tokens the kept one covers.
    public var coveredShare: Double
    /// The longest run of this document's tokens the kept one lacks.
    public var longestNewRun: Int
    /// The whole original text: all of it goes.
    public var span: [Int]
  }

  /// A paragraph removed because an earlier kept document holds it.
  public struct ParagraphRemoval: Codable, Sendable, Hashable {
    /// Where it was in the original text.
    public var span: [Int]
    /// The kept document that holds it.
    public var keptId: RecordID
    /// 1.0: paragraphs are removed only when their comparison forms are equal.
    public var similarity: Double
    /// The original text at ``span``.
    public var text: String
  }
}

extension DocumentExplanation {
  /// The explanation of `document`, cleaned from `input`, with the members asked for.
  init(
    _ document: CleanedDocument, input: [UInt8], members: ExplainMembers, id: RecordID = RecordID(json: "null"),
    name: String = ""
  ) {
    self.init(id: id, input: name)
    func original(_ range: Range<Int>) -> String { String(decoding: input[range], as: UTF8.self) }
    if members.contains(.removed) {
      removed = document.repeats.removed.map { span in
        let removed = document.inputRange(ofRepeatInput: span.utf8)
        let kept = document.inputRange(ofRepeatInput: span.repeats)
        return RepeatRemoval(
          span: [removed.lowerBound, removed.upperBound], repeats: [kept.lowerBound, kept.upperBound],
          tokens: span.tokenCount, similarity: span.similarity, paragraphs: span.isParagraphBlock, pass: span.pass,
          text: original(removed))
      }
    }
    if members.contains(.normalization) {
      normalization = ChangeCounts(document.counts)
      if let repairs = document.normalization?.repairs, !repairs.isEmpty {
        mojibake = repairs.map { fix in
          MojibakeRepairSpan(
            span: [fix.input.lowerBound, fix.input.upperBound], original: fix.original, replacement: fix.replacement,
            encodings: fix.encodings, score: fix.score)
        }
      }
    }
    if members.contains(.boilerplate) {
      boilerplate = document.boilerplate.map { line in
        let span = document.inputRange(ofNormalized: line.utf8)
        return BoilerplateRemoval(
          span: [span.lowerBound, span.upperBound], documents: line.documents, text: original(span))
      }
    }
  }

  /// The explanation as one line of JSON, with its line feed.
  package func encodedLine(into output: inout [UInt8]) {
    // Every member is a string, a finite number, a Boolean or an array of them:
    // encoding cannot fail.
    try! CompactJSONEncoder().encode(self, into: &output)
    output.append(0x0A)
  }
}

extension JSONLine {
  /// The string a JSON string literal (`"a\n"`) stands for; nil when `json` is not one.
  package static func unquoted(_ json: String) -> String? {
    let line = Array("{\"t\":".utf8) + Array(json.utf8) + [UInt8(ascii: "}")]
    guard let record = try? parse(line, path: FieldPath("t")!) else { return nil }
    return String(decoding: record.text, as: UTF8.self)
  }
}
