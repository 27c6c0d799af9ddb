import Foundation
import Winnow

/// Shared test material: the articles in ../shared (optional) and a seeded generator.
enum Fixtures {
  /// The directory of shared article texts, when this checkout has it.
  static let articlesDirectory: URL? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
      directory = directory.deletingLastPathComponent()
      let candidate = directory.appendingPathComponent("shared/data/articles/text")
      if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
    }
    return nil
  }()

  /// Every shared article as bytes, sorted by file name; empty without ../shared.
  static let articles: [(name: String, bytes: [UInt8])] = {
    guard let directory = articlesDirectory,
      let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
    else { return [] }
    return names.sorted().compactMap { name in
      guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
        return nil
      }
      return (name, [UInt8](data))
    }
  }()

  static var hasArticles: Bool { !articles.isEmpty }
}

/// The package's seeded generator (SplitMix64).
typealias SeededRandom = SplitMix64

/// Random byte strings built from pieces that exercise every path of the normalizer.
enum RandomText {
  static let pieces: [[UInt8]] = {
    let strings = [
      "a", "b", "Z", "word", " ", "  ", "\t", "\n", "\n\n\n", "\r", "\r\n", ".", ",", "'", "\"",
      "\u{00A0}", "\u{2009}", "\u{3000}", "\u{200B}", "\u{00AD}", "\u{FEFF}", "\u{2060}", "\u{200D}", "\u{200C}",
      "\u{FE0F}", "\u{0301}", "\u{0300}", "\u{0316}", "\u{0323}", "\u{0591}", "\u{05B0}", "\u{093C}", "\u{094D}",
      "\u{0915}", "\u{0937}", "\u{1100}", "\u{1161}", "\u{11A8}", "\u{AC00}", "\u{1F468}", "\u{1F3F4}",
      "\u{E0067}", "\u{E007F}", "\u{05E9}", "\u{0645}", "\u{200F}", "\u{202E}", "\u{2018}", "\u{2019}",
      "\u{201C}", "\u{201D}", "\u{00AB}", "\u{300C}", "\u{2013}", "\u{2014}", "\u{2026}", "\u{2212}",
      "\u{0085}", "\u{0091}", "\u{0096}", "\u{0081}", "\u{2028}", "\u{2029}", "\u{000B}", "\u{000C}",
      "\u{0000}", "\u{0007}", "\u{007F}", "\u{FB01}", "\u{212B}", "\u{00C5}", "\u{FF21}", "\u{00BD}",
      "\u{1E9E}", "\u{00DF}", "\u{0130}", "\u{03A3}", "\u{0345}", "\u{00A8}", "\u{1FED}", "\u{0F73}",
      "\u{034F}", "\u{FFFD}", "\u{4E2D}", "\u{6587}", "\u{0E01}", "\u{0E48}", "e\u{0301}",
      // Characters of mojibake: windows-1252 and windows-1251 readings of UTF-8 bytes.
      "\u{00C3}", "\u{00A9}", "\u{00E2}", "\u{20AC}", "\u{2122}", "\u{00D0}", "\u{0420}", "\u{0421}",
      "\u{00B0}", "\u{00C2}", "?",
    ]
    var result = strings.map { Array($0.utf8) }
    // Ill-formed UTF-8: stray bytes, truncated sequences, overlongs, encoded surrogates.
    result += [[0xFF], [0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC2]]
    return result
  }()

  /// A random byte string of up to `maximumPieces` pieces; some pieces are random scalars.
  static func make(using random: inout SeededRandom, maximumPieces: Int = 40) -> [UInt8] {
    var bytes: [UInt8] = []
    let count = Int.random(in: 0...maximumPieces, using: &random)
    for _ in 0..<count {
      if Int.random(in: 0..<8, using: &random) == 0 {
        var scalarValue = UInt32.random(in: 0...0x10FFFF, using: &random)
        if (0xD800...0xDFFF).contains(scalarValue) { scalarValue = 0x41 }
        bytes += Array(String(Character(Unicode.Scalar(scalarValue)!)).utf8)
      } else {
        bytes += pieces.randomElement(using: &random)!
      }
    }
    return bytes
  }
}
