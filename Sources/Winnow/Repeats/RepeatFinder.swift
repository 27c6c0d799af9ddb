/// Finds blocks of text repeated inside one document, and removes the later copies.
///
/// Scrapers emit an article body twice, glue a repeat onto the end of the previous
/// paragraph, repeat a few paragraphs in the middle (paywall and "read more"
/// overlays), repeat a sentence back to back, or emit a second copy with different
/// quotes, spacing or a word or two changed. `RepeatFinder` finds all of these:
///
/// ```swift
/// let finder = RepeatFinder()
/// let report = finder.repeats(in: article)
/// for block in report.blocks {
///   print(block.original.utf8, block.copies.map(\.span.utf8), block.copies.map(\.similarity))
/// }
/// let cleaned = finder.removingRepeats(from: article)
/// cleaned.text      // the first copy of everything, nothing else changed
/// cleaned.removed   // what was removed, and what it repeats
/// ```
///
/// ## How it works
///
/// Text is cut into tokens compared by a comparison key that ignores case, diacritics,
/// Unicode normalization, punctuation and whitespace (see ``Options``), and into
/// paragraphs (every non-blank line by default).
///
/// - **Paragraph blocks.** Each paragraph gets a 64-bit fingerprint of its token keys.
///   A paragraph whose fingerprint (and tokens) equal an earlier one's is an exact
///   repeat; one that shares winnowed fingerprints with an earlier paragraph and
///   reaches ``Options/similarityThreshold`` is a near repeat. Consecutive repeated
///   paragraphs whose originals are consecutive too form one block, which is then
///   extended token by token both ways while the text around the copy repeats the
///   text around the original: the maximal repeated run, across line and paragraph
///   boundaries, short lines included (a copy glued onto the original's last line, a
///   copy whose headline or credit is short, a copy that ends inside a line). The
///   extension stops where a line starts or ends in the copy or in the original.
/// - **Spans.** A rolling hash over every window of ``Options/shingleSize`` tokens is
///   winnowed (Schleimer, Wilkerson and Aiken, 2003) with a window of
///   `minimumTokens - shingleSize + 1` hashes: the minimum of each window is kept.
///   Two copies of a run of at least ``Options/minimumTokens`` tokens share a whole
///   window, hence its minimum, so **every repeated run of at least `minimumTokens`
///   tokens is found**, wherever it starts and ends, across or inside paragraphs.
///   Each shared fingerprint is extended token by token to the maximal repeat.
///
/// Similarity is the Dice coefficient of the two copies' multisets of token bigrams:
/// 1.0 for exact repeats. A paragraph inside a repeated block that differs a little
/// from the paragraph it is aligned with (one word changed in a short line) joins the
/// block when 2 LCS / (m + n) of their tokens reaches the threshold. A line that
/// holds a whole earlier paragraph plus other text is a glued repeat: only the
/// repeat goes. Repeated spans are trimmed to whole sentences, so that no
/// fragment of a sentence is removed or left behind; repeated phrases inside
/// different sentences are not repeats. A span over more than one line may also start
/// or end where a line starts or ends in the original (a copy glued after a link).
///
/// - Complexity: O(*n*) in the length of the text, plus O(*m* log *m*) for each
///   paragraph of *m* tokens compared as a near repeat. A single document of 2 GiB
///   or more is not searched.
public struct RepeatFinder: Sendable {
  /// Tuning for ``RepeatFinder``.
  public struct Options: Sendable, Hashable {
    /// Repeats shorter than this many tokens are kept. Default 12: short lines that
    /// legitimately recur ("Yes.", "Photo", "Advertisement", a table label, a chorus
    /// line of a song) stay, while a repeated sentence (news sentences average 20 or
    /// more words) goes. A run of 12 identical tokens repeated by chance in one
    /// article is very unlikely outside quotations and boilerplate.
    public var minimumTokens: Int
    /// The number of tokens hashed together for winnowing (k). Default 4.
    public var shingleSize: Int
    /// The smallest similarity (Dice coefficient of token bigrams) at which a
    /// paragraph counts as a near repeat of an earlier one. Default 0.8.
    public var similarityThreshold: Double
    /// Treat groups of lines separated by blank lines as paragraphs, instead of
    /// every non-blank line.
    public var blankLineSeparatedParagraphs: Bool

    /// Creates options; the defaults are documented on each property.
    public init(
      minimumTokens: Int = 12, shingleSize: Int = 4, similarityThreshold: Double = 0.8,
      blankLineSeparatedParagraphs: Bool = false
    ) {
      self.minimumTokens = max(1, minimumTokens)
      self.shingleSize = max(1, min(shingleSize, self.minimumTokens))
      self.similarityThreshold = min(1, max(0, similarityThreshold))
      self.blankLineSeparatedParagraphs = blankLineSeparatedParagraphs
    }

    /// The winnowing window: the number of consecutive shingle hashes whose minimum
    /// is kept. `minimumTokens - shingleSize + 1`, which guarantees that every
    /// repeat of `minimumTokens` tokens shares a kept fingerprint.
    public var window: Int { minimumTokens - shingleSize + 1 }
  }

  /// The options of this finder.
  public let options: Options

