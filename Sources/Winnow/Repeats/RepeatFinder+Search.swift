extension RepeatFinder {
  /// One search for repeats in a tokenized text, in four steps that share what each
  /// found: the paragraph each paragraph repeats, the tokens already in a match.
  struct Search {
    let options: Options
    let text: TokenizedText
    let hashes: [UInt64]
    let bytes: UnsafeBufferPointer<UInt8>
    let tokenCount: Int
    /// For each paragraph, the earlier paragraph it repeats (-1 for none), and how
    /// similar they are.
    var origin: [Int]
    var similarity: [Double]
    /// Tokens inside a match found so far.
    var covered: [Bool]
    /// The repeats found.
    var matches: [Match] = []
    /// Repeated runs the span search passed over (too short once trimmed to
    /// sentences, or an original holding tokens of a match), whose tokens it did not
    /// search again: the copy's and the original's bytes. A cut at the original can
    /// change them. Kept only when `keepsPassedOver`.
    var passedOver: [(copy: Range<Int>, original: Range<Int>)] = []
    let keepsPassedOver: Bool

    init(options: Options, text: TokenizedText, bytes: UnsafeBufferPointer<UInt8>, keepingPassedOver: Bool) {
      keepsPassedOver = keepingPassedOver
      self.options = options
      self.text = text
      self.hashes = text.hashes
      self.bytes = bytes
      tokenCount = text.count
      origin = [Int](repeating: -1, count: text.paragraphs.count)
      similarity = [Double](repeating: 1, count: text.paragraphs.count)
      covered = [Bool](repeating: false, count: text.count)
    }

    /// 1. Paragraphs equal to an earlier one.
    mutating func findExactParagraphRepeats() {
      var paragraphTable = FirstOccurrenceTable(expected: text.paragraphs.count)
      for (index, paragraph) in text.paragraphs.enumerated() where !paragraph.tokens.isEmpty {
        let key = paragraph.fingerprint ^ UInt64(paragraph.tokens.count)
        if let first = paragraphTable.firstOrInsert(key, index),
          hashes[text.paragraphs[first].tokens] == hashes[paragraph.tokens]
        {
          origin[index] = origin[first] >= 0 ? origin[first] : first
        }
      }
    }

    /// 2. Near repeats of whole paragraphs, among paragraphs long enough to matter,
    /// from the winnowed fingerprints they share with an earlier one.
    mutating func findNearParagraphRepeats(_ pairs: [(first: Int32, later: Int32)]) {
      var candidates: [(later: Int, earlier: Int)] = []
      for pair in pairs {
        let (first, later) = (Int(pair.first), Int(pair.later))
        let laterParagraph = text.paragraph(ofToken: later)
        let firstParagraph = text.paragraph(ofToken: first)
        guard firstParagraph < laterParagraph, origin[laterParagraph] < 0,
          text.words(text.paragraphs[laterParagraph].tokens) >= Double(options.minimumTokens)
        else { continue }
        candidates.append((laterParagraph, firstParagraph))
      }
      candidates.sort { $0.later < $1.later || ($0.later == $1.later && $0.earlier < $1.earlier) }
      var run = 0
      while run < candidates.count {
        // The earlier paragraph sharing the most fingerprints; the earliest on ties.
        let paragraph = candidates[run].later
        var best = candidates[run].earlier
        var bestVotes = 0
        var index = run
        while index < candidates.count && candidates[index].later == paragraph {
          var next = index
          while next < candidates.count && candidates[next].later == paragraph
            && candidates[next].earlier == candidates[index].earlier
          {
            next += 1
          }
          if next - index > bestVotes {
            bestVotes = next - index
            best = candidates[index].earlier
          }
          index = next
        }
        run = index
        let tokens = text.paragraphs[paragraph].tokens
        // A near repeat shares most shingles, hence about half or more of the
        // paragraph's 2m/(w+1) winnowed fingerprints; ask for a quarter of that.
        guard bestVotes >= max(1, tokens.count / (2 * (options.window + 1))) else { continue }
        let root = origin[best] >= 0 ? origin[best] : best
        let rootTokens = text.paragraphs[root].tokens
        // Dice cannot exceed 2 min / (a + b): skip pairs of very different lengths.
        let bound = 2 * Double(min(tokens.count, rootTokens.count)) / Double(tokens.count + rootTokens.count)
        guard bound >= options.similarityThreshold else { continue }
        // A line holding the whole original plus other text is a repeat glued to
        // something else: the span search removes the repeat and keeps the rest.
        let score = RepeatFinder.dice(hashes[rootTokens], hashes[tokens])
        // Nor is a line that the earlier line holds whole plus more: that line has a copy
        // glued to it, which the run around the block removes.
        if score >= options.similarityThreshold, !RepeatFinder.contains(hashes[tokens], hashes[rootTokens]),
          !RepeatFinder.contains(hashes[rootTokens], hashes[tokens]),
          !RepeatFinder.hasGluedSentence(tokens, besides: rootTokens, in: text, bytes: bytes)
        {
          origin[paragraph] = root
          similarity[paragraph] = score
        }
      }
    }

    /// 3. Blocks of consecutive repeated paragraphs with consecutive originals, each
    /// extended to the maximal repeated run around it.
    mutating func findParagraphBlocks() {
      var index = 0
      let paragraphs = text.paragraphs
      while index < paragraphs.count {
        guard origin[index] >= 0 else {
          index += 1
          continue
        }
        var last = index
        while last + 1 < paragraphs.count {
          let aligned = origin[last] + 1
          if origin[last + 1] == aligned && aligned < index {
            last += 1
            continue
          }
          // A paragraph of the copy that was not matched on its own (too short for a
          // near repeat, say): it belongs to the block if it is close enough, in order,
          // to the paragraph it is aligned with. The alignment is evidence already, so
          // the measure is the longest common subsequence of tokens rather than bigrams,
          // which a short text loses fast; reordered words do not count.
          guard origin[last + 1] < 0, aligned < index else { break }
          let (a, b) = (paragraphs[aligned].tokens, paragraphs[last + 1].tokens)
          guard 2 * Double(min(a.count, b.count)) >= options.similarityThreshold * Double(a.count + b.count) else {
            break
          }
          let score: Double
          if a.isEmpty || b.isEmpty {
            // Lines without words ("***", "---") belong only if they are the same line.
            let first = text.lines[paragraphs[aligned].lines.lowerBound]
            let second = text.lines[paragraphs[last + 1].lines.lowerBound]
            let same = UnsafeBufferPointer(rebasing: bytes[first.start..<first.contentEnd])
              .elementsEqual(UnsafeBufferPointer(rebasing: bytes[second.start..<second.contentEnd]))
            score = same && a.isEmpty && b.isEmpty ? 1 : 0
          } else {
            // Shared tokens bound the common subsequence: check the cheap bound first.
            // A line that holds the other whole plus more is a line with a copy glued
            // to it, either way: the run around the block decides what repeats.
            guard RepeatFinder.dice(hashes[a], hashes[b], bigrams: false) >= options.similarityThreshold,
              a.count == b.count
                || (!RepeatFinder.contains(hashes[b], hashes[a]) && !RepeatFinder.contains(hashes[a], hashes[b]))
            else { break }
            score = RepeatFinder.orderedSimilarity(hashes[a], hashes[b])
          }
          guard score >= options.similarityThreshold else { break }
          origin[last + 1] = aligned
          similarity[last + 1] = score
          last += 1
        }
        var copyTokens = paragraphs[index].tokens.lowerBound..<paragraphs[last].tokens.upperBound
        var originalTokens = paragraphs[origin[index]].tokens.lowerBound..<paragraphs[origin[last]].tokens.upperBound
        // The block is part of a longer repeat when the text around the copy repeats the
        // text around the original: a copy glued onto the end of a paragraph ("... last
        // paragraph. First paragraph of the copy"), or running on into a line of text of
        // its own. The unit is the maximal repeated run, extended token by token both
        // ways, then back to where a line starts (ends) in the copy or the original.
        let (left, right) = RepeatFinder.runAround(
          of: copyTokens, repeating: originalTokens, hashes: hashes, covered: covered, text: text, bytes: bytes)
        let extended = left > 0 || right > 0
        copyTokens = (copyTokens.lowerBound - left)..<(copyTokens.upperBound + right)
        originalTokens = (originalTokens.lowerBound - left)..<(originalTokens.upperBound + right)
        if text.words(copyTokens) >= Double(options.minimumTokens) {
          // The extension repeats exactly (similarity 1 for its tokens).
          var weighted = Double(left + right)
          for paragraph in index...last {
            weighted += similarity[paragraph] * Double(paragraphs[paragraph].tokens.count)
          }
          // A block of whole lines is removed as lines; an extended one as a span.
          let firstOriginal = text.lines[paragraphs[origin[index]].lines.lowerBound]
          let lastOriginal = text.lines[paragraphs[origin[last]].lines.upperBound]
          let firstCopy = text.lines[paragraphs[index].lines.lowerBound]
          let lastCopy = text.lines[paragraphs[last].lines.upperBound]
          matches.append(
            Match(
              originalTokens: originalTokens, copyTokens: copyTokens,
              originalBytes: extended
                ? Int(text.starts[originalTokens.lowerBound])..<Int(text.ends[originalTokens.upperBound - 1])
                : firstOriginal.start..<lastOriginal.contentEnd,
              copyBytes: extended
                ? Int(text.starts[copyTokens.lowerBound])..<Int(text.ends[copyTokens.upperBound - 1])
                : firstCopy.start..<lastCopy.contentEnd,
              similarity: weighted / Double(copyTokens.count), isParagraphBlock: true,
              copyParagraphs: extended ? nil : index...last))
          for token in copyTokens { covered[token] = true }
        }
        index = last + 1
      }
    }

    /// 4. Repeated spans, left to right, each extended to its maximal disjoint copy.
    mutating func findRepeatedSpans(_ pairs: [(first: Int32, later: Int32)]) {
      var spanEnd = 0
      for pair in pairs {
        let (first, later) = (Int(pair.first), Int(pair.later))
        guard later >= spanEnd && !covered[later] else { continue }
        let distance = later - first
        var left = 0
        while first - left > 0, later - left - 1 >= spanEnd, !covered[later - left - 1],
          left + 1 <= distance, hashes[first - left - 1] == hashes[later - left - 1]
        {
          left += 1
        }
        var right = 0
        while later + right < tokenCount, !covered[later + right], left + right < distance,
          hashes[first + right] == hashes[later + right]
        {
          right += 1
        }
        let length = left + right
        let copyStart = later - left
        let originalStart = first - left
        spanEnd = max(spanEnd, copyStart + length)
        // Keep whole sentences only, so that no fragment of a sentence is removed or
        // left behind.
        var lower = 0
        var upper = length
        // A line boundary of the original counts only for a copy over more than one
        // line: one in which a line starts, after trimming too.
        let (text, bytes) = (text, bytes)
        let startsLineInside = { (range: Range<Int>) in
          range.count > 1 && (range.lowerBound + 1..<range.upperBound).contains { text.startsLine($0, in: bytes) }
        }
        for acrossLines in startsLineInside(copyStart..<copyStart + length) ? [true, false] : [false] {
          (lower, upper) = (0, length)
          while lower < upper
            && !RepeatFinder.startsRepeat(
              copyStart + lower, originalStart + lower, acrossLines: acrossLines, in: text, bytes)
          {
            lower += 1
          }
          while upper > lower
            && !RepeatFinder.endsRepeat(
              copyStart + upper - 1, originalStart + upper - 1, acrossLines: acrossLines, in: text, bytes)
          {
            upper -= 1
          }
          if !acrossLines || startsLineInside((copyStart + lower)..<(copyStart + upper)) { break }
        }
        let copy = (copyStart + lower)..<(copyStart + upper)
        let original = (originalStart + lower)..<(originalStart + upper)
        guard !copy.isEmpty, text.words(copy) >= Double(options.minimumTokens),
          !original.contains(where: { covered[$0] })
        else {
          if length > 0 && keepsPassedOver {
            passedOver.append(
              (
                Int(text.starts[copyStart])..<Int(text.ends[copyStart + length - 1]),
                Int(text.starts[originalStart])..<Int(text.ends[originalStart + length - 1])
              ))
          }
          continue
        }
        // The copy, then any further copies right after it ("S S S S"): each is a copy
        // of the same original. Taking them here keeps the search linear and one pass
        // enough, where the first-occurrence table would pair each copy with the
        // previous, already removed one.
        var repeated = copy
        repeat {
          matches.append(
            Match(
              originalTokens: original, copyTokens: repeated,
              originalBytes: Int(text.starts[original.lowerBound])..<Int(text.ends[original.upperBound - 1]),
              copyBytes: Int(text.starts[repeated.lowerBound])..<Int(text.ends[repeated.upperBound - 1]),
              similarity: 1, isParagraphBlock: false))
          for token in repeated { covered[token] = true }
          repeated = repeated.upperBound..<repeated.upperBound + original.count
        } while repeated.upperBound <= tokenCount && !covered[repeated].contains(true)
          && hashes[repeated].elementsEqual(hashes[original])
          && text.endsSentence(repeated.upperBound - 1, in: bytes)
        let next = repeated.lowerBound
        spanEnd = max(spanEnd, next)
      }
    }
  }
}
