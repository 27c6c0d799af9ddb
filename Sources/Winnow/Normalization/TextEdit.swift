/// One change made by a ``TextNormalizer``: the input bytes in ``input`` became the
/// output bytes in ``output``, for the reasons in ``reasons``.
///
/// Offsets are UTF-8 byte offsets. Edits are sorted, do not overlap, and everything
/// between two edits was copied unchanged, so applying the edits to the input
/// reproduces the output exactly (see ``NormalizedText/applyingEdits(to:)``).
/// Adjacent changes are usually merged into one edit that carries all their reasons
/// (two edits can still touch, for example around a normalized segment).
public struct TextEdit: Sendable, Hashable {
  /// Why a span changed.
  public struct Reason: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// CRLF, CR, U+2028, U+2029, U+0085, VT or FF became LF, or blank lines were
    /// collapsed or trimmed.
    public static let lineBreak = Reason(rawValue: 1 << 0)
    /// A White_Space character became a space, a run of spaces collapsed, or spaces
    /// were trimmed from a line.
    public static let whitespace = Reason(rawValue: 1 << 1)
    /// A quotation mark became ASCII.
    public static let quote = Reason(rawValue: 1 << 2)
    /// A dash became `-`.
    public static let dash = Reason(rawValue: 1 << 3)
    /// An ellipsis became `...`.
    public static let ellipsis = Reason(rawValue: 1 << 4)
    /// A control character was removed.
    public static let control = Reason(rawValue: 1 << 5)
    /// An invisible format character was removed.
    public static let invisible = Reason(rawValue: 1 << 6)
    /// A C1 control became the Windows-1252 character it stood for.
    public static let c1Mapping = Reason(rawValue: 1 << 7)
    /// Unicode normalization (NFC or NFKC) changed the span.
    public static let unicodeNormalization = Reason(rawValue: 1 << 8)
    /// Invalid UTF-8 became U+FFFD.
    public static let invalidUTF8 = Reason(rawValue: 1 << 9)
    /// Case folding changed the span.
    public static let caseFolding = Reason(rawValue: 1 << 10)
    /// Punctuation or a symbol was removed.
    public static let punctuation = Reason(rawValue: 1 << 11)
    /// Mojibake was repaired (see ``MojibakeRepair``).
    public static let mojibake = Reason(rawValue: 1 << 12)
    /// A later copy of a block repeated inside the document was removed (see
    /// ``RepeatFinder``).
    public static let `repeat` = Reason(rawValue: 1 << 13)
    /// A boilerplate line was removed (see ``BoilerplateSet``).
    public static let boilerplate = Reason(rawValue: 1 << 14)
    /// A paragraph that an earlier kept document holds was removed (see
    /// ``CorpusDeduplicator``).
    public static let duplicateParagraph = Reason(rawValue: 1 << 15)

    /// Every reason, in bit order, with its name.
    public static let all: [(reason: Reason, name: String)] = [
      (.lineBreak, "lineBreak"), (.whitespace, "whitespace"), (.quote, "quote"),
      (.dash, "dash"), (.ellipsis, "ellipsis"), (.control, "control"),
      (.invisible, "invisible"), (.c1Mapping, "c1Mapping"),
      (.unicodeNormalization, "unicodeNormalization"), (.invalidUTF8, "invalidUTF8"),
      (.caseFolding, "caseFolding"), (.punctuation, "punctuation"), (.mojibake, "mojibake"),
      (.repeat, "repeat"), (.boilerplate, "boilerplate"), (.duplicateParagraph, "duplicateParagraph"),
    ]

    /// The names of the reasons in this set, joined by `+`.
    public var description: String {
      Reason.all.filter { contains($0.reason) }.map(\.name).joined(separator: "+")
    }
  }

  /// The replaced bytes of the input.
  public var input: Range<Int>
  /// The bytes of the output that replaced them.
  public var output: Range<Int>
  /// Why the span changed.
  public var reasons: Reason

  /// Creates an edit.
  public init(input: Range<Int>, output: Range<Int>, reasons: Reason) {
    self.input = input
    self.output = output
    self.reasons = reasons
  }
}

