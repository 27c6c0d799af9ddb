/// The whole cleaning of one document, each step once and in this order:
///
/// 1. decode: invalid UTF-8 becomes U+FFFD;
/// 2. repair mojibake and normalize (``TextNormalizer``), unless normalization is off;
/// 3. remove the corpus's boilerplate lines (``BoilerplateSet``), if any;
/// 4. remove blocks repeated inside the document (``RepeatFinder``), unless off;
/// 5. fingerprint the result for deduplication across documents
///    (``CorpusDeduplicator/fingerprint(utf8:)``), unless off; the repeat finder's
///    tokens are reused.
///
/// The boilerplate lines of a corpus are counted with ``boilerplateKeys(of:kind:)`` on
/// the text as step 3 sees it, so that a line counted is a line removed.
///
/// ```swift
/// let cleaner = DocumentCleaner()
/// let cleaned = cleaner.clean(Array(page.utf8))
/// print(cleaned.text, cleaned.repeats.removed.count)
/// ```
///
/// A cleaner is a value: share it between threads.
public struct DocumentCleaner: Sendable {
  /// How a document's final line break is treated.
  public enum DocumentKind: Sendable, Hashable {
    /// A text file: normalization ends it with a line feed as
    /// ``NormalizationOptions/finalLineFeed`` says.
    case file
    /// A record of a corpus (a JSON Lines member, a WARC record): its text keeps
    /// whether it ended with a line feed.
    case record
  }

  /// The normalization applied in step 2, or `nil` for none (invalid UTF-8 is still
  /// replaced).
  public let normalization: NormalizationOptions?
  /// The repeat finder's options for step 4, or `nil` to keep repeats.
  public let repeats: RepeatFinder.Options?
  /// The deduplication options whose fingerprint step 5 computes, or `nil` for none.
  public let deduplication: CorpusDeduplicator.Options?
  /// The boilerplate lines removed in step 3, or `nil` for none.
  public let boilerplate: BoilerplateSet?

  private let fileNormalizer: TextNormalizer?
  private let recordNormalizer: TextNormalizer?
  private let finder: RepeatFinder?
  private let fingerprinter: CorpusDeduplicator?

  /// Creates a cleaner; `nil` switches a step off.
  public init(
    normalization: NormalizationOptions? = .default, repeats: RepeatFinder.Options? = RepeatFinder.Options(),
    deduplication: CorpusDeduplicator.Options? = CorpusDeduplicator.Options(), boilerplate: BoilerplateSet? = nil
  ) {
    self.normalization = normalization
    self.repeats = repeats
    self.deduplication = deduplication
    self.boilerplate = boilerplate
    fileNormalizer = normalization.map { TextNormalizer($0) }
    recordNormalizer = normalization.map { options in
      var record = options
      record.finalLineFeed = .kept
      return TextNormalizer(record)
    }
    finder = repeats.map { RepeatFinder($0) }
    fingerprinter = deduplication.map { CorpusDeduplicator($0) }
  }

  /// The same cleaner with other boilerplate lines for step 3.
  public func with(boilerplate: BoilerplateSet?) -> DocumentCleaner {
    DocumentCleaner(
      normalization: normalization, repeats: repeats, deduplication: deduplication, boilerplate: boilerplate)
  }

  /// Cleans one document.
  ///
  /// - Parameters:
  ///   - bytes: The document, UTF-8 (invalid sequences become U+FFFD).
  ///   - kind: Whether it is a file or a record of a corpus.
  ///   - explaining: Whether to record what is needed to map spans of the cleaned
  ///     text back to `bytes` (``CleanedDocument/inputRange(ofOutput:)`` and the
  ///     like). Without it those mappings are not available.
  /// - Complexity: O(*n*) in the length of `bytes`.
  public func clean(_ bytes: [UInt8], kind: DocumentKind = .file, explaining: Bool = false) -> CleanedDocument {
    var document = CleanedDocument(inputCount: bytes.count, mapsOffsets: explaining)
    var text: [UInt8]
    if let normalizer = kind == .file ? fileNormalizer : recordNormalizer {
      let normalized = normalizer.normalize(utf8: bytes, recordingEdits: explaining)
      document.counts = normalized.counts
      text = normalized.utf8
      // Without explaining, the document does not hold a second copy of the text.
      document.normalization = explaining ? normalized : normalized.droppingText()
    } else {
      (text, document.counts[.invalidUTF8], document.decodingEdits) = Self.repairingUTF8(
        bytes, recordingEdits: explaining)
    }
    if let boilerplate { (text, document.boilerplate) = boilerplate.removing(from: text) }
    if explaining { document.repeatInput = text }
    switch (finder, fingerprinter) {
    case (let finder?, let fingerprinter?):
      (document.repeats, document.fingerprint) = fingerprinter.removingRepeats(utf8: consume text, with: finder)
    case (let finder?, nil): document.repeats = finder.removingRepeats(utf8: consume text)
    case (nil, let fingerprinter?):
      document.repeats = RepeatRemoval(utf8: text, removed: [])
      document.fingerprint = fingerprinter.fingerprint(utf8: text)
    case (nil, nil): document.repeats = RepeatRemoval(utf8: text, removed: [])
    }
    return document
  }