  /// Creates a finder.
  public init(_ options: Options = Options()) {
    self.options = options
  }

  /// Finds the repeated blocks in `text`.
  public func repeats(in text: String) -> RepeatReport {
    var text = text
    let matches = text.withUTF8 { analyze($0).matches }
    return RepeatReport(matches: matches, text: text)
  }

  /// Finds the repeated blocks in UTF-8 bytes (invalid sequences separate tokens).
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  public func repeats(utf8 bytes: some Collection<UInt8>) -> RepeatReport {
    if let report = bytes.withContiguousStorageIfAvailable({ repeats(utf8Buffer: $0) }) { return report }
    return Array(bytes).withUnsafeBufferPointer { repeats(utf8Buffer: $0) }
  }

  /// ``repeats(utf8:)`` on contiguous bytes.
  package func repeats(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> RepeatReport {
    RepeatReport(matches: analyze(bytes).matches, text: nil)
  }

  /// Removes every later copy of a repeated block from `text`, keeping the first.
  ///
  /// Removal keeps the paragraph structure: a repeated paragraph goes with the line
  /// break before it, a repeated span inside a paragraph with the space before it and
  /// the punctuation after it. Nothing else changes. The search runs again on the
  /// result until nothing more is found (at most eight passes); in a text of a
  /// megabyte or more each pass after the first searches around what the pass before
  /// changed: where it cut text out, and the copies it found or passed over without
  /// cutting them (what lies away from all of these was searched before; it can miss
  /// a repeat a whole search finds, in texts built for it). Cleaning twice
  /// gives the same text as cleaning once unless a text needs more passes (built on
  /// purpose: sentences reshuffled so that each removal exposes a new repeat). A span found in a later pass can enclose
  /// spans removed earlier (see ``RemovedSpan/pass``).
  public func removingRepeats(from text: String) -> RepeatRemoval {
    var removal = removingRepeats(utf8: Array(text.utf8))
    removal.setOriginal(text)
    return removal
  }

  /// Removes every later copy of a repeated block from UTF-8 bytes, keeping the first.
  public func removingRepeats(utf8 bytes: consuming [UInt8]) -> RepeatRemoval {
    removingRepeatsKeepingTokens(utf8: consume bytes).removal
  }

  /// ``removingRepeats(utf8:)`` with every pass a search of the whole text, whatever
  /// its size: what tests compare the passes around the cuts with.
  package func removingRepeatsSearchingWholeText(utf8 bytes: consuming [UInt8]) -> RepeatRemoval {
    removingRepeatsKeepingTokens(utf8: consume bytes, aroundCutsFrom: Int.max).removal
  }

  /// ``removingRepeats(utf8:)`` with every pass after the first around the cuts,
  /// whatever the text's size.
  package func removingRepeatsSearchingAroundCuts(utf8 bytes: consuming [UInt8]) -> RepeatRemoval {
    removingRepeatsKeepingTokens(utf8: consume bytes, aroundCutsFrom: 0).removal
  }

  /// The size from which passes after the first search around the cuts: a smaller
  /// text is searched whole each time, which costs little and keeps cleaning twice
  /// the same as cleaning once (a pass around the cuts can miss a repeat that a
  /// search of the whole text finds, in texts built for it).
  static let aroundCutsBytes = 1 << 20

  /// ``removingRepeats(utf8:)``, and the tokens of the result when the last pass
  /// searched the result itself (nil when it stopped at the most passes).
  /// Passes after the first search around what the pass before changed (see
  /// ``analyze(_:around:hidden:reusing:keepingPassedOver:)``) in a text of `aroundCutsFrom` bytes or more, the
  /// whole text again in a smaller one.
  func removingRepeatsKeepingTokens(
    utf8 bytes: consuming [UInt8], aroundCutsFrom: Int = Self.aroundCutsBytes
  ) -> (removal: RepeatRemoval, tokens: TokenizedText?) {
    var current = consume bytes
    let aroundCuts = current.count >= aroundCutsFrom
    var removed: [RemovedSpan] = []
    var tokens: TokenizedText?
    // What the next pass searches around, in the current text (nil: everything).
    var places: [Range<Int>]?
    // The runs the passes so far passed over, in the current text: a cut next to a
    // run's original can bring it to light (see ``winnowedPairs(around:hidden:in:mayNearlyRepeat:)``).
    var hidden: [(copy: Range<Int>, original: Range<Int>)] = []
    // Offsets of the current text map back to the input through the removals so far.
    for pass in 1...Self.maximumPasses {
      var previous = tokens.take()
      let (cuts, passedOver) = current.withUnsafeBufferPointer { buffer in
        let (text, matches, passedOver) = analyze(
          buffer, around: places, hidden: hidden, reusing: previous.take(), keepingPassedOver: aroundCuts)
        tokens = text
        let cuts = matches.map { match in
          var match = match
          let range = Self.removalRange(for: &match, of: text, in: buffer, options: options)
          return (match, range)
        }
        return (cuts, passedOver)
      }
      let accepted = cuts.indices.filter { !cuts[$0].1.isEmpty }.sorted {
        cuts[$0].1.lowerBound < cuts[$1].1.lowerBound
      }
      guard !accepted.isEmpty else { break }
      // The text after this pass's cuts, moved down in place.
      var kept = 0
      var position = 0
      let earlier = removed  // this pass's offsets map back through earlier passes only
      // The cuts made: where each started and ended, and where it is in the text after.
      var applied: [(start: Int, end: Int, at: Int)] = []
      var made = [Bool](repeating: false, count: cuts.count)
      current.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        func keep(upTo end: Int) {
          if kept != position { (base + kept).update(from: base + position, count: end - position) }
          kept += end - position
        }
        for index in accepted where cuts[index].1.lowerBound >= position {
          let (match, range) = cuts[index]
          keep(upTo: range.lowerBound)
          applied.append((range.lowerBound, range.upperBound, kept))
          made[index] = true
          position = range.upperBound
          removed.append(
            RemovedSpan(
              utf8: Self.mapBack(range, through: earlier),
              repeats: Self.mapBack(match.originalBytes, through: earlier),
              tokenCount: match.copyTokens.count, similarity: match.similarity,
              isParagraphBlock: match.isParagraphBlock, pass: pass))
        }
        keep(upTo: buffer.count)
      }
      current.removeLast(current.count - kept)
      if aroundCuts {
        // The cuts and the copies left; the runs passed over, in the text after.
        let left = cuts.indices.filter { !made[$0] }.map { cuts[$0].0.copyBytes }
        places = applied.map { $0.at..<$0.at } + left.map { Self.mapped($0, after: applied) }
        hidden = (hidden + passedOver).map {
          (Self.mapped($0.copy, after: applied), Self.mapped($0.original, after: applied))
        }
      }
      removed.sort { $0.utf8.lowerBound < $1.utf8.lowerBound }
      // The tokens are of the text before the cuts now: the next pass takes their storage.
      if pass == Self.maximumPasses { tokens = nil }
    }
    return (RepeatRemoval(utf8: current, removed: removed), tokens)
  }

