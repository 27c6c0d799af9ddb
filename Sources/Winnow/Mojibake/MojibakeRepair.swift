/// Repairs mojibake: UTF-8 text that was decoded through a single-byte legacy encoding
/// ("donâ€™t", "CafÃ©", "РџСЂРёРІРµС‚"), once or twice over, in all of a text or in
/// parts of it.
///
/// ```swift
/// let repair = MojibakeRepair()
/// repair.repaired("CafÃ© â€œnoirâ€\u{9D}")   // "Café “noir”"
/// let result = repair.repair("donâ€™t")
/// result.fixes[0]   // input 3..<11, "â€™" -> "’", encodings ["windows-1252"], score 5
/// ```
///
/// ``TextNormalizer`` runs this repair first when
/// ``NormalizationOptions/repairsMojibake`` is set (the default profile).
///
/// A line is repaired when all of its non-ASCII text reads as UTF-8 through one
/// legacy encoding (or twice over) and the repair makes it less strange; on a line
/// that also holds correct non-ASCII text, each word is judged that way, with a
/// higher score needed. The segments, the damaged forms that are accepted and the
/// score are in <doc:MojibakeRepairRules>.
public struct MojibakeRepair: Sendable {
  /// One repaired chain.
  public struct Fix: Sendable, Hashable {
    /// The UTF-8 byte range of the chain in the input.
    public var input: Range<Int>
    /// The UTF-8 byte range of its repair in the output.
    public var output: Range<Int>
    /// The chain as it was.
    public var original: String
    /// What replaced it.
    public var replacement: String
    /// The legacy encodings the text had been decoded through, in the order it went
    /// through them ("windows-1252"; "windows-1251", "windows-1252" for text read as
    /// windows-1251 and then that read as windows-1252). windows-1252 is reported as
    /// ISO-8859-1 when the chain holds C1 controls and no character that only
    /// windows-1252 has.
    public var encodings: [String]
    /// How much stranger the segment (line or word) that holds the chain was than its
    /// repair (see <doc:MojibakeRepairRules>); every chain of one segment has its
    /// segment's score.
    public var score: Int

    /// Creates a fix.
    public init(
      input: Range<Int>, output: Range<Int>, original: String, replacement: String, encodings: [String],
      score: Int
    ) {
      self.input = input
      self.output = output
      self.original = original
      self.replacement = replacement
      self.encodings = encodings
      self.score = score
    }
  }

  /// A repaired text and its fixes.
  public struct Result: Sendable, Hashable {
    /// The repaired text as UTF-8.
    public var utf8: [UInt8]
    /// The fixes, sorted by position.
    public var fixes: [Fix]
    /// The repaired text.
    public var text: String { String(decoding: utf8, as: UTF8.self) }
  }

  /// The least score a line needs to be repaired whole; higher is more cautious. A line
  /// whose only broken sequence is one two-byte character needs `minimumScore + 1`, a
  /// word on a line that also holds correct non-ASCII text `minimumScore + 2`.
  /// Default 1.
  public var minimumScore: Int

  /// Creates a repair with the given caution.
  public init(minimumScore: Int = 1) {
    self.minimumScore = minimumScore
  }

  /// Returns `text` repaired.
  ///
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func repaired(_ text: String) -> String {
    var text = text
    return text.withUTF8 { repair(utf8Buffer: $0).map { String(decoding: $0.utf8, as: UTF8.self) } } ?? text
  }

  /// Repairs `text` and reports every fix.
  ///
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func repair(_ text: String) -> Result {
    var text = text
    return text.withUTF8 { repair(utf8Buffer: $0) ?? Result(utf8: Array($0), fixes: []) }
  }

  /// Repairs bytes that should be UTF-8 (ill-formed sequences are left for the
  /// normalizer); returns `nil` when there is nothing to repair.
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  public func repair(utf8 bytes: some Collection<UInt8>) -> Result? {
    if let result = bytes.withContiguousStorageIfAvailable({ repair(utf8Buffer: $0) }) { return result }
    return Array(bytes).withUnsafeBufferPointer { repair(utf8Buffer: $0) }
  }

  /// ``repair(utf8:)`` on contiguous bytes.
  package func repair(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> Result? {
    var support: [Int]? = nil
    return repair(utf8Buffer: bytes, support: &support)
  }

  /// ``repair(utf8:)`` on one piece of a text cut at line ends, where `support` (nil
  /// for a text of its own) carries what the pieces before it were repaired through:
  /// the order in which a line tries the encodings depends on it, and nothing else
  /// crosses a line end. Pieces repaired in order with one `support` give the repair
  /// of the whole text.
  package func repair(utf8Buffer bytes: UnsafeBufferPointer<UInt8>, support: inout [Int]?) -> Result? {
    guard let base = bytes.baseAddress, bytes.count >= 4 else { return nil }
    var scanner = MojibakeScanner(input: base, end: bytes.count, minimumScore: minimumScore, support: support)
    let result = scanner.run()
    if support != nil { support = scanner.support }
    return result
  }
}
