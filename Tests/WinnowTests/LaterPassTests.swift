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
      let around = finder.removingRepeats(utf8: text)
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
      let around = finder.removingRepeats(utf8: text)
      let same = around == finder.removingRepeatsSearchingWholeText(utf8: text)
      #expect(same, "\(article.name)")
      if around.removed.contains(where: { $0.pass > 1 }) { laterPasses += 1 }
    }
    #expect(laterPasses > 0)
  }
}
