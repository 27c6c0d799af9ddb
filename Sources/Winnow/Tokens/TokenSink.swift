import CWinnowKernels

/// Collects tokens as the tokenizer finds them, in raw buffers: an `Array.append`
/// per token field costs more than the tokenizing itself.
struct TokenSink: ~Copyable {
  private(set) var hashes: UnsafeMutablePointer<UInt64>
  private(set) var starts: UnsafeMutablePointer<Int32>
  private(set) var ends: UnsafeMutablePointer<Int32>
  private var capacity: Int
  private(set) var count = 0
  var key = KeyHasher()
  /// The start of the token being read, or -1.
  var start = -1

  init(estimate: Int) {
    capacity = max(estimate, 16)
    hashes = .allocate(capacity: capacity)
    starts = .allocate(capacity: capacity)
    ends = .allocate(capacity: capacity)
  }

  deinit {
    hashes.deallocate()
    starts.deallocate()
    ends.deallocate()
  }

  /// Runs the ASCII kernel from `position` (no token may be in progress) and returns
  /// where it stopped; clears `lineBlank` when it passed words or punctuation.
  @inline(__always)
  mutating func scanASCIIWords(
    _ base: UnsafePointer<UInt8>, _ count: Int, from position: Int, sawContent lineBlank: inout Bool
  ) -> Int {
    if self.count + 64 > capacity { grow() }
    var buffer = winnow_token_buffer(
      hashes: hashes, starts: starts, ends: ends, count: Int64(self.count), capacity: Int64(capacity))
    var content: Int32 = 0
    let stopped = Int(winnow_scan_ascii_words(base, Int64(count), Int64(position), &buffer, &content))
    self.count = Int(buffer.count)
    if content != 0 { lineBlank = false }
    return stopped
  }

  /// Records a whole token at once (none may be in progress).
  @inline(__always)
  mutating func append(_ hash: UInt64, start: Int, end: Int) {
    if count == capacity { grow() }
    hashes[count] = hash
    starts[count] = Int32(truncatingIfNeeded: start)
    ends[count] = Int32(truncatingIfNeeded: end)
    count += 1
  }

  /// Ends the token being read, if any, at `end`.
  @inline(__always)
  mutating func end(_ end: Int) {
    guard start >= 0 else { return }
    if count == capacity { grow() }
    hashes[count] = key.finish()
    starts[count] = Int32(truncatingIfNeeded: start)
    ends[count] = Int32(truncatingIfNeeded: end)
    count += 1
    start = -1
  }

  private mutating func grow() {
    let newCapacity = capacity * 2
    func moved<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let new = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      new.moveInitialize(from: old, count: count)
      old.deallocate()
      return new
    }
    hashes = moved(hashes)
    starts = moved(starts)
    ends = moved(ends)
    capacity = newCapacity
  }
}
