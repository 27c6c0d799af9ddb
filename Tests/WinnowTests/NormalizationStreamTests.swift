import Foundation
import Testing
import Winnow

/// A text normalized piece by piece gives the bytes and counts of one normalization of
/// the whole text, however it arrives and wherever it is cut.
@Suite struct NormalizationStreamTests {
  /// The text through a stream that cuts wherever it may (`pieceBytes` 4) or in pieces
  /// of about `pieceBytes`, fed `feed` bytes at a time.
  static func streamed(
    _ text: [UInt8], _ normalizer: TextNormalizer, pieceBytes: Int = 4, feed: (Int) -> Int = { _ in 1 << 16 }
  ) -> (output: [UInt8], counts: EditCounts, isUnchanged: Bool) {
    var stream = NormalizationStream(normalizer, pieceBytes: pieceBytes)
    var output: [UInt8] = []
    var position = 0
    var step = 0
    while position < text.count {
      let next = min(text.count, position + max(1, feed(step)))
      output += stream.append(text[position..<next])
      position = next
      step += 1
    }
    output += stream.finish()
    return (output, stream.counts, stream.isUnchanged)
  }

  /// Lines of random pieces (every path of the normalizer, mojibake, ill-formed UTF-8,
  /// every kind of line break and blank run), with no U+0085.
  static func adversarialText(seed: UInt64, lines: Int) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    var text: [UInt8] = []
    let mojibake = [
      "don\u{E2}\u{20AC}\u{2122}t", "Caf\u{C3}\u{A9}", "\u{D0}\u{9F}\u{D1}\u{80}\u{D0}\u{B8}", "\u{E2}\u{20AC}\u{0153}",
    ]
    for _ in 0..<lines {
      var line = RandomText.make(using: &random, maximumPieces: 12)
      if Int.random(in: 0..<3, using: &random) == 0 {
        line += Array(" \(mojibake.randomElement(using: &random)!) ".utf8)
      }
      // Many lines start with a letter and end with one, so that the stream can cut.
      if Bool.random(using: &random) { line = Array("W".utf8) + line }
      if Bool.random(using: &random) { line += Array("x".utf8) }
      text += line.replacingNextLine() + [0x0A]
    }
    return text
  }

  @Test(arguments: NormalizationOptions.Profile.allCases)
  func adversarialLinesGiveTheWholeTextsBytes(_ profile: NormalizationOptions.Profile) {
    let normalizer = TextNormalizer(profile: profile)
    for seed in UInt64(1)...6 {
      let text = Self.adversarialText(seed: seed, lines: 800)
      let whole = normalizer.normalize(utf8: text)
      var random = SeededRandom(seed: seed)
      let feeds = (0..<4096).map { _ in Int.random(in: 1...300, using: &random) }
      for (pieceBytes, feed) in [(4, { (_: Int) in 1 << 16 }), (4, { feeds[$0 % feeds.count] }), (700, { _ in 97 })] {
        let streamed = Self.streamed(text, normalizer, pieceBytes: pieceBytes, feed: feed)
        #expect(streamed.output == whole.utf8, "seed \(seed), pieces of \(pieceBytes)")
        #expect(streamed.counts == whole.counts && streamed.isUnchanged == whole.isUnchanged)
      }
    }
  }

  @Test func emptyAndCutlessTextsStayWhole() {
    let normalizer = TextNormalizer()
    for text in [
      "", "\n", "a", "a\nb", " x \n\n\n", "one long line without a cut " + String(repeating: "word ", count: 999),
    ] {
      let bytes = Array(text.utf8)
      #expect(Self.streamed(bytes, normalizer, feed: { _ in 3 }).output == normalizer.normalize(utf8: bytes).utf8)
    }
  }

  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"))
  func sharedArticlesGiveTheWholeTextsBytes() {
    let text = Fixtures.articles.flatMap { $0.bytes + [0x0A] }.replacingNextLine()
    for profile in NormalizationOptions.Profile.allCases {
      let normalizer = TextNormalizer(profile: profile)
      let whole = normalizer.normalize(utf8: text)
      let streamed = Self.streamed(text, normalizer)
      #expect(streamed.output == whole.utf8, "\(profile)")
      #expect(streamed.counts == whole.counts)
    }
  }

  /// The real misread lines (each repaired through the encodings lines before it were
  /// repaired through) and correct lines of ../shared/data/mojibake, cut at every line
  /// where a cut is allowed.
  @Test(.enabled(if: MojibakeSharedMaterialTests.hasMaterial, "needs ../shared/data/mojibake"))
  func sharedMojibakeLinesGiveTheWholeTextsBytes() throws {
    let misread = try MojibakeSharedMaterialTests.lines("positives.tsv").map { $0.split(separator: "\t").first ?? "" }
    let correct = try MojibakeSharedMaterialTests.lines("negatives.txt")
    let normalizer = TextNormalizer()
    for (name, lines) in [("misread", misread), ("correct", correct)] {
      let text = Array(lines.joined(separator: "\n").utf8).replacingNextLine() + [0x0A]
      let whole = normalizer.normalize(utf8: text)
      let streamed = Self.streamed(text, normalizer)
      #expect(streamed.output == whole.utf8, "\(name): \(lines.count) lines")
      #expect(streamed.counts == whole.counts, "\(name)")
      if name == "misread" { #expect(whole.counts[.mojibake] > 10_000) }
    }
  }
}

extension Array where Element == UInt8 {
  /// The bytes with each U+0085 (C2 85) replaced by "..." (a stream takes no U+0085).
  func replacingNextLine() -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(count)
    var index = 0
    while index < count {
      if self[index] == 0xC2 && index + 1 < count && self[index + 1] == 0x85 {
        result += [0x2E, 0x2E, 0x2E]
        index += 2
      } else {
        result.append(self[index])
        index += 1
      }
    }
    return result
  }
}

/// What a stream accepts to cut is well-formed UTF-8 without U+0085, as the standard
/// library decides it, over bytes biased towards the edges of every sequence length.
@Suite struct StreamAcceptanceTests {
  @Test func acceptsExactlyWellFormedUTF8WithoutNextLine() {
    var random = SeededRandom(seed: 5)
    let interesting: [UInt8] = [
      0x00, 0x41, 0x7F, 0x80, 0x85, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
      0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
    ]
    var accepted = 0
    for _ in 0..<20_000 {
      let prefix = [UInt8](repeating: 0x61, count: Int.random(in: 0...20, using: &random))
      let tail = (0..<Int.random(in: 0...6, using: &random)).map { _ in interesting.randomElement(using: &random)! }
      let bytes = prefix + tail + [UInt8](repeating: 0x62, count: Int.random(in: 0...3, using: &random))
      let string = String(validating: bytes, as: UTF8.self)
      let expected = string != nil && !string!.unicodeScalars.contains("\u{85}")
      #expect(bytes.withUnsafeBufferPointer { NormalizationStream.accepts($0) } == expected, "\(bytes)")
      if expected { accepted += 1 }
    }
    #expect(accepted > 1_000)
  }
}
