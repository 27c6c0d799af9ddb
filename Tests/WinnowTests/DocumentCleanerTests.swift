import Foundation
import Testing
import Winnow

/// The whole recipe for one document: its edits against the input, composed from every
/// step, reproduce the cleaned text.
@Suite struct DocumentCleanerTests {
  /// `edits` applied to `input`, taking the replacement bytes from `output`.
  static func apply(_ edits: [TextEdit], to input: [UInt8], output: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    var position = 0
    for edit in edits {
      result += input[position..<edit.input.lowerBound]
      result += output[edit.output]
      position = edit.input.upperBound
    }
    return result + input[position...]
  }

  // "Sign up for our newsletter – it’s free" written as UTF-8 read as windows-1252.
  static let misread = "Sign up for our newsletter \u{E2}\u{20AC}\u{201C} it\u{E2}\u{20AC}\u{2122}s free"

  /// A page with curly quotes and spacing to normalize, its body twice, and a
  /// boilerplate line holding mojibake.
  static func page(_ seed: UInt64) -> [UInt8] {
    let body = DeduplicationTests.article(seed, paragraphs: 4)
    let lines =
      ["  \u{201C}Breaking\u{201D}\u{00A0}\u{00A0}news \(seed)  "] + body + [misread] + body.dropFirst() + ["", "", ""]
    return Array(lines.joined(separator: "\r\n").utf8)
  }

  /// A document cleaned without explaining keeps no second copy of its text in its
  /// normalization, and the same counts, repairs and cleaned text as when explained.
  @Test func normalizedTextIsKeptOnlyWhenExplaining() {
    let cleaner = DocumentCleaner()
    let input = Self.page(901)
    let explained = cleaner.clean(input, explaining: true)
    let plain = cleaner.clean(input)
    #expect(explained.normalization?.utf8 == TextNormalizer(.default).normalize(utf8: input).utf8)
    #expect(plain.normalization?.utf8.isEmpty == true)
    #expect(plain.normalization?.edits == nil)
    #expect(plain.normalization?.counts == explained.normalization?.counts)
    #expect(plain.normalization?.repairs.isEmpty == false)
    #expect(plain.normalization?.repairs == explained.normalization?.repairs)
    #expect(plain.utf8 == explained.utf8)
    #expect(plain.repeats.removed == explained.repeats.removed)
  }

  @Test(arguments: [true, false])
  func editsFromEveryStepReproduceTheCleanedText(normalizing: Bool) {
    var counter = BoilerplateCounter()
    let counting = DocumentCleaner(normalization: normalizing ? .default : nil)
    for seed in UInt64(900)..<903 { counter.add(counting.boilerplateKeys(of: Self.page(seed))) }
    let cleaner = counting.with(boilerplate: counter.boilerplate(minimumDocuments: 3))
    let input = Self.page(900)
    let document = cleaner.clean(input, explaining: true)
    let edits = document.edits
    #expect(Self.apply(edits, to: input, output: document.utf8) == document.utf8)
    #expect(zip(edits, edits.dropFirst()).allSatisfy { $0.input.upperBound <= $1.input.lowerBound })
    #expect(edits.contains { $0.reasons.contains(.repeat) })
    #expect(!document.repeats.removed.isEmpty)
    let boilerplate = edits.filter { $0.reasons.contains(.boilerplate) }
    #expect(document.boilerplate.count == 1)
    #expect(boilerplate.contains { String(decoding: input[$0.input], as: UTF8.self).contains(Self.misread) })
    #expect(document.text.contains("newsletter") == false)
    if normalizing {
      #expect(edits.contains { $0.reasons.contains(.quote) })
      #expect(document.text.hasPrefix("\"Breaking\" news 900\n"))
    }
  }

