/// The check that makes a near-duplicate candidate a near copy: how much of a
/// document the shingles it shares with a kept document cover, and the longest run of
/// its tokens that none of them covers.
///
/// A copy with scattered edits leaves only short uncovered runs: a replaced or
/// inserted word breaks the shingles through it, and the shingles before and after
/// still cover the words around it. A document that adds text of its own (a paragraph
/// of another article) leaves that text uncovered as one run, however similar the
/// rest is. So does a new headline or footer of more than the allowed run: it is text
/// of the document's own (a pipeline that removes site boilerplate first, `--boilerplate`,
/// takes footers out before the check). A shingle is compared by a 24-bit value, so a shingle of the document
/// that the kept document lacks passes for shared with probability (distinct
/// shingles of the kept document) / 2²⁴: one in 16,000 for a kept document of a
/// thousand tokens.
enum ShingleCoverage {
  /// What a kept document holds of a document.
  struct Result: Sendable, Equatable {
    /// Tokens of the document covered by a shared shingle.
    var coveredTokens: Int
    /// The longest run of consecutive tokens that no shared shingle covers.
    var longestUncoveredRun: Int
  }

  /// The coverage of a document of `tokenCount` tokens whose shingles (of
  /// `shingleSize` tokens, one covering the whole document when it has fewer) are
  /// shared where `isShared` says so, in order.
  static func measure(shingleCount: Int, tokenCount: Int, shingleSize: Int, isShared: (Int) -> Bool) -> Result {
    let span = min(max(shingleSize, 1), tokenCount)
    var coveredEnd = 0  // the tokens before it are covered or counted as a gap
    var longest = 0
    var uncovered = 0
    for start in 0..<shingleCount where isShared(start) {
      if start > coveredEnd {
        longest = max(longest, start - coveredEnd)
        uncovered += start - coveredEnd
      }
      coveredEnd = max(coveredEnd, start + span)
    }
    if tokenCount > coveredEnd {
      longest = max(longest, tokenCount - coveredEnd)
      uncovered += tokenCount - coveredEnd
    }
    return Result(coveredTokens: tokenCount - uncovered, longestUncoveredRun: longest)
  }
}

/// One document's shingle values in a hash table (open addressing, at most half
/// full), built once and checked against any number of kept documents: each check
/// looks up the kept document's values and marks the slots it finds, then reads the
/// marks in the document's order.
struct ShingleMatcher {
  /// Each value plus one; 0 marks an empty slot.
  private var slots: [UInt32]
  /// The check that last found each slot's value in a kept document.
  private var marks: [UInt32]
  /// The slot of each shingle of the document, in order.
  private var slotOfShingle: [Int32]
  private var check: UInt32 = 0
  private let shift: UInt64

  /// A matcher for a document's shingle values, 3 bytes little-endian each.
  init(packed: ArraySlice<UInt8>) {
    let count = packed.count / 3
    var bits = 4
    while 1 << bits < 2 * count { bits += 1 }
    slots = [UInt32](repeating: 0, count: 1 << bits)
    marks = [UInt32](repeating: 0, count: 1 << bits)
    shift = UInt64(64 - bits)
    let mask = slots.count - 1
    let shift = shift
    slotOfShingle = slots.withUnsafeMutableBufferPointer { slots in
      packed.withUnsafeBufferPointer { bytes in
        (0..<count).map { index in
          let value =
            UInt32(bytes[3 * index]) | UInt32(bytes[3 * index + 1]) << 8 | UInt32(bytes[3 * index + 2]) << 16
          var slot = Self.slot(value, shift)
          while slots[slot] != 0 && slots[slot] != value &+ 1 { slot = (slot + 1) & mask }
          slots[slot] = value &+ 1
          return Int32(truncatingIfNeeded: slot)
        }
      }
    }
  }