extension TextEdit {
  /// The input offset that an output offset comes from, through sorted edits. Outside
  /// edits the answer is exact; an offset inside an edit's output maps to the start of
  /// the edit's input (or with `roundingUp`, to its end), and the end of an edit's
  /// output to the end of its input.
  static func inputOffset(forOutputOffset offset: Int, in edits: [TextEdit], roundingUp: Bool) -> Int {
    // The last edit whose output starts at or before `offset`.
    var low = 0
    var high = edits.count
    while low < high {
      let middle = (low + high) / 2
      if edits[middle].output.lowerBound <= offset { low = middle + 1 } else { high = middle }
    }
    guard low > 0 else { return offset }
    let edit = edits[low - 1]
    if offset >= edit.output.upperBound {
      return edit.input.upperBound + (offset - edit.output.upperBound)
    }
    return roundingUp && offset > edit.output.lowerBound ? edit.input.upperBound : edit.input.lowerBound
  }

  /// The edits of two passes in a row as one list: `first` took the input to an
  /// intermediate text, `second` took that to the output. Edits that overlap or touch
  /// in the intermediate text merge into one, with the reasons of both.
  static func composing(_ first: [TextEdit], _ second: [TextEdit]) -> [TextEdit] {
    if first.isEmpty { return second }
    if second.isEmpty { return first }
    var result: [TextEdit] = []
    result.reserveCapacity(first.count + second.count)
    var i = 0
    var j = 0
    // Intermediate minus input before the next first-pass edit, and output minus
    // intermediate before the next second-pass edit.
    var firstShift = 0
    var secondShift = 0
    while i < first.count || j < second.count {
      let start = min(
        i < first.count ? first[i].output.lowerBound : Int.max, j < second.count ? second[j].input.lowerBound : Int.max)
      let inputStart = start - firstShift
      let outputStart = start + secondShift
      var groupEnd = start
      var reasons: Reason = []
      while true {
        if i < first.count && first[i].output.lowerBound <= groupEnd {
          groupEnd = max(groupEnd, first[i].output.upperBound)
          firstShift += first[i].output.count - first[i].input.count
          reasons.formUnion(first[i].reasons)
          i += 1
        } else if j < second.count && second[j].input.lowerBound <= groupEnd {
          groupEnd = max(groupEnd, second[j].input.upperBound)
          secondShift += second[j].output.count - second[j].input.count
          reasons.formUnion(second[j].reasons)
          j += 1
        } else {
          break
        }
      }
      result.append(
        TextEdit(
          input: inputStart..<(groupEnd - firstShift), output: outputStart..<(groupEnd + secondShift), reasons: reasons)
      )
    }
    return result
  }
}

/// How many changes of each kind a normalization made, counted per character or run
/// before adjacent changes are merged into edits.
public struct EditCounts: Sendable, Hashable {
  private var storage: [Int] = Array(repeating: 0, count: TextEdit.Reason.all.count)

  /// Creates empty counts.
  public init() {}

  /// The number of changes made for `reason` (a single reason).
  public package(set) subscript(reason: TextEdit.Reason) -> Int {
    get { storage[reason.rawValue.trailingZeroBitCount] }
    set { storage[reason.rawValue.trailingZeroBitCount] = newValue }
  }

  /// Counts one change for each reason in `reasons`.
  package mutating func add(_ reasons: TextEdit.Reason) {
    var bits = reasons.rawValue
    while bits != 0 {
      storage[bits.trailingZeroBitCount] += 1
      bits &= bits - 1
    }
  }

  /// The total number of changes.
  public var total: Int { storage.reduce(0, +) }

  /// The non-zero counts, by reason name.
  public var byName: [(name: String, count: Int)] {
    TextEdit.Reason.all.enumerated().compactMap { index, entry in
      storage[index] == 0 ? nil : (entry.name, storage[index])
    }
  }

  /// Adds another set of counts to this one.
  public static func += (lhs: inout EditCounts, rhs: EditCounts) {
    for index in lhs.storage.indices { lhs.storage[index] += rhs.storage[index] }
  }
}
