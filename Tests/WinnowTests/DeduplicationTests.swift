import Foundation
import Testing

@testable import Winnow

/// Cross-document deduplication: exact copies, near copies, repeated paragraphs, and
/// what must be kept.
@Suite struct DeduplicationTests {
  /// Seeded news-like articles: paragraphs of sentences of words drawn from a large
  /// vocabulary, so that two articles share common words but few runs of three.
  static func article(_ seed: UInt64, paragraphs: Int = 6) -> [String] {
    var random = SeededRandom(seed: seed)
    let syllables = ["ka", "to", "ri", "mo", "sen", "la", "du", "pe", "zor", "vin", "ta", "lis", "gro", "ne", "ber"]
    func word() -> String {
      // Frequent short words, as in running text, and rarer long ones.
      if random.next() % 4 == 0 { return ["the", "of", "and", "to", "in", "a", "is", "that"][Int(random.next() % 8)] }
      return (0..<(2 + Int(random.next() % 2))).map { _ in syllables[Int(random.next() % 15)] }.joined()
    }
    var title = (0..<7).map { _ in word() }.joined(separator: " ")
    title = title.prefix(1).uppercased() + title.dropFirst()
    var lines = [title]
    for _ in 0..<paragraphs {
      var sentences: [String] = []
      for _ in 0..<3 {
        var sentence = (0..<(12 + Int(random.next() % 10))).map { _ in word() }.joined(separator: " ")
        sentence = sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
        sentences.append(sentence)
      }
      lines.append(sentences.joined(separator: " "))
    }
    return lines
  }

  static func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

  /// `lines` with `count` words replaced by others, at seeded positions (not in the title).
  static func edited(_ lines: [String], words count: Int, seed: UInt64) -> [String] {
    var random = SeededRandom(seed: seed)
    var words = lines.map { $0.split(separator: " ").map(String.init) }
    for _ in 0..<count {
      let line = 1 + Int(random.next() % UInt64(words.count - 1))
      let position = Int(random.next() % UInt64(words[line].count))
      words[line][position] = "edited\(random.next() % 1000)"
    }
    return words.map { $0.joined(separator: " ") }
  }

  @Test func exactRepostIsDroppedWhateverItsSpacingCaseAndQuotes() {
    var deduplicator = CorpusDeduplicator()
    let original = Self.article(1)
    let first = deduplicator.add(utf8: Self.text(original), id: "a")
    #expect(first.decision.isKept && first.text == Self.text(original))
    let repost = original.map { $0.uppercased().replacingOccurrences(of: " ", with: "  ") }
    let second = deduplicator.add(utf8: Self.text(["  "] + repost + [""]), id: "b")
    #expect(second.decision.duplicate?.keptID == "a")
    #expect(second.decision.duplicate?.kind == .exact)
    #expect(second.decision.duplicate?.similarity == 1)
    #expect(second.text.isEmpty)
    #expect(deduplicator.documentCount == 2 && deduplicator.keptIDs == ["a"])
  }

  @Test func syndicatedCopyWithNewHeadlineAndEditedWordsIsANearDuplicate() throws {
    var deduplicator = CorpusDeduplicator()
    let original = Self.article(2)
    _ = deduplicator.add(utf8: Self.text(Self.article(3)), id: "other")
    _ = deduplicator.add(utf8: Self.text(original), id: "original")
    let wordCount = original.joined(separator: " ").split(separator: " ").count
    // A new headline of 10 tokens and 5% of the words changed.
    var copy = Self.edited(original, words: wordCount / 20, seed: 9)
    copy[0] = "Syndicated: a completely different headline for the same story"
    let result = deduplicator.add(utf8: Self.text(copy), id: "copy")
    let duplicate = try #require(result.decision.duplicate)
    #expect(duplicate.keptID == "original" && duplicate.keptInputNumber == 1)
    #expect(duplicate.kind == .near)
    #expect(duplicate.similarity >= 0.6 && duplicate.similarity < 1)
    #expect(duplicate.longestNewRun <= 12 && duplicate.coveredShare > 0.9 && duplicate.coveredShare < 1)
  }

