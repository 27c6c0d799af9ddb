import Testing

@testable import Winnow

/// The tokenizer's hashes: distinct keys give distinct hashes, and one key gives one
/// hash whichever path (fast word loop, hasher, slow Unicode path) read it.
@Suite struct TokenizerTests {
  static func hashes(_ text: String) -> [UInt64] {
    var text = text
    return text.withUTF8 { TokenizedText($0, blankLineSeparated: false).hashes }
  }

  @Test func distinctWordsHashApart() {
    var random = SeededRandom(seed: 99)
    var words = Set<String>()
    while words.count < 20_000 {
      let length = Int.random(in: 1...24, using: &random)
      words.insert(
        String((0..<length).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &random))) }))
    }
    let list = words.sorted()
    let tokens = Self.hashes(list.joined(separator: " "))
    #expect(tokens.count == list.count)
    #expect(Set(tokens).count == list.count)
  }

  @Test func oneKeyOneHashWhateverThePath() {
    var random = SeededRandom(seed: 5)
    for _ in 0..<500 {
      let length = Int.random(in: 1...20, using: &random)
      let word = String(
        (0..<length).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &random))) })
      let expected = Self.hashes(word)[0]
      let variants = [
        "\(word) tail", "head \(word)", "head, \(word).", "x \(word.uppercased()) y", "\u{00E9} \(word)",
        "(\(word))", "\"\(word)\"", "\(word)\u{00AD}", "a\n\(word)\nb", String(repeating: "z ", count: 7) + word,
      ]
      for variant in variants {
        #expect(Self.hashes(variant).contains(expected), "\(word) in \(variant.debugDescription)")
      }
    }
    // Accents, case and compatibility forms give the key of the plain word.
    #expect(Self.hashes("caf\u{00E9}") == Self.hashes("CAFE"))
    #expect(Self.hashes("cafe\u{0301}") == Self.hashes("cafe"))
    #expect(Self.hashes("\u{FB01}ne") == Self.hashes("fine"))
    #expect(Self.hashes("don\u{2019}t") == Self.hashes("dont"))
    #expect(Self.hashes("\u{0416}\u{0443}\u{043A}") == Self.hashes("\u{0436}\u{0443}\u{043A}"))
  }

  /// A byte-at-a-time reference for ASCII text: letters and digits form words (keyed
  /// lower-case), apostrophes and controls other than tab and line breaks are
  /// ignored, everything else ends a word where it stands.
  static func referenceTokens(_ bytes: [UInt8]) -> [(hash: UInt64, start: Int32, end: Int32)] {
    var tokens: [(hash: UInt64, start: Int32, end: Int32)] = []
    var key = KeyHasher()
    var start = -1
    for (index, byte) in bytes.enumerated() {
      let lower = byte | 0x20
      if (lower >= 0x61 && lower <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
        if start < 0 { start = index }
        key.addByte(lower)
      } else if byte == 0x27 || byte == 0x7F || (byte < 0x20 && !(0x09...0x0D).contains(byte)) {
        continue
      } else if start >= 0 {
        tokens.append((key.finish(), Int32(start), Int32(index)))
        start = -1
      }
    }
    if start >= 0 { tokens.append((key.finish(), Int32(start), Int32(bytes.count))) }
    return tokens
  }

  /// The SIMD kernel, the Swift loops and their hand-offs (at apostrophes, controls,
  /// line breaks, words of 8 and of 64 bytes or more, block edges and the end of the
  /// text) agree with the reference on random ASCII text.
  @Test func asciiTokensMatchTheReference() {
    var random = SeededRandom(seed: 2026)
    let pieces: [[UInt8]] = [
      " ", " ", " ", ", ", ". ", "\n", "\r\n", "\t", "'", "\u{01}", "\u{7F}", "-", "(", ")", "\"",
      "a", "to", "the", "Word", "it's", "don't", "1998", "ABCDEFG", "abcdefgh", "international",
      String(repeating: "x", count: 64), String(repeating: "Yz", count: 40), "x'", "'y",
    ].map { Array($0.utf8) }
    for _ in 0..<3_000 {
      var bytes: [UInt8] = []
      let target = Int.random(in: 0...600, using: &random)
      while bytes.count < target { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
      let text = bytes.withUnsafeBufferPointer { TokenizedText($0, blankLineSeparated: false) }
      let expected = Self.referenceTokens(bytes)
      #expect(text.hashes == expected.map(\.hash), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
      #expect(text.starts == expected.map(\.start))
      #expect(text.ends == expected.map(\.end))
    }
  }

  /// The token columns are first given room for a token every second byte; the
  /// densest texts fit it, and a text that does not (here, any text given too little
  /// first room) is tokenized again to the same result.
  @Test func tokenColumnsFitTheirRoom() {
    let densest: [[UInt8]] = [Array("a ".utf8), Array("a\u{4E2D}".utf8), [0x61, 0xFF], Array("1\u{0E01}".utf8)]
    for sample in densest {
      let bytes: [UInt8] = Array(repeating: sample, count: 10_000).flatMap { $0 } + [0x62]
      let text = bytes.withUnsafeBufferPointer { TokenizedText($0, blankLineSeparated: false) }
      #expect(text.count == bytes.count / 2 + 1)
      #expect(text.hashes.capacity < bytes.count / 2 + 2 * TokenSink.margin, "tokenized once, in the first room")
    }
    var random = SeededRandom(seed: 7)
    let pieces = ["a", " ", "\u{4E2D}", "\n", "Word", ",", "\u{00E9}", "\u{FF}"].map { Array($0.utf8) }
    for _ in 0..<200 {
      var bytes: [UInt8] = []
      let target = Int.random(in: 1...2_000, using: &random)
      while bytes.count < target { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
      let (whole, retried) = bytes.withUnsafeBufferPointer {
        (
          TokenizedText($0, blankLineSeparated: true),
          TokenizedText($0, blankLineSeparated: true, firstRoom: TokenSink.margin + 1)
        )
      }
      #expect(retried.hashes == whole.hashes)
      #expect(retried.starts == whole.starts)
      #expect(retried.ends == whole.ends)
      #expect(retried.characterTokens == whole.characterTokens)
      #expect(retried.lines.map(\.start) == whole.lines.map(\.start))
      #expect(retried.paragraphs.map(\.tokens) == whole.paragraphs.map(\.tokens))
    }
  }
}
