/// The result of ``TextNormalizer/normalize(_:recordingEdits:)``: the normalized
/// bytes, counts of changes by kind, and the edits when they were recorded.
public struct NormalizedText: Sendable, Hashable {
  /// The normalized text as UTF-8. Always valid UTF-8.
  public let utf8: [UInt8]
  /// The edits, sorted and non-overlapping, or `nil` when they were not recorded.
  public let edits: [TextEdit]?
  /// How many changes of each kind were made.
  public let counts: EditCounts
  /// Whether the output equals the input byte for byte.
  public let isUnchanged: Bool
  /// The number of input bytes.
  public let inputCount: Int
  /// The mojibake repairs, with their spans in the input, when
  /// ``NormalizationOptions/repairsMojibake`` is set. Their `output` ranges are in the
  /// repaired text before the rest of normalization; use ``edits`` for output spans.
  public let repairs: [MojibakeRepair.Fix]

  /// Creates a result; normalizers do this.
  init(
    utf8: [UInt8], edits: [TextEdit]?, counts: EditCounts, isUnchanged: Bool, inputCount: Int,
    repairs: [MojibakeRepair.Fix] = []
  ) {
    self.utf8 = utf8
    self.edits = edits
    self.counts = counts
    self.isUnchanged = isUnchanged
    self.inputCount = inputCount
    self.repairs = repairs
  }

  /// This result without its text (``utf8`` empty): what a cleaned document keeps
  /// when it is not explained.
  func droppingText() -> NormalizedText {
    NormalizedText(
      utf8: [], edits: edits, counts: counts, isUnchanged: isUnchanged, inputCount: inputCount, repairs: repairs)
  }

  /// The normalized text.
  public var text: String { String(decoding: utf8, as: UTF8.self) }

  /// The number of ill-formed UTF-8 sequences replaced by U+FFFD.
  public var replacedInvalidSequences: Int { counts[.invalidUTF8] }

  /// Applies the recorded edits to `input`, which reproduces ``utf8`` exactly.
  ///
  /// - Precondition: edits were recorded, and `input` is the normalized input.
  public func applyingEdits(to input: some Collection<UInt8>) -> [UInt8] {
    guard let edits else { preconditionFailure("edits were not recorded") }
    let input = Array(input)
    var result: [UInt8] = []
    result.reserveCapacity(utf8.count)
    var position = 0
    for edit in edits {
      result.append(contentsOf: input[position..<edit.input.lowerBound])
      result.append(contentsOf: utf8[edit.output])
      position = edit.input.upperBound
    }
    result.append(contentsOf: input[position...])
    return result
  }

  /// The input offset that an output offset comes from.
  ///
  /// Outside edits the answer is exact; an offset inside an edit's output maps to the
  /// start of the edit's input, and the end of an edit's output to the end of its
  /// input. For example, with the input `"a\u{00A0}\u{00A0}b"` normalized to `"a b\n"`,
  /// output offset 2 (the `b`) maps to input offset 5.
  ///
  /// - Precondition: edits were recorded.
  /// - Complexity: O(log *e*) in the number of edits.
  public func inputOffset(forOutputOffset offset: Int) -> Int {
    guard let edits else { preconditionFailure("edits were not recorded") }
    return TextEdit.inputOffset(forOutputOffset: offset, in: edits, roundingUp: false)
  }
}