  /// A line of text of its own (a sentence of 14 tokens, more than
  /// `maximumNewTokens`) makes a copy a document of its own, however similar: it is
  /// kept, the decision says which document it was checked against and why it stays,
  /// and the paragraphs the original holds are removed from it.
  @Test func copyThatAddsASentenceOfItsOwnIsKept() throws {
    let original = Self.article(2)
    func added(_ line: String) -> (decision: DeduplicationDecision, text: String) {
      var deduplicator = CorpusDeduplicator()
      _ = deduplicator.add(utf8: Self.text(original), id: "original")
      let result = deduplicator.add(utf8: Self.text(original + [line]), id: "copy")
      return (result.decision, String(decoding: result.text, as: UTF8.self))
    }
    let line = "Sign up for our newsletter to get the latest news delivered to your inbox."
    let result = added(line)
    #expect(result.decision.isKept)
    let candidate = try #require(result.decision.nearestCandidate)
    #expect(candidate.keptID == "original" && candidate.similarity > 0.9)
    #expect(candidate.longestNewRun == 14 && candidate.coveredShare > 0.9)
    // Only the title stays besides the line: shorter than a paragraph, never removed.
    #expect(result.text == original[0] + "\n" + line + "\n")
    // Thirteen tokens is still one more than a near copy may lack; twelve is not.
    let thirteen = added("Sign up for our newsletter to get the news delivered to your inbox.")
    #expect(thirteen.decision.isKept && thirteen.decision.nearestCandidate?.longestNewRun == 13)
    let twelve = added("Sign up for our newsletter to get news delivered to your inbox.")
    #expect(twelve.decision.duplicate?.keptID == "original")
    #expect(twelve.decision.duplicate?.longestNewRun == 12)
  }

  @Test func differentArticlesSharingAQuoteAreBothKept() {
    var deduplicator = CorpusDeduplicator()
    let quote = "\"We will rebuild the bridge before the winter comes, whatever it costs,\" the mayor said."
    var first = Self.article(4)
    var second = Self.article(5)
    first[2] += " " + quote
    second[3] = quote + " " + second[3]
    #expect(deduplicator.add(utf8: Self.text(first), id: "first").decision.isKept)
    let result = deduplicator.add(utf8: Self.text(second), id: "second")
    #expect(result.decision.isKept)
    #expect(result.decision.removedParagraphs.isEmpty)
    #expect(result.text == Self.text(second))
  }

  @Test func partialOverlapUnderAThirdIsKept() {
    var deduplicator = CorpusDeduplicator(.init(repeatedParagraphs: false))
    let source = Self.article(6, paragraphs: 9)
    _ = deduplicator.add(utf8: Self.text(source), id: "source")
    // Two of its nine paragraphs, inside an article three times as long.
    let mixed = Self.article(7, paragraphs: 6) + Array(source[3...4])
    let result = deduplicator.add(utf8: Self.text(mixed), id: "mixed")
    #expect(result.decision.isKept)
  }

  /// Most of one article with paragraphs of another before or after it: as similar
  /// to the first as a near copy (about 1 - P), but it holds text of its own, so it is
  /// kept, at every proportion (the 0.6 threshold of the similarity alone dropped the
  /// 10%, 20% and 30% mixes).
  @Test(arguments: [1, 2, 3, 4, 5])
  func mostOfAnArticleWithParagraphsOfAnotherIsKept(otherParagraphs: Int) throws {
    let source = Self.article(20, paragraphs: 9)
    let other = Self.article(21, paragraphs: 9)
    for mixed in [Array(other[1...otherParagraphs]) + source, source + Array(other[1...otherParagraphs])] {
      var deduplicator = CorpusDeduplicator(.init(repeatedParagraphs: false))
      _ = deduplicator.add(utf8: Self.text(source), id: "source")
      let result = deduplicator.add(utf8: Self.text(mixed), id: "mixed")
      #expect(result.decision.isKept)
      let candidate = try #require(result.decision.nearestCandidate)
      #expect(candidate.keptID == "source" && candidate.longestNewRun >= 36 * otherParagraphs)
    }
  }

  /// A short document may lack at most half of its tokens in a row from its kept
  /// document: a line of 8 tokens with 10 of its own after it is a document of its
  /// own (a run of 10 is under the 12 a long document may lack), with 4 it is a copy.
  @Test func shortDocumentMayLackAtMostHalfOfItself() {
    let line = "alpha beta gamma delta epsilon zeta eta theta"
    func decision(_ own: String) -> DeduplicationDecision {
      var deduplicator = CorpusDeduplicator(.init(similarityThreshold: 0.2, bands: 128, rows: 1))
      _ = deduplicator.add(utf8: Array(line.utf8), id: "line")
      return deduplicator.add(utf8: Array((line + " " + own).utf8), id: "longer").decision
    }
    let kept = decision("one two three four five six seven eight nine ten")
    #expect(kept.isKept && kept.nearestCandidate?.longestNewRun == 10, "\(kept)")
    #expect(decision("one two three four").duplicate?.longestNewRun == 4)
  }

