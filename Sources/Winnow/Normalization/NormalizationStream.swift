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
  /// The mojibake repair's state, one per round.
  private var supports: [[Int]]?
  /// The changes made so far, by kind.
  package private(set) var counts = EditCounts()
  /// Whether the output so far equals the input so far.
  package private(set) var isUnchanged = true

  /// A stream through `normalizer`, normalizing `pieceBytes` or more at once.
  package init(_ normalizer: TextNormalizer, pieceBytes: Int = 1 << 20) {
    self.normalizer = normalizer
    self.pieceBytes = max(4, pieceBytes)
    supports = Array(repeating: MojibakeScanner.zeros, count: TextNormalizer.rounds)
  }

  /// Whether `bytes` are well-formed UTF-8 without U+0085 (C2 85), which a stream
  /// cannot decide piece by piece: what a caller checks of a whole text before it
  /// streams it.
  package static func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var index = 0
    let count = bytes.count
    while index < count {
      // Eight ASCII bytes at a time.
      while index + 8 <= count,
        UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
      {
        index += 8
      }
      guard index < count else { break }
      if base[index] < 0x80 {
        index += 1
        continue
      }
      let (scalar, length) = UTF8Decoding.decode(base, index, count)
      guard length > 0, scalar != 0x85 else { return false }
      index += length
    }
    return true
  }

  /// Takes the next bytes of the text; returns the output of what can be normalized
  /// now (possibly nothing).
  package mutating func append(_ bytes: some Collection<UInt8>) -> [UInt8] {
    pending.append(contentsOf: bytes)
    findCuts()
    guard cut >= pieceBytes else { return [] }
    let piece = cut
    let output = normalize(pending.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[..<piece]) })
    pending.removeFirst(piece)
    searched -= piece
    cut = 0
    return output
  }

  /// Normalizes the rest of the text; returns its output. The stream is then empty.
  package mutating func finish() -> [UInt8] {
    let output = pending.withUnsafeBufferPointer { normalize($0) }
    pending = []
    searched = 0
    cut = 0
    return output
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
    guard !piece.isEmpty else { return [] }
    let result = normalizer.normalize(piece: piece, supports: &supports)
    counts += result.counts
    isUnchanged = isUnchanged && result.isUnchanged
    return result.utf8
  }
}
