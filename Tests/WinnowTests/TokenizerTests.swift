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
}
