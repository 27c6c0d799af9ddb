/// Reading text in any encoding: a byte order mark, valid UTF-8, or else ICU's charset
/// detector, then ICU's converters.
///
/// ```swift
/// let (utf8, encoding) = try TextEncoding.decode(bytes)   // detected
/// encoding.name          // "windows-1252", "Shift_JIS", "UTF-16LE", "UTF-8", ...
/// encoding.confidence    // 100 for a byte order mark or valid UTF-8, else ICU's 0-100
/// let latin = try TextEncoding.decode(bytes, from: "ISO-8859-2")   // named
/// ```
public enum TextEncoding {
  /// An encoding, and how sure the detection is.
  public struct Detected: Sendable, Hashable {
    /// The encoding's name as ICU knows it ("UTF-8", "windows-1252", "Shift_JIS").
    public var name: String
    /// 100 for a byte order mark, valid UTF-8 or a name given by the caller; else
    /// ICU's detector confidence, 0 to 100.
    public var confidence: Int
    /// Whether the input starts with a byte order mark (removed from the output).
    public var byteOrderMark: Bool
  }

  /// Why bytes could not be decoded: a ``Code`` to match on, and a sentence.
  public struct Failure: Error, CustomStringConvertible, Sendable, Hashable {
    /// The kinds of failure.
    public enum Code: Sendable, Hashable {
      /// ICU has no converter by the encoding's name.
      case unknownEncoding
      /// The input is too large to convert in one piece (2 GiB or more).
      case inputTooLarge
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, in a sentence.
    public var description: String
  }

  /// How much of the input the detector reads: enough for any real text to show its
  /// encoding, and its cost stays bounded.
  static let detectionPrefix = 1 << 20

  private static let byteOrderMarks: [(bytes: [UInt8], name: String)] = [
    ([0xEF, 0xBB, 0xBF], "UTF-8"), ([0x00, 0x00, 0xFE, 0xFF], "UTF-32BE"), ([0xFF, 0xFE, 0x00, 0x00], "UTF-32LE"),
    ([0xFE, 0xFF], "UTF-16BE"), ([0xFF, 0xFE], "UTF-16LE"),
  ]

  /// Whether ICU has a converter called `name` ("windows-1252", "latin1", "SJIS").
  public static func isAvailable(_ name: String) -> Bool {
    ICU.decode(from: name, Array("a".utf8)) != nil
  }

  /// Whether `bytes` start with a UTF-16 or UTF-32 byte order mark (such text holds
  /// NUL bytes and is not binary).
  package static func startsWithWideByteOrderMark(_ bytes: some Collection<UInt8>) -> Bool {
    byteOrderMarks.contains { $0.name != "UTF-8" && bytes.starts(with: $0.bytes) }
  }

  /// The encoding of `bytes`: a byte order mark, else UTF-8 if they are valid UTF-8,
  /// else ICU's best guess (UTF-8 when it has none).
  public static func detect(_ bytes: [UInt8]) -> Detected {
    for mark in byteOrderMarks where bytes.starts(with: mark.bytes) {
      return Detected(name: mark.name, confidence: 100, byteOrderMark: true)
    }
    if let wide = wideEncodingByPattern(bytes) { return Detected(name: wide, confidence: 90, byteOrderMark: false) }
    if String(validating: bytes, as: UTF8.self) != nil {
      return Detected(name: "UTF-8", confidence: 100, byteOrderMark: false)
    }
    // UTF-8 with a few invalid sequences (a truncated character, a stray byte) is
    // still UTF-8: more valid multi-byte characters than invalid sequences. Text in a
    // legacy encoding has almost no valid multi-byte sequences.
    let sample = bytes.prefix(detectionPrefix)
    var valid = 0
    var invalid = 0
    for scalar in String(decoding: sample, as: UTF8.self).unicodeScalars where scalar.value >= 0x80 {
      if scalar == "\u{FFFD}" { invalid += 1 } else { valid += 1 }
    }
    if valid > invalid {
      return Detected(name: "UTF-8", confidence: 100 * valid / (valid + invalid), byteOrderMark: false)
    }
    let guess = bytes.withUnsafeBufferPointer {
      ICU.detectCharset(UnsafeBufferPointer(rebasing: $0.prefix(detectionPrefix)))
    }
    return Detected(name: guess?.name ?? "UTF-8", confidence: guess?.confidence ?? 0, byteOrderMark: false)
  }

