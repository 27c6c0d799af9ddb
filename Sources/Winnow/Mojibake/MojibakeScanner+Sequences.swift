// Broken sequences: the characters of one encoding that spell UTF-8.
extension MojibakeScanner {
  /// Accented letters that many European languages use.
  static let common: Set<UInt32> = Set(
    "áéíóúàèìòùâêîôûäëïöüãõñçßąęłńśźżčřšžěůýťďňőűășțÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÃÕÑÇĄĘŁŃŚŹŻČŘŠŽĚŮÝŤĎŇŐŰĂȘȚ".unicodeScalars
      .map(\.value))

  /// The number of ``common`` letters in UTF-8 `bytes`.
  static func commonLetters(_ bytes: [UInt8]) -> Int {
    String(decoding: bytes, as: UTF8.self).unicodeScalars.reduce(0) { $0 + (common.contains($1.value) ? 1 : 0) }
  }

  /// The name of `encoding` for the chain from `start` to `end`: windows-1252 is
  /// ISO-8859-1 when the chain holds C1 controls and none of the characters that only
  /// windows-1252 has at 0x80-0x9F.
  func name(of encoding: Int, from start: Int, to end: Int) -> String {
    guard encoding == 0 else { return MojibakeTables.encodingNames[encoding] }
    var controls = false
    var index = start
    while index < end {
      let (scalar, length) = character(at: index)
      if (0x80..<0xA0).contains(scalar) { controls = true }
      if scalar > 0xFF && scalar < 0x11_0000 && (0x80..<0xA0).contains(tables.byte(0, scalar)) {
        return "windows-1252"
      }
      index += length
    }
    return controls ? "ISO-8859-1" : "windows-1252"
  }

  /// How whole a broken sequence is.
  enum Damage: Comparable {
    case whole
    /// A byte lost as U+FFFD, itself a sign of a failed decoding.
    case lostAsReplacement
    /// A byte lost as `?` or 0xA0 as a space.
    case damaged
  }

