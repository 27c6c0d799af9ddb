/// MinHash signatures by one-permutation hashing with optimal densification
/// (Li, Owen and Zhang 2012; Shrivastava 2017).
///
/// Each shingle is hashed once: the high bits choose one of the signature's bins, the
/// low 32 bits are its value, and a bin keeps the least value it receives. Bins that
/// receive nothing (short documents) borrow the value of a bin chosen by a hash of the
/// empty bin's number and an attempt counter, the same for every document, so that two
/// signatures agree in a bin with probability equal to the Jaccard similarity of the
/// shingle sets, as with one hash function per bin, at a hundredth of the cost.
enum MinHash {
  /// The signature of the `shingleSize`-token shingles of `hashes` (one shingle, the
  /// whole sequence, when there are fewer tokens); empty for no tokens.
  static func signature(_ hashes: UnsafeBufferPointer<UInt64>, shingleSize: Int, bins: Int) -> [UInt32] {
    var shingles: [UInt8]? = nil
    return signature(hashes, shingleSize: shingleSize, bins: bins, shingles: &shingles)
  }

  /// The signature, and in `shingles` (when not nil) a 24-bit value of each shingle, in
  /// order, 3 bytes little-endian each (``ShingleStore``): the top bits of the same
  /// mixed value.
  static func signature(
    _ hashes: UnsafeBufferPointer<UInt64>, shingleSize: Int, bins: Int, shingles: inout [UInt8]?
  ) -> [UInt32] {
    guard !hashes.isEmpty, bins > 0 else { return [] }
    let k = min(max(shingleSize, 1), hashes.count)
    let shingleCount = hashes.count - k + 1
    // UInt32.max marks an empty bin; values are at most UInt32.max - 1.
    var signature = [UInt32](repeating: .max, count: bins)
    let count = UInt64(bins)
    // Shingle values as in the repeat finder's winnowing, then mixed, a block at a time;
    // with `raw`, their 24-bit values stored there.
    func sign(storingTo raw: UnsafeMutableRawPointer?) {
      signature.withUnsafeMutableBufferPointer { signature in
        Shingles.forEachBlock(hashes, k: k) { first, values in
          for index in 0..<values.count {
            let product = (values[index] ^ (values[index] &>> 32)) &* 0xD6E8_FEB8_6659_FD93
            let mixed = product ^ (product &>> 32)
            if let raw {
              // One 4-byte little-endian store per value, each overwriting the spare
              // byte of the one before; the buffer has one byte to spare for the last.
              let value = UInt32(truncatingIfNeeded: mixed &>> 40)
              raw.storeBytes(of: value.littleEndian, toByteOffset: 3 * (first + index), as: UInt32.self)
            }
            let bin = Int(truncatingIfNeeded: ((mixed &>> 32) &* count) &>> 32)
            let value = min(UInt32(truncatingIfNeeded: mixed), .max - 1)
            signature[bin] = min(signature[bin], value)
          }
        }
      }
    }
    if shingles != nil {
      shingles = [UInt8](unsafeUninitializedCapacity: 3 * shingleCount + 1) { buffer, initialized in
        sign(storingTo: UnsafeMutableRawPointer(buffer.baseAddress!))
        initialized = 3 * shingleCount
      }
    } else {
      sign(storingTo: nil)
    }
    // Optimal densification: an empty bin takes the value of the first non-empty bin
    // in a pseudo-random sequence that depends only on the bin's number.
    if signature.contains(.max) {
      let original = signature
      for bin in 0..<bins where original[bin] == .max {
        var attempt: UInt64 = 1
        while true {
          var state = UInt64(bin) &* 0x9E37_79B9_7F4A_7C15 ^ attempt &* 0xC2B2_AE3D_27D4_EB4F
          state ^= state &>> 33
          state &*= 0xFF51_AFD7_ED55_8CCD
          state ^= state &>> 33
          let source = Int(truncatingIfNeeded: ((state &>> 32) &* UInt64(bins)) &>> 32)
          if original[source] != .max {
            signature[bin] = original[source]
            break
          }
          attempt += 1
        }
      }
    }
    return signature
  }

  /// The fraction of bins in which two signatures agree: an estimate of the Jaccard
  /// similarity of their shingle sets.
  static func similarity(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
    guard a.count == b.count, !a.isEmpty else { return 0 }
    var equal = 0
    for index in 0..<a.count where a[index] == b[index] { equal += 1 }
    return Double(equal) / Double(a.count)
  }
}
