import CWinnowKernels

// Segments: which text is tried as mojibake and which reading wins.
extension MojibakeScanner {
  /// Repairs the segment `range` (a line or a word) when one path of encodings reads
  /// all its non-ASCII text as broken sequences and makes it less strange by at least
  /// `threshold`, or `single` when the evidence is weak: the repair is one two-byte
  /// character (correct text holds such pairs by chance), or its every sequence lost
  /// a byte as U+FFFD; returns whether it did.
  mutating func repair(_ range: Range<Int>, threshold: Int, single: Int) -> Bool {
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
    order = Self.order(support)
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
  func transcode(_ range: Range<Int>, encoding: Int) -> (pieces: [Piece], evidence: Damage, passedOver: Bool)? {
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
  func closesQuote(_ piece: Range<Int>, in segment: Range<Int>) -> Bool {
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
  static func mayHoldMojibake(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      var leads: UInt32 = 0
      return winnow_find_mojibake_pair(
        buffer.baseAddress!, Int64(buffer.count), 0, MojibakeTables.shared.searchMasks, &leads) < buffer.count
    }
  }

  /// `bytes` read whole as broken sequences of `encoding`, and the encoding's name
  /// for them; nil when they are not.
  static func transcode(_ bytes: [UInt8], encoding: Int, minimumScore: Int) -> ([UInt8], String)? {
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
  func segmentScalars(_ range: Range<Int>, _ pieces: [Piece], repaired: Bool = true) -> [UInt32] {
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
  static func isCurlyQuote(_ scalar: UInt32) -> Bool { (0x2018...0x201F).contains(scalar) || scalar == 0x2E42 }

  /// Whether a byte beside a character puts it at the edge of a word: none, or ASCII
  /// other than a letter or digit.
  @inline(__always)
  static func isEdge(_ byte: UInt8?) -> Bool {
    guard let byte else { return true }
    return byte < 0x80 && !(0x30...0x39).contains(byte) && !(0x41...0x5A).contains(byte)
      && !(0x61...0x7A).contains(byte)
  }

  /// The length of the curly quotation mark at `index`, or nil.
  func curlyQuote(at index: Int) -> Int? {
    let (scalar, length) = character(at: index)
    return Self.isCurlyQuote(scalar) ? length : nil
  }

  /// The length of the line break at `index` (LF, CR, VT, FF, U+2028, U+2029), or 0.
  @inline(__always)
  func lineBreak(at index: Int) -> Int {
    let byte = input[index]
    if byte < 0x80 { return (0x0A...0x0D).contains(byte) ? 1 : 0 }
    guard byte == 0xE2, index + 2 < end, input[index + 1] == 0x80, input[index + 2] & 0xFE == 0xA8 else { return 0 }
    return 3
  }

  /// Whether a space or line break (see ``space(at:)``) ends just before `index` (and
  /// after `lower`).
  @inline(__always)
  func endsSpace(at index: Int, after lower: Int) -> Bool {
    space(at: index - 1) == 1 || (index - 3 >= lower && space(at: index - 3) == 3)
  }

  /// The length of the space or line break at `index` (ASCII white space, and the
  /// separators other than U+00A0, which stands for a byte in mojibake), or 0.
  func space(at index: Int) -> Int {
    let byte = input[index]
    if byte < 0x80 { return byte == 0x20 || (0x09...0x0D).contains(byte) ? 1 : 0 }
    guard byte == 0xE1 || byte == 0xE2 || byte == 0xE3 else { return 0 }
    let (scalar, length) = character(at: index)
    switch scalar {
    case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return length
    default: return 0
    }
  }
}
