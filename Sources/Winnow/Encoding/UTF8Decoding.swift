/// UTF-8 decoding with validation per Unicode's Table 3-7, reporting the maximal
/// subpart of an ill-formed sequence so that each one becomes exactly one U+FFFD
/// (the practice of the W3C encoding standard and of Swift's own decoder).
enum UTF8Decoding {
  /// Decodes the scalar at `index`. Returns its value and byte length, or for an
  /// ill-formed sequence the scalar 0xFFFD with the negated length of its maximal
  /// subpart.
  @inline(__always)
  static func decode(_ bytes: UnsafePointer<UInt8>, _ index: Int, _ end: Int) -> (UInt32, Int) {
    let lead = bytes[index]
    if lead < 0x80 { return (UInt32(lead), 1) }
    if lead < 0xC2 { return (0xFFFD, -1) }
    if lead < 0xE0 {
      guard index + 1 < end, bytes[index + 1] & 0xC0 == 0x80 else { return (0xFFFD, -1) }
      return (UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2)
    }
    if lead < 0xF0 {
      guard index + 1 < end else { return (0xFFFD, -1) }
      let second = bytes[index + 1]
      let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
      let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
      guard second >= low, second <= high else { return (0xFFFD, -1) }
      guard index + 2 < end, bytes[index + 2] & 0xC0 == 0x80 else { return (0xFFFD, -2) }
      return (
        UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3
      )
    }
    if lead < 0xF5 {
      guard index + 1 < end else { return (0xFFFD, -1) }
      let second = bytes[index + 1]
      let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
      let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
      guard second >= low, second <= high else { return (0xFFFD, -1) }
      guard index + 2 < end, bytes[index + 2] & 0xC0 == 0x80 else { return (0xFFFD, -2) }
      guard index + 3 < end, bytes[index + 3] & 0xC0 == 0x80 else { return (0xFFFD, -3) }
      return (
        UInt32(lead & 0x07) << 18 | UInt32(second & 0x3F) << 12
          | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F), 4
      )
    }
    return (0xFFFD, -1)
  }

  /// The start of the scalar that ends at `end` in valid UTF-8, and its value.
  @inline(__always)
  static func decodeBackward(_ bytes: UnsafePointer<UInt8>, _ end: Int) -> (start: Int, scalar: UInt32) {
    var start = end - 1
    while start > 0, bytes[start] & 0xC0 == 0x80, end - start < 4 { start -= 1 }
    return (start, decode(bytes, start, end).0)
  }

  /// Appends the UTF-8 encoding of a scalar to `buffer`.
  static func encode(_ scalar: UInt32, into buffer: inout [UInt8]) {
    switch scalar {
    case ..<0x80:
      buffer.append(UInt8(scalar))
    case ..<0x800:
      buffer.append(UInt8(0xC0 | scalar >> 6))
      buffer.append(UInt8(0x80 | scalar & 0x3F))
    case ..<0x1_0000:
      buffer.append(UInt8(0xE0 | scalar >> 12))
      buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      buffer.append(UInt8(0x80 | scalar & 0x3F))
    default:
      buffer.append(UInt8(0xF0 | scalar >> 18))
      buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
      buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      buffer.append(UInt8(0x80 | scalar & 0x3F))
    }
  }
}
