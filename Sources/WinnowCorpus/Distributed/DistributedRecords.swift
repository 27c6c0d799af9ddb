import Foundation
import Winnow

/// One document's fingerprint as `winnow fingerprint` writes it: one JSON line per
/// document, what an engine groups by (exact hash, LSH keys, paragraph keys) in the
/// open, and what `winnow decide` needs as the base64 of
/// `DocumentFingerprint.serialized()`.
///
/// ```json
/// {"o":0,"id":"\"a-17\"","x":"9f3c…","b":["51e0…",…],"p":[{"i":0,"k":"77aa…"}],"f":"AQEA…"}
/// ```
///
/// An engine adds ``inputNumber`` (`n`, the document's number in the whole corpus) and
/// ``component`` (`c`) before handing records to `winnow decide`; other members it
/// adds are ignored. About 2.7 KB per document of 300 tokens and 10 paragraphs with the default
/// options (base64 of 1,444 bytes, 24 keys, a key per paragraph).
public struct FingerprintRecord: Codable, Sendable, Hashable {
  /// The document's number among the documents of the input (or range) fingerprinted,
  /// from 0: blank, malformed and oversize lines are not documents.
  public var ordinal: Int
  /// The identifier as `--explain` writes it: the id member as written (`17`,
  /// `"a-17"`), else the line number.
  public var id: String
  /// The first exact hash, 16 hexadecimal digits; absent for a text without tokens.
  public var exact: String?
  /// The LSH key of each band, 16 hexadecimal digits each.
  public var lshKeys: [String]
  /// The paragraphs that may be removed as repeats of earlier documents.
  public var paragraphs: [Paragraph]
  /// `DocumentFingerprint.serialized()`, in base64.
  public var fingerprint: String
  /// The document's number in the whole corpus, set by the engine.
  public var inputNumber: Int?
  /// The connected component of the candidate graph, set by the engine: `winnow
  /// decide` starts afresh when it changes (it may, once enough documents are kept).
  public var component: Int?
  /// Whether the document is known to be kept (a document of a prior index, from
  /// `winnow index export`): `winnow decide` enters it without deciding.
  public var kept: Bool?

  /// A paragraph's index among the document's non-blank lines, and its key.
  public struct Paragraph: Codable, Sendable, Hashable {
    /// The index among the document's paragraphs (every non-blank line).
    public var index: Int
    /// The key, 16 hexadecimal digits: equal keys, equal paragraphs.
    public var key: String

    enum CodingKeys: String, CodingKey {
      case index = "i"
      case key = "k"
    }
  }

  enum CodingKeys: String, CodingKey {
    case ordinal = "o"
    case id
    case exact = "x"
    case lshKeys = "b"
    case paragraphs = "p"
    case fingerprint = "f"
    case inputNumber = "n"
    case component = "c"
    case kept
  }

  /// The record of `fingerprint`, the `ordinal`th document, identified by `id`.
  public init(_ fingerprint: DocumentFingerprint, ordinal: Int, id: String) {
    self.ordinal = ordinal
    self.id = id
    exact = fingerprint.exactHashes.map { Self.hexKey($0.0) }
    lshKeys = fingerprint.lshKeys.map(Self.hexKey)
    paragraphs = fingerprint.paragraphKeys.map { Paragraph(index: $0.paragraph, key: Self.hexKey($0.key)) }
    self.fingerprint = Data(fingerprint.serialized()).base64EncodedString()
  }

  /// A 64-bit key as 16 hexadecimal digits, as records write keys.
  public static func hexKey(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The record as one JSON line.
  package func encodedLine(into output: inout [UInt8]) {
    // Strings and integers only: encoding cannot fail.
    try! CompactJSONEncoder().encode(self, into: &output)
    output.append(0x0A)
  }
}

/// What deduplication decided for one document, as `winnow decide` writes it and
/// `winnow apply --decisions` reads it: one JSON line per document that is dropped,
/// loses paragraphs or has a near candidate (a document without a line is kept whole).
///
/// ```json
/// {"n":41,"dup":{"id":"\"a-3\"","n":3,"kind":"near","similarity":0.875,"covered":0.99,"run":2}}
/// {"n":57,"o":12,"p":[{"i":4,"id":"\"a-9\"","n":9}]}
/// ```
public struct DecisionRecord: Codable, Sendable, Hashable {
  /// The document's number in the whole corpus.
  public var inputNumber: Int
  /// The document's ``FingerprintRecord/ordinal`` in its input (or range): what
  /// `winnow apply` matches decisions by. Set by the engine.
  public var ordinal: Int?
  /// The kept document it duplicates, when it is dropped.
  public var duplicate: Match?
  /// The most similar kept document checked as its original and found to lack a run
  /// of its text.
  public var nearCandidate: Match?
  /// Paragraphs removed because a kept document of a smaller number holds them.
  public var removedParagraphs: [RemovedParagraph]?

