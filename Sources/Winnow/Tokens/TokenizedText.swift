import CWinnowKernels

/// A document cut into tokens and paragraphs, with byte offsets into the input.
struct TokenizedText {
  /// The hash of each token's comparison key.
  var hashes: [UInt64] = []
  /// The first byte of each token.
  var starts: [Int32] = []
  /// One past the last byte of each token.
  var ends: [Int32] = []
  /// The numbers of the tokens that are single characters of a script written without
  /// spaces, in order: they weigh a third of a word (about three such characters make
  /// a word). Empty when every token is a word.
  var characterTokens: [Int32] = []
  var paragraphs: [Paragraph] = []
  /// Whether paragraphs are groups of lines separated by blank lines (else every
  /// non-blank line is one).
  private(set) var blankLineSeparated = false
  /// Every line: where it starts, where its content ends (before the line break), and
  /// where the next line starts.
  var lines: [Line] = []

  /// Offsets are stored in 32 bits (the finder searches texts under 2 GiB): 16 bytes
  /// a line.
  struct Line {
    private let storedStart: Int32
    private let storedContentEnd: Int32
    private let storedNext: Int32
    let isBlank: Bool

    var start: Int { Int(storedStart) }
    var contentEnd: Int { Int(storedContentEnd) }
    var next: Int { Int(storedNext) }

    init(start: Int, contentEnd: Int, next: Int, isBlank: Bool) {
      storedStart = Int32(truncatingIfNeeded: start)
      storedContentEnd = Int32(truncatingIfNeeded: contentEnd)
      storedNext = Int32(truncatingIfNeeded: next)
      self.isBlank = isBlank
    }
  }

  /// 24 bytes a paragraph (32-bit line and token numbers).
  struct Paragraph {
    private let firstLine: Int32
    private let lastLine: Int32
    private let firstToken: Int32
    private let endToken: Int32
    /// A hash of the token hashes in order.
    let fingerprint: UInt64

    /// The first and last line of the paragraph.
    var lines: ClosedRange<Int> { Int(firstLine)...Int(lastLine) }
    var tokens: Range<Int> { Int(firstToken)..<Int(endToken) }

    init(lines: ClosedRange<Int>, tokens: Range<Int>, fingerprint: UInt64) {
      firstLine = Int32(truncatingIfNeeded: lines.lowerBound)
      lastLine = Int32(truncatingIfNeeded: lines.upperBound)
      firstToken = Int32(truncatingIfNeeded: tokens.lowerBound)
      endToken = Int32(truncatingIfNeeded: tokens.upperBound)
      self.fingerprint = fingerprint
    }
  }

  var count: Int { hashes.count }

  /// The weight of a range of tokens, in words (see ``characterTokens``).
  @inline(__always)
  func words(_ tokens: Range<Int>) -> Double {
    guard !characterTokens.isEmpty else { return Double(tokens.count) }
    let characters =
      Self.countBelow(tokens.upperBound, in: characterTokens)
      - Self.countBelow(tokens.lowerBound, in: characterTokens)
    return Double(3 * tokens.count - 2 * characters) / 3
  }

