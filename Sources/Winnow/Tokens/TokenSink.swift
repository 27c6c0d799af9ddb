import CWinnowKernels

/// Collects tokens as the tokenizer finds them, in raw storage the caller owns: an
/// `Array.append` per token field costs more than the tokenizing itself.
struct TokenSink {
  let hashes: UnsafeMutablePointer<UInt64>
  let starts: UnsafeMutablePointer<Int32>
  let ends: UnsafeMutablePointer<Int32>
  private let capacity: Int
  private(set) var count = 0
  var key = KeyHasher()
  /// The start of the token being read, or -1.
  var start = -1

  /// The room the ASCII kernel wants beyond the tokens it may write.
  static let margin = 64

  /// A sink over storage for `capacity` tokens; the tokenizer stops when fewer than
  /// ``margin`` are left (see ``hasMargin``).
  init(
    hashes: UnsafeMutablePointer<UInt64>, starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>,
    capacity: Int
  ) {
    self.hashes = hashes
    self.starts = starts
    self.ends = ends
    self.capacity = capacity
  }

  /// Whether ``margin`` tokens still fit.
  var hasMargin: Bool { count + Self.margin <= capacity }

  /// Runs the ASCII kernel from `position` (no token may be in progress) and returns
  /// where it stopped; clears `lineBlank` when it passed words or punctuation.
  @inline(__always)
  mutating func scanASCIIWords(
    _ base: UnsafePointer<UInt8>, _ count: Int, from position: Int, sawContent lineBlank: inout Bool
  ) -> Int {
    precondition(self.count + Self.margin <= capacity, "no room for the margin")
    var buffer = winnow_token_buffer(
      hashes: hashes, starts: starts, ends: ends, count: Int64(self.count), capacity: Int64(capacity))
    var content: Int32 = 0
    let stopped = Int(winnow_scan_ascii_words(base, Int64(count), Int64(position), &buffer, &content))
    self.count = Int(buffer.count)
    if content != 0 { lineBlank = false }
    return stopped
  }

  /// Ends the token being read, if any, at `end`.
  @inline(__always)
  mutating func end(_ end: Int) {
    guard start >= 0 else { return }
    precondition(count < capacity, "more tokens than room")
    hashes[count] = key.finish()
    starts[count] = Int32(truncatingIfNeeded: start)
    ends[count] = Int32(truncatingIfNeeded: end)
    count += 1
    start = -1
  }
}