  /// Copies with 10% of their words changed, every change isolated: the kept document
  /// holds all of them but single words, whatever their similarity (0.5 to 0.65).
  @Test(arguments: 0..<8)
  func copiesWithTenPercentOfTheirWordsChangedAreNearDuplicates(seed: UInt64) throws {
    var deduplicator = CorpusDeduplicator()
    let original = Self.article(30 + seed, paragraphs: 9)
    _ = deduplicator.add(utf8: Self.text(original), id: "original")
    // Every tenth word replaced, from a seeded offset.
    var words = original.map { $0.split(separator: " ").map(String.init) }
    var position = Int(seed)
    for line in words.indices {
      for index in words[line].indices {
        // A word of letters only (digits would make a token of their own).
        if position % 10 == 0 { words[line][index] = "changed" + String(UnicodeScalar(97 + position % 26)!) }
        position += 1
      }
    }
    let result = deduplicator.add(utf8: Self.text(words.map { $0.joined(separator: " ") }), id: "copy")
    let duplicate = try #require(result.decision.duplicate)
    #expect(duplicate.keptID == "original" && duplicate.kind == .near)
    // One token per change; up to three at the end, where the last token is in one
    // shingle only.
    #expect(duplicate.longestNewRun <= 3 && duplicate.similarity < 0.7, "\(duplicate)")
  }

  @Test func paragraphsSeenEarlierAreRemovedAndTheArticlesAroundThemSurvive() {
    var deduplicator = CorpusDeduplicator()
    let notice =
      "Cookies help us deliver our services and by using our services you agree to our use of cookies on this site."
    let short = "Share this article"
    var outputs: [String] = []
    for seed in 10..<14 {
      var lines = Self.article(UInt64(seed))
      lines.insert(notice, at: 1)
      lines.append(short)
      let result = deduplicator.add(utf8: Self.text(lines), id: "page\(seed)")
      #expect(result.decision.isKept)
      outputs.append(String(decoding: result.text, as: UTF8.self))
      if seed == 10 {
        #expect(result.decision.removedParagraphs.isEmpty)
      } else {
        let removed = result.decision.removedParagraphs
        #expect(removed.count == 1)
        #expect(removed.first?.keptID == "page10")
        // Exactly the notice and its line break are gone; the short line stays.
        var expected = Self.article(UInt64(seed))
        expected.append(short)
        #expect(result.text == Self.text(expected))
      }
    }
    #expect(outputs[0].contains(notice))
    #expect(deduplicator.paragraphCount > 0)
  }

  @Test func removalRangesKeepTheLineStructure() {
    var deduplicator = CorpusDeduplicator(.init(minimumParagraphWords: 3))
    _ = deduplicator.add(utf8: Array("alpha beta gamma\ndelta epsilon zeta\n".utf8), id: "one")
    let first = deduplicator.add(utf8: Array("alpha beta gamma\n\nnew line here\n".utf8), id: "two")
    #expect(String(decoding: first.text, as: UTF8.self) == "new line here\n")
    let last = deduplicator.add(utf8: Array("other words here\n\ndelta epsilon zeta\n".utf8), id: "three")
    #expect(String(decoding: last.text, as: UTF8.self) == "other words here\n")
    let middle = deduplicator.add(
      utf8: Array("more words here and there\nalpha beta gamma\ndelta epsilon zeta\nlast words here and there".utf8),
      id: "four")
    #expect(String(decoding: middle.text, as: UTF8.self) == "more words here and there\nlast words here and there")
    #expect(middle.decision.removedParagraphs.map(\.keptID) == ["one", "one"])
    // Every paragraph seen before, in another order: not a copy of "one" (a third of
    // its shingles), but nothing of it is left.
    let everything = deduplicator.add(utf8: Array("delta epsilon zeta\nalpha beta gamma".utf8), id: "five")
    #expect(everything.decision.isKept)
    #expect(everything.decision.removedParagraphs.count == 2 && everything.text.isEmpty)
  }