  /// UTF-16 or UTF-32 without a byte order mark, told by where its NUL bytes are: in
  /// UTF-32 two bytes of every four are NUL, in UTF-16 text with ASCII characters
  /// (spaces, digits, Latin letters) the NUL bytes are all on one side of the units;
  /// and the units must read as text (almost no controls, no broken surrogate pairs).
  /// nil for anything else: binary data has NUL bytes on both sides or reads as
  /// controls, UTF-8 and legacy encodings have no NUL bytes.
  static func wideEncodingByPattern(_ bytes: [UInt8]) -> String? {
    let sample = Array(bytes.prefix(4096))
    guard sample.count >= 8, sample.contains(0) else { return nil }
    var zeros = [0, 0, 0, 0]
    let quads = sample.count / 4
    for index in 0..<quads * 4 where sample[index] == 0 { zeros[index % 4] += 1 }
    /// Whether the code units read as text: at most one in a hundred is a control
    /// (other than TAB, LF, CR), a noncharacter or part of a broken surrogate pair.
    func readsAsText(_ units: [UInt32]) -> Bool {
      var bad = 0
      var index = 0
      while index < units.count {
        let unit = units[index]
        switch unit {
        case 0x09, 0x0A, 0x0D: break
        case 0..<0x20, 0x7F..<0xA0, 0xFFFE, 0xFFFF, 0x11_0000...: bad += 1
        case 0xD800..<0xDC00:
          if index + 1 < units.count, (0xDC00..<0xE000).contains(units[index + 1]) { index += 1 } else { bad += 1 }
        case 0xDC00..<0xE000: bad += 1
        default: break
        }
        index += 1
      }
      return bad * 100 <= units.count
    }
    let littleEndian32 = (0..<quads).map { index in
      sample[4 * index..<4 * index + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    if zeros[3] == quads && zeros[2] * 10 >= quads * 9 && readsAsText(littleEndian32) { return "UTF-32LE" }
    let bigEndian32 = littleEndian32.map(\.byteSwapped)
    if zeros[0] == quads && zeros[1] * 10 >= quads * 9 && readsAsText(bigEndian32) { return "UTF-32BE" }
    let pairs = sample.count / 2
    let even = zeros[0] + zeros[2]
    let odd = zeros[1] + zeros[3]
    let littleEndian16 = (0..<pairs).map { UInt32(sample[2 * $0]) | UInt32(sample[2 * $0 + 1]) << 8 }
    if odd > 0 && even * 100 <= pairs && readsAsText(littleEndian16) { return "UTF-16LE" }
    let bigEndian16 = littleEndian16.map { ($0 >> 8) | ($0 & 0xFF) << 8 }
    if even > 0 && odd * 100 <= pairs && readsAsText(bigEndian16) { return "UTF-16BE" }
    return nil
  }

  /// `bytes` as UTF-8, decoded from `encoding` (detected when nil), without a byte
  /// order mark. UTF-8 input is returned as it is, invalid sequences included (the
  /// normalizer replaces and counts them); bytes a legacy encoding cannot map become
  /// U+FFFD.
  public static func decode(_ bytes: [UInt8], from encoding: String? = nil) throws(Failure) -> (
    utf8: [UInt8], encoding: Detected
  ) {
    var detected = detect(bytes)
    if let encoding { detected = Detected(name: encoding, confidence: 100, byteOrderMark: detected.byteOrderMark) }
    let isUTF8 = String(detected.name.uppercased().filter { $0 != "-" && $0 != "_" }) == "UTF8"
    if isUTF8 {
      let body = detected.byteOrderMark && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
      return (body, detected)
    }
    guard bytes.count < Int(Int32.max) else {
      throw Failure(
        code: .inputTooLarge,
        description: "cannot convert \(bytes.count) bytes from \(detected.name): inputs of 2 GiB or more")
    }
    guard var utf8 = ICU.decode(from: detected.name, bytes) else {
      throw Failure(
        code: .unknownEncoding, description: "unknown encoding \(detected.name) (ICU has no converter by that name)")
    }
    // ICU's Unicode converters keep a byte order mark as U+FEFF: it is not text.
    if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8.removeFirst(3) }
    return (utf8, detected)
  }
}
