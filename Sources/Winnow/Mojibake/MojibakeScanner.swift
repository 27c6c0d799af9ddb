import CWinnowKernels

/// One repair over one input: finds the segments that read as mojibake, decides,
/// writes the output.
struct MojibakeScanner {
  let tables = MojibakeTables.shared
  let input: UnsafePointer<UInt8>
  let end: Int
  let minimumScore: Int

  /// The repairs made, in order.
  var accepted: [Piece] = []
  /// For each encoding, the lines and words repaired through it so far.
  var support = Self.zeros
  /// The encodings in the order a segment tries them: the ones earlier segments were
  /// repaired through first (of two readings that score the same, the first tried
  /// wins), then the order of ``MojibakeTables/encodingNames``.
  var order = Self.defaultOrder
  static let defaultOrder = Array(MojibakeTables.encodingNames.indices)
  static let zeros = [Int](repeating: 0, count: MojibakeTables.encodingNames.count)

  /// A scanner of `input`, with `support` from the text before it when one text is
  /// repaired in pieces cut at line ends (see ``MojibakeRepair/repair(utf8Buffer:support:)``).
  init(input: UnsafePointer<UInt8>, end: Int, minimumScore: Int, support: [Int]? = nil) {
    self.input = input
    self.end = end
    self.minimumScore = minimumScore
    if let support, support != Self.zeros {
      self.support = support
      order = Self.order(support)
    }
  }

  /// The encodings in the order a segment tries them, after `support`.
  static func order(_ support: [Int]) -> [Int] {
    defaultOrder.sorted { support[$0] != support[$1] ? support[$0] > support[$1] : $0 < $1 }
  }

  /// Decodes the character at `index`: its value and length, or 0x110000 for an
  /// ill-formed sequence (which no table maps).
  @inline(__always)
  func character(at index: Int) -> (UInt32, Int) {
    let (scalar, length) = UTF8Decoding.decode(input, index, end)
    return length > 0 ? (scalar, length) : (0x11_0000, -length)
  }

  mutating func run() -> MojibakeRepair.Result? {
    var position = 0
    while position < end {
      // A character that stands for a lead byte followed by one that stands for a
      // continuation byte, in one encoding, may start mojibake: the line around it is
      // tried whole, then word by word.
      var leads: UInt32 = 0
      let start = Int(winnow_find_mojibake_pair(input, Int64(end), Int64(position), tables.searchMasks, &leads))
      if start >= end { break }
      // Lines end at every break the normalizer keeps or makes (so that a second
      // round after normalizing decides the same).
      let lineStart = Int(winnow_line_start(input, Int64(position), Int64(start)))
      let lineEnd = Int(winnow_find_line_break(input, Int64(end), Int64(start)))
      if !repair(lineStart..<lineEnd, threshold: minimumScore, single: minimumScore + 1) {
        repairWords(lineStart..<lineEnd, from: start)
      }
      position = lineEnd < end ? lineEnd + lineBreak(at: lineEnd) : end
    }
    return accepted.isEmpty ? nil : write()
  }

  /// The least score of a word repaired on a line that also holds correct non-ASCII
  /// text.
  var wordThreshold: Int { minimumScore + 2 }

  /// Repairs the words of a line that holds correct non-ASCII text: each word (between
  /// ASCII spaces) whose non-ASCII text all reads as UTF-8 through one encoding, with a
  /// score of at least ``wordThreshold``; or, with two broken sequences at least, the
  /// word without the non-ASCII punctuation at its ends («…», “…”).
  /// `first` is the line's first candidate pair.
  mutating func repairWords(_ range: Range<Int>, from first: Int) {
    var position = range.lowerBound
    var pair = first
    while position < range.upperBound {
      // Only a word with a lead byte's character before a continuation byte's can hold
      // mojibake: the search skips to the next.
      if pair < position {
        var leads: UInt32 = 0
        pair = Int(
          winnow_find_mojibake_pair(input, Int64(range.upperBound), Int64(position), tables.searchMasks, &leads))
      }
      if pair >= range.upperBound { return }
      var index = pair
      while index > position && !endsSpace(at: index, after: position) { index -= 1 }
      var stop = pair
      while stop < range.upperBound && space(at: stop) == 0 { stop += 1 }
      position = stop
      if !repair(index..<stop, threshold: wordThreshold, single: wordThreshold) {
        // Without the punctuation at its start, and without one, two, ... marks at its
        // end (the last of them may be mojibake: "С‚" is "т").
        var start = index
        while start < stop, let length = punctuation(at: start) { start += length }
        var finish = stop
        var repaired = start > index && repair(start..<stop, threshold: wordThreshold, single: Int.max)
        while !repaired && finish > start {
          var back = finish - 1
          while back > start && input[back] & 0xC0 == 0x80 { back -= 1 }
          guard punctuation(at: back) != nil else { break }
          finish = back
          repaired = repair(start..<finish, threshold: wordThreshold, single: Int.max)
        }
      }
    }
  }

  /// The length of the non-ASCII punctuation or opening mark at `index`.
  func punctuation(at index: Int) -> Int? {
    guard input[index] >= 0x80 else { return nil }
    let (scalar, length) = character(at: index)
    guard scalar < 0x11_0000 else { return nil }
    let kind = tables.classes[scalar] & 0x0F
    return kind == MojibakeTables.Kind.punctuation || kind == MojibakeTables.Kind.opening ? length : nil
  }
}
