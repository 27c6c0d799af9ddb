import Foundation
import Testing
import Winnow

/// Idempotence and exact edit reports, on random inputs and on every shared article.
@Suite struct NormalizerInvariantTests {
  static let profiles = NormalizationOptions.Profile.allCases

  /// Checks the invariants for one input and returns a failure message, if any.
  static func check(_ bytes: [UInt8], _ profile: NormalizationOptions.Profile) -> String? {
    check(bytes, options: profile.options)
  }

  /// ``check(_:_:)`` with any options.
  static func check(_ bytes: [UInt8], options: NormalizationOptions) -> String? {
    let normalizer = TextNormalizer(options)
    let result = normalizer.normalize(utf8: bytes, recordingEdits: true)
    let plain = normalizer.normalize(utf8: bytes)
    if plain.utf8 != result.utf8 { return "recording edits changed the output" }
    if String(validating: result.utf8, as: UTF8.self) == nil { return "output is not valid UTF-8" }
    if result.applyingEdits(to: bytes) != result.utf8 { return "edits do not reproduce the output" }
    let edits = result.edits ?? []
    var previousEnd = (input: 0, output: 0)
    for edit in edits {
      if edit.input.lowerBound < previousEnd.input || edit.output.lowerBound < previousEnd.output {
        return "edits overlap or are unsorted"
      }
      if edit.input.lowerBound - previousEnd.input != edit.output.lowerBound - previousEnd.output {
        return "unchanged stretch has different lengths"
      }
      if edit.reasons.isEmpty { return "edit without a reason: \(edit)" }
      if Array(bytes[edit.input]) == Array(result.utf8[edit.output]) { return "edit changes nothing: \(edit)" }
      previousEnd = (edit.input.upperBound, edit.output.upperBound)
    }
    if result.isUnchanged != (result.utf8 == bytes) { return "isUnchanged is wrong" }
    let again = normalizer.normalize(utf8: result.utf8)
    if again.utf8 != result.utf8 {
      return "not idempotent: \(result.text.debugDescription) -> \(again.text.debugDescription)"
    }
    if !again.isUnchanged { return "second pass reports changes" }
    return nil
  }

  @Test(arguments: profiles)
  func randomInputs(_ profile: NormalizationOptions.Profile) {
    // hashValue differs from run to run: the seed comes from the profile's position.
    let index = UInt64(Self.profiles.firstIndex(of: profile)!)
    var failures = 0
    for seed in [2026 + index, 4052 + index, 6078 + index] {
      var random = SeededRandom(seed: seed)
      for _ in 0..<4000 {
        let bytes = RandomText.make(using: &random)
        if let failure = Self.check(bytes, profile) {
          failures += 1
          if failures <= 5 { Issue.record("\(failure) for input \(bytes.map { String($0, radix: 16) })") }
        }
      }
    }
    #expect(failures == 0)
  }

  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"), arguments: profiles)
  func sharedArticles(_ profile: NormalizationOptions.Profile) {
    #expect(Fixtures.articles.count >= 300)
    for article in Fixtures.articles {
      if let failure = Self.check(article.bytes, profile) {
        Issue.record("\(article.name): \(failure)")
      }
    }
  }

  /// On real articles the default profile changes only what its edits say, and each
  /// edit's input consists of characters its reasons allow it to change.
  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"))
  func articleEditsAreExplained() {
    let normalizer = TextNormalizer()
    var edited = 0
    for article in Fixtures.articles {
      let result = normalizer.normalize(utf8: article.bytes, recordingEdits: true)
      for edit in result.edits ?? [] {
        edited += 1
        let before = String(decoding: article.bytes[edit.input], as: UTF8.self)
        let after = String(decoding: result.utf8[edit.output], as: UTF8.self)
        if let problem = Self.unexplained(before: before, after: after, reasons: edit.reasons) {
          Issue.record(
            "\(article.name) \(edit.input): \(before.debugDescription) -> \(after.debugDescription) \(edit.reasons): \(problem)"
          )
        }
      }
    }
    #expect(edited > 0)
  }

  static func unexplained(before: String, after: String, reasons: TextEdit.Reason) -> String? {
    if reasons == .unicodeNormalization {
      return before == after ? nil : "not canonically equivalent"  // String == is canonical equivalence
    }
    for scalar in before.unicodeScalars {
      let properties = scalar.properties
      let gapReasons: TextEdit.Reason = [.whitespace, .lineBreak, .control, .invisible, .punctuation]
      let allowed =
        (!reasons.isDisjoint(with: gapReasons) && (scalar == " " || scalar == "\n"))
        || (reasons.contains(.whitespace) && properties.isWhitespace)
        || (reasons.contains(.lineBreak) && (properties.isWhitespace || scalar == "\u{85}"))
        || (reasons.contains(.quote) && properties.isQuotationMark)
        || (reasons.contains(.control) && properties.generalCategory == .control)
        || (reasons.contains(.invisible) && properties.isDefaultIgnorableCodePoint)
        || (reasons.contains(.c1Mapping) && (0x80...0x9F).contains(scalar.value))
        || (reasons.contains(.invalidUTF8) && scalar == "\u{FFFD}")
        || reasons.contains(.unicodeNormalization)
      if !allowed { return "U+\(String(scalar.value, radix: 16)) is not something \(reasons) changes" }
    }
    if reasons.isSubset(of: [.whitespace, .lineBreak, .control, .invisible]),
      !after.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\n" })
    {
      return "a whitespace edit wrote something other than spaces and LFs"
    }
    return nil
  }
}
