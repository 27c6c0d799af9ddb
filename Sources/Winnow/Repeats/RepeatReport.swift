/// A span of the analyzed text.
public struct TextSpan: Sendable, Hashable {
  /// UTF-8 byte offsets in the analyzed text.
  public var utf8: Range<Int>
  /// The same span as string indices, when the text was given as a `String`.
  public var range: Range<String.Index>?

  /// Creates a span.
  public init(utf8: Range<Int>, range: Range<String.Index>? = nil) {
    self.utf8 = utf8
    self.range = range
  }

  init(_ bytes: Range<Int>, in text: String?) {
    utf8 = bytes
    if let text {
      let view = text.utf8
      let lower = view.index(view.startIndex, offsetBy: bytes.lowerBound)
      let upper = view.index(lower, offsetBy: bytes.count)
      range = lower..<upper
    }
  }
}

/// A block of text and its later copies.
public struct RepeatedBlock: Sendable, Hashable {
  /// One later copy of the block.
  public struct Copy: Sendable, Hashable {
    /// Where the copy is.
    public var span: TextSpan
    /// Its number of tokens.
    public var tokenCount: Int
    /// The Dice coefficient of its token bigrams and the original's: 1.0 for exact copies.
    public var similarity: Double
  }

  /// Whether the block is made of whole paragraphs (otherwise it is a span of
  /// tokens, inside or across paragraphs).
  public var isParagraphBlock: Bool
  /// The first copy, which is kept.
  public var original: TextSpan
  /// The number of tokens of the original.
  public var tokenCount: Int
  /// The later copies, in text order.
  public var copies: [Copy]
}

/// What ``RepeatFinder/repeats(in:)`` found.
public struct RepeatReport: Sendable, Hashable {
  /// The repeated blocks, ordered by their first copy.
  public var blocks: [RepeatedBlock]

  /// The total number of tokens in later copies.
  public var repeatedTokenCount: Int { blocks.reduce(0) { $0 + $1.copies.reduce(0) { $0 + $1.tokenCount } } }

  init(matches: [RepeatFinder.Match], text: String?) {
    var blocks: [RepeatedBlock] = []
    var indexOfOriginal: [Range<Int>: Int] = [:]
    for match in matches {
      let copy = RepeatedBlock.Copy(
        span: TextSpan(match.copyBytes, in: text), tokenCount: match.copyTokens.count,
        similarity: match.similarity)
      if let index = indexOfOriginal[match.originalBytes] {
        blocks[index].copies.append(copy)
      } else {
        indexOfOriginal[match.originalBytes] = blocks.count
        blocks.append(
          RepeatedBlock(
            isParagraphBlock: match.isParagraphBlock, original: TextSpan(match.originalBytes, in: text),
            tokenCount: match.originalTokens.count, copies: [copy]))
      }
    }
    self.blocks = blocks.sorted { $0.original.utf8.lowerBound < $1.original.utf8.lowerBound }
  }
}

/// A span that ``RepeatFinder/removingRepeats(from:)`` removed.
public struct RemovedSpan: Sendable, Hashable {
  /// The removed bytes of the input, including the line break or spaces removed
  /// with the copy.
  public var utf8: Range<Int>
  /// The kept span of the input that the removed one repeats.
  public var repeats: Range<Int>
  /// The number of tokens removed.
  public var tokenCount: Int
  /// The Dice coefficient of the removed copy's tokens and the kept one's.
  public var similarity: Double
  /// Whether whole paragraphs were removed.
  public var isParagraphBlock: Bool
  /// The pass that found it (1 for most). A later pass searches the text left by the
  /// earlier ones, so its ``utf8`` and ``repeats`` ranges can enclose spans that an
  /// earlier pass removed: the text they stand for is the range minus those spans
  /// (see ``RepeatRemoval/text(of:in:for:)``).
  public var pass: Int
}

/// The result of ``RepeatFinder/removingRepeats(from:)``.
public struct RepeatRemoval: Sendable, Hashable {
  /// The text with later copies removed, as UTF-8.
  public var utf8: [UInt8]
  /// What was removed, in input order, with offsets into the input.
  public var removed: [RemovedSpan]
  /// The same spans as string indices of the input, when it was a `String`.
  public var removedRanges: [Range<String.Index>]?

  /// Creates a result; ``RepeatFinder`` does this.
  init(utf8: [UInt8], removed: [RemovedSpan]) {
    self.utf8 = utf8
    self.removed = removed
  }

  /// The cleaned text.
  public var text: String { String(decoding: utf8, as: UTF8.self) }

  /// The bytes of `input` in `range` as the pass that found `span` saw them: without
  /// the spans removed by earlier passes. Use it with a span's ``RemovedSpan/utf8``
  /// or ``RemovedSpan/repeats`` to see what was removed and what it repeats.
  public func text(of range: Range<Int>, in input: [UInt8], for span: RemovedSpan) -> [UInt8] {
    var result: [UInt8] = []
    var position = range.lowerBound
    for earlier in removed where earlier.pass < span.pass && range.contains(earlier.utf8.lowerBound) {
      if earlier.utf8.lowerBound >= position { result += input[position..<earlier.utf8.lowerBound] }
      position = max(position, min(earlier.utf8.upperBound, range.upperBound))
    }
    result += input[position..<range.upperBound]
    return result
  }

  /// The range of the input that `range`, a range of the cleaned text, comes from
  /// (removed spans inside it included).
  public func inputRange(of range: Range<Int>) -> Range<Int> {
    RepeatFinder.mapBack(range, through: removed)
  }

  mutating func setOriginal(_ text: String) {
    removedRanges = removed.map { TextSpan($0.utf8, in: text).range! }
  }
}
