import Foundation
import Testing
import Winnow

/// Passes after the first search only around what the pass before changed: they find
/// what searches of the whole text find, on texts built so that each cut brings new
/// repeats about.
@Suite struct LaterPassTests {
  /// Lines of sentences, then lines of the same sentences in another order, glued
  /// together and among new ones: the first cuts leave sentences side by side that
  /// repeat a pair of the first part, which the next pass finds.
  static func reshuffled(seed: UInt64) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    let words = (0..<300).map { "w\($0 * 7919 % 1000)" }
    func sentence() -> String {
      let count = Int.random(in: 6...16, using: &random)
      let body = (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
      return body.prefix(1).uppercased() + body.dropFirst() + "."
    }
    let sentences = (0..<10).map { _ in sentence() }
    var lines: [String] = []
    var index = 0
    while index < sentences.count {
      let count = min(sentences.count - index, Int.random(in: 1...3, using: &random))
      lines.append(sentences[index..<index + count].joined(separator: " "))
      index += count
    }
    for _ in 0..<Int.random(in: 2...6, using: &random) {
      var line: [String] = []
      for _ in 0..<Int.random(in: 1...5, using: &random) {
        line.append(Int.random(in: 0..<4, using: &random) == 0 ? sentence() : sentences.randomElement(using: &random)!)
      }
      lines.append(line.joined(separator: " "))
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }

  @Test func laterPassesFindWhatWholeSearchesFind() {
    let finder = RepeatFinder(RepeatFinder.Options(minimumTokens: 8))
    var laterPasses = 0
    for seed in UInt64(1)...400 {
      let text = Self.reshuffled(seed: seed)
      let around = finder.removingRepeatsSearchingAroundCuts(utf8: text)
      let whole = finder.removingRepeatsSearchingWholeText(utf8: text)
      let same = around == whole  // compared whole; a difference names only the seed
      #expect(same, "seed \(seed)")
      if whole.removed.contains(where: { $0.pass > 1 }) { laterPasses += 1 }
    }
    // The texts exercise later passes.
    #expect(laterPasses > 40, "\(laterPasses) texts with a later pass")
  }

  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"))
  func sharedArticlesWithCopiesInAnotherOrderGiveWhatWholeSearchesGive() {
    let finder = RepeatFinder()
    var laterPasses = 0
    for (number, article) in Fixtures.articles.enumerated() {
      // The article, then its lines again in another order, two glued on one line.
      var lines = String(decoding: article.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
      var random = SeededRandom(seed: UInt64(number))
      var copies = lines.shuffled(using: &random)
      if copies.count > 2 { copies[0] += " " + copies.removeLast() }
      lines += copies
      let text = Array((lines.joined(separator: "\n") + "\n").utf8)
      let around = finder.removingRepeatsSearchingAroundCuts(utf8: text)
      let same = around == finder.removingRepeatsSearchingWholeText(utf8: text)
      #expect(same, "\(article.name)")
      if around.removed.contains(where: { $0.pass > 1 }) { laterPasses += 1 }
    }
    #expect(laterPasses > 0)
  }

  /// Found by the fuzzer: passes around the cuts missed a span that a whole search
  /// finds in its fourth pass, so that cleaning the output again removed more. A text
  /// under a megabyte is searched whole in every pass.
  @Test func aSmallTextIsCleanedOnceForAll() throws {
    let input = try Self.fuzzFindingInput()
    let finder = RepeatFinder()
    let cleaned = finder.removingRepeats(utf8: input)
    #expect(finder.removingRepeats(utf8: cleaned.utf8).removed.isEmpty)
    #expect(cleaned == finder.removingRepeatsSearchingWholeText(utf8: input))
  }

  /// A text the fuzzer found on which passes around the cuts gave another result than
  /// whole searches, and the last pass in which a whole search removes something.
  struct AroundCutsFinding: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let base64: String
    let lastWholePass: Int
  }

  static let aroundCutsFindings = [
    // The cut of a paragraph took away a fingerprint of the paragraph before the one
    // before it (the windows that picked it reached into the cut), so that paragraph's
    // votes changed and it became a near repeat: a paragraph whose tokens are next to
    // a cut is searched whole.
    AroundCutsFinding(testDescription: "a paragraph next to a cut", base64: fuzzFinding, lastWholePass: 4),
    // A paragraph away from the cut repeats a fingerprint first seen next to it;
    // searched with only that pair, its votes went to another paragraph than a whole
    // search gives them to, which made it a near repeat: each paragraph is decided on
    // all its votes.
    AroundCutsFinding(testDescription: "all the votes of a paragraph", base64: secondFuzzFinding, lastWholePass: 1),
    // The first search passed over a short run next to a paragraph it then cut, and
    // so never looked at the pairs inside the run (a longer exact repeat); the cut
    // changed the run's fingerprints, and a whole search finds the repeat in the
    // second pass: the copies of the runs passed over whose original is next to a cut
    // are searched around.
    AroundCutsFinding(testDescription: "a repeat a run passed over hid", base64: thirdFuzzFinding, lastWholePass: 2),
    // The paragraph before the one before a cut was a line without tokens, so the
    // paragraph before it, where a repeat that runs on next to the cut is paired, was
    // not searched: one more paragraph each way is one that holds tokens.
    AroundCutsFinding(
      testDescription: "the paragraph before a line without tokens", base64: fourthFuzzFinding, lastWholePass: 2),
  ]

  /// Each fuzz finding searched around the cuts gives what whole searches give (each
  /// failed on the code before its fix).
  @Test(arguments: aroundCutsFindings)
  func passesAroundTheCutsGiveWhatWholeSearchesGive(_ finding: AroundCutsFinding) throws {
    let data = try #require(Data(base64Encoded: finding.base64))
    let input = TextNormalizer(profile: .minimal).normalize(utf8: [UInt8](data)).utf8
    let finder = RepeatFinder()
    let whole = finder.removingRepeatsSearchingWholeText(utf8: input)
    #expect(whole.removed.map(\.pass).max() == finding.lastWholePass)
    let same = finder.removingRepeatsSearchingAroundCuts(utf8: input) == whole  // compared whole
    #expect(same)
  }

  static let fuzzFinding =
    "b25lIHR3byB0aHJlZSBmb3VyIGZpdmUgc2l4IHOTk5OTk5OTZQpvbmUgIApvbnR3byB0aHIuZWUgZm91ciBmaXZlIHNpeCBzdmVl"
    + "biBlaWdodCBuaW5lIHRlbiBpeCBzZXZlbiBlaWdodCBuaW5lIHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTZQpvbmUgdHdvIHRo"
    + "ci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0d2Vsd2VsdmUgaGV0cnRpZW4Kk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5OTk5OTZQpvbmUgdHdvIHRoci5lZSBmb2V1ciBmaXZlIHNpeCBzk5OTk5OTk2UKb25lIHR3byB0aHIu"
    + "ZWUgZm91ciBmaXZlIHNpeCBzZXZlbiBlaWdodCBuaW5lIHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkwqTk2UKb25lIHR3byB0aHIuZWUgZm9lCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBz"
    + "aXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHSTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5NlCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHR3"
    + "ZWx3ZWx2ZSBoZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4g"
    + "ZWxldmVuIHSTk5NlbiBlbGV2ZW4gdHdlbHdlbHZlIGhqaXBzZXRydGllbuOTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2"
    + "ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHSTk/////////////+Tk5OTk5OTk5OTk5OTk5OTk5OTkwpvbmUgdHdv"
    + "IHRoci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0k5OTZW4gZWxldmVuIHR3ZWx3ZWx2ZSBo"
    + "amlwc2V0cnRpZW4Kk5OTk5OTkwpvbmUgdHdvIHRoci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZxwcHBwcHBwcHBwcHBwcHBwc"
    + "HBxodCBuaW5lIHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5NlCm9uZSB0d28gdGhyLmVlIFNldHIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHR3ZWx3ZWx2ZSBoZXRy"
    + "dGllbgo="

  static let secondFuzzFinding =
    "b25lIHR3byB0aHJlZSBmb3VyIGZpdmUgc2l4IHOTk5OTk5OTZQpvbmUgIApvbnR3byB0aHIuZWUgZm91ciBmaXZlIHNpeCBzdmVl"
    + "biBlaWdodCBuaW5lIHRlbmVzIHZpIHhlbiBlaWdodCBuaW5lKHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTZQpvbmUgdHdvIHRo"
    + "ci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2UgaGV0cnRpZW4Kk5OTk5OTkwpvbmUgdHdvIHRoci5lZSBmb3VyIGZpdmUgc2l4"
    + "IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0k5OTZW4gZWxldmVuIHR3ZWx3ZWx2ZSBoamlwc2V0cnRpZW7jk5OTk5OTkwpv"
    + "bmUgdHdvIHRoci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0k5P/////////////k5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5MKb25lIHR3byB0aHIuZWUgZm91ciBmaXZlIHNpeCBzZXZlbiBlaWdodCBukG5lIHRlbiBlbGV2ZW4gdJOT"
    + "k2VuIGVsZXZlbiB0d2Vsd2VsdmUgaGppcHNldHLs7OwpaWVuCpOTk5OTk5MKb25lIHR3byB0aHIuZWUgZm91ciBmaXZlIHNpeCBz"
    + "ZXZlbiBlaWccHBwcHBwcHBwcHBwcHBwcHBwcaHQgbmluZSB0ZW4gZWxldmVuIHSTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTZQpvbmUgdHdvIHRoci5lZSBTZXRyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUg"
    + "dGVuIGVsZXZlbiB0d2Vsd2VsdmVJbnR0cnRpZW4K"

  static let thirdFuzzFinding =
    "b25lIHR3byB0aHJlAQAAAAAAAEFpdmUgc2l4IHOTk5OTk5OTZQpvkprf3/WQkYt3byB0aHIuZWUgZm91ciBmaXZlIHNpeCBzdmVl"
    + "biBlaWdodCBuaW5lIHRlbiBpeCBzZXZlbiBlaWdodCBuaW5lIHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTZQpvbmUgdHdvIB0A"
    + "AABlZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0d2Vsd5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5OTk2UKb25lIHR3byB0aHIuZWUgU2V0ciBmaXZlIHNpeCBzeCBzk5OTk5OTk2UKb25lIHR3byB0aHIu"
    + "ZWUgZm91ciBmaXZlIHNpeCBzZXZlbiBlaWdodCBuaW5lIHRlbiBlbGV2ZW4gdJOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkwqTk2UKb25lIHR3byB0aHIuZWUgZm9lCm9uZSB0d28gdGhyLpua35mQio3lZml2ZSBz"
    + "aXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHSTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5NlCm9um9+Lj28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHR3"
    + "ZWx3ZWx2ZSBoZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4g"
    + "ZWxldmVuIHSTk5NlbiBlbGV2ZW4gdHdlbHdlbHZlIGhqaXBzZXRydGllbuOTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2"
    + "ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSDRZW4gZWxldmVuIHSTk/////////////+Tk5OTk5OTk5OTk5OTk5OTk5OTkwpvbmUgdHdv"
    + "IHRoci5lZSBmb3VyIGZpdmUgc2l4IHNldmVuIGVpZ2h0IG5pbmUgdGVuIGVsZXZlbiB0k5OTZW4gZWxldmVuIHR3ZWx3ZWx2ZSBo"
    + "amlwc2V0cnRpZW4Kk3WTk5OTkwpvbmUgdHdvIHRoci5lZSBmb3VyIGZpdmX//////yBzaXggc2V2ZW4gZWlnHBwcHBwcHBwcHBwc"
    + "HBwcHBwcHGh0IG5pbmUgdGVuIGVsZXZlbiB0k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk2UKb25lIHR3byB0aHIuZWUgU2V0ciBmaXZlIHNpeCBzZXZlbiBlaWdodCBuaW5lIHRlbiBlbGV2ZW4gdHdlbHdlbHZl"
    + "IGhldHJ0aWVuCg=="

  static let fourthFuzzFinding =
    "b25lIHR3byBlaCB0ZXJmb3VyIGZpdmUgc2l4IKBldmVuZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVuIHSTk5NlbiBl"
    + "bGV2ZW4gdHdlbHf//////2VsdmUgaGppcHNldHJ0aWVuCpOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5NlCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVu"
    + "IHR3ZWx3ZWx2ZSBoZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0"
    + "ZW4gZWxldmUlIHSTk5NlbiBlbGV2ZW4gdHdlbHdlbHZl4JBqaXBzZXRydGllbuOTk5OTk5OTCm9uIGV0d3dldGhyLmVlIGZvdXMg"
    + "Zml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxlVmVuIHSTk/////////////+Tk5OTk5OTk5OTIZOTk5OTk5OTkwpvbmUg"
    + "dHdvIHRoci5uaW5lIHRlbiBlbGVWZW4gdJOT/////////////5OTk5OTk5OTk5Mhk5OTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZv"
    + "dXIgZml2ZSBrZWlzc2V2ZW4gZWlnJmh0IG5pbmUgdGVuIGVsZXZlbiB0k5OTZW4gZWxldmVuIHR3ZWx3//////9lbHZlIGhqaXBz"
    + "ZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnHBwcHBwcHBwcHBwcHBwcHBwcHGh0"
    + "IG5pbmUgdGVuIGVsZXZlbiB0k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5MgZWxldmVuIHR3ZWx3//////9lbHZl"
    + "IGhqaXBzZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnHBwcHBwcHBwcHBwcHBwc"
    + "HBwcHGh0IG5pbmUgdGVuIGVsZXZlbiB0k5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OT"
    + "k5OTk5OTk5OTk5OTk5OTk5NlCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2ZSBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmVu"
    + "IHR3ZWx3ZWx2ZSBoZXRydGllbgqTk5OTk5OTCm9uZSB0d28gdGhyLmVlIGZvdXIgZml2Zf//////////////////////////////"
    + "/////wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACBzaXggc2V2ZW4gZWlnaHQgbmluZSB0ZW4gZWxldmUlIHSTk5NlbiBlbGV2ZW4A"
    + "dmVuICB0dw=="

  static func fuzzFindingInput() throws -> [UInt8] {
    let data = try #require(Data(base64Encoded: fuzzFinding))
    return TextNormalizer(profile: .minimal).normalize(utf8: [UInt8](data)).utf8
  }
}
