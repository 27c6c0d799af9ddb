import CWinnowKernels

/// The tables behind ``MojibakeRepair``: for each single-byte legacy encoding, which
/// byte each character stands for, and for every code point, the character class the
/// score reads. Built once, on first use, from ICU's converters and character
/// property sets (a few milliseconds), and shared by every repair.
final class MojibakeTables: @unchecked Sendable {
  // @unchecked: the mask buffers are written only in `init` and never freed (the
  // tables live as long as the process).
  /// One legacy encoding that UTF-8 text may have been decoded through.
  struct Encoding: Sendable {
    /// ICU's name, reported in repairs.
    let name: String
    /// The character each byte 0x80-0xFF decodes to. Bytes the encoding leaves
    /// undefined decode to the C1 control or Latin-1 character of the same value, as
    /// lenient decoders (and ISO-8859-1 for windows-1252) do.
    let decoded: [UInt32]
    /// The bytes 0x80-0xBF the encoding leaves undefined: what a lost byte (U+FFFD,
    /// `?`) can have been.
    let undefinedContinuations: [UInt8]
    /// Whether byte 0xA0 is U+00A0 NO-BREAK SPACE, which scrapers turn into a space.
    let a0IsNoBreakSpace: Bool
  }

  /// The encodings tried, in order of preference when several give the same repair.
  /// windows-1252 covers ISO-8859-1 too: its undefined bytes decode to the C1
  /// controls, which is what ISO-8859-1 gives for 0x80-0x9F.
  static let encodingNames = [
    "windows-1252", "windows-1251", "windows-1250", "ISO-8859-2", "windows-1253", "windows-1254",
    "windows-1257", "macintosh", "IBM437",
  ]

  /// Character classes of the score (the low four bits of ``classes``).
  enum Kind {
    static let other: UInt8 = 0
    static let boundary: UInt8 = 1
    static let lower: UInt8 = 2
    static let upper: UInt8 = 3
    static let digit: UInt8 = 4
    static let punctuation: UInt8 = 5
    static let opening: UInt8 = 6
    static let symbol: UInt8 = 7
    static let c1: UInt8 = 8
    static let replacement: UInt8 = 9
    static let box: UInt8 = 10
    /// A combining mark outside the generic diacritic blocks (Hebrew points, Indic
    /// signs, ...): strange after a Latin, Greek or Cyrillic letter.
    static let foreignMark: UInt8 = 11
    /// A combining mark of the generic diacritic blocks.
    static let mark: UInt8 = 12
    /// A letter of the scripts from Hebrew to NKo (U+0590-U+08FF), which two-byte
    /// mojibake decodes to by accident: strange standing alone.
    static let foreignLetter: UInt8 = 13
  }

  /// Scripts of letters (bits 4-5 of ``classes``): letters of two different ones side
  /// by side are a sign of mojibake.
  enum Script {
    static let none: UInt8 = 0
    static let latin: UInt8 = 1 << 4
    static let greek: UInt8 = 2 << 4
    static let cyrillic: UInt8 = 3 << 4
    static let mask: UInt8 = 3 << 4
  }

  /// Bit 6 of ``classes``: a letter that is rare in text (Cyrillic letters of Serbian
  /// and Macedonian next to Russian ones, ƒ, Ÿ, Ĺ, ĺ, Ĩ, ĩ, Ŗ, ŗ, most of Latin
  /// Extended-B), which mojibake produces often.
  static let rare: UInt8 = 1 << 6
  /// Bit 7 of ``classes``: a code point no repair may produce (unassigned, private
  /// use, surrogate, control, noncharacter).
  static let implausible: UInt8 = 1 << 7

  let encodings: [Encoding]
  /// Every character of the encodings is below U+0800, in U+2000-U+2FFF or in
  /// U+F000-U+FFFF: the tables below hold those 10,240 code points only.
  static let slots = 0x2800