  @inline(__always)
  private static func slot(_ value: UInt32, _ shift: UInt64) -> Int {
    Int(truncatingIfNeeded: (UInt64(value) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
  }

  /// How much of the document (of `tokenCount` tokens) document `kept` of `store`
  /// covers, with shingles of `shingleSize` tokens.
  mutating func coverage(by kept: Int, of store: ShingleStore, tokenCount: Int, shingleSize: Int)
    -> ShingleCoverage.Result
  {
    check &+= 1
    let check = check
    let mask = slots.count - 1
    let shift = shift
    slots.withUnsafeBufferPointer { slots in
      marks.withUnsafeMutableBufferPointer { marks in
        store.forEachShingle(of: kept) { value in
          var slot = Self.slot(value, shift)
          while slots[slot] != 0 {
            if slots[slot] == value &+ 1 {
              marks[slot] = check
              return
            }
            slot = (slot + 1) & mask
          }
        }
      }
    }
    return marks.withUnsafeBufferPointer { marks in
      slotOfShingle.withUnsafeBufferPointer { slotOfShingle in
        ShingleCoverage.measure(shingleCount: slotOfShingle.count, tokenCount: tokenCount, shingleSize: shingleSize) {
          marks[Int(slotOfShingle[$0])] == check
        }
      }
    }
  }
}

/// The shingle values of every kept document, in order, 24 bits (3 bytes) each: what
/// ``ShingleMatcher`` checks candidates against, and what an index merge decides other
/// documents with. Values are kept in chunks of 16 MiB, each document in one chunk (a
/// larger document in a chunk of its own), so that memory grows by a chunk at a time
/// rather than doubling: at most one chunk beyond what documents use, plus what the
/// ends of full chunks leave unused (under one document each).
struct ShingleStore: Sendable {
  static let chunkBytes = 1 << 24

  private var chunks: [[UInt8]] = []
  /// Where each document's values are: chunk number (high 32 bits) and byte offset.
  private var starts: [UInt64] = []
  /// The number of shingles of each document.
  private var shingleCounts: [UInt32] = []
  /// The number of tokens of each document.
  private var tokenCounts: [UInt32] = []

  /// Documents stored.
  var count: Int { tokenCounts.count }

  /// Bytes held.
  var memoryBytes: Int {
    chunks.reduce(0) { $0 + $1.capacity } + starts.capacity * 8 + shingleCounts.capacity * 4
      + tokenCounts.capacity * 4
  }

  /// Adds a document's values as stored: 3 bytes each, little-endian (an index file's).
  mutating func append(packed: ArraySlice<UInt8>, tokenCount: Int) {
    let last = startDocument(bytes: packed.count, shingles: packed.count / 3, tokenCount: tokenCount)
    chunks[last].append(contentsOf: packed)
  }

  /// Records a new document of `bytes` bytes and returns the chunk its values go to.
  private mutating func startDocument(bytes size: Int, shingles: Int, tokenCount: Int) -> Int {
    if chunks.isEmpty || chunks[chunks.count - 1].count + size > chunks[chunks.count - 1].capacity {
      var chunk: [UInt8] = []
      chunk.reserveCapacity(max(Self.chunkBytes, size))
      chunks.append(chunk)
    }
    let last = chunks.count - 1
    starts.append(UInt64(last) << 32 | UInt64(chunks[last].count))
    shingleCounts.append(UInt32(shingles))
    tokenCounts.append(UInt32(clamping: tokenCount))
    return last
  }

  /// The stored values of document `index`: 3 bytes each, little-endian.
  func packed(_ index: Int) -> ArraySlice<UInt8> {
    let start = Int(truncatingIfNeeded: starts[index] & 0xFFFF_FFFF)
    return chunks[Int(starts[index] >> 32)][start..<start + 3 * Int(shingleCounts[index])]
  }

  /// Calls `body` with each shingle value of document `index`, in order.
  @inline(__always)
  func forEachShingle(of index: Int, _ body: (UInt32) -> Void) {
    let start = Int(truncatingIfNeeded: starts[index] & 0xFFFF_FFFF)
    let end = start + 3 * Int(shingleCounts[index])
    chunks[Int(starts[index] >> 32)].withUnsafeBufferPointer { bytes in
      var position = start
      while position < end {
        body(UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16)
        position += 3
      }
    }
  }

  /// The number of tokens of document `index`.
  func tokenCount(of index: Int) -> Int { Int(tokenCounts[index]) }
}
