import Foundation
import Testing

@testable import Winnow

/// Reading text in other encodings: byte order marks, UTF-8 as it is, detection and
/// exact recovery of legacy encodings, and clear errors.
@Suite struct TextEncodingTests {
  static let french = Array(
    String(
      repeating:
        "L\u{2019}été dernier, le conseil municipal a voté à l\u{2019}unanimité la rénovation du pont — un chantier de deux ans. « Nous n\u{2019}avions pas le choix », a déclaré la maire, citant des fissures profondes.\n",
      count: 12
    ).utf8)
  static let japanese = Array(
    String(
      repeating: "東京都は火曜日、新しい橋の建設計画を発表した。工事は来年の春に始まり、二年後に完成する予定だという。\n",
      count: 12
    ).utf8)

  /// UTF-16 and UTF-32 without a byte order mark, told by where their NUL bytes are,
  /// for Latin, Cyrillic and Japanese text; binary data with NUL bytes is none of them.
  @Test func wideEncodingsWithoutAByteOrderMark() throws {
    let texts = [Self.french, Array("Здравствуйте, мир. Как дела у вас сегодня? 2024\n".utf8), Self.japanese]
    for text in texts {
      for name in ["UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"] {
        let encoded = ICU.convertFromUTF8(to: name, text)
        // Japanese UTF-16 has no NUL bytes at all: ICU's detector handles it.
        if name.hasPrefix("UTF-16") && !encoded.contains(0) { continue }
        let decoded = try TextEncoding.decode(encoded)
        #expect(decoded.encoding.name == name, "\(name)")
        #expect(decoded.utf8 == text, "\(name)")
        #expect(!decoded.encoding.byteOrderMark)
      }
    }
    var random = SeededRandom(seed: 7)
    let binary = (0..<4096).map { _ in
      UInt8.random(in: 0...255, using: &random) & (Bool.random(using: &random) ? 0 : 0xFF)
    }
    #expect(TextEncoding.wideEncodingByPattern(binary) == nil)
    let shorts = (0..<2048).flatMap { index -> [UInt8] in [UInt8(index % 7), 0] }  // 16-bit integers
    #expect(TextEncoding.wideEncodingByPattern(shorts) == nil)
  }

  @Test func byteOrderMarksAndValidUTF8() throws {
    let text = Array("Bonjour, “world” – ok\n".utf8)
    let plain = try TextEncoding.decode(text)
    #expect(plain.utf8 == text && plain.encoding.name == "UTF-8" && plain.encoding.confidence == 100)
    let marked = try TextEncoding.decode([0xEF, 0xBB, 0xBF] + text)
    #expect(marked.utf8 == text && marked.encoding.byteOrderMark)
    for name in ["UTF-16LE", "UTF-16BE"] {
      let encoded = ICU.convertFromUTF8(to: name, text)
      let mark: [UInt8] = name == "UTF-16LE" ? [0xFF, 0xFE] : [0xFE, 0xFF]
      let decoded = try TextEncoding.decode(mark + encoded)
      #expect(decoded.encoding.name == name && decoded.encoding.byteOrderMark)
      #expect(decoded.utf8 == text)
    }
    // Invalid UTF-8 that is mostly UTF-8 stays as it is, for the normalizer to repair.
    let broken = text + [0xFF] + text
    #expect(try TextEncoding.decode(broken).utf8 == broken)
  }

  @Test func legacyEncodingsAreDetectedAndRecoveredExactly() throws {
    for (text, encodings) in [
      (Self.french, ["windows-1252"]), (Self.japanese, ["Shift_JIS", "EUC-JP"]),
    ] {
      for name in encodings {
        let encoded = ICU.convertFromUTF8(to: name, text)
        #expect(encoded != text)
        let decoded = try TextEncoding.decode(encoded)
        #expect(decoded.utf8 == text, "\(name) detected as \(decoded.encoding.name)")
        #expect(decoded.encoding.confidence > 0 && !decoded.encoding.byteOrderMark)
        // Named, it converts the same.
        #expect(try TextEncoding.decode(encoded, from: name).utf8 == text)
      }
    }
  }

  @Test func unknownEncodingIsAClearError() {
    #expect {
      try TextEncoding.decode([0x41, 0xE9], from: "no-such-charset")
    } throws: { error in
      (error as? TextEncoding.Failure)?.code == .unknownEncoding
    }
  }

  /// The shared articles over 1 KB, each converted to the legacy encodings of its
  /// script that can hold it (Japanese: Shift_JIS and EUC-JP; Chinese: GBK; Cyrillic:
  /// windows-1251 and KOI8-R; Latin: windows-1252 and ISO-8859-2) and to UTF-16 with a
  /// byte order mark, then detected and decoded back.
  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"))
  func sharedArticlesInLegacyEncodings() throws {
    func encodings(for text: String) -> [String] {
      let scalars = text.unicodeScalars
      if scalars.contains(where: { (0x3040...0x30FF).contains($0.value) }) { return ["Shift_JIS", "EUC-JP"] }
      if scalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) { return ["GBK"] }
      if scalars.contains(where: { (0x0400...0x04FF).contains($0.value) }) { return ["windows-1251", "KOI8-R"] }
      return ["windows-1252", "ISO-8859-2"]
    }
    var tried = 0
    var recovered = 0
    var misses: [String: Int] = [:]
    for (_, bytes) in Fixtures.articles where bytes.count > 1024 {
      for name in encodings(for: String(decoding: bytes, as: UTF8.self)) + ["UTF-16LE"] {
        // Only encodings that hold the whole article (a round trip gives it back).
        let encoded = ICU.convertFromUTF8(to: name, bytes)
        guard ICU.decode(from: name, encoded) == bytes, encoded != bytes else { continue }
        tried += 1
        if let decoded = try? TextEncoding.decode(name == "UTF-16LE" ? [0xFF, 0xFE] + encoded : encoded),
          decoded.utf8 == bytes
        {
          recovered += 1
        } else {
          let guess = (try? TextEncoding.decode(name == "UTF-16LE" ? [0xFF, 0xFE] + encoded : encoded))?.encoding.name
          misses["\(name) as \(guess ?? "error")", default: 0] += 1
        }
      }
    }
    #expect(tried > 100)
    #expect(Double(recovered) / Double(tried) >= 0.95, "\(recovered) of \(tried) recovered exactly; missed: \(misses)")
  }
}