  /// The slot of `scalar` in the tables, or nil when no encoding has it.
  @inline(__always)
  static func slot(_ scalar: UInt32) -> Int? {
    switch scalar {
    case ..<0x800: Int(scalar)
    case 0x2000..<0x3000: Int(scalar) - 0x2000 + 0x800
    case 0xF000..<0x1_0000: Int(scalar) - 0xF000 + 0x1800
    default: nil
    }
  }

  /// For each encoding `e`, at `e * slots + slot`, the byte 0x80-0xFF each character
  /// stands for (0: none).
  private let byteTable: [UInt8]
  /// Bit `e` set: in encoding `e` the character stands for a byte that starts a
  /// multi-byte UTF-8 sequence (0xC2-0xF4).
  private let leadTable: [UInt16]

  /// The byte that `scalar` stands for in encoding `encoding`, or 0.
  @inline(__always)
  func byte(_ encoding: Int, _ scalar: UInt32) -> UInt8 {
    guard let slot = Self.slot(scalar) else { return 0 }
    return byteTable[encoding &* Self.slots &+ slot]
  }

  /// The encodings in which `scalar` stands for a lead byte (0xC2-0xF4).
  @inline(__always)
  func leads(_ scalar: UInt32) -> UInt16 {
    guard let slot = Self.slot(scalar) else { return 0 }
    return leadTable[slot]
  }
  /// For the C search for chains: the encodings in which each character stands for a
  /// lead byte in the low 16 bits, for a continuation byte in the high 16 (every
  /// masked code point is below U+0800, in U+2000-U+2FFF or in U+F000-U+FFFF).
  let searchMasks: UnsafePointer<winnow_mojibake_masks>
  /// Kind, script and flags of every code point.
  let classes: CodePointTable<UInt8>

  static let shared = MojibakeTables()