  /// Fingerprinting the repeat finder's tokens gives what fingerprinting the result
  /// again gives, whatever the finder's paragraph mode.
  @Test func fingerprintOfTheFindersTokensEqualsAFreshOne() {
    let deduplicator = CorpusDeduplicator()
    let body = Self.article(20)
    let documents = [
      Self.text(body), Self.text(body + body), Self.text(["Title"] + body + ["", "Short line."] + body + [""]),
      Array("".utf8), Array("one two three".utf8),
    ]
    for blankLines in [false, true] {
      let finder = RepeatFinder(.init(blankLineSeparatedParagraphs: blankLines))
      for document in documents {
        let (removal, shared) = deduplicator.removingRepeats(utf8: document, with: finder)
        let fresh = deduplicator.fingerprint(utf8: removal.utf8)
        #expect(removal.utf8 == finder.removingRepeats(utf8: document).utf8)
        #expect(shared.exact?.0 == fresh.exact?.0 && shared.exact?.1 == fresh.exact?.1)
        #expect(shared.signature == fresh.signature)
        #expect(shared.paragraphs.map(\.key) == fresh.paragraphs.map(\.key))
        #expect(shared.paragraphs.map(\.content) == fresh.paragraphs.map(\.content))
        #expect(shared.paragraphs.map(\.isLongEnough) == fresh.paragraphs.map(\.isLongEnough))
      }
    }
  }

  @Test func emptyDocumentsAreKept() {
    var deduplicator = CorpusDeduplicator()
    for id in ["a", "b"] {
      let result = deduplicator.add(utf8: Array(" \n\n ...\n".utf8), id: id)
      #expect(result.decision.isKept)
    }
  }

  @Test func minHashEstimatesJaccardSimilarity() {
    // Token sets with known overlap: 1-token shingles of distinct hashes.
    var random = SeededRandom(seed: 3)
    let shared = (0..<600).map { _ in random.next() }
    for (onlyA, onlyB) in [(0, 0), (200, 200), (600, 600), (1800, 1800)] {
      let a = shared + (0..<onlyA).map { _ in random.next() }
      let b = (0..<onlyB).map { _ in random.next() } + shared
      let truth = Double(shared.count) / Double(shared.count + onlyA + onlyB)
      let sa = a.withUnsafeBufferPointer { MinHash.signature($0, shingleSize: 1, bins: 128) }
      let sb = b.withUnsafeBufferPointer { MinHash.signature($0, shingleSize: 1, bins: 128) }
      let estimate = sa.withUnsafeBufferPointer { x in sb.withUnsafeBufferPointer { MinHash.similarity(x, $0) } }
      #expect(abs(estimate - truth) < 0.15, "truth \(truth), estimate \(estimate)")
    }
    // Short sequences leave bins empty; densification fills them the same way.
    let short: [UInt64] = [1, 2, 3, 4, 5]
    let s1 = short.withUnsafeBufferPointer { MinHash.signature($0, shingleSize: 3, bins: 128) }
    #expect(s1.count == 128 && !s1.contains(.max))
    #expect(s1 == short.withUnsafeBufferPointer { MinHash.signature($0, shingleSize: 3, bins: 128) })
  }

  /// Every key found again with its value, in bounded memory. (The bound of 16 bytes
  /// per key applies from about two million keys on, where the table grows by 15%;
  /// `winnow-bench --paragraph-index` measures it with ten million.)
  @Test func fingerprintIndexKeepsEveryKey() {
    var index = FingerprintIndex()
    var random = SeededRandom(seed: 5)
    var keys: [UInt64] = []
    for value in 0..<300_000 {
      let key = random.next()
      keys.append(key)
      #expect(index.valueOrInsert(key, UInt32(value)) == nil)
    }
    // Below a million slots the table doubles: at least 48% full.
    #expect(Double(index.memoryBytes) / Double(index.count) <= 12.2 / 0.48)
    #expect(index.count == keys.count)
    for (value, key) in keys.enumerated() where index.value(for: key) != UInt32(value) {
      Issue.record("key \(value) lost")
      return
    }
    #expect(index.valueOrInsert(keys[7], 99) == 7)
    #expect(index.exchange(keys[7], 99) == 7)
    #expect(index.value(for: keys[7]) == 99)
    #expect(index.value(for: 12345) == nil)
    // The key 0 is stored (as 1).
    #expect(index.valueOrInsert(0, 5) == nil)
    #expect(index.value(for: 0) == 5)
  }
}

/// The index file: saved and loaded, merged, and refused when damaged or foreign.
@Suite struct DeduplicationIndexTests {
  typealias Articles = DeduplicationTests
  static let notice =
    "Cookies help us deliver our services and by using our services you agree to our use of cookies on this site."

  /// Documents for shard `shard`: new articles with the notice, reposts and near copies
  /// of articles of earlier shards.
  static func shard(_ shard: Int) -> [(id: String, text: [UInt8])] {
    var documents: [(String, [UInt8])] = []
    for index in 0..<40 {
      let seed = UInt64(shard * 100 + index)
      documents.append(("s\(shard)-\(index)", Articles.text(Articles.article(seed) + [notice])))
      if shard > 0 && index % 4 == 0 {
        let earlier = Articles.article(UInt64((shard - 1) * 100 + index)) + [notice]
        documents.append(("s\(shard)-\(index)-repost", Articles.text(earlier)))
      }
      if shard > 0 && index % 4 == 1 {
        let earlier = Articles.article(UInt64((shard - 1) * 100 + index))
        let words = earlier.joined(separator: " ").split(separator: " ").count
        documents.append(
          ("s\(shard)-\(index)-near", Articles.text(Articles.edited(earlier, words: words / 25, seed: seed))))
      }
    }
    return documents
  }

