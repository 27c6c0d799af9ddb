/// Shingle values: each run of `k` consecutive token hashes combined into one value,
/// for the repeat finder's winnowing and for MinHash signatures.
enum Shingles {
  /// Writes to `values[i]`, for each of the `hashes.count - k + 1` runs, the
  /// combination of `hashes[i..<i + k]`: each token hash spread by a multiplication,
  /// the k of a run combined by rotation and exclusive or. `spread` is scratch space
  /// for `hashes.count` values. Each pass is a loop without a chain from one shingle
  /// to the next, which the compiler vectorizes; callers mix the values further.
  private static func combine(
    _ hashes: UnsafeBufferPointer<UInt64>, k: Int, spread: UnsafeMutablePointer<UInt64>,
    into values: UnsafeMutablePointer<UInt64>
  ) {
    let shingleCount = hashes.count - k + 1
    for index in 0..<hashes.count { spread[index] = hashes[index] &* 0x9E37_79B9_7F4A_7C15 }
    values.initialize(from: spread, count: shingleCount)
    for offset in 1..<max(k, 1) {
      let rotation = UInt64(truncatingIfNeeded: 13 &* offset) & 63
      let next = spread + offset
      for index in 0..<shingleCount {
        let value = next[index]
        values[index] ^= (value << rotation) | (value >> ((64 &- rotation) & 63))
      }
    }
  }

  /// Calls `body` with the shingle values of `hashes`, `k` tokens each, a block at a
  /// time: `body(first, values)` receives the values of shingles `first..<first +
  /// values.count`, which it may overwrite. Each block after the first starts `overlap`
  /// shingles before the end of the one before, so that a scan over windows of
  /// `overlap + 1` shingles finds every window's values in one block. Memory stays a
  /// few pages, whatever the length of `hashes`, which must hold at least `k` hashes.
  static func forEachBlock(
    _ hashes: UnsafeBufferPointer<UInt64>, k: Int, overlap: Int = 0, block: Int = 4096,
    _ body: (_ first: Int, _ values: UnsafeMutableBufferPointer<UInt64>) -> Void
  ) {
    let shingleCount = hashes.count - k + 1
    precondition(k >= 1 && shingleCount >= 1 && overlap >= 0 && block >= 1)
    let span = block + overlap
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * span + k) { buffer in
      let spread = buffer.baseAddress!
      let values = spread + span + k
      var first = 0
      while true {
        let end = min(shingleCount, first + span)
        combine(UnsafeBufferPointer(rebasing: hashes[first..<end + k - 1]), k: k, spread: spread, into: values)
        body(first, UnsafeMutableBufferPointer(start: values, count: end - first))
        guard end < shingleCount else { return }
        first = end - overlap
      }
    }
  }
}