  /// The number of the values of ascending `values` that are below `limit`.
  private static func countBelow(_ limit: Int, in values: [Int32]) -> Int {
    var low = 0
    var high = values.count
    while low < high {
      let middle = (low + high) / 2
      if Int(values[middle]) < limit { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// The paragraph that holds token `token` (every token is in one).
  func paragraph(ofToken token: Int) -> Int {
    // The last paragraph starting at or before the token: a paragraph without tokens
    // ("***") before it starts there too, but comes first.
    var low = 0
    var high = paragraphs.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if paragraphs[middle].tokens.lowerBound <= token { low = middle } else { high = middle - 1 }
    }
    return low
  }

  /// Whether token `index` starts a sentence: it starts its line, or the text before
  /// it (past spaces, quotes and brackets) ends with . ! ? … 。 ！ or ？.
  func startsSentence(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var position = Int(starts[index])
    var skipped = 0
    while position > 0 && skipped < 12 {
      let byte = bytes[position - 1]
      if byte == 0x0A || byte == 0x0D { return true }
      if Self.isTerminator(bytes, endingAt: position) { return true }
      if byte < 0x80 && (byte >= 0x30 && byte <= 0x39 || (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) {
        return false
      }
      if index > 0 && position <= Int(ends[index - 1]) { return false }
      position -= 1
      skipped += 1
    }
    return position == 0
  }

  /// Whether token `index` ends a sentence: its line ends after it, or the text after
  /// it (past quotes and brackets, before the next space) holds a sentence terminator.
  func endsSentence(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var position = Int(ends[index])
    let limit = index + 1 < count ? Int(starts[index + 1]) : bytes.count
    while position < limit {
      let byte = bytes[position]
      if byte == 0x0A || byte == 0x0D { return true }
      if byte == 0x20 || byte == 0x09 { return false }
      position += 1
      if Self.isTerminator(bytes, endingAt: position) { return true }
    }
    return position >= bytes.count
  }

  /// Whether a line break (or the start of the text) comes between token `index` and
  /// the token before it.
  func startsLine(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let from = index > 0 ? Int(ends[index - 1]) : 0
    return index == 0 || bytes[from..<Int(starts[index])].contains { $0 == 0x0A || $0 == 0x0D }
  }

  /// Whether a line break (or the end of the text) comes between token `index` and the
  /// token after it.
  func endsLine(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let to = index + 1 < count ? Int(starts[index + 1]) : bytes.count
    return index + 1 == count || bytes[Int(ends[index])..<to].contains { $0 == 0x0A || $0 == 0x0D }
  }

  private static func isTerminator(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Bool {
    let last = bytes[end - 1]
    if last == 0x2E || last == 0x21 || last == 0x3F { return true }
    guard end >= 3 else { return false }
    let a = bytes[end - 3]
    let b = bytes[end - 2]
    return (a == 0xE2 && b == 0x80 && last == 0xA6)  // …
      || (a == 0xE3 && b == 0x80 && last == 0x82)  // 。
      || (a == 0xEF && b == 0xBC && (last == 0x81 || last == 0x9F))  // ！ ？
  }

  /// ASCII classes for the tokenizer's fast path: 0 letter or digit (key = byte),
  /// 1 upper-case letter, 2 space or tab, 3 line break, 4 punctuation, 5 apostrophe,
  /// 6 other (control): ignored, 7 not ASCII.
  // nonisolated(unsafe): written once by the lazy initializer, read-only afterwards.
  nonisolated(unsafe) private static let asciiClass: UnsafePointer<UInt8> = {
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    table.initialize(from: asciiClasses, count: 256)
    return UnsafePointer(table)  // lives as long as the process
  }()

  private static let asciiClasses: [UInt8] = (0..<256).map { byte in
    switch byte {
    case 0x61...0x7A, 0x30...0x39: 0
    case 0x41...0x5A: 1
    case 0x20, 0x09: 2
    case 0x0A...0x0D: 3
    case 0x27: 5
    case 0x21...0x7E: 4
    case 0x80...: 7
    default: 6
    }
  }

  /// Cuts `bytes` into tokens (see ``TokenTable``) and paragraphs: every non-blank
  /// line, or with `blankLineSeparated` every group of non-blank lines.
  ///
  /// `firstRoom` replaces the room the token columns are first given (tests use it to
  /// take the path of a text that holds more tokens).
  init(_ bytes: UnsafeBufferPointer<UInt8>, blankLineSeparated: Bool, firstRoom: Int? = nil) {
    self.blankLineSeparated = blankLineSeparated
    let count = bytes.count
    guard let base = bytes.baseAddress, count > 0 else {
      lines.append(Line(start: 0, contentEnd: 0, next: 0, isBlank: true))
      return
    }
    // The token columns are written in place, in arrays of room for a token every
    // second byte and the kernel's margin: a token is followed by a byte that is no
    // token's or is a character of at least three bytes (text has one every four to
    // six bytes). Should a text hold more, it is tokenized again with room for one per
    // byte, which none exceeds (no token is empty, none overlaps another). The pages
    // that no token reaches are never touched, so they take no memory, and the
    // address space reserved is 8 bytes a byte of text.
    let columns =
      Self.tokenize(base, count, capacity: firstRoom ?? count / 2 + TokenSink.margin)
      ?? Self.tokenize(base, count, capacity: count + TokenSink.margin)!
    hashes = columns.hashes
    starts = columns.starts
    ends = columns.ends
    lines = columns.lines
    characterTokens = columns.characterTokens
    buildParagraphs(blankLineSeparated: blankLineSeparated)
  }

  /// ``init(_:blankLineSeparated:firstRoom:)`` for a text cut out of the one `old`
  /// tokenized (it holds no more tokens): the token columns, lines and
  /// single-character tokens are written into `old`'s storage, whose pages are in memory already, instead of
  /// new arrays whose pages the kernel must fault in and clear. A text that does not
  /// fit is tokenized into new arrays.
  init(_ bytes: UnsafeBufferPointer<UInt8>, blankLineSeparated: Bool, reusing old: consuming TokenizedText) {
    var old = consume old
    let room = min(old.hashes.capacity, old.starts.capacity, old.ends.capacity, old.count + 2 * TokenSink.margin)
    guard let base = bytes.baseAddress, !bytes.isEmpty, room >= old.count + TokenSink.margin else {
      self = Self(bytes, blankLineSeparated: blankLineSeparated)
      return
    }
    var hashes = [UInt64]()
    var starts = [Int32]()
    var ends = [Int32]()
    var lines = [Line]()
    var characterTokens = [Int32]()
    swap(&hashes, &old.hashes)
    swap(&starts, &old.starts)
    swap(&ends, &old.ends)
    swap(&lines, &old.lines)
    swap(&characterTokens, &old.characterTokens)
    lines.removeAll(keepingCapacity: true)
    characterTokens.removeAll(keepingCapacity: true)
    hashes.append(contentsOf: repeatElement(0, count: room - hashes.count))
    starts.append(contentsOf: repeatElement(0, count: room - starts.count))
    ends.append(contentsOf: repeatElement(0, count: room - ends.count))
    var filled: Int?
    hashes.withUnsafeMutableBufferPointer { hashes in
      starts.withUnsafeMutableBufferPointer { starts in
        ends.withUnsafeMutableBufferPointer { ends in
          filled = Self.tokenize(
            base, bytes.count, into: (hashes.baseAddress!, starts.baseAddress!, ends.baseAddress!), capacity: room,
            lines: &lines, characterTokens: &characterTokens)
        }
      }
    }
    guard let tokenCount = filled else {
      self = Self(bytes, blankLineSeparated: blankLineSeparated)
      return
    }
    hashes.removeLast(room - tokenCount)
    starts.removeLast(room - tokenCount)
    ends.removeLast(room - tokenCount)
    self.blankLineSeparated = blankLineSeparated
    self.hashes = hashes
    self.starts = starts
    self.ends = ends
    self.lines = lines
    self.characterTokens = characterTokens
    buildParagraphs(blankLineSeparated: blankLineSeparated)
  }

  /// The token columns, lines and single-character tokens of `base[0..<count]`, in
  /// columns of room for `capacity` tokens; nil when the text holds more than that
  /// room allows.
  private static func tokenize(_ base: UnsafePointer<UInt8>, _ count: Int, capacity: Int) -> (
    hashes: [UInt64], starts: [Int32], ends: [Int32], lines: [Line], characterTokens: [Int32]
  )? {
    var filled: Int?
    var lines: [Line] = []
    var characterTokens: [Int32] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    let hashes = [UInt64](unsafeUninitializedCapacity: capacity) { hashes, hashCount in
      starts = [Int32](unsafeUninitializedCapacity: capacity) { starts, startCount in
        ends = [Int32](unsafeUninitializedCapacity: capacity) { ends, endCount in
          filled = Self.tokenize(
            base, count, into: (hashes.baseAddress!, starts.baseAddress!, ends.baseAddress!), capacity: capacity,
            lines: &lines, characterTokens: &characterTokens)
          endCount = filled ?? 0
        }
        startCount = filled ?? 0
      }
      hashCount = filled ?? 0
    }
    guard filled != nil else { return nil }
    return (hashes, starts, ends, lines, characterTokens)
  }

  /// The tokens of `base[0..<count]` written into three columns of room for
  /// `capacity` tokens (hashes, starts, ends), lines and single-character tokens
  /// appended: the number of tokens, or nil when the text holds more than the room
  /// allows.
  private static func tokenize(
    _ base: UnsafePointer<UInt8>, _ count: Int,
    into columns: (
      hashes: UnsafeMutablePointer<UInt64>, starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>
    ),
    capacity: Int, lines: inout [Line], characterTokens: inout [Int32]
  ) -> Int? {
    var tokens = TokenSink(hashes: columns.hashes, starts: columns.starts, ends: columns.ends, capacity: capacity)
    guard Self.tokenize(base, count, into: &tokens, lines: &lines, characterTokens: &characterTokens) else {
      return nil
    }
    return tokens.count
  }

  /// The tokenizer: tokens of `base[0..<count]` into `tokens`, every line into
  /// `lines`, and the numbers of the tokens that are single characters of a script
  /// written without spaces into `characterTokens`. False when the sink's room ran
  /// out first.
  private static func tokenize(
    _ base: UnsafePointer<UInt8>, _ count: Int, into tokens: inout TokenSink, lines: inout [Line],
    characterTokens: inout [Int32]
  ) -> Bool {
    let table = TokenTable.shared
    let asciiClass = Self.asciiClass
    var lineStart = 0
    var lineBlank = true
    var index = 0

    while index < count {
      // An iteration ends at most two tokens; the kernel wants its margin.
      guard tokens.hasMargin else { return false }
      let byte = base[index]
      let asciiKind = asciiClass[Int(byte)]
      // Runs of ASCII letters and digits: the common case, hashed eight bytes at a time.
      if asciiKind <= 1 {
        // Fastest case: plain ASCII words and separators, scanned by the SIMD kernel
        // until a byte it does not handle; the loop below finishes what it leaves.
        if tokens.start < 0 {
          let stopped = tokens.scanASCIIWords(base, count, from: index, sawContent: &lineBlank)
          if stopped > index {
            index = stopped
            continue
          }
        }
        if tokens.start < 0 { tokens.start = index }
        var end = index + 1
        // Eight bytes at a time while they are all ASCII letters or digits; byte by
        // byte near the end of the text.
        var found = false
        while end + 8 <= count {
          let word = UInt64(littleEndian: UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self))
          let other = ~Self.alphanumerics(word) & 0x8080_8080_8080_8080
          if other != 0 {
            end += other.trailingZeroBitCount &>> 3
            found = true
            break
          }
          end += 8
        }
        if !found {
          while end < count && asciiClass[Int(base[end])] <= 1 { end += 1 }
        }
        tokens.key.addBytes(base, index, end, count, setting: 0x20)
        lineBlank = false
        index = end
        continue
      }
      switch asciiKind {
      case 2:
        tokens.end(index)
        index += 1
        continue
      case 4:
        tokens.end(index)
        lineBlank = false
        index += 1
        continue
      case 5, 6:
        index += 1
        continue
      case 3:
        tokens.end(index)
        var next = index + 1
        if byte == 0x0D && next < count && base[next] == 0x0A { next += 1 }
        lines.append(Line(start: lineStart, contentEnd: index, next: next, isBlank: lineBlank))
        lineStart = next
        lineBlank = true
        index = next
        continue
      default:
        break
      }
      var (scalar, length) = UTF8Decoding.decode(base, index, count)
      if length < 0 {
        scalar = 0xFFFD
        length = -length
      }
      let entry = table.entry(scalar)
      switch entry >> 29 {
      case TokenTable.Kind.word:
        // A run of characters that are their own key (lower-case letters of most
        // scripts): their UTF-8 bytes are the key bytes, hashed as they stand.
        if tokens.start < 0 { tokens.start = index }
        var end = index + length
        while end < count {
          let next = base[end]
          if next < 0x80 {
            guard next >= 0x61 && next <= 0x7A || next >= 0x30 && next <= 0x39 else { break }
            end += 1
            continue
          }
          let (following, followingLength) = UTF8Decoding.decode(base, end, count)
          guard followingLength > 0, table.entry(following) >> 29 == TokenTable.Kind.word else { break }
          end += followingLength
        }
        tokens.key.addBytes(base, index, end, count, setting: 0)
        lineBlank = false
        index = end
        continue
      case TokenTable.Kind.mapped:
        if tokens.start < 0 { tokens.start = index }
        tokens.key.add(entry & 0x1FFF_FFFF)
        lineBlank = false
      case TokenTable.Kind.expanded:
        if tokens.start < 0 { tokens.start = index }
        for part in table.expansions[Int(entry & 0x1FFF_FFFF)] { tokens.key.add(part) }
        lineBlank = false
      case TokenTable.Kind.ignored:
        if scalar != 0xFEFF && scalar != 0x200B && scalar >= 0x20 { lineBlank = false }
      case TokenTable.Kind.lineBreak:
        tokens.end(index)
        lines.append(Line(start: lineStart, contentEnd: index, next: index + length, isBlank: lineBlank))
        lineStart = index + length
        lineBlank = true
      case TokenTable.Kind.single, TokenTable.Kind.singleMapped:
        tokens.end(index)
        characterTokens.append(Int32(truncatingIfNeeded: tokens.count))
        tokens.start = index
        tokens.key.add(entry >> 29 == TokenTable.Kind.single ? scalar : entry & 0x1FFF_FFFF)
        tokens.end(index + length)
        lineBlank = false
      default:  // separator
        tokens.end(index)
        if !Self.isSpace(scalar) { lineBlank = false }  // punctuation makes a line non-blank
      }
      index += length
    }
    tokens.end(count)
    if lineStart < count || lines.isEmpty {
      lines.append(Line(start: lineStart, contentEnd: count, next: count, isBlank: lineBlank))
    }
    return true
  }

  /// 0x80 in each byte of `word` that is an ASCII letter or digit. Word arithmetic
  /// without carries between bytes: each byte is tested against [0-9] and, with bit
  /// 0x20 set, against [a-z].
  @inline(__always)
  static func alphanumerics(_ word: UInt64) -> UInt64 {
    let high: UInt64 = 0x8080_8080_8080_8080
    let low = word & 0x7F7F_7F7F_7F7F_7F7F
    let folded = (word | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F
    // x >= lower  <=>  bit 7 of (x + 0x80 - lower);  x <= upper  <=>  not bit 7 of (x + 0x7F - upper)
    let letters = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x0505_0505_0505_0505)
    let digits = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646)
    return (letters | digits) & ~word & high
  }

  /// White_Space characters that leave a line blank.
  private static func isSpace(_ scalar: UInt32) -> Bool {
    scalar == 0x20 || scalar == 0x09 || scalar == 0xA0 || (0x2000...0x200A).contains(scalar)
      || scalar == 0x3000 || scalar == 0x202F || scalar == 0x205F || scalar == 0x85 || scalar == 0x1680
  }

  /// Groups lines into paragraphs and assigns tokens to them.
  private mutating func buildParagraphs(blankLineSeparated: Bool) {
    var token = 0
    var lineIndex = 0
    while lineIndex < lines.count {
      if lines[lineIndex].isBlank {
        // Tokens cannot sit on blank lines; skip them.
        lineIndex += 1
        continue
      }
      var last = lineIndex
      if blankLineSeparated {
        while last + 1 < lines.count && !lines[last + 1].isBlank { last += 1 }
      }
      let end = lines[last].contentEnd
      let first = token
      var fingerprint: UInt64 = 0x9E37_79B9_7F4A_7C15
      while token < hashes.count && Int(starts[token]) < end {
        fingerprint = (fingerprint ^ hashes[token]) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
        token += 1
      }
      paragraphs.append(Paragraph(lines: lineIndex...last, tokens: first..<token, fingerprint: Self.mix(fingerprint)))
      lineIndex = last + 1
    }
  }

  /// The SplitMix64 finalizer: spreads the bits of a hash.
  @inline(__always)
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