  /// What a decision says, comparable.
  static func summary(_ decision: DeduplicationDecision) -> String {
    if let duplicate = decision.duplicate {
      return "\(duplicate.kind) \(duplicate.keptID) \(duplicate.keptInputNumber) \(duplicate.similarity)"
    }
    return "kept " + decision.removedParagraphs.map { "\($0.utf8) \($0.keptID)" }.joined(separator: ",")
  }

  static func decide(_ documents: [(id: String, text: [UInt8])], with deduplicator: inout CorpusDeduplicator)
    -> [String]
  {
    documents.map { summary(deduplicator.add(utf8: $0.text, id: $0.id).decision) }
  }

  @Test func savedAndLoadedGivesTheDecisionsOfOneRun() throws {
    var one = CorpusDeduplicator()
    let first = Self.decide(Self.shard(0) + Self.shard(1), with: &one)
    let expected = Self.decide(Self.shard(2), with: &one)
    var today = CorpusDeduplicator()
    #expect(Self.decide(Self.shard(0) + Self.shard(1), with: &today) == first)
    var tomorrow = try CorpusDeduplicator(serialized: today.serialized())
    #expect(tomorrow.documentCount == today.documentCount && tomorrow.keptIDs == today.keptIDs)
    let decisions = Self.decide(Self.shard(2), with: &tomorrow)
    #expect(decisions == expected)
    #expect(decisions.contains { $0.hasPrefix("exact s1-") } && decisions.contains { $0.hasPrefix("near s1-") })
    #expect(decisions.contains { $0.hasPrefix("kept") && $0.contains("s0-0") })
  }

  @Test func mergedShardsGiveTheDecisionsOfOneRun() throws {
    var one = CorpusDeduplicator()
    _ = Self.decide(Self.shard(0) + Self.shard(1), with: &one)
    let (documentCount, keptIDs) = (one.documentCount, one.keptIDs)
    let expected = Self.decide(Self.shard(2), with: &one)
    var first = CorpusDeduplicator()
    var second = CorpusDeduplicator()
    _ = Self.decide(Self.shard(0), with: &first)
    _ = Self.decide(Self.shard(1), with: &second)
    var merged = try CorpusDeduplicator(serialized: first.serialized())
    try merged.merge(try CorpusDeduplicator(serialized: second.serialized()))
    #expect(merged.documentCount == documentCount)
    #expect(merged.keptIDs == keptIDs)
    #expect(Self.decide(Self.shard(2), with: &merged) == expected)
  }

  @Test func damagedForeignAndMismatchedIndexesAreRefused() throws {
    var deduplicator = CorpusDeduplicator()
    _ = Self.decide(Self.shard(0), with: &deduplicator)
    let bytes = deduplicator.serialized()
    func failure(_ bytes: [UInt8]) -> CorpusDeduplicator.IndexError? {
      do {
        _ = try CorpusDeduplicator(serialized: bytes)
        return nil
      } catch {
        return error
      }
    }
    #expect(failure(bytes) == nil)
    var flipped = bytes
    flipped[bytes.count / 2] ^= 0x40
    #expect(failure(flipped)?.code == .damaged)
    #expect(failure(flipped)?.description.contains("checksum") == true)
    #expect(failure(Array(bytes.prefix(bytes.count - 100)))?.code == .truncated)
    #expect(failure(Array(bytes.prefix(bytes.count - 100)))?.description.contains("cut short") == true)
    #expect(failure(Array("{\"id\": 1}\n".utf8))?.code == .notAnIndex)
    #expect(failure(Array("{\"id\": 1}\n".utf8))?.description.contains("not a Winnow index") == true)
    #expect(failure([])?.code == .notAnIndex)
    var future = bytes
    future[8] = 9
    #expect(failure(future)?.code == .unsupportedVersion)
    #expect(failure(future)?.description.contains("version 9") == true)
    var other = CorpusDeduplicator(.init(shingleSize: 5))
    #expect {
      try other.merge(deduplicator)
    } throws: { error in
      (error as? CorpusDeduplicator.IndexError)?.code == .incompatibleOptions
    }
  }
}
