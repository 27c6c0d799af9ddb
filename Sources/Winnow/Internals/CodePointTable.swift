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
    stage1 = .allocate(capacity: 0x1100)
    var blocks: [[Value]: UInt16] = [:]
    var stored: [Value] = []
    for block in 0..<0x1100 {
      let slice = Array(flat[block << 8..<(block + 1) << 8])
      if let index = blocks[slice] {
        stage1[block] = index
      } else {
        let index = UInt16(blocks.count)
        blocks[slice] = index
        stored.append(contentsOf: slice)
        stage1[block] = index
      }
    }
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
