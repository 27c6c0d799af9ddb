import CWinnowKernels

/// Repairs mojibake: UTF-8 text that was decoded through a single-byte legacy encoding
/// ("donâ€™t", "CafÃ©", "РџСЂРёРІРµС‚"), once or twice over, in all of a text or in
/// parts of it.
///
/// ```swift
/// let repair = MojibakeRepair()
/// repair.repaired("CafÃ© â€œnoirâ€\u{9D}")   // "Café “noir”"
/// let result = repair.repair("donâ€™t")
/// result.fixes[0]   // input 3..<11, "â€™" -> "’", encodings ["windows-1252"], score 5
/// ```
///
/// ``TextNormalizer`` runs this repair first when
/// ``NormalizationOptions/repairsMojibake`` is set (the default profile).
///
/// A line is repaired when all of its non-ASCII text reads as UTF-8 through one
/// legacy encoding (or twice over) and the repair makes it less strange; on a line
/// that also holds correct non-ASCII text, each word is judged that way, with a
/// higher score needed. The segments, the damaged forms that are accepted and the
/// score are in <doc:MojibakeRepairRules>.
public struct MojibakeRepair: Sendable {
  /// One repaired chain.
  public struct Fix: Sendable, Hashable {
    /// The UTF-8 byte range of the chain in the input.
    public var input: Range<Int>
    /// The UTF-8 byte range of its repair in the output.
    public var output: Range<Int>
    /// The chain as it was.
    public var original: String
    /// What replaced it.
    public var replacement: String
    /// The legacy encodings the text had been decoded through, in the order it went
    /// through them ("windows-1252"; "windows-1251", "windows-1252" for text read as
    /// windows-1251 and then that read as windows-1252). windows-1252 is reported as
    /// ISO-8859-1 when the chain holds C1 controls and no character that only
    /// windows-1252 has.
    public var encodings: [String]
    /// How much stranger the segment (line or word) that holds the chain was than its
    /// repair (see <doc:MojibakeRepairRules>); every chain of one segment has its
    /// segment's score.
    public var score: Int

    /// Creates a fix.
    public init(
      input: Range<Int>, output: Range<Int>, original: String, replacement: String, encodings: [String],
      score: Int
    ) {
      self.input = input
      self.output = output
      self.original = original
      self.replacement = replacement
      self.encodings = encodings
      self.score = score
    }
  }

  /// A repaired text and its fixes.
  public struct Result: Sendable, Hashable {
    /// The repaired text as UTF-8.
    public var utf8: [UInt8]
    /// The fixes, sorted by position.
    public var fixes: [Fix]
    /// The repaired text.
    public var text: String { String(decoding: utf8, as: UTF8.self) }
  }

  /// The least score a line needs to be repaired whole; higher is more cautious. A line
  /// whose only broken sequence is one two-byte character needs `minimumScore + 1`, a
  /// word on a line that also holds correct non-ASCII text `minimumScore + 2`.
  /// Default 1.
  public var minimumScore: Int

  /// Creates a repair with the given caution.
  public init(minimumScore: Int = 1) {
    self.minimumScore = minimumScore
  }

  /// Returns `text` repaired.
  ///
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func repaired(_ text: String) -> String {
    var text = text
    return text.withUTF8 { repair(utf8Buffer: $0).map { String(decoding: $0.utf8, as: UTF8.self) } } ?? text
  }

  /// Repairs `text` and reports every fix.
  ///
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func repair(_ text: String) -> Result {
    var text = text
    return text.withUTF8 { repair(utf8Buffer: $0) ?? Result(utf8: Array($0), fixes: []) }
  }

  /// Repairs bytes that should be UTF-8 (ill-formed sequences are left for the
  /// normalizer); returns `nil` when there is nothing to repair.
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  public func repair(utf8 bytes: some Collection<UInt8>) -> Result? {
    if let result = bytes.withContiguousStorageIfAvailable({ repair(utf8Buffer: $0) }) { return result }
    return Array(bytes).withUnsafeBufferPointer { repair(utf8Buffer: $0) }
  }

  /// ``repair(utf8:)`` on contiguous bytes.
  package func repair(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> Result? {
    guard let base = bytes.baseAddress, bytes.count >= 4 else { return nil }
    var scanner = MojibakeScanner(input: base, end: bytes.count, minimumScore: minimumScore)
    return scanner.run()
  }
}

/// One repair over one input: finds the segments that read as mojibake, decides,
/// writes the output.
struct MojibakeScanner {
  private let tables = MojibakeTables.shared
  private let input: UnsafePointer<UInt8>
  private let end: Int
  private let minimumScore: Int

