#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A compact, immutable map from every Unicode code point to a small value.
///
/// Two stages: the high bits of a code point (`scalar >> 8`) select one of the
/// distinct 256-entry blocks, which is stored once however often it recurs. Most of
/// the 4,352 blocks are identical (unassigned planes, uniform scripts), so a table
/// takes tens of kilobytes and a lookup is two dependent array reads.
final class CodePointTable<Value: FixedWidthInteger & Sendable>: @unchecked Sendable {
  // @unchecked: the buffers are written only in `init` and freed in `deinit`.
  private let stage1: UnsafeMutablePointer<UInt16>
  private let stage2: UnsafeMutablePointer<Value>

  /// Builds the table from a flat array of 0x110000 values.
  init(_ flat: [Value]) {
    precondition(flat.count == 0x11_0000)
    let stage1 = UnsafeMutablePointer<UInt16>.allocate(capacity: 0x1100)
    var stored: [Value] = []
    flat.withUnsafeBytes { raw in
      let blockBytes = 256 * MemoryLayout<Value>.stride
      // Blocks by a 64-bit digest of their bytes (word by word: hashing element by
      // element costs more than the rest of the build), compared in full on a match.
      var byDigest: [UInt64: [UInt16]] = [:]
      for block in 0..<0x1100 {
        let start = raw.baseAddress! + block * blockBytes
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        for word in 0..<(blockBytes / 8) {
          digest = (digest ^ start.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) &* 0x100_0000_01B3
          digest ^= digest >> 29
        }
        let found = byDigest[digest]?.first { index in
          stored.withUnsafeBytes { memcmp($0.baseAddress! + Int(index) * blockBytes, start, blockBytes) == 0 }
        }
        if let found {
          stage1[block] = found
        } else {
          let index = UInt16(stored.count / 256)
          stored.append(contentsOf: flat[block << 8..<(block + 1) << 8])
          byDigest[digest, default: []].append(index)
          stage1[block] = index
        }
      }
    }
    self.stage1 = stage1
    stage2 = .allocate(capacity: stored.count)
    stage2.initialize(from: stored, count: stored.count)
  }

  deinit {
    stage1.deallocate()
    stage2.deallocate()
  }

  @inline(__always)
  subscript(scalar: UInt32) -> Value {
    stage2[Int(stage1[Int(scalar &>> 8)]) &<< 8 | Int(scalar & 0xFF)]
  }
}
