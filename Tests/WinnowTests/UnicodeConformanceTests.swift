import Foundation
import Testing
import Winnow

/// Unicode 15.0 NormalizationTest.txt (the Unicode-licensed test data, committed with
/// its header under Resources/) against the NFC and NFKC paths of the normalizer.
@Suite struct UnicodeConformanceTests {
  struct Line: Sendable {
    var number: Int
    var columns: [String]  // source; NFC; NFD; NFKC; NFKD
    var partOne: Bool
  }

  static let lines: [Line] = {
    guard
      let url = Bundle.module.url(forResource: "NormalizationTest", withExtension: "txt", subdirectory: "Resources"),
      let text = try? String(contentsOf: url, encoding: .utf8)
    else { return [] }
    var result: [Line] = []
    var part = ""
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if raw.hasPrefix("@Part") {
        part = String(raw.prefix(6))
        continue
      }
      guard let first = raw.first, first.isHexDigit else { continue }
      let fields = raw.split(separator: "#")[0].split(separator: ";").prefix(5)
      let columns = fields.map { field in
        String(String.UnicodeScalarView(field.split(separator: " ").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }))
      }
      result.append(Line(number: index + 1, columns: columns, partOne: part == "@Part1"))
    }
    return result
  }()

  static func options(_ form: NormalizationOptions.UnicodeForm) -> NormalizationOptions {
    var options = NormalizationOptions.minimal
    options.unicodeForm = form
    return options
  }

  @Test func testDataIsThere() {
    #expect(Self.lines.count == 19_074)
    #expect(TextNormalizer.unicodeVersion.hasPrefix("15."))
  }

  @Test func nfcConformance() {
    let nfc = TextNormalizer(Self.options(.nfc))
    var failures = 0
    for line in Self.lines {
      let c = line.columns
      // c2 == toNFC(c1) == toNFC(c2) == toNFC(c3); c4 == toNFC(c4) == toNFC(c5)
      for (source, expected) in [(0, 1), (1, 1), (2, 1), (3, 3), (4, 3)] where nfc.normalized(c[source]) != c[expected]
      {
        failures += 1
        if failures < 10 { Issue.record("line \(line.number): NFC(c\(source + 1)) != c\(expected + 1)") }
      }
    }
    #expect(failures == 0)
  }

  @Test func nfkcConformance() {
    let nfkc = TextNormalizer(Self.options(.nfkc))
    var failures = 0
    for line in Self.lines {
      for source in 0..<5 where nfkc.normalized(line.columns[source]) != line.columns[3] {
        failures += 1
        if failures < 10 { Issue.record("line \(line.number): NFKC(c\(source + 1)) != c4") }
      }
    }
    #expect(failures == 0)
  }

  /// Part 2: every other assigned code point is unchanged by NFC and NFKC. The line
  /// breaks the normalizer maps by design (CR, U+0085, U+2028, U+2029) are left out.
  @Test func unlistedCodePointsAreStable() {
    let listed = Set(Self.lines.filter(\.partOne).compactMap { $0.columns[0].unicodeScalars.first?.value })
    let nfc = TextNormalizer(Self.options(.nfc))
    let nfkc = TextNormalizer(Self.options(.nfkc))
    let mappedLineBreaks: Set<UInt32> = [0x0D, 0x85, 0x2028, 0x2029]
    var failures = 0
    var checked = 0
    for value in UInt32(0)...0x10FFFF where !listed.contains(value) && !mappedLineBreaks.contains(value) {
      guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .unassigned else { continue }
      let text = String(Character(scalar))
      checked += 1
      if nfc.normalized(text) != text || nfkc.normalized(text) != text {
        failures += 1
        if failures < 10 { Issue.record("U+\(String(value, radix: 16, uppercase: true)) changed") }
      }
    }
    #expect(checked > 100_000)
    #expect(failures == 0)
  }
}