  private init() {
    var encodings: [Encoding] = []
    var bytes = [UInt8](repeating: 0, count: Self.encodingNames.count * Self.slots)
    var lead = [UInt16](repeating: 0, count: Self.slots)
    var continuation = [UInt16](repeating: 0, count: Self.slots)
    for (index, name) in Self.encodingNames.enumerated() {
      var decoded = [UInt32](repeating: 0, count: 128)
      var undefined: [UInt8] = []
      for byte in 0x80...0xFF {
        var scalar: UInt32 = 0
        if let utf8 = ICU.decode(from: name, [UInt8(byte)]),
          let value = String(decoding: utf8, as: UTF8.self).unicodeScalars.first?.value,
          value >= 0x80, value != 0xFFFD
        {
          scalar = value
        }
        // Undefined: ICU has no character for the byte, or only the C1 control of the
        // same value (a round-trip placeholder, not a character of the encoding).
        if scalar == 0 || (0x80..<0xA0).contains(scalar) {
          scalar = 0
          if byte < 0xC0 { undefined.append(UInt8(byte)) }
        }
        decoded[byte - 0x80] = scalar
      }
      // Undefined bytes decode to the code point of the same value, unless the
      // encoding already uses that character for another byte.
      for byte in 0x80...0xFF where decoded[byte - 0x80] == 0 && !decoded.contains(UInt32(byte)) {
        decoded[byte - 0x80] = UInt32(byte)
      }
      func map(_ scalar: UInt32, _ byte: Int) {
        // The C search looks for characters led by C2-D3, E2 or EF only.
        guard let slot = Self.slot(scalar), scalar < 0x500 || scalar >= 0x2000 else {
          preconditionFailure("U+\(String(scalar, radix: 16)) is outside the searched ranges")
        }
        guard scalar != 0, bytes[index * Self.slots + slot] == 0 else { return }
        bytes[index * Self.slots + slot] = UInt8(byte)
        if byte >= 0xC2 && byte <= 0xF4 { lead[slot] |= 1 << index }
        if byte <= 0xBF { continuation[slot] |= 1 << index }
      }
      if name == "IBM437" && decoded[0xE6 - 0x80] == 0x03BC {
        // ICU 72 reads byte 0xE6 as U+03BC GREEK SMALL LETTER MU, where Python, iconv
        // and Windows read U+00B5 MICRO SIGN: text misread by them holds the micro
        // sign. Both stand for the byte; the micro sign is its character.
        decoded[0xE6 - 0x80] = 0xB5
      }
      for byte in 0x80...0xFF where decoded[byte - 0x80] != 0 { map(decoded[byte - 0x80], byte) }
      if name == "IBM437" { map(0x03BC, 0xE6) }
      if index == 0 {
        // ISO-8859-1: every C1 control stands for its own byte.
        for byte in 0x80..<0xA0 { map(UInt32(byte), byte) }
      }
      encodings.append(
        Encoding(
          name: name, decoded: decoded, undefinedContinuations: undefined,
          a0IsNoBreakSpace: decoded[0x20] == 0xA0))
    }
    continuation[Self.slot(0xFFFD)!] = UInt16((1 << encodings.count) - 1)
    // The C search skips basic Cyrillic letters after a two-byte character: none stands
    // for a continuation byte.
    precondition((0x410...0x44F).allSatisfy { continuation[Self.slot($0)!] == 0 })
    self.encodings = encodings
    self.byteTable = bytes
    self.leadTable = lead
    func masks(_ range: Range<UInt32>) -> UnsafePointer<UInt32> {
      let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: range.count)
      for scalar in range {
        let slot = Self.slot(scalar)!
        buffer[Int(scalar - range.lowerBound)] = UInt32(lead[slot]) | UInt32(continuation[slot]) << 16
      }
      return UnsafePointer(buffer)
    }
    let search = UnsafeMutablePointer<winnow_mojibake_masks>.allocate(capacity: 1)
    search.initialize(
      to: winnow_mojibake_masks(twoByte: masks(0..<0x800), e2: masks(0x2000..<0x3000), ef: masks(0xF000..<0x1_0000)))
    self.searchMasks = UnsafePointer(search)
    self.classes = CodePointTable(Self.buildClasses(encoded: Set(encodings.flatMap(\.decoded))))
  }

  /// Kind, script and flags for every code point, from ICU's general categories;
  /// `encoded` are the characters of the encodings.
  private static func buildClasses(encoded: Set<UInt32>) -> [UInt8] {
    var flat = [UInt8](repeating: Kind.other, count: 0x11_0000)
    // Punctuation that text uses around words: closing quotes, dashes, the ellipsis.
    // (Opening quotes are of their own kind; the score reads the curly ones as ASCII
    // punctuation when they are the neighbours of a chain, see MojibakeScanner.)
    let ordinary: Set<UInt32> = [
      0x2026, 0x2013, 0x2014, 0x2010, 0x2011, 0x2012, 0x2015, 0xBB, 0x203A, 0x2019, 0x201D, 0x2E42,
    ]
    let rareLetters: Set<UInt32> = [
      0x0402, 0x0403, 0x0453, 0x0409, 0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x0459, 0x045A, 0x045C,
      0x045B, 0x045F, 0x040E, 0x045E, 0x0408, 0x0458, 0x0405, 0x0455, 0x0192, 0x0178, 0x0139, 0x013A,
      0x0128, 0x0129, 0x0156, 0x0157,
    ]
    // Latin Extended-B is rare in text, except Vietnamese (Ơ ơ Ư ư), Pinyin (Ǎ-ǜ),
    // Romanian (Ș ș Ț ț) and Azerbaijani (Ə).
    func isRareLatin(_ scalar: UInt32) -> Bool {
      guard (0x180...0x24F).contains(scalar) else { return rareLetters.contains(scalar) }
      return ![0x1A0, 0x1A1, 0x1AF, 0x1B0, 0x18F].contains(scalar) && !(0x1CD...0x1DC).contains(scalar)
        && !(0x218...0x21B).contains(scalar)
    }
    // General categories from ICU's property sets (one call per category, not per
    // code point), by ICU's UCharCategory numbers.
    var categories = [UInt8](repeating: 0, count: 0x11_0000)
    let names = [
      "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Me", "Mc", "Nd", "Nl", "No", "Zs", "Zl", "Zp", "Cc", "Cf", "Co",
      "Cs", "Pd", "Ps", "Pe", "Pc", "Po", "Sm", "Sc", "Sk", "So", "Pi", "Pf",
    ]
    categories.withUnsafeMutableBufferPointer { categories in
      for (number, name) in names.enumerated() where number > 0 {
        for range in (try? ICU.ranges(of: "[:gc=\(name):]")) ?? [] {
          for scalar in range { categories[Int(scalar)] = UInt8(number) }
        }
      }
    }
    func value(_ scalar: UInt32, _ category: Int32) -> UInt8 {
      var value: UInt8
      switch category {
      case 0, 17, 18: value = implausible  // unassigned, private use, surrogate
      case 1, 3: value = Kind.upper
      case 2: value = Kind.lower
      case 9: value = Kind.digit
      case 12, 13, 14: value = Kind.boundary
      case 15: value = scalar < 0x80 ? Kind.boundary : Kind.c1 | implausible
      case 6, 7, 8:
        let generic =
          (0x300...0x36F).contains(scalar) || (0x1AB0...0x1AFF).contains(scalar)
          || (0x1DC0...0x1DFF).contains(scalar) || (0x20D0...0x20FF).contains(scalar)
          || (0xFE20...0xFE2F).contains(scalar)
        value = generic ? Kind.mark : Kind.foreignMark
      case 19, 20, 21, 22, 23, 28, 29:
        value =
          scalar < 0x80 || ordinary.contains(scalar)
          ? Kind.punctuation : category == 20 || category == 28 ? Kind.opening : Kind.symbol
      case 24, 25, 26, 27, 11: value = scalar < 0x80 ? Kind.punctuation : Kind.symbol
      default: value = Kind.other
      }
      // Ordinal indicators, the micro sign, spacing modifier letters (ˆ) and the soft
      // hyphen sit between letters only in mojibake ("PÃºblica", "âˆ’", "Ã\u{AD}").
      // The modifier letters that no encoding has (ʻ ʼ ː, letters of Uzbek, Hawaiian,
      // Tongan) are no misread bytes.
      if scalar == 0xAA || scalar == 0xBA || scalar == 0xAD || scalar == 0xB5
        || ((0x2B0...0x2FF).contains(scalar) && encoded.contains(scalar))
      {
        value = Kind.symbol
      }
      // Full-width forms belong with the CJK text around them.
      if (0xFF01...0xFF60).contains(scalar) { value = Kind.other }
      // Inverted marks open a Spanish sentence, as an opening quote does.
      if scalar == 0xA1 || scalar == 0xBF { value = Kind.opening }
      if value == Kind.other && (0x590...0x8FF).contains(scalar) && category == 5 { value = Kind.foreignLetter }
      if scalar & 0xFFFE == 0xFFFE || (0xFDD0...0xFDEF).contains(scalar) { value = implausible }
      if scalar == 0xFFFD { value = Kind.replacement }
      if (0x2500...0x259F).contains(scalar) || scalar == 0x2320 || scalar == 0x2321 || scalar == 0x25A0 {
        value = Kind.box
      }
      if value == Kind.lower || value == Kind.upper {
        switch scalar {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x2AF, 0x1E00...0x1EFF: value |= Script.latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: value |= Script.greek
        case 0x400...0x52F: value |= Script.cyrillic
        default: break
        }
        if isRareLatin(scalar) { value |= rare }
      }
      return value
    }
    // Below U+3000 and from U+F900 to U+FFFF, every rule above may apply; elsewhere the
    // class follows from the general category alone (and noncharacters).
    let plain = (0..<Int32(names.count)).map { value(0x3_0000, $0) }
    flat.withUnsafeMutableBufferPointer { flat in
      for scalar in 0..<0x11_0000 {
        let category = categories[scalar]
        if scalar < 0x3000 || (0xF900..<0x1_0000).contains(scalar) {
          flat[scalar] = value(UInt32(scalar), Int32(category))
        } else {
          flat[scalar] = scalar & 0xFFFE == 0xFFFE ? implausible : plain[Int(category)]
        }
      }
    }
    return flat
  }
}