  /// The repairs made, in order.
  private var accepted: [Piece] = []
  /// For each encoding, the lines and words repaired through it so far.
  private var support = Self.zeros
  /// The encodings in the order a segment tries them: the ones earlier segments were
  /// repaired through first (of two readings that score the same, the first tried
  /// wins), then the order of ``MojibakeTables/encodingNames``.
  private var order = Self.defaultOrder
  private static let defaultOrder = Array(MojibakeTables.encodingNames.indices)
  private static let zeros = [Int](repeating: 0, count: MojibakeTables.encodingNames.count)

  init(input: UnsafePointer<UInt8>, end: Int, minimumScore: Int) {
    self.input = input
    self.end = end
    self.minimumScore = minimumScore
  }

  /// Decodes the character at `index`: its value and length, or 0x110000 for an
  /// ill-formed sequence (which no table maps).
  @inline(__always)
  private func character(at index: Int) -> (UInt32, Int) {
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
  private var wordThreshold: Int { minimumScore + 2 }

  /// Repairs the words of a line that holds correct non-ASCII text: each word (between
  /// ASCII spaces) whose non-ASCII text all reads as UTF-8 through one encoding, with a
  /// score of at least ``wordThreshold``; or, with two broken sequences at least, the
  /// word without the non-ASCII punctuation at its ends («…», “…”).
  /// `first` is the line's first candidate pair.
  private mutating func repairWords(_ range: Range<Int>, from first: Int) {
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
  private func punctuation(at index: Int) -> Int? {
    guard input[index] >= 0x80 else { return nil }
    let (scalar, length) = character(at: index)
    guard scalar < 0x11_0000 else { return nil }
    let kind = tables.classes[scalar] & 0x0F
    return kind == MojibakeTables.Kind.punctuation || kind == MojibakeTables.Kind.opening ? length : nil
  }

  // MARK: - Segments

  /// Repairs the segment `range` (a line or a word) when one path of encodings reads
  /// all its non-ASCII text as broken sequences and makes it less strange by at least
  /// `threshold`, or `single` when the evidence is weak: the repair is one two-byte
  /// character (correct text holds such pairs by chance), or its every sequence lost
  /// a byte as U+FFFD; returns whether it did.
  private mutating func repair(_ range: Range<Int>, threshold: Int, single: Int) -> Bool {
    var best: (rank: (Int, Int, Int), score: Int, pieces: [Piece], encoding: Int, weak: Bool)?
    for encoding in order {
      guard let (read, evidence, passedOver) = transcode(range, encoding: encoding) else { continue }
      let originalStrangeness = strangeness(segmentScalars(range, read, repaired: false), asOriginal: true)
      var pieces = read
      // Text encoded twice over reads as UTF-8 again: a further level is taken when
      // all of the repair reads so and is then no stranger.
      for _ in 0..<2 {
        // Each piece must read again: the first one needs a candidate pair at least.
        guard Self.mayHoldMojibake(pieces[0].bytes) else { break }
        let asOriginal = strangeness(segmentScalars(range, pieces), asOriginal: true)
        var next: (strangeness: Int, pieces: [Piece])?
        encodings: for inner in Self.defaultOrder {
          var transcoded: [Piece] = []
          for piece in pieces {
            guard let (bytes, name) = Self.transcode(piece.bytes, encoding: inner, minimumScore: minimumScore) else {
              continue encodings
            }
            transcoded.append(Piece(range: piece.range, bytes: bytes, names: piece.names + [name]))
          }
          let value = strangeness(segmentScalars(range, transcoded), asOriginal: false)
          if value <= asOriginal, next == nil || value < next!.strangeness { next = (value, transcoded) }
        }
        guard let next else { break }
        pieces = next.pieces
      }
      // A C1 control in the repair stands for the windows-1252 character of its byte
      // (text decoded as ISO-8859-1 before it was encoded again).
      var mapped: [Piece] = []
      for piece in pieces {
        guard let bytes = mappingC1Controls(piece.bytes) else { break }
        mapped.append(Piece(range: piece.range, bytes: bytes, names: piece.names))
      }
      guard mapped.count == pieces.count else { continue }
      let score = originalStrangeness - strangeness(segmentScalars(range, mapped), asOriginal: false)
      // A reading of every non-ASCII character beats one that passes over quotes; then
      // the better score; then, of two readings that score the same, the one with more
      // letters that European languages use widely ("página" over "pågina").
      let rank = (passedOver ? 0 : 1, score, mapped.reduce(0) { $0 + Self.commonLetters($1.bytes) })
      if let best, rank <= best.rank { continue }
      best = (rank, score, mapped, encoding, evidence != .whole)
    }
    guard let best else { return false }
    let isSingle = best.pieces.count == 1 && best.pieces[0].bytes.count == 2
    // One two-byte sequence of a letter and a quote that closes an earlier one is no
    // evidence ("„Л“": `Л“` is windows-1251 for U+02D3).
    if isSingle && closesQuote(best.pieces[0].range, in: range) { return false }
    guard best.score >= (best.weak || isSingle ? single : threshold) else { return false }
    for var piece in best.pieces {
      piece.names.insert(name(of: best.encoding, from: piece.range.lowerBound, to: piece.range.upperBound), at: 0)
      piece.score = best.score
      accepted.append(piece)
    }
    support[best.encoding] += 1
    order = Self.defaultOrder.sorted { support[$0] != support[$1] ? support[$0] > support[$1] : $0 < $1 }
    return true
  }

  /// A run of broken sequences and its repair.
  struct Piece {
    var range: Range<Int>
    var bytes: [UInt8]
    /// The encodings it was read through, outermost first (the outermost only once
    /// the segment is repaired).
    var names: [String] = []
    /// The score of its segment, once repaired.
    var score = 0
  }

  /// Reads every non-ASCII character in `range` as part of a broken sequence of
  /// `encoding` (damaged forms included); nil when one is not, or when every sequence
  /// is damaged worse than a byte lost as U+FFFD. `evidence` is the least damage;
  /// `passedOver`, whether a curly quote was read as ASCII.
  private func transcode(_ range: Range<Int>, encoding: Int) -> (pieces: [Piece], evidence: Damage, passedOver: Bool)? {
    var pieces: [Piece] = []
    var evidence = Damage.damaged
    var passedOver = false
    var index = range.lowerBound
    while index < range.upperBound {
      if input[index] < 0x80 {
        index += 1
        continue
      }
      guard let (sequenceEnd, scalar, damaged) = sequence(at: index, limit: range.upperBound, encoding: encoding)
      else {
        // A curly quote at the edge of a word, outside the sequences, is read as the
        // ASCII quote the normalizer may fold it to, so that a decision does not depend
        // on whether it has.
        guard let length = curlyQuote(at: index),
          Self.isEdge(index == range.lowerBound ? nil : input[index - 1])
            || Self.isEdge(index + length == range.upperBound ? nil : input[index + length])
        else { return nil }
        index += length
        passedOver = true
        continue
      }
      evidence = min(evidence, damaged)
      if let last = pieces.last, last.range.upperBound == index {
        pieces[pieces.count - 1].range = last.range.lowerBound..<sequenceEnd
        UTF8Decoding.encode(scalar, into: &pieces[pieces.count - 1].bytes)
      } else {
        var bytes: [UInt8] = []
        UTF8Decoding.encode(scalar, into: &bytes)
        pieces.append(Piece(range: index..<sequenceEnd, bytes: bytes))
      }
      index = sequenceEnd
    }
    return evidence == .damaged ? nil : (pieces, evidence, passedOver)
  }

  /// Whether `piece` ends in a curly quotation mark that closes one opened before it
  /// in `segment` (`„Л“`).
  private func closesQuote(_ piece: Range<Int>, in segment: Range<Int>) -> Bool {
    var last = piece.upperBound - 1
    while last > piece.lowerBound && input[last] & 0xC0 == 0x80 { last -= 1 }
    guard Self.isCurlyQuote(character(at: last).0) else { return false }
    var index = segment.lowerBound
    while index < piece.lowerBound {
      if curlyQuote(at: index) != nil { return true }
      index += 1
    }
    return false
  }

  /// Whether `bytes` hold a character that stands for a lead byte before one that
  /// stands for a continuation byte.
  private static func mayHoldMojibake(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      var leads: UInt32 = 0
      return winnow_find_mojibake_pair(
        buffer.baseAddress!, Int64(buffer.count), 0, MojibakeTables.shared.searchMasks, &leads) < buffer.count
    }
  }

  /// `bytes` read whole as broken sequences of `encoding`, and the encoding's name
  /// for them; nil when they are not.
  private static func transcode(_ bytes: [UInt8], encoding: Int, minimumScore: Int) -> ([UInt8], String)? {
    bytes.withUnsafeBufferPointer { buffer in
      let scanner = MojibakeScanner(input: buffer.baseAddress!, end: buffer.count, minimumScore: minimumScore)
      guard let (pieces, _, _) = scanner.transcode(0..<buffer.count, encoding: encoding), pieces.count == 1,
        pieces[0].range == 0..<buffer.count
      else { return nil }
      return (pieces[0].bytes, scanner.name(of: encoding, from: 0, to: buffer.count))
    }
  }

  /// The characters of `range` that its score reads, with `pieces` replaced by their
  /// repairs (or, `repaired` false, as they are); curly quotes outside the pieces as the
  /// ASCII `"` the normalizer may fold them to; a space after the segment's end (the
  /// score starts as after a space).
  ///
  /// Each rule of the score reads three characters in a row, and outside the pieces a
  /// segment and its repair are the same: so only the pieces and two characters on each
  /// side of them are read (a gap of up to four characters whole), window after window.
  /// A rule across two windows reads unchanged characters only and counts the same on
  /// both sides, so differences of strangeness are those of the whole segment.
  private func segmentScalars(_ range: Range<Int>, _ pieces: [Piece], repaired: Bool = true) -> [UInt32] {
    var result: [UInt32] = []
    result.reserveCapacity(pieces.reduce(8) { $0 + $1.range.count + 4 })
    func appendPlain(_ start: Int, _ stop: Int, quotesAsASCII: Bool = true) {
      var index = start
      while index < stop {
        let (scalar, length) = character(at: index)
        result.append(quotesAsASCII && Self.isCurlyQuote(scalar) ? 0x22 : scalar)
        index += length
      }
    }
    /// The start of the character `count` characters before `index`, not before `lower`.
    func back(_ index: Int, _ count: Int, _ lower: Int) -> Int {
      var index = index
      for _ in 0..<count where index > lower {
        index -= 1
        while index > lower && input[index] & 0xC0 == 0x80 { index -= 1 }
      }
      return index
    }
    /// The end of the character `count` characters after `index`, not after `upper`.
    func forward(_ index: Int, _ count: Int, _ upper: Int) -> Int {
      var index = index
      for _ in 0..<count where index < upper { index += character(at: index).1 }
      return index
    }
    for (number, piece) in pieces.enumerated() {
      let gapStart = number == 0 ? range.lowerBound : pieces[number - 1].range.upperBound
      let before = back(piece.range.lowerBound, 2, gapStart)
      if number > 0 {
        // Two characters after the previous piece, then two before this one, or the
        // whole gap when those meet.
        let after = forward(gapStart, 2, piece.range.lowerBound)
        appendPlain(gapStart, after)
        appendPlain(max(after, before), piece.range.lowerBound)
      } else {
        appendPlain(before, piece.range.lowerBound)
      }
      if repaired {
        for scalar in String(decoding: piece.bytes, as: UTF8.self).unicodeScalars { result.append(scalar.value) }
      } else {
        appendPlain(piece.range.lowerBound, piece.range.upperBound, quotesAsASCII: false)
      }
    }
    if let last = pieces.last {
      let after = forward(last.range.upperBound, 2, range.upperBound)
      appendPlain(last.range.upperBound, after)
      if after == range.upperBound { result.append(0x20) }
    }
    return result
  }

  /// Whether `scalar` is a curly quotation mark (U+2018–U+201F, U+2E42), which the
  /// default profile folds to ASCII.
  @inline(__always)
  private static func isCurlyQuote(_ scalar: UInt32) -> Bool { (0x2018...0x201F).contains(scalar) || scalar == 0x2E42 }

  /// Whether a byte beside a character puts it at the edge of a word: none, or ASCII
  /// other than a letter or digit.
  @inline(__always)
  private static func isEdge(_ byte: UInt8?) -> Bool {
    guard let byte else { return true }
    return byte < 0x80 && !(0x30...0x39).contains(byte) && !(0x41...0x5A).contains(byte)
      && !(0x61...0x7A).contains(byte)
  }

  /// The length of the curly quotation mark at `index`, or nil.
  private func curlyQuote(at index: Int) -> Int? {
    let (scalar, length) = character(at: index)
    return Self.isCurlyQuote(scalar) ? length : nil
  }

  /// The length of the line break at `index` (LF, CR, VT, FF, U+2028, U+2029), or 0.
  @inline(__always)
  private func lineBreak(at index: Int) -> Int {
    let byte = input[index]
    if byte < 0x80 { return (0x0A...0x0D).contains(byte) ? 1 : 0 }
    guard byte == 0xE2, index + 2 < end, input[index + 1] == 0x80, input[index + 2] & 0xFE == 0xA8 else { return 0 }
    return 3
  }

  /// Whether a space or line break (see ``space(at:)``) ends just before `index` (and
  /// after `lower`).
  @inline(__always)
  private func endsSpace(at index: Int, after lower: Int) -> Bool {
    space(at: index - 1) == 1 || (index - 3 >= lower && space(at: index - 3) == 3)
  }

  /// The length of the space or line break at `index` (ASCII white space, and the
  /// separators other than U+00A0, which stands for a byte in mojibake), or 0.
  private func space(at index: Int) -> Int {
    let byte = input[index]
    if byte < 0x80 { return byte == 0x20 || (0x09...0x0D).contains(byte) ? 1 : 0 }
    guard byte == 0xE1 || byte == 0xE2 || byte == 0xE3 else { return 0 }
    let (scalar, length) = character(at: index)
    switch scalar {
    case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return length
    default: return 0
    }
  }

  // MARK: - Sequences

  /// Accented letters that many European languages use.
  private static let common: Set<UInt32> = Set(
    "áéíóúàèìòùâêîôûäëïöüãõñçßąęłńśźżčřšžěůýťďňőűășțÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÃÕÑÇĄĘŁŃŚŹŻČŘŠŽĚŮÝŤĎŇŐŰĂȘȚ".unicodeScalars
      .map(\.value))

  /// The number of ``common`` letters in UTF-8 `bytes`.
  private static func commonLetters(_ bytes: [UInt8]) -> Int {
    String(decoding: bytes, as: UTF8.self).unicodeScalars.reduce(0) { $0 + (common.contains($1.value) ? 1 : 0) }
  }

  /// The name of `encoding` for the chain from `start` to `end`: windows-1252 is
  /// ISO-8859-1 when the chain holds C1 controls and none of the characters that only
  /// windows-1252 has at 0x80-0x9F.
  private func name(of encoding: Int, from start: Int, to end: Int) -> String {
    guard encoding == 0 else { return MojibakeTables.encodingNames[encoding] }
    var controls = false
    var index = start
    while index < end {
      let (scalar, length) = character(at: index)
      if (0x80..<0xA0).contains(scalar) { controls = true }
      if scalar > 0xFF && scalar < 0x11_0000 && (0x80..<0xA0).contains(tables.byte(0, scalar)) {
        return "windows-1252"
      }
      index += length
    }
    return controls ? "ISO-8859-1" : "windows-1252"
  }

  /// How whole a broken sequence is.
  enum Damage: Comparable {
    case whole
    /// A byte lost as U+FFFD, itself a sign of a failed decoding.
    case lostAsReplacement
    /// A byte lost as `?` or 0xA0 as a space.
    case damaged
  }

  /// The broken sequence of encoding `encoding` at `start`, damaged forms included:
  /// its end, the character it stands for, and how it is damaged.
  private func sequence(at start: Int, limit: Int, encoding: Int) -> (Int, UInt32, Damage)? {
    let (first, firstLength) = character(at: start)
    guard first >= 0x80, first < 0x11_0000 else { return nil }
    let lead = tables.byte(encoding, first)
    guard lead >= 0xC2, lead <= 0xF4 else { return nil }
    let count = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    // The bytes, packed first byte lowest, and the positions of lost bytes as bits:
    // no allocation for a sequence that fails.
    var packed = UInt32(lead)
    var lost: UInt8 = 0
    var lostA0 = false
    var questionMark = false
    var index = start + firstLength
    let info = tables.encodings[encoding]
    for position in 1..<count {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      var byte: UInt8 = scalar >= 0x80 && scalar < 0x11_0000 ? tables.byte(encoding, scalar) : 0
      if byte > 0xBF { byte = 0 }
      if byte == 0 {
        // A lost 0xA0 is taken for the second byte of a two-byte sequence (the
        // characters listed below) or for a later byte of a longer one: after a
        // three-byte lead (à-ï in windows-1252), a space is far likelier a word's end.
        if scalar == 0x20 && info.a0IsNoBreakSpace && (count == 2 || position >= 2) {
          byte = 0xA0
          lostA0 = true
        } else if (scalar == 0xFFFD || scalar == 0x3F) && !info.undefinedContinuations.isEmpty {
          lost |= 1 << position
          questionMark = questionMark || scalar == 0x3F
          byte = 0x80
        } else {
          return nil
        }
      }
      packed |= UInt32(byte) << (8 * position)
      index += length
    }
    var scalar: UInt32
    if lost == 0 && !lostA0 && lead == 0xED && (0xA0...0xAF).contains(packed >> 8 & 0xFF) {
      // CESU-8 and Java's modified UTF-8: a character above U+FFFF as two encoded
      // surrogates, high then low.
      guard let (lowEnd, low) = surrogate(at: index, limit: limit, encoding: encoding), low >= 0xDC00 else {
        return nil
      }
      let high = 0xD800 | (packed >> 8 & 0x0F) << 6 | (packed >> 16 & 0x3F)
      scalar = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00)
      index = lowEnd
    } else if lost == 0 {
      guard let decoded = Self.decodeOne(packed, count) else { return nil }
      scalar = decoded
    } else {
      scalar = resolveLost(packed, count, (1..<count).filter { lost & (1 << $0) != 0 }, info.undefinedContinuations)
    }
    // C1 controls may be a step of text encoded twice over; the chain's final repair
    // is checked for them.
    guard tables.classes[scalar] & MojibakeTables.implausible == 0 || (0x80..<0xA0).contains(scalar) else {
      return nil
    }
    if lostA0 && count == 2 && ![0xA0, 0xE0, 0x120, 0x420, 0x3A0].contains(scalar) { return nil }
    return (index, scalar, lostA0 || questionMark ? .damaged : lost != 0 ? .lostAsReplacement : .whole)
  }