  /// The normalizer of text files when normalizing is all this cleaner does to them
  /// (no boilerplate, repeats or fingerprints): a large file may then be normalized
  /// as it is read (``NormalizationStream``).
  package var onlyNormalizer: TextNormalizer? {
    boilerplate == nil && finder == nil && fingerprinter == nil ? fileNormalizer : nil
  }

  /// The sorted, distinct line keys of `bytes` after steps 1 and 2, the text in which
  /// step 3 looks for boilerplate: what ``BoilerplateCounter/add(_:)`` takes.
  ///
  /// - Complexity: O(*n*) in the length of `bytes`.
  public func boilerplateKeys(of bytes: [UInt8], kind: DocumentKind = .file) -> [UInt64] {
    let text: [UInt8]
    if let normalizer = kind == .file ? fileNormalizer : recordNormalizer {
      text = normalizer.normalize(utf8: bytes).utf8
    } else {
      text = Self.repairingUTF8(bytes, recordingEdits: false).utf8
    }
    return text.withUnsafeBufferPointer { BoilerplateCounter.lineKeys(utf8Buffer: $0) }
  }

  /// `bytes` with each ill-formed UTF-8 sequence (its maximal subpart, as the
  /// normalizer and Swift's decoder count them) replaced by U+FFFD, the number of
  /// replacements, and with `recordingEdits` an edit for each.
  static func repairingUTF8(_ bytes: [UInt8], recordingEdits: Bool) -> (
    utf8: [UInt8], replaced: Int, edits: [TextEdit]
  ) {
    // Valid text, the common case, is checked by the standard library's validator.
    if String(validating: bytes, as: UTF8.self) != nil { return (bytes, 0, []) }
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count + 16)
    var edits: [TextEdit] = []
    var replaced = 0
    bytes.withUnsafeBufferPointer { buffer in
      var index = 0
      while index < buffer.count {
        let length = UTF8Decoding.decode(buffer.baseAddress!, index, buffer.count).1
        if length > 0 {
          output.append(contentsOf: buffer[index..<index + length])
          index += length
          continue
        }
        if recordingEdits {
          edits.append(
            TextEdit(input: index..<index - length, output: output.count..<output.count + 3, reasons: .invalidUTF8))
        }
        output.append(contentsOf: [0xEF, 0xBF, 0xBD])
        replaced += 1
        index -= length
      }
    }
    return (output, replaced, edits)
  }
}

/// One document cleaned by ``DocumentCleaner``: the text, what each step did, the
/// fingerprint for deduplication, and the offsets of the cleaned text back in the
/// input.
public struct CleanedDocument: Sendable {
  /// The number of input bytes.
  public let inputCount: Int
  /// Whether the spans of each step map back to the input (the document was cleaned
  /// with `explaining`).
  public let mapsOffsets: Bool
  /// Changes by kind in steps 1 and 2.
  public internal(set) var counts = EditCounts()
  /// The result of step 2, or `nil` when normalization was off. Its text
  /// (``NormalizedText/utf8``) and edits are kept when explaining; without explaining
  /// its `utf8` is empty, so that a large document is not held twice (its counts and
  /// mojibake repairs stay).
  public internal(set) var normalization: NormalizedText?
  /// Without normalization, when explaining: the replacements of step 1.
  var decodingEdits: [TextEdit] = []

  /// The edits of steps 1 and 2, from the input to the text after step 2 (recorded
  /// when explaining).
  private var decodingAndNormalizationEdits: [TextEdit] { normalization?.edits ?? decodingEdits }
  /// The boilerplate lines removed in step 3, with offsets into the text after step 2.
  public internal(set) var boilerplate: [BoilerplateSet.RemovedLine] = []
  /// Step 4: the text after it (the cleaned text) and the repeats removed, with
  /// offsets into ``repeatInput``.
  public internal(set) var repeats = RepeatRemoval(utf8: [], removed: [])
  /// The text step 4 searched (after boilerplate removal), when explaining.
  public internal(set) var repeatInput: [UInt8]?
  /// The fingerprint of the cleaned text, or `nil` when deduplication was off.
  public internal(set) var fingerprint: DocumentFingerprint?

