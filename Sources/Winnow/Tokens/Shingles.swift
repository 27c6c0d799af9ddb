/// Shingle values: each run of `k` consecutive token hashes combined into one value,
/// for the repeat finder's winnowing and for MinHash signatures.
enum Shingles {
  /// Writes to `values[i]`, for each of the `hashes.count - k + 1` runs, the
  /// combination of `hashes[i..<i + k]`: each token hash spread by a multiplication,
  /// the k of a run combined by rotation and exclusive or. `spread` is scratch space
  /// for `hashes.count` values. Each pass is a loop without a chain from one shingle
  /// to the next, which the compiler vectorizes; callers mix the values further.
  static func combine(
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
}