  enum CodingKeys: String, CodingKey {
    case inputNumber = "n"
    case ordinal = "o"
    case duplicate = "dup"
    case nearCandidate = "near"
    case removedParagraphs = "p"
  }

  /// A kept document a decision names: a dropped document's original
  /// (``DecisionRecord/duplicate``, with its ``kind``) or the most similar kept
  /// document checked and found to lack a run of the document's text
  /// (``DecisionRecord/nearCandidate``, without a kind).
  public struct Match: Codable, Sendable, Hashable {
    /// The kept document's id, as written.
    public var id: String
    /// Its input number.
    public var inputNumber: Int
    /// `exact` or `near` for a duplicate; nil for a near candidate.
    public var kind: String?
    /// The estimated Jaccard similarity (1 for exact copies).
    public var similarity: Double
    /// The share of the document's tokens the kept one covers.
    public var coveredShare: Double
    /// The longest run of the document's tokens the kept one lacks.
    public var longestNewRun: Int

    enum CodingKeys: String, CodingKey {
      case id
      case inputNumber = "n"
      case kind, similarity
      case coveredShare = "covered"
      case longestNewRun = "run"
    }
  }

  /// A paragraph removed from a kept document.
  public struct RemovedParagraph: Codable, Sendable, Hashable {
    /// Its index among the document's paragraphs (``FingerprintRecord/Paragraph/index``).
    public var index: Int
    /// The id of the kept document that holds it first.
    public var id: String
    /// That document's input number.
    public var inputNumber: Int

    /// A removed paragraph; the members are documented on each property.
    public init(index: Int, id: String, inputNumber: Int) {
      self.index = index
      self.id = id
      self.inputNumber = inputNumber
    }

    enum CodingKeys: String, CodingKey {
      case index = "i"
      case id
      case inputNumber = "n"
    }
  }

  /// A record that says nothing of document `inputNumber`: kept whole.
  public init(inputNumber: Int) {
    self.inputNumber = inputNumber
  }

  /// The record of `decision` for document `inputNumber` (its duplicate and near
  /// candidate; removed paragraphs are found by the engine, by key).
  public init(_ decision: DeduplicationDecision, inputNumber: Int) {
    self.inputNumber = inputNumber
    duplicate = decision.duplicate.map {
      Match(
        id: $0.keptID, inputNumber: $0.keptInputNumber, kind: $0.kind.rawValue, similarity: $0.similarity,
        coveredShare: $0.coveredShare, longestNewRun: $0.longestNewRun)
    }
    nearCandidate = decision.nearestCandidate.map {
      Match(
        id: $0.keptID, inputNumber: $0.keptInputNumber, kind: nil, similarity: $0.similarity,
        coveredShare: $0.coveredShare, longestNewRun: $0.longestNewRun)
    }
  }

  /// Whether the record says anything: a document without one is kept whole.
  public var isEmpty: Bool { duplicate == nil && nearCandidate == nil && (removedParagraphs ?? []).isEmpty }

  /// The decision for the document whose fingerprint is `fingerprint`.
  public func decision(for fingerprint: DocumentFingerprint) -> DeduplicationDecision {
    DeduplicationDecision(
      duplicate: duplicate.map {
        .init(
          keptID: $0.id, keptInputNumber: $0.inputNumber, kind: $0.kind == "exact" ? .exact : .near,
          similarity: $0.similarity, coveredShare: $0.coveredShare, longestNewRun: $0.longestNewRun)
      },
      nearestCandidate: nearCandidate.map {
        .init(
          keptID: $0.id, keptInputNumber: $0.inputNumber, similarity: $0.similarity, coveredShare: $0.coveredShare,
          longestNewRun: $0.longestNewRun)
      },
      removedParagraphs: (removedParagraphs ?? []).sorted { $0.index < $1.index }.map {
        (paragraph: $0.index, keptID: $0.id, keptInputNumber: $0.inputNumber)
      }, in: fingerprint)
  }

  /// The record as one JSON line.
  package func encodedLine(into output: inout [UInt8]) {
    // Strings, integers and finite numbers only: encoding cannot fail.
    try! CompactJSONEncoder().encode(self, into: &output)
    output.append(0x0A)
  }
}