  /// A byte range of the text before the cuts `applied` (in order; `start..<end` in
  /// the text before, at `at` in the text after) in the text after them: what of it
  /// the cuts left (an empty range where it was cut out whole).
  static func mapped(_ range: Range<Int>, after applied: [(start: Int, end: Int, at: Int)]) -> Range<Int> {
    func offsetAfter(_ offset: Int) -> Int {
      // The last cut that starts at or before the offset.
      let after = firstIndex(applied.count) { applied[$0].start > offset }
      guard after > 0 else { return offset }
      let cut = applied[after - 1]
      return offset < cut.end ? cut.at : cut.at + (offset - cut.end)
    }
    let lower = offsetAfter(range.lowerBound)
    return lower..<max(lower, offsetAfter(range.upperBound))
  }

  /// The first of `0..<count` at which `isAtOrAfter` holds, for a predicate that
  /// holds from some index on (`count` when it never does): the one binary search of
  /// the later passes.
  static func firstIndex(_ count: Int, where isAtOrAfter: (Int) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if isAtOrAfter(middle) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// The most searches `removingRepeats` makes on one text.
  static let maximumPasses = 8

  /// Maps a range of a text after `removed` cuts back to the text before them.
  static func mapBack(_ range: Range<Int>, through removed: [RemovedSpan]) -> Range<Int> {
    var lower = range.lowerBound
    var upper = range.upperBound
    var covered = 0  // input offset up to which cuts have been counted
    for cut in removed where cut.utf8.upperBound > covered {  // sorted by position in the input
      // A span of a later pass encloses the earlier spans inside it: count only the
      // outermost cuts, and each input byte once.
      let added = cut.utf8.upperBound - max(cut.utf8.lowerBound, covered)
      let start = max(cut.utf8.lowerBound, covered)
      covered = cut.utf8.upperBound
      if start <= lower { lower += added }
      if start < upper || (start == upper && range.isEmpty) { upper += added }
    }
    return lower..<max(lower, upper)
  }

  // MARK: - Detection

  /// One repeat found: the token and byte ranges of the kept original and the copy.
  struct Match {
    var originalTokens: Range<Int>
    var copyTokens: Range<Int>
    var originalBytes: Range<Int>
    var copyBytes: Range<Int>
    var similarity: Double
    var isParagraphBlock: Bool
    /// For paragraph blocks: the paragraphs of the copy.
    var copyParagraphs: ClosedRange<Int>?
  }

  /// The tokenized text and the repeats found in it, ordered by copy.
  ///
  /// With `places` (byte ranges: where an earlier pass cut text out, and the copies it
  /// left), only the fingerprints picked around them are paired
  /// (``winnowedPairs(around:hidden:in:mayNearlyRepeat:)``): a repeat the cuts brought about runs
  /// over, starts or ends at a cut, or is a paragraph next to one, or was kept from
  /// view by a match that is gone or by a run passed over (`hidden`, byte ranges of the
  /// copy and the original) whose original is next to a cut; what lies away from all
  /// of them was searched before.
  ///
  /// `previous`, the tokens of the text this one was cut from, lends its storage.
  /// The runs the span search passed over are kept when `keepingPassedOver` (for a
  /// pass around the cuts that follows).
  func analyze(
    _ bytes: UnsafeBufferPointer<UInt8>, around places: [Range<Int>]? = nil,
    hidden: [(copy: Range<Int>, original: Range<Int>)] = [], reusing previous: consuming TokenizedText? = nil,
    keepingPassedOver: Bool = false
  ) -> (
    text: TokenizedText, matches: [Match], passedOver: [(copy: Range<Int>, original: Range<Int>)]
  ) {
    // Token offsets are 32-bit: a single document of 2 GiB or more is not searched
    // (reported as having no repeats) rather than trapping.
    let searched = bytes.count < Int(Int32.max) ? bytes : UnsafeBufferPointer(start: nil, count: 0)
    let blankLineSeparated = options.blankLineSeparatedParagraphs
    let text: TokenizedText
    if let previous = previous.take() {
      text = TokenizedText(searched, blankLineSeparated: blankLineSeparated, reusing: consume previous)
    } else {
      text = TokenizedText(searched, blankLineSeparated: blankLineSeparated)
    }
    guard text.count > 0 else { return (text, [], []) }
    var search = Search(options: options, text: text, bytes: bytes, keepingPassedOver: keepingPassedOver)
    search.findExactParagraphRepeats()
    // Winnowed shingle fingerprints: pairs (first occurrence, later occurrence).
    let pairs =
      places.map { places in
        // A paragraph that repeats an earlier one exactly, or is too short, is no near repeat.
        let origin = search.origin
        return winnowedPairs(around: places, hidden: hidden, in: text) { paragraph in
          origin[paragraph] < 0 && text.words(text.paragraphs[paragraph].tokens) >= Double(options.minimumTokens)
        }
      } ?? winnowedPairs(search.hashes)
    search.findNearParagraphRepeats(pairs)
    search.findParagraphBlocks()
    search.findRepeatedSpans(pairs)
    search.matches.sort { $0.copyTokens.lowerBound < $1.copyTokens.lowerBound }
    return (text, search.matches, search.passedOver)
  }

  /// The tokens around each place (a byte range): its own, and on either side the
  /// whole paragraphs that hold the ``Options/minimumTokens`` tokens next to it (every
  /// repeat of that many tokens that runs over its edge picks a fingerprint among
  /// them; a cut changes the picks of the windows that reach it, hence the votes of
  /// the paragraph that holds them) with one more paragraph that holds tokens each
  /// way (a paragraph changed by a cut, or next to one, can now repeat or be repeated
  /// whole, and a run from it can reach into the ones next to the cut). Sorted and
  /// merged.
  func rangesAround(_ places: [Range<Int>], in text: TokenizedText) -> [Range<Int>] {
    var around: [Range<Int>] = []
    let count = text.count
    guard count > 0 else { return [] }
    // The first token that starts at or after `offset`.
    func firstToken(from offset: Int) -> Int { Self.firstIndex(count) { Int(text.starts[$0]) >= offset } }
    for place in places {
      let first = firstToken(from: place.lowerBound)
      let end = max(first, firstToken(from: place.upperBound))
      // Whole paragraphs: a paragraph's near repeat is decided by the votes of all
      // its fingerprints, and a cut changes the picks of the windows that reach it.
      var lower = first
      var upper = end
      // The one more paragraph is one with tokens (a line of "***" or of
      // unreadable bytes is a paragraph without).
      let paragraphs = text.paragraphs
      if first > 0 {
        var paragraph = max(0, text.paragraph(ofToken: max(0, first - options.minimumTokens)) - 1)
        while paragraph > 0 && paragraphs[paragraph].tokens.isEmpty { paragraph -= 1 }
        lower = paragraphs[paragraph].tokens.lowerBound
      }
      if end < count {
        var paragraph = min(
          paragraphs.count - 1, text.paragraph(ofToken: min(count - 1, end + options.minimumTokens - 1)) + 1)
        while paragraph < paragraphs.count - 1 && paragraphs[paragraph].tokens.isEmpty { paragraph += 1 }
        upper = paragraphs[paragraph].tokens.upperBound
      }
      around.append(lower..<max(lower, upper))
    }
    return Self.merged(around)
  }

  /// Ranges sorted, the ones that overlap or touch made one.
  static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
    var merged: [Range<Int>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, last.upperBound >= range.lowerBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    return merged
  }

  /// The winnowed pairs of a pass around `places` (``rangesAround(_:in:)``) and
  /// around the copies of the runs `hidden` whose original lies there (the search
  /// passed over such a run, which kept the pairs inside it from view; the cut can
  /// change what hid them), with every pair of each paragraph they reach: a paragraph
  /// outside the ranges that repeats a fingerprint first seen inside them gets the
  /// pairs of all its fingerprints, so that its near repeat is decided on all its
  /// votes, as a search of the whole text decides it (one more scan, when there is
  /// such a paragraph that `mayNearlyRepeat`: one that the near-repeat search takes).
  func winnowedPairs(
    around places: [Range<Int>], hidden: [(copy: Range<Int>, original: Range<Int>)], in text: TokenizedText,
    mayNearlyRepeat: (Int) -> Bool
  ) -> [(first: Int32, later: Int32)] {
    var ranges = rangesAround(places, in: text)
    // The bytes of the ranges' tokens, which the runs' originals are bytes of.
    let bytes = ranges.filter { !$0.isEmpty }.map {
      Int(text.starts[$0.lowerBound])..<Int(text.ends[$0.upperBound - 1])
    }
    let brought = hidden.filter { run in
      let first = Self.firstIndex(bytes.count) { bytes[$0].upperBound > run.original.lowerBound }
      return first < bytes.count && bytes[first].lowerBound < max(run.original.upperBound, run.original.lowerBound + 1)
    }
    if !brought.isEmpty { ranges = rangesAround(places + brought.map(\.copy), in: text) }
    let pairs = winnowedPairs(text.hashes, around: ranges)
    var reached: [Range<Int>] = []
    for pair in pairs where !Self.rangesHold(ranges, Int(pair.later)) {
      let number = text.paragraph(ofToken: Int(pair.later))
      let paragraph = text.paragraphs[number].tokens
      if reached.last != paragraph && mayNearlyRepeat(number) { reached.append(paragraph) }
    }
    guard !reached.isEmpty else { return pairs }
    return winnowedPairs(text.hashes, around: ranges, completing: reached)
  }

  /// How many tokens the copy of a repeated block extends before and after it, with
  /// the original: the tokens around the copy that equal those around the original,
  /// neither copy overlapping the other nor any covered token, back to where a line
  /// starts (ends) in the copy or in the original.
  static func runAround(
    of copy: Range<Int>, repeating original: Range<Int>, hashes: [UInt64], covered: [Bool], text: TokenizedText,
    bytes: UnsafeBufferPointer<UInt8>
  ) -> (left: Int, right: Int) {
    // What lies between two tokens must agree where it breaks a line: a line without
    // tokens ("***" against "---") is not repeated.
    func gapsAgree(_ copyToken: Int, _ originalToken: Int) -> Bool {
      let copyGap = Int(text.ends[copyToken])..<Int(text.starts[copyToken + 1])
      let originalGap = Int(text.ends[originalToken])..<Int(text.starts[originalToken + 1])
      let breaks = { (gap: Range<Int>) in bytes[gap].contains { $0 == 0x0A || $0 == 0x0D } }
      guard breaks(copyGap) || breaks(originalGap) else { return true }
      let visible = { (gap: Range<Int>) in bytes[gap].filter { $0 > 0x20 } }
      return visible(copyGap) == visible(originalGap)
    }
    var left = 0
    while copy.lowerBound - left - 1 >= original.upperBound, original.lowerBound - left - 1 >= 0,
      !covered[copy.lowerBound - left - 1],
      hashes[copy.lowerBound - left - 1] == hashes[original.lowerBound - left - 1],
      gapsAgree(copy.lowerBound - left - 1, original.lowerBound - left - 1)
    {
      left += 1
    }
    var right = 0
    while copy.upperBound + right < hashes.count, original.upperBound + right < copy.lowerBound - left,
      !covered[copy.upperBound + right], hashes[copy.upperBound + right] == hashes[original.upperBound + right],
      gapsAgree(copy.upperBound + right - 1, original.upperBound + right - 1)
    {
      right += 1
    }
    // A block is whole lines: what it gains must start (end) a line in the copy or in
    // the original, not only a sentence ("Jan. 27" is not a sentence start), so that no
    // line is cut in two by chance.
    while left > 0
      && !(text.startsLine(copy.lowerBound - left, in: bytes) || text.startsLine(original.lowerBound - left, in: bytes))
    {
      left -= 1
    }
    while right > 0
      && !(text.endsLine(copy.upperBound + right - 1, in: bytes)
        || text.endsLine(original.upperBound + right - 1, in: bytes))
    {
      right -= 1
    }
    return (left, right)
  }

  /// Whether a repeat may start at token `copy`, which repeats token `original`: a
  /// sentence starts there, or, for a repeat that runs over more than one line, a line
  /// starts at the original (a copy glued onto the end of a line that does not end a
  /// sentence, "www.example.com First paragraph of the copy", then the rest). A quote
  /// set apart on a line of its own and repeated inside a paragraph is not a repeat:
  /// it holds no line break.
  static func startsRepeat(
    _ copy: Int, _ original: Int, acrossLines: Bool, in text: TokenizedText, _ bytes: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    text.startsSentence(copy, in: bytes) || (acrossLines && text.startsLine(original, in: bytes))
  }

  /// Whether a repeat may end at token `copy`, which repeats token `original`: a
  /// sentence ends there, or, for a repeat over more than one line, a line ends at the
  /// original (a copy with text glued after its last line).
  static func endsRepeat(
    _ copy: Int, _ original: Int, acrossLines: Bool, in text: TokenizedText, _ bytes: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    text.endsSentence(copy, in: bytes) || (acrossLines && text.endsLine(original, in: bytes))
  }

  /// How many lookups ahead the winnowing asks for a table slot.
  static let lookAhead = 12

  /// The shingle size, the number of shingles and the winnowing window for a text of
  /// `tokenCount` tokens (at least one shingle): the window is never wider than the
  /// shingles there are.
  private func winnowing(_ tokenCount: Int) -> (k: Int, shingleCount: Int, window: Int) {
    let k = max(options.shingleSize, 1)
    let shingleCount = tokenCount - k + 1
    return (k, shingleCount, max(1, min(options.window, shingleCount)))
  }

  /// The winnowed fingerprints of `hashes` in order, a block at a time: the rightmost
  /// minimum of every window of ``Options/window`` shingle values, each position once.
  /// The pick at a place depends on the window's tokens only, so that two copies of a
  /// window pick the same place in it. `hashes` must hold at least ``Options/shingleSize``.
  private func forEachPickBlock(
    _ hashes: UnsafeBufferPointer<UInt64>,
    _ body: (_ picks: UnsafeMutableBufferPointer<(value: UInt64, position: Int)>) -> Void
  ) {
    let (k, shingleCount, window) = winnowing(hashes.count)
    // Shingle values come a block at a time, each block starting `window - 1` shingles
    // before the end of the one before, so that the scan for a window's minimum finds
    // its values in the block.
    // (A slice around a cut is short: its block is too.)
    let block = max(min(4096, shingleCount), 4 * window)
    var minimum = -1
    var minimumValue: UInt64 = 0
    var lastRecorded = -1
    // The fingerprints a block picks (at most one per shingle).
    var picks = [(value: UInt64, position: Int)](repeating: (0, 0), count: block)
    var right = window - 1
    Shingles.forEachBlock(hashes, k: k, overlap: window - 1, block: block) { first, values in
      // Shingle values, spread again by a multiply-xorshift.
      for index in 0..<values.count {
        let product = values[index] &* 0xD6E8_FEB8_6659_FD93
        values[index] = product ^ (product >> 32)
      }
      // Winnowing: the rightmost minimum of every window of `window` shingles,
      // recorded once per position.
      let blockEnd = first + values.count
      var pickCount = 0
      while right < blockEnd {
        let left = right - window + 1
        if minimum < left {
          minimum = left
          minimumValue = values[left - first]
          var candidate = left + 1
          while candidate <= right {
            let candidateValue = values[candidate - first]
            if candidateValue <= minimumValue {
              minimum = candidate
              minimumValue = candidateValue
            }
            candidate += 1
          }
        } else if values[right - first] <= minimumValue {
          minimum = right
          minimumValue = values[right - first]
        }
        right += 1
        guard minimum != lastRecorded else { continue }
        lastRecorded = minimum
        picks[pickCount] = (minimumValue, minimum)
        pickCount += 1
      }
      picks.withUnsafeMutableBufferPointer { body(UnsafeMutableBufferPointer(rebasing: $0[..<pickCount])) }
    }
  }

  /// Whether the shingles at `earlier` and `later` hold the same token hashes.
  @inline(__always)
  private func sameShingle(_ hashes: UnsafeBufferPointer<UInt64>, _ earlier: Int, _ later: Int) -> Bool {
    for offset in 0..<max(options.shingleSize, 1) where hashes[earlier + offset] != hashes[later + offset] {
      return false
    }
    return true
  }

  /// The winnowed fingerprints of `hashes` that occurred before: (first occurrence,
  /// this occurrence) as token positions, in order of this occurrence, verified
  /// token by token.
  func winnowedPairs(_ hashes: [UInt64]) -> [(first: Int32, later: Int32)] {
    guard hashes.count >= max(options.shingleSize, 1) else { return [] }
    let (_, shingleCount, window) = winnowing(hashes.count)
    var pairs: [(first: Int32, later: Int32)] = []
    // Sized for a text that does not repeat itself, grown as needed: a text that does
    // (one line repeated) holds few distinct fingerprints.
    var table = FirstOccurrenceTable(expected: min(2 * shingleCount / (window + 1), 1 << 16) + 16)
    hashes.withUnsafeBufferPointer { hashes in
      forEachPickBlock(hashes) { picks in
        // The block's fingerprints looked up in order, each slot asked for a few
        // lookups ahead.
        for index in 0..<picks.count {
          if index + Self.lookAhead < picks.count { table.prefetch(picks[index + Self.lookAhead].value) }
          let (value, position) = picks[index]
          if let earlier = table.firstOrInsert(value, position), sameShingle(hashes, earlier, position) {
            pairs.append((Int32(truncatingIfNeeded: earlier), Int32(truncatingIfNeeded: position)))
          }
        }
      }
    }
    return pairs
  }

  /// ``winnowedPairs(_:)`` restricted to the fingerprints picked inside `around`
  /// (sorted, disjoint token ranges): the pairs of the whole text of which one side or
  /// the other lies in those ranges, and those whose later side lies in `completing`
  /// (sorted, disjoint), without a table of every fingerprint. Two scans: the first
  /// collects the fingerprints picked in the ranges, the second finds where each
  /// occurs first and pairs the later occurrences.
  func winnowedPairs(
    _ hashes: [UInt64], around: [Range<Int>], completing: [Range<Int>] = []
  ) -> [(first: Int32, later: Int32)] {
    guard hashes.count >= max(options.shingleSize, 1), !around.isEmpty else { return [] }
    let searched = completing.isEmpty ? around : Self.merged(around + completing)
    func inside(_ position: Int, from range: inout Int) -> Bool {
      while range < searched.count && searched[range].upperBound <= position { range += 1 }
      return range < searched.count && searched[range].contains(position)
    }
    var pairs: [(first: Int32, later: Int32)] = []
    hashes.withUnsafeBufferPointer { hashes in
      // The fingerprints picked in the ranges, each first without a first occurrence
      // (-1): a pick depends on its windows only, so each range is winnowed with the
      // windows around it.
      var wanted = FirstOccurrenceTable(expected: 64)
      let (k, _, window) = winnowing(hashes.count)
      for range in searched {
        let slice = max(0, range.lowerBound - window + 1)..<min(hashes.count, range.upperBound + window + k - 2)
        // A slice too short for a whole window only happens in a text that short.
        let local = slice.count - k + 1 >= window ? slice : 0..<hashes.count
        forEachPickBlock(UnsafeBufferPointer(rebasing: hashes[local])) { picks in
          for (value, position) in picks where range.contains(position + local.lowerBound) {
            _ = wanted.firstOrInsert(value, -1)
          }
        }
      }
      var range = 0
      forEachPickBlock(hashes) { picks in
        for (value, position) in picks {
          let isInside = inside(position, from: &range)
          guard let slot = wanted.slot(of: value) else { continue }
          let first = wanted.position(at: slot)
          guard first >= 0 else {
            wanted.setPosition(position, at: slot)
            continue
          }
          if isInside || Self.rangesHold(around, first), sameShingle(hashes, first, position) {
            pairs.append((Int32(truncatingIfNeeded: first), Int32(truncatingIfNeeded: position)))
          }
        }
      }
    }
    return pairs
  }

  /// Whether sorted, disjoint `ranges` hold `position`, by binary search.
  private static func rangesHold(_ ranges: [Range<Int>], _ position: Int) -> Bool {
    let first = firstIndex(ranges.count) { ranges[$0].upperBound > position }
    return first < ranges.count && ranges[first].contains(position)
  }

  /// Whether the paragraph `tokens` starts or ends with whole sentences none of whose
  /// words occur in `original`: text glued to a near copy, which must not go with it.
  static func hasGluedSentence(
    _ tokens: Range<Int>, besides original: Range<Int>, in text: TokenizedText, bytes: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    let known = Set(text.hashes[original])
    var head = tokens.lowerBound
    while head < tokens.upperBound && !known.contains(text.hashes[head]) {
      if text.endsSentence(head, in: bytes) && head + 1 < tokens.upperBound { return true }
      head += 1
    }
    var tail = tokens.upperBound - 1
    while tail >= tokens.lowerBound && !known.contains(text.hashes[tail]) {
      if text.startsSentence(tail, in: bytes) && tail > tokens.lowerBound { return true }
      tail -= 1
    }
    return false
  }

  /// Whether `tokens` holds all of `part`, contiguously.
  static func contains(_ tokens: ArraySlice<UInt64>, _ part: ArraySlice<UInt64>) -> Bool {
    guard !part.isEmpty, part.count <= tokens.count else { return part.isEmpty }
    let first = part.first!
    var index = tokens.startIndex
    while index + part.count <= tokens.endIndex {
      if tokens[index] == first && tokens[index..<index + part.count].elementsEqual(part) { return true }
      index += 1
    }
    return false
  }

  /// 2 LCS / (m + n) over tokens: how much of two short texts agrees in order. Long
  /// texts (over 256 tokens) fall back to bigram Dice, to keep the cost bounded.
  static func orderedSimilarity(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>) -> Double {
    guard a.count <= 256 && b.count <= 256 else { return dice(a, b) }
    guard !a.isEmpty || !b.isEmpty else { return 1 }
    var previous = [Int](repeating: 0, count: b.count + 1)
    var current = previous
    for x in a {
      for (j, y) in b.enumerated() {
        current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
      }
      swap(&previous, &current)
    }
    return 2 * Double(previous[b.count]) / Double(a.count + b.count)
  }

  /// The Dice coefficient of the multisets of token bigrams of two token sequences
  /// (of the tokens themselves when one has a single token). Bigrams keep word order
  /// in the measure, so a paragraph with a word or two changed stays close (about
  /// 0.9 for one word in twenty) while a different text made of the same words does not.
  static func dice(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>, bigrams: Bool = true) -> Double {
    guard !a.isEmpty || !b.isEmpty else { return 1 }
    func grams(_ tokens: ArraySlice<UInt64>, bigrams: Bool) -> [UInt64] {
      guard bigrams else { return tokens.sorted() }
      var result: [UInt64] = []
      result.reserveCapacity(tokens.count)
      var previous: UInt64? = nil
      for token in tokens {
        if let previous { result.append(TokenizedText.mix(previous &* 31 &+ token)) }
        previous = token
      }
      return result.sorted()
    }
    let bigrams = bigrams && a.count > 1 && b.count > 1
    let x = grams(a, bigrams: bigrams)
    let y = grams(b, bigrams: bigrams)
    var i = 0
    var j = 0
    var common = 0
    while i < x.count && j < y.count {
      if x[i] == y[j] {
        common += 1
        i += 1
        j += 1
      } else if x[i] < y[j] {
        i += 1
      } else {
        j += 1
      }
    }
    return 2 * Double(common) / Double(x.count + y.count)
  }

  // MARK: - Removal

  /// The bytes to remove for a match, so that the text around it stays well-formed,
  /// or an empty range when the copy cannot be removed cleanly. May shorten `match`
  /// to what is removed.
  /// Opening quotation marks and brackets, as UTF-8: " ' ( [ “ ‘ « „ 「 『.
  static let openingPunctuation: [[UInt8]] = [
    "\"", "'", "(", "[", "\u{201C}", "\u{2018}", "\u{AB}", "\u{201E}", "\u{300C}", "\u{300E}",
  ]
  .map { Array($0.utf8) }

  static func removalRange(
    for match: inout Match, of text: TokenizedText, in bytes: UnsafeBufferPointer<UInt8>, options: Options
  ) -> Range<Int> {
    let lines = text.lines
    func lineIndex(ofByte offset: Int) -> Int {
      var low = 0
      var high = lines.count - 1
      while low < high {
        let middle = (low + high + 1) / 2
        if lines[middle].start <= offset { low = middle } else { high = middle - 1 }
      }
      return low
    }
    func wholeLines(_ first: Int, _ last: Int) -> Range<Int> {
      // With the line break before the block, when there is content before it;
      // otherwise with the blank lines after it.
      var previous = first - 1
      while previous >= 0 && lines[previous].isBlank { previous -= 1 }
      if previous >= 0 { return lines[previous].contentEnd..<lines[last].contentEnd }
      var next = last + 1
      while next < lines.count && lines[next].isBlank { next += 1 }
      return lines[first].start..<(next < lines.count ? lines[next].start : lines[last].next)
    }
    if let paragraphs = match.copyParagraphs {
      return wholeLines(
        text.paragraphs[paragraphs.lowerBound].lines.lowerBound, text.paragraphs[paragraphs.upperBound].lines.upperBound
      )
    }
    let first = match.copyTokens.lowerBound
    var last = match.copyTokens.upperBound - 1
    let firstLine = lineIndex(ofByte: Int(text.starts[first]))
    var lastLine = lineIndex(ofByte: Int(text.starts[last]))
    let startsParagraph = { (token: Int) in
      text.paragraphs[text.paragraph(ofToken: token)].tokens.lowerBound == token
    }
    let endsParagraph = { (token: Int) in
      text.paragraphs[text.paragraph(ofToken: token)].tokens.upperBound == token + 1
    }
    if firstLine != lastLine && !startsParagraph(first) && !endsParagraph(last) {
      // Starts and ends inside lines: removing it would glue two paragraphs. Keep
      // the tail and remove up to the end of the last whole paragraph (the match is
      // trimmed to the same length, so that it still names what it repeats).
      let paragraph = text.paragraph(ofToken: last)
      last = text.paragraphs[paragraph].tokens.lowerBound - 1
      guard last >= first, text.words(first..<last + 1) >= Double(options.minimumTokens) else { return 0..<0 }
      lastLine = lineIndex(ofByte: Int(text.starts[last]))
      let kept = match.originalTokens.lowerBound..<match.originalTokens.lowerBound + (last - first + 1)
      match.copyTokens = first..<last + 1
      match.originalTokens = kept
      match.originalBytes = Int(text.starts[kept.lowerBound])..<Int(text.ends[kept.upperBound - 1])
      match.copyBytes = Int(text.starts[first])..<Int(text.ends[last])
    }
    if startsParagraph(first) && endsParagraph(last) {
      return wholeLines(firstLine, lastLine)
    }
    // Inside a line: take the punctuation after the last token up to the next space,
    // and the spaces (and an opening quotation mark) before the first token.
    var end = Int(text.ends[last])
    let lineEnd = lines[lastLine].contentEnd
    while end < lineEnd && bytes[end] != 0x20 && bytes[end] != 0x09
      && !(last + 1 < text.count && Int(text.starts[last + 1]) <= end)
    {
      end += 1
    }
    var start = Int(text.starts[first])
    let lineStart = lines[firstLine].start
    // And an opening quotation mark or bracket just before the first token, when a
    // space or the line start is before it, so that none is left behind without its
    // sentence (a glued repeat, "Yes.The same sentence", keeps what it is glued to).
    for opening in Self.openingPunctuation where start - opening.count >= lineStart {
      let at = start - opening.count
      guard opening.indices.allSatisfy({ bytes[at + $0] == opening[$0] }) else { continue }
      if at == lineStart || bytes[at - 1] == 0x20 || bytes[at - 1] == 0x09 { start = at }
      break
    }
    if startsParagraph(first) {
      // At the start of a line: take the spaces after instead.
      while end < lineEnd && (bytes[end] == 0x20 || bytes[end] == 0x09) { end += 1 }
    } else {
      while start > lineStart && (bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09) { start -= 1 }
    }
    if start == lineStart && end == lineEnd {
      // Whole lines inside a longer paragraph: they go with their line break, so that
      // no blank line splits the paragraph.
      return lineStart..<lines[lastLine].next
    }
    return start..<end
  }
}

// Stages of detection, for the benchmark executable only.
extension RepeatFinder {
  package static func _tokenCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    TokenizedText(bytes, blankLineSeparated: false).count
  }
  package func _pairCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let text = TokenizedText(bytes, blankLineSeparated: false)
    return winnowedPairs(text.hashes).count
  }
}