  init(inputCount: Int, mapsOffsets: Bool) {
    self.inputCount = inputCount
    self.mapsOffsets = mapsOffsets
  }

  /// Every change from the input to the cleaned text, as one list of edits: the
  /// normalizer's, then each removed boilerplate line (``TextEdit/Reason/boilerplate``)
  /// and each removed repeat (``TextEdit/Reason/repeat``), composed so that their
  /// ``TextEdit/input`` ranges are offsets into the input. Sorted, not overlapping;
  /// the input between them is copied unchanged, so applying them to the input gives
  /// ``utf8``. Edits of different steps that touch merge into one with the reasons of
  /// both.
  ///
  /// - Precondition: the document was cleaned with `explaining`.
  /// - Complexity: O(*e* log *e*) in the number of edits.
  public var edits: [TextEdit] {
    precondition(mapsOffsets, "the document was cleaned without explaining")
    var edits = decodingAndNormalizationEdits
    edits = TextEdit.composing(edits, Self.removals(boilerplate.map(\.utf8), reasons: .boilerplate))
    return TextEdit.composing(edits, Self.removals(repeats.removed.map(\.utf8), reasons: .repeat))
  }

  /// ``edits`` followed by the removal of the paragraphs that deduplication across
  /// documents removed from the cleaned text (``TextEdit/Reason/duplicateParagraph``):
  /// every change from the input to what is written for a kept document.
  ///
  /// - Parameter decision: What ``CorpusDeduplicator/decide(_:id:)`` said of this
  ///   document's ``fingerprint``; applying the result to the input gives
  ///   `decision.applied(to: utf8)`.
  /// - Precondition: the document was cleaned with `explaining`.
  /// - Complexity: O(*e* log *e*) in the number of edits.
  public func edits(after decision: DeduplicationDecision) -> [TextEdit] {
    TextEdit.composing(
      edits, Self.removals(decision.removedParagraphs.map(\.utf8), reasons: .duplicateParagraph))
  }

  /// Removals of `ranges` (which may overlap or nest) as sorted, disjoint edits.
  static func removals(_ ranges: [Range<Int>], reasons: TextEdit.Reason) -> [TextEdit] {
    var merged: [Range<Int>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !range.isEmpty {
      if let last = merged.last, range.lowerBound <= last.upperBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    var removed = 0
    return merged.map { range in
      defer { removed += range.count }
      let at = range.lowerBound - removed
      return TextEdit(input: range, output: at..<at, reasons: reasons)
    }
  }

  /// The cleaned text, UTF-8.
  public var utf8: [UInt8] { repeats.utf8 }

  /// The cleaned text.
  public var text: String { repeats.text }

  /// The range of the input that `range`, a range of the text after step 2, comes from.
  ///
  /// - Precondition: the document was cleaned with `explaining`.
  public func inputRange(ofNormalized range: Range<Int>) -> Range<Int> {
    precondition(mapsOffsets, "the document was cleaned without explaining")
    let edits = decodingAndNormalizationEdits
    func input(_ offset: Int) -> Int { TextEdit.inputOffset(forOutputOffset: offset, in: edits, roundingUp: false) }
    return input(range.lowerBound)..<input(range.upperBound)
  }

  /// The range of the input that `range`, a range of ``repeatInput``, comes from.
  ///
  /// - Precondition: the document was cleaned with `explaining`.
  public func inputRange(ofRepeatInput range: Range<Int>) -> Range<Int> {
    // A range starts after a line cut out where it starts, and ends before one cut
    // out where it ends (the line went as boilerplate, not with the range).
    func beforeBoilerplate(_ offset: Int, crossingCutAtOffset: Bool) -> Int {
      var before = offset
      for line in boilerplate {
        guard line.utf8.lowerBound < before || (crossingCutAtOffset && line.utf8.lowerBound == before) else { break }
        before += line.utf8.count
      }
      return before
    }
    let lower = beforeBoilerplate(range.lowerBound, crossingCutAtOffset: true)
    let upper = range.isEmpty ? lower : beforeBoilerplate(range.upperBound, crossingCutAtOffset: false)
    return inputRange(ofNormalized: lower..<upper)
  }

  /// The range of the input that `range`, a range of the cleaned text, comes from
  /// (what was removed inside it included).
  ///
  /// - Precondition: the document was cleaned with `explaining`.
  public func inputRange(ofOutput range: Range<Int>) -> Range<Int> {
    inputRange(ofRepeatInput: repeats.inputRange(of: range))
  }
}
