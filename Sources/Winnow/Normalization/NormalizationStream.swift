import CWinnowKernels

/// One text normalized as it arrives, piece by piece, in bounded memory, with the
/// output of one ``TextNormalizer/normalize(utf8:recordingEdits:)`` over the whole
/// text.
///
/// The text is cut at line feeds where nothing of the normalization crosses: after a
/// line that ends with a printable ASCII character the normalizer copies as it is, and
/// before a line that starts with an ASCII letter or digit. There the line feed is a
/// gap of its own (no blank lines, no spaces around it), no Unicode normalization
/// segment spans it, and the mojibake repair, which decides line by line, carries only
/// the order in which it tries encodings (kept from piece to piece, one per round of
/// repair). A text with no such line feed (one long line) stays in one piece.
///
/// The one exception is U+0085, read as an ellipsis or a line break from evidence in
/// the whole text: the caller sends a text that holds it (the bytes C2 85) whole
/// instead (``accepts(_:)`` tells).
package struct NormalizationStream {
  package let normalizer: TextNormalizer
  /// The least number of bytes normalized at once (except at the end).
  package let pieceBytes: Int
  /// Bytes after the last cut.
  private var pending: [UInt8] = []
  /// `pending[..<searched]` has been searched for cuts; `cut` is the last found (0 for none).
  private var searched = 0
  private var cut = 0
  /// What crosses from the pieces before to the next.
  private var state = State.start
  /// The changes made so far, by kind.
  package private(set) var counts = EditCounts()
  /// Whether the output so far equals the input so far.
  package private(set) var isUnchanged = true

  /// A stream through `normalizer`, normalizing `pieceBytes` or more at once.
  package init(_ normalizer: TextNormalizer, pieceBytes: Int = 1 << 20) {
    self.normalizer = normalizer
    self.pieceBytes = max(4, pieceBytes)
  }

  /// What crosses from one piece of a text to the next: the mojibake repair's state,
  /// one per round of repair (the order in which it tries encodings comes from it).
  package struct State: Equatable, Sendable {
    fileprivate var supports: [[Int]]?

    /// The state before the first piece.
    package static let start = State(
      supports: Array(repeating: MojibakeScanner.zeros, count: TextNormalizer.rounds))

    /// Whether a piece normalized from `self` into `after` is normalized the same from
    /// `other`: the same state, or one that tries encodings in the same order when the
    /// piece repaired nothing (its output depends only on that order).
    package func givesTheSamePiece(as other: State, after: State) -> Bool {
      guard self != other else { return true }
      guard after == self, let mine = supports, let theirs = other.supports, mine.count == theirs.count else {
        return false
      }
      return zip(mine, theirs).allSatisfy { MojibakeScanner.order($0) == MojibakeScanner.order($1) }
    }
  }

  /// One piece, normalized by `normalizer` after pieces that left `state`: its
  /// normalization, and the state it leaves (an empty piece leaves it as it was).
  package static func normalize(
    piece: UnsafeBufferPointer<UInt8>, by normalizer: TextNormalizer, from state: State
  ) -> (text: NormalizedText, state: State) {
    guard !piece.isEmpty else {
      return (NormalizedText(utf8: [], edits: nil, counts: EditCounts(), isUnchanged: true, inputCount: 0), state)
    }
    var supports = state.supports
    let text = normalizer.normalize(piece: piece, supports: &supports)
    return (text, State(supports: supports))
  }

  /// Whether `bytes` are well-formed UTF-8 without U+0085 (C2 85), which a stream
  /// cannot decide piece by piece: what a caller checks of a whole text before it
  /// streams it.
  package static func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    return winnow_utf8_check(base, Int64(bytes.count)) == Int64(bytes.count)
  }

  /// Takes the next bytes of the text; returns the output of what can be normalized
  /// now (possibly nothing).
  package mutating func append(_ bytes: some Collection<UInt8>) -> [UInt8] {
    guard let piece = cutPiece(appending: bytes) else { return [] }
    return piece.withUnsafeBufferPointer { normalize($0) }
  }

  /// Normalizes the rest of the text; returns its output. The stream is then empty.
  package mutating func finish() -> [UInt8] {
    cutRest().withUnsafeBufferPointer { normalize($0) }
  }

  /// Takes the next bytes of the text; returns the next piece to normalize when one
  /// can be cut (nil otherwise), for a caller that normalizes pieces itself
  /// (``normalize(piece:by:from:)``, in order from ``State/start``).
  package mutating func cutPiece(appending bytes: some Collection<UInt8>) -> [UInt8]? {
    pending.append(contentsOf: bytes)
    findCuts()
    guard cut >= pieceBytes else { return nil }
    // The piece keeps the buffer; the few bytes after the cut move to a new one.
    var piece = pending
    pending = Array(piece[cut...])
    piece.removeLast(piece.count - cut)
    searched -= cut
    cut = 0
    return piece
  }

  /// The rest of the text, the last piece to normalize. The stream is then empty.
  package mutating func cutRest() -> [UInt8] {
    defer {
      pending = []
      searched = 0
      cut = 0
    }
    return pending
  }

  /// Moves `cut` to the last place in `pending` where the text may be cut.
  private mutating func findCuts() {
    let table = normalizer.table
    pending.withUnsafeBufferPointer { bytes in
      // A cut at `index` needs the two bytes before it and the one at it.
      guard let base = bytes.baseAddress, bytes.count >= 3 else { return }
      let count = Int64(bytes.count)
      var index = Int(winnow_find_line_break(base, count - 1, Int64(max(1, searched - 1))))
      while index < bytes.count - 1 {
        // A line feed at `index`, the cut after it.
        let before = bytes[index - 1]
        let after = bytes[index + 1]
        if bytes[index] == 0x0A, (0x21...0x7E).contains(before),
          table.classOf(UInt32(before)) == CharacterTable.Class.pass,
          (0x61...0x7A).contains(after | 0x20) || (0x30...0x39).contains(after)
        {
          cut = index + 1
        }
        index = Int(winnow_find_line_break(base, count - 1, Int64(index + 1)))
      }
      searched = bytes.count
    }
  }

  /// Normalizes one piece, cut as ``findCuts()`` allows.
  private mutating func normalize(_ piece: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    let result: NormalizedText
    (result, state) = Self.normalize(piece: piece, by: normalizer, from: state)
    counts += result.counts
    isUnchanged = isUnchanged && result.isUnchanged
    return result.utf8
  }
}