  /// The encoded surrogate (ED A0-BF xx) that three characters of `encoding` at
  /// `start` stand for: its end and value.
  private func surrogate(at start: Int, limit: Int, encoding: Int) -> (Int, UInt32)? {
    var index = start
    var bytes: [UInt32] = []
    for _ in 0..<3 {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      guard scalar >= 0x80, scalar < 0x11_0000 else { return nil }
      bytes.append(UInt32(tables.byte(encoding, scalar)))
      index += length
    }
    guard bytes[0] == 0xED, (0xA0...0xBF).contains(bytes[1]), (0x80...0xBF).contains(bytes[2]) else { return nil }
    return (index, 0xD000 | (bytes[1] & 0x3F) << 6 | (bytes[2] & 0x3F))
  }

  /// UTF-8 `bytes` with each C1 control (C2 80 to C2 9F) replaced by the
  /// windows-1252 character of its byte; nil when windows-1252 has none.
  private func mappingC1Controls(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.indices.dropLast().contains(where: { bytes[$0] == 0xC2 && bytes[$0 + 1] < 0xA0 }) else { return bytes }
    var result: [UInt8] = []
    var index = 0
    while index < bytes.count {
      if bytes[index] == 0xC2 && index + 1 < bytes.count && bytes[index + 1] < 0xA0 {
        let meaning = tables.encodings[0].decoded[Int(bytes[index + 1]) - 0x80]
        guard meaning >= 0xA0 else { return nil }
        UTF8Decoding.encode(meaning, into: &result)
        index += 2
      } else {
        result.append(bytes[index])
        index += 1
      }
    }
    return result
  }