  /// Deduplication's removed paragraphs compose onto the document's edits: applied to
  /// the input, they give what is written for the kept document.
  @Test func editsAfterDeduplicationReproduceTheWrittenText() {
    let cleaner = DocumentCleaner()
    var deduplicator = CorpusDeduplicator()
    let earlier = cleaner.clean(Self.page(910))
    #expect(deduplicator.decide(earlier.fingerprint!, id: "a").duplicate == nil)
    // A page of its own that quotes two paragraphs of the earlier one.
    var lines = DeduplicationTests.article(911, paragraphs: 4)
    let quoted = DeduplicationTests.article(910, paragraphs: 4)
    lines.insert(contentsOf: quoted[1...2].map { "  " + $0.replacingOccurrences(of: " ", with: "\u{00A0}") }, at: 2)
    let input = Array(lines.joined(separator: "\r\n").utf8)
    let document = cleaner.clean(input, explaining: true)
    let decision = deduplicator.decide(document.fingerprint!, id: "b")
    #expect(decision.duplicate == nil && decision.removedParagraphs.count == 2)
    let edits = document.edits(after: decision)
    let written = decision.applied(to: document.utf8)
    #expect(Self.apply(edits, to: input, output: written) == written)
    let removed = edits.filter { $0.reasons.contains(.duplicateParagraph) }
    #expect(removed.count == 1, "two consecutive paragraphs go as one range")
    #expect(String(decoding: input[removed[0].input], as: UTF8.self).contains("\u{00A0}"))
  }

  /// A repeat whose span ends where a boilerplate line was cut out maps back to the
  /// input without the line (it went as boilerplate, not as part of the repeat).
  @Test func repeatEndingAtARemovedLineMapsBackWithoutIt() throws {
    func page(_ number: Int) -> [UInt8] {
      let sentence = "The quick brown fox \(number) jumps over the lazy dog again and again near the river bank today."
      let lines = [
        sentence, "", "Intro line unique \(number) here.", sentence, "Sign up for our newsletter today please",
        "Closing line unique \(number) here.",
      ]
      return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
    var counter = BoilerplateCounter()
    let counting = DocumentCleaner(repeats: .init(blankLineSeparatedParagraphs: true), deduplication: nil)
    for number in 1...3 { counter.add(counting.boilerplateKeys(of: page(number))) }
    let cleaner = counting.with(boilerplate: counter.boilerplate(minimumDocuments: 3))
    let input = page(1)
    let document = cleaner.clean(input, explaining: true)
    #expect(document.boilerplate.count == 1)
    let span = try #require(document.repeats.removed.first)
    let removedText = document.repeats.text(of: span.utf8, in: try #require(document.repeatInput), for: span)
    let original = input[document.inputRange(ofRepeatInput: span.utf8)]
    #expect(String(decoding: original, as: UTF8.self) == String(decoding: removedText, as: UTF8.self))
    #expect(!String(decoding: original, as: UTF8.self).contains("newsletter"))
  }

  /// Without normalization, invalid UTF-8 still becomes U+FFFD (3 bytes for 1 here):
  /// the edits and the spans account for it, and count as Swift's decoder does.
  @Test func replacedInvalidBytesShiftNoSpan() throws {
    var input = Array("A\u{FF}B ".utf8)
    input[1] = 0xFF
    input += [0xE2, 0x82, 0x41] + Array(" broken\nSign up for our newsletter today please\nrest\n".utf8)
    var counter = BoilerplateCounter()
    let counting = DocumentCleaner(normalization: nil, repeats: nil, deduplication: nil)
    counter.add(counting.boilerplateKeys(of: input))
    counter.add(counting.boilerplateKeys(of: Array("Other page\nSign up for our newsletter today please\n".utf8)))
    let cleaner = counting.with(boilerplate: counter.boilerplate(minimumDocuments: 2))
    let document = cleaner.clean(input, explaining: true)
    let swiftCount = String(decoding: input, as: UTF8.self).unicodeScalars.filter { $0 == "\u{FFFD}" }.count
    #expect(document.counts[.invalidUTF8] == swiftCount)
    #expect(Self.apply(document.edits, to: input, output: document.utf8) == document.utf8)
    #expect(document.boilerplate.count == 1)
    let line = try #require(document.boilerplate.first)
    let span = document.inputRange(ofNormalized: line.utf8)
    #expect(String(decoding: input[span], as: UTF8.self) == "Sign up for our newsletter today please\n")
  }
}