  /// The broken sequence of encoding `encoding` at `start`, damaged forms included:
  /// its end, the character it stands for, and how it is damaged.
  func sequence(at start: Int, limit: Int, encoding: Int) -> (Int, UInt32, Damage)? {
    let (first, firstLength) = character(at: start)
    guard first >= 0x80, first < 0x11_0000 else { return nil }
    let lead = tables.byte(encoding, first)
    guard lead >= 0xC2, lead <= 0xF4 else { return nil }
    let count = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    // The bytes, packed first byte lowest, and the positions of lost bytes as bits:
    // no allocation for a sequence that fails.
    var packed = UInt32(lead)
    var lost: UInt8 = 0
    var lostA0 = false
    var questionMark = false
    var index = start + firstLength
    let info = tables.encodings[encoding]
    for position in 1..<count {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      var byte: UInt8 = scalar >= 0x80 && scalar < 0x11_0000 ? tables.byte(encoding, scalar) : 0
      if byte > 0xBF { byte = 0 }
      if byte == 0 {
        // A lost 0xA0 is taken for the second byte of a two-byte sequence (the
        // characters listed below) or for a later byte of a longer one: after a
        // three-byte lead (à-ï in windows-1252), a space is far likelier a word's end.
        if scalar == 0x20 && info.a0IsNoBreakSpace && (count == 2 || position >= 2) {
          byte = 0xA0
          lostA0 = true
        } else if (scalar == 0xFFFD || scalar == 0x3F) && !info.undefinedContinuations.isEmpty {
          lost |= 1 << position
          questionMark = questionMark || scalar == 0x3F
          byte = 0x80
        } else {
          return nil
        }
      }
      packed |= UInt32(byte) << (8 * position)
      index += length
    }
    var scalar: UInt32
    if lost == 0 && !lostA0 && lead == 0xED && (0xA0...0xAF).contains(packed >> 8 & 0xFF) {
      // CESU-8 and Java's modified UTF-8: a character above U+FFFF as two encoded
      // surrogates, high then low.
      guard let (lowEnd, low) = surrogate(at: index, limit: limit, encoding: encoding), low >= 0xDC00 else {
        return nil
      }
      let high = 0xD800 | (packed >> 8 & 0x0F) << 6 | (packed >> 16 & 0x3F)
      scalar = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00)
      index = lowEnd
    } else if lost == 0 {
      guard let decoded = Self.decodeOne(packed, count) else { return nil }
      scalar = decoded
    } else {
      scalar = resolveLost(packed, count, (1..<count).filter { lost & (1 << $0) != 0 }, info.undefinedContinuations)
    }
    // C1 controls may be a step of text encoded twice over; the chain's final repair
    // is checked for them.
    guard tables.classes[scalar] & MojibakeTables.implausible == 0 || (0x80..<0xA0).contains(scalar) else {
      return nil
    }
    if lostA0 && count == 2 && ![0xA0, 0xE0, 0x120, 0x420, 0x3A0].contains(scalar) { return nil }
    return (index, scalar, lostA0 || questionMark ? .damaged : lost != 0 ? .lostAsReplacement : .whole)
  }

  /// The encoded surrogate (ED A0-BF xx) that three characters of `encoding` at
  /// `start` stand for: its end and value.
  func surrogate(at start: Int, limit: Int, encoding: Int) -> (Int, UInt32)? {
    var index = start
    var bytes: [UInt32] = []
    for _ in 0..<3 {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      guard scalar >= 0x80, scalar < 0x11_0000 else { return nil }
      bytes.append(UInt32(tables.byte(encoding, scalar)))
      index += length
    }
    guard bytes[0] == 0xED, (0xA0...0xBF).contains(bytes[1]), (0x80...0xBF).contains(bytes[2]) else { return nil }
    return (index, 0xD000 | (bytes[1] & 0x3F) << 6 | (bytes[2] & 0x3F))
  }

  /// UTF-8 `bytes` with each C1 control (C2 80 to C2 9F) replaced by the
  /// windows-1252 character of its byte; nil when windows-1252 has none.
  func mappingC1Controls(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.indices.dropLast().contains(where: { bytes[$0] == 0xC2 && bytes[$0 + 1] < 0xA0 }) else { return bytes }
    var result: [UInt8] = []
    var index = 0
    while index < bytes.count {
      if bytes[index] == 0xC2 && index + 1 < bytes.count && bytes[index + 1] < 0xA0 {
        let meaning = tables.encodings[0].decoded[Int(bytes[index + 1]) - 0x80]
        guard meaning >= 0xA0 else { return nil }
        UTF8Decoding.encode(meaning, into: &result)
        index += 2
      } else {
        result.append(bytes[index])
        index += 1
      }
    }
    return result
  }

  /// The scalar that `count` bytes packed in `packed` (first byte lowest) encode when
  /// they are exactly one well-formed UTF-8 character.
  static func decodeOne(_ packed: UInt32, _ count: Int) -> UInt32? {
    withUnsafeBytes(of: packed.littleEndian) { raw in
      let bytes = raw.bindMemory(to: UInt8.self).baseAddress!
      let (scalar, length) = UTF8Decoding.decode(bytes, 0, count)
      return length == count ? scalar : nil
    }
  }

  /// The character a sequence with lost bytes stood for: the one candidate that is a
  /// letter, digit, quotation mark or bracket, else U+FFFD.
  func resolveLost(_ packed: UInt32, _ count: Int, _ lost: [Int], _ candidates: [UInt8]) -> UInt32 {
    var found: Set<UInt32> = []
    var combination = packed
    func fill(_ slot: Int) {
      if slot == lost.count {
        if let scalar = Self.decodeOne(combination, count), tables.classes[scalar] & MojibakeTables.implausible == 0 {
          found.insert(scalar)
        }
        return
      }
      let shift = UInt32(8 * lost[slot])
      for candidate in candidates {
        combination = combination & ~(0xFF << shift) | UInt32(candidate) << shift
        fill(slot + 1)
      }
    }
    fill(0)
    return found.count == 1 ? found.first! : 0xFFFD
  }
}