  /// The scalar that `count` bytes packed in `packed` (first byte lowest) encode when
  /// they are exactly one well-formed UTF-8 character.
  private static func decodeOne(_ packed: UInt32, _ count: Int) -> UInt32? {
    withUnsafeBytes(of: packed.littleEndian) { raw in
      let bytes = raw.bindMemory(to: UInt8.self).baseAddress!
      let (scalar, length) = UTF8Decoding.decode(bytes, 0, count)
      return length == count ? scalar : nil
    }
  }

  /// The character a sequence with lost bytes stood for: the one candidate that is a
  /// letter, digit, quotation mark or bracket, else U+FFFD.
  private func resolveLost(_ packed: UInt32, _ count: Int, _ lost: [Int], _ candidates: [UInt8]) -> UInt32 {
    var found: Set<UInt32> = []
    var combination = packed
    func fill(_ slot: Int) {
      if slot == lost.count {
        if let scalar = Self.decodeOne(combination, count), tables.classes[scalar] & MojibakeTables.implausible == 0 {
          found.insert(scalar)
        }
        return
      }
      let shift = UInt32(8 * lost[slot])
      for candidate in candidates {
        combination = combination & ~(0xFF << shift) | UInt32(candidate) << shift
        fill(slot + 1)
      }
    }
    fill(0)
    return found.count == 1 ? found.first! : 0xFFFD
  }

