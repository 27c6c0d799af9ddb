/// Hashes the UTF-8 bytes of a token's comparison key, eight bytes at a time, so that
/// plain ASCII words cost one multiplication per eight letters and any word hashes
/// the same whichever path produced its key bytes.
struct KeyHasher {
  private var state: UInt64 = 0x243F_6A88_85A3_08D3
  private var pending: UInt64 = 0
  private var filled = 0  // bytes in `pending`
  private var length = 0

  @inline(__always)
  private mutating func absorb(_ chunk: UInt64) {
    state = (state ^ chunk) &* 0x9E37_79B9_7F4A_7C15
    state = (state << 27) | (state >> 37)
  }

  @inline(__always)
  mutating func addByte(_ byte: UInt8) {
    pending |= UInt64(byte) << (8 * UInt64(filled))
    filled += 1
    length += 1
    if filled == 8 {
      absorb(pending)
      pending = 0
      filled = 0
    }
  }

  /// A mask of the low `count` bytes of a word (all of it for 8 or more).
  @inline(__always)
  static func lowBytes(_ count: Int) -> UInt64 {
    count >= 8 ? ~0 : (1 << (8 * UInt64(count))) - 1
  }

  /// Adds a key code point as UTF-8.
  @inline(__always)
  mutating func add(_ scalar: UInt32) {
    if scalar < 0x80 {
      addByte(UInt8(scalar))
    } else if scalar < 0x800 {
      addByte(UInt8(0xC0 | scalar >> 6))
      addByte(UInt8(0x80 | scalar & 0x3F))
    } else if scalar < 0x1_0000 {
      addByte(UInt8(0xE0 | scalar >> 12))
      addByte(UInt8(0x80 | scalar >> 6 & 0x3F))
      addByte(UInt8(0x80 | scalar & 0x3F))
    } else {
      addByte(UInt8(0xF0 | scalar >> 18))
      addByte(UInt8(0x80 | scalar >> 12 & 0x3F))
      addByte(UInt8(0x80 | scalar >> 6 & 0x3F))
      addByte(UInt8(0x80 | scalar & 0x3F))
    }
  }

  /// Adds `bytes[start..<end]` with bit `setting` set in every byte: 0x20 lower-cases
  /// ASCII letters and leaves digits alone; 0 adds the bytes as they are.
  @inline(__always)
  mutating func addBytes(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ count: Int, setting: UInt8) {
    var position = start
    while filled != 0 && position < end {
      addByte(bytes[position] | setting)
      position += 1
    }
    let spread = UInt64(setting) &* 0x0101_0101_0101_0101
    while position + 8 <= end {
      let chunk = UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self)
      absorb(UInt64(littleEndian: chunk) | spread)
      length += 8
      position += 8
    }
    let remaining = end - position
    guard remaining > 0 else { return }
    if position + 8 <= count {
      let chunk = UInt64(littleEndian: UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self))
      let mask: UInt64 = (1 << (8 * UInt64(remaining))) - 1
      pending = (chunk | spread) & mask
      filled = remaining
      length += remaining
    } else {
      while position < end {
        addByte(bytes[position] | setting)
        position += 1
      }
    }
  }

  /// The hash of the key so far; resets the hasher. Keys of up to seven bytes are
  /// their own hash (the bytes, zero-padded): no two differ, and later stages mix
  /// hashes before relying on their bits. From eight bytes on, `pending` no longer
  /// holds the whole key, so the absorbed state is mixed in.
  @inline(__always)
  mutating func finish() -> UInt64 {
    let result =
      length < 8 ? pending : TokenizedText.mix((state ^ pending) &+ UInt64(length) &* 0xD6E8_FEB8_6659_FD93)
    self = KeyHasher()
    return result
  }
}