  // MARK: - Score

  /// The strangeness of a run of characters (see <doc:MojibakeRepairRules>); the rare
  /// letters count only in text taken as the original.
  private func strangeness(_ text: [UInt32], asOriginal: Bool) -> Int {
    typealias Kind = MojibakeTables.Kind
    typealias Script = MojibakeTables.Script
    let classes = tables.classes
    var total = 0
    // The last three characters: kinds (with flags) and values.
    var previous: UInt8 = Kind.boundary
    var beforePrevious: UInt8 = Kind.boundary
    var previousScalar: UInt32 = 0x20
    var beforePreviousScalar: UInt32 = 0x20
    @inline(__always) func isLetter(_ kind: UInt8) -> Bool { kind == Kind.lower || kind == Kind.upper }
    @inline(__always) func isApart(_ kind: UInt8) -> Bool { kind == Kind.boundary || kind == Kind.punctuation }
    for scalar in text {
      // An ill-formed sequence counts as the U+FFFD the normalizer makes of it.
      let value: UInt8 = scalar < 0x11_0000 ? classes[scalar] : Kind.replacement
      let kind = value & 0x0F
      let previousKind = previous & 0x0F
      let beforePreviousKind = beforePrevious & 0x0F
      let letter = isLetter(kind)
      let previousLetter = isLetter(previousKind)
      let nonASCII = scalar >= 0x80
      let previousNonASCII = previousScalar >= 0x80
      // Characters by themselves.
      if kind == Kind.c1 { total += 3 }
      if value & MojibakeTables.rare != 0 && asOriginal { total += 2 }
      // A letter, then a symbol or an opening mark.
      // ® and ™ follow names in real text: after a letter, they count only when a
      // letter or digit follows (ę is "Ä™" in windows-1252).
      if previousLetter && kind == Kind.symbol && scalar != 0xAE && scalar != 0x2122 {
        total += scalar == 0x20AC ? 3 : 2
      }
      if isLetter(beforePreviousKind) && (previousScalar == 0xAE || previousScalar == 0x2122)
        && (letter || kind == Kind.digit)
      {
        total += 2
      }
      if previousLetter && kind == Kind.opening && nonASCII { total += 2 }
      // Closing punctuation inside a word ("MÉ”n", "jÄ…c" for "Mɔn", "jąc"); a dash
      // inside a word only beside a non-ASCII letter ("Ã–s" for "Ös").
      if isLetter(beforePreviousKind) && letter {
        switch previousScalar {
        case 0x2026, 0xBB, 0x203A, 0x201D: total += 2
        case 0x2013, 0x2014: if nonASCII || beforePreviousScalar >= 0x80 { total += 1 }
        default: break
        }
      }
      // A symbol, then a letter or another symbol.
      if previousKind == Kind.symbol && letter { total += nonASCII ? 2 : 1 }
      if previousKind == Kind.symbol && kind == Kind.symbol { total += 1 }
      // Opening marks out of place.
      if previousKind == Kind.punctuation && previousNonASCII && kind == Kind.opening && nonASCII { total += 1 }
      if previousKind == Kind.opening && previousNonASCII && isApart(kind) { total += 1 }
      // ‚ (MacRoman's reading of the lead byte of general punctuation) before a letter.
      if previousScalar == 0x201A && letter && nonASCII { total += 1 }
      // Â and Ã (the windows-1252 readings of the lead bytes of Latin-1 symbols and
      // letters; ¬ in MacRoman, Ā in windows-1257) before a space or a non-ASCII
      // symbol or mark.
      if [0xC2, 0xC3, 0xAC, 0x100].contains(previousScalar) && !letter && (nonASCII || kind == Kind.boundary) {
        total += 2
      }
      // Capitals and lowercase letters mixed.
      if previousKind == Kind.lower && kind == Kind.upper && nonASCII { total += 1 }
      if previousKind == Kind.upper && kind == Kind.lower && previousNonASCII && nonASCII
        && previous & Script.mask == Script.latin
      {
        total += 1
      }
      if beforePreviousKind == Kind.upper && previousKind == Kind.upper && kind == Kind.lower
        && (nonASCII || (beforePreviousScalar >= 0x80 && previousNonASCII))
      {
        total += 1
      }
      // A Greek capital with tonos inside a word (capitals carry no accents there).
      if previousLetter && [0x386, 0x388, 0x389, 0x38A, 0x38C, 0x38E, 0x38F].contains(scalar) { total += 1 }
      // Scripts mixed inside a word.
      if previousLetter && letter {
        let script = value & Script.mask
        let previousScript = previous & Script.mask
        if script != previousScript && (script != 0 || previousScript != 0) && (nonASCII || previousNonASCII) {
          total += 2
        }
      }
      if (previousLetter && previous & Script.mask != 0 && kind == Kind.foreignLetter)
        || (previousKind == Kind.foreignLetter && letter && value & Script.mask != 0)
      {
        total += 2
      }
      if previousLetter && kind == Kind.foreignMark && previous & Script.mask != 0 { total += 2 }
      // A character of a writing system without letter case (Han, Hangul, kana, ...)
      // between two non-ASCII letters of an alphabet (Latin, Greek, Cyrillic): what a
      // "repair" of correct alphabetic text makes (Belarusian "ліў" read as
      // windows-1251 bytes is Hangul 볢). Han glued to ASCII letters is ordinary
      // ("y年M月", "iPhone用") and does not count.
      if previousKind == Kind.other && previousScalar >= 0x3000 && letter && nonASCII && value & Script.mask != 0
        && isLetter(beforePreviousKind) && beforePreviousScalar >= 0x80 && beforePrevious & Script.mask != 0
      {
        total += 3
      }
      // A combining mark with no letter before it.
      if (kind == Kind.mark || kind == Kind.foreignMark)
        && !(previousLetter || previousKind == Kind.other || previousKind == Kind.foreignLetter
          || previousKind == Kind.mark || previousKind == Kind.foreignMark)
      {
        total += 2
      }
      // Box drawing beside letters, digits and symbols.
      if (previousKind == Kind.box) != (kind == Kind.box) {
        let other = previousKind == Kind.box ? kind : previousKind
        if isLetter(other) || other == Kind.digit || other == Kind.symbol || other == Kind.opening { total += 2 }
      }
      // U+FFFD beside a non-ASCII letter.
      if (previousKind == Kind.replacement && letter && nonASCII)
        || (kind == Kind.replacement && previousLetter && previousNonASCII)
      {
        total += 1
      }
      // Letters standing alone: a non-ASCII Latin capital ("Ã ", "Ð»"), any non-ASCII
      // capital before non-ASCII punctuation ("С–"), a letter of Hebrew to NKo.
      if isApart(kind) && isApart(beforePreviousKind) && previousNonASCII {
        if previousKind == Kind.upper && previous & Script.mask == Script.latin {
          total += 1
        } else if previousKind == Kind.upper && kind == Kind.punctuation && nonASCII {
          total += 1
        } else if previousKind == Kind.foreignLetter {
          total += 2
        }
      }
      beforePrevious = previous
      beforePreviousScalar = previousScalar
      previous = value
      previousScalar = scalar
    }
    return total
  }

  // MARK: - Output

  private func write() -> MojibakeRepair.Result {
    var output: [UInt8] = []
    output.reserveCapacity(end)
    var fixes: [MojibakeRepair.Fix] = []
    fixes.reserveCapacity(accepted.count)
    var position = 0
    for piece in accepted {
      output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: piece.range.lowerBound - position))
      let outputStart = output.count
      output.append(contentsOf: piece.bytes)
      fixes.append(
        MojibakeRepair.Fix(
          input: piece.range, output: outputStart..<output.count,
          original: String(
            decoding: UnsafeBufferPointer(start: input + piece.range.lowerBound, count: piece.range.count),
            as: UTF8.self),
          replacement: String(decoding: piece.bytes, as: UTF8.self),
          encodings: piece.names.reversed(), score: piece.score))
      position = piece.range.upperBound
    }
    output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: end - position))
    return MojibakeRepair.Result(utf8: output, fixes: fixes)
  }
}
