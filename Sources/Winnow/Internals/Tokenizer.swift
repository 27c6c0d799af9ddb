import CWinnowKernels

/// A document cut into tokens and paragraphs, with byte offsets into the input.
struct TokenizedText {
  /// The hash of each token's comparison key.
  var hashes: [UInt64] = []
  /// The first byte of each token.
  var starts: [Int32] = []
  /// One past the last byte of each token.
  var ends: [Int32] = []
  /// The paragraph of each token.
  var paragraphOfToken: [Int32] = []
  /// Running sum of token weights in thirds of a word: a word weighs 3, a character
  /// of a script written without spaces 1 (about three such characters make a word).
  /// `weightBefore[i]` is the weight of the tokens before token `i`. Empty when
  /// every token is a word.
  var weightBefore: [Int] = []
  var paragraphs: [Paragraph] = []
  /// Whether paragraphs are groups of lines separated by blank lines (else every
  /// non-blank line is one).
  private(set) var blankLineSeparated = false
  /// Every line: where it starts, where its content ends (before the line break), and
  /// where the next line starts.
  var lines: [Line] = []

  struct Line {
    var start: Int
    var contentEnd: Int
    var next: Int
    var isBlank: Bool
  }

  struct Paragraph {
    /// The first and last line of the paragraph.
    var lines: ClosedRange<Int>
    var tokens: Range<Int>
    /// A hash of the token hashes in order.
    var fingerprint: UInt64
  }

  var count: Int { hashes.count }

  /// The weight of a range of tokens, in words (see ``weightBefore``).
  @inline(__always)
  func words(_ tokens: Range<Int>) -> Double {
    guard !weightBefore.isEmpty else { return Double(tokens.count) }
    return Double(weightBefore[tokens.upperBound] - weightBefore[tokens.lowerBound]) / 3
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
  init(_ bytes: UnsafeBufferPointer<UInt8>, blankLineSeparated: Bool) {
    self.blankLineSeparated = blankLineSeparated
    let table = TokenTable.shared
    let count = bytes.count
    guard let base = bytes.baseAddress, count > 0 else {
      lines.append(Line(start: 0, contentEnd: 0, next: 0, isBlank: true))
      return
    }
    var tokens = TokenSink(estimate: count / 5 + 16)
    var lines: [Line] = []
    let asciiClass = Self.asciiClass
    var lineStart = 0
    var lineBlank = true
    var index = 0
    var characterTokens: [Int] = []

    while index < count {
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
        characterTokens.append(tokens.count)
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
    self.hashes = Array(UnsafeBufferPointer(start: tokens.hashes, count: tokens.count))
    self.starts = Array(UnsafeBufferPointer(start: tokens.starts, count: tokens.count))
    self.ends = Array(UnsafeBufferPointer(start: tokens.ends, count: tokens.count))
    self.lines = lines
    if !characterTokens.isEmpty {
      weightBefore = [Int](repeating: 0, count: hashes.count + 1)
      var next = 0
      for token in 0..<hashes.count {
        let weight = next < characterTokens.count && characterTokens[next] == token ? 1 : 3
        if weight == 1 { next += 1 }
        weightBefore[token + 1] = weightBefore[token] + weight
      }
    }
    buildParagraphs(blankLineSeparated: blankLineSeparated)
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
    paragraphOfToken = [Int32](repeating: 0, count: hashes.count)
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
        paragraphOfToken[token] = Int32(paragraphs.count)
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

/// An open-addressing map from 64-bit hashes to the first position they were seen at.
/// Grows at half load, so that adversarial inputs cannot fill it. Raw storage: the
/// lookups sit in the finder's innermost loop.
struct FirstOccurrenceTable: ~Copyable {
  private var keys: UnsafeMutablePointer<UInt64>
  private var values: UnsafeMutablePointer<Int32>
  private var mask: Int
  private var used = 0

  init(expected: Int) {
    var size = 16
    while size < expected * 2 { size <<= 1 }
    keys = .allocate(capacity: size)
    keys.initialize(repeating: 0, count: size)
    values = .allocate(capacity: size)
    mask = size - 1
  }

  deinit {
    keys.deallocate()
    values.deallocate()
  }

  /// Returns the position `key` was first seen at, or records `position` for it and
  /// returns nil.
  @inline(__always)
  mutating func firstOrInsert(_ key: UInt64, _ position: Int) -> Int? {
    let key = key == 0 ? 1 : key
    var slot = Int(truncatingIfNeeded: key) & mask
    while true {
      let existing = keys[slot]
      if existing == key { return Int(values[slot]) }
      if existing == 0 {
        keys[slot] = key
        values[slot] = Int32(truncatingIfNeeded: position)
        used += 1
        if used * 2 > mask + 1 { grow() }
        return nil
      }
      slot = (slot + 1) & mask
    }
  }

  private mutating func grow() {
    let oldKeys = keys
    let oldValues = values
    let oldSize = mask + 1
    keys = .allocate(capacity: oldSize * 2)
    keys.initialize(repeating: 0, count: oldSize * 2)
    values = .allocate(capacity: oldSize * 2)
    mask = oldSize * 2 - 1
    for index in 0..<oldSize where oldKeys[index] != 0 {
      var slot = Int(truncatingIfNeeded: oldKeys[index]) & mask
      while keys[slot] != 0 { slot = (slot + 1) & mask }
      keys[slot] = oldKeys[index]
      values[slot] = oldValues[index]
    }
    oldKeys.deallocate()
    oldValues.deallocate()
  }
}

/// Hashes the UTF-8 bytes of a token's comparison key, eight bytes at a time, so that
/// plain ASCII words cost one multiplication per eight letters and any word hashes
/// the same whichever path produced its key bytes.
struct KeyHasher {
  private var state: UInt64 = 0x243F_6A88_85A3_08D3
  private var pending: UInt64 = 0
  private var filled = 0  // bytes in `pending`
  private var length = 0

  @inline(__always)
  private mutating func absorb(_ chunk: UInt64) {
    state = (state ^ chunk) &* 0x9E37_79B9_7F4A_7C15
    state = (state << 27) | (state >> 37)
  }

  @inline(__always)
  mutating func addByte(_ byte: UInt8) {
    pending |= UInt64(byte) << (8 * UInt64(filled))
    filled += 1
    length += 1
    if filled == 8 {
      absorb(pending)
      pending = 0
      filled = 0
    }
  }

  /// A mask of the low `count` bytes of a word (all of it for 8 or more).
  @inline(__always)
  static func lowBytes(_ count: Int) -> UInt64 {
    count >= 8 ? ~0 : (1 << (8 * UInt64(count))) - 1
  }

  /// Adds a key code point as UTF-8.
  @inline(__always)
  mutating func add(_ scalar: UInt32) {
    if scalar < 0x80 {
      addByte(UInt8(scalar))
    } else if scalar < 0x800 {
      addByte(UInt8(0xC0 | scalar >> 6))
      addByte(UInt8(0x80 | scalar & 0x3F))
    } else if scalar < 0x1_0000 {
      addByte(UInt8(0xE0 | scalar >> 12))
      addByte(UInt8(0x80 | scalar >> 6 & 0x3F))
      addByte(UInt8(0x80 | scalar & 0x3F))
    } else {
      addByte(UInt8(0xF0 | scalar >> 18))
      addByte(UInt8(0x80 | scalar >> 12 & 0x3F))
      addByte(UInt8(0x80 | scalar >> 6 & 0x3F))
      addByte(UInt8(0x80 | scalar & 0x3F))
    }
  }

  /// Adds `bytes[start..<end]` with bit `setting` set in every byte: 0x20 lower-cases
  /// ASCII letters and leaves digits alone; 0 adds the bytes as they are.
  @inline(__always)
  mutating func addBytes(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ count: Int, setting: UInt8) {
    var position = start
    while filled != 0 && position < end {
      addByte(bytes[position] | setting)
      position += 1
    }
    let spread = UInt64(setting) &* 0x0101_0101_0101_0101
    while position + 8 <= end {
      let chunk = UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self)
      absorb(UInt64(littleEndian: chunk) | spread)
      length += 8
      position += 8
    }
    let remaining = end - position
    guard remaining > 0 else { return }
    if position + 8 <= count {
      let chunk = UInt64(littleEndian: UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self))
      let mask: UInt64 = (1 << (8 * UInt64(remaining))) - 1
      pending = (chunk | spread) & mask
      filled = remaining
      length += remaining
    } else {
      while position < end {
        addByte(bytes[position] | setting)
        position += 1
      }
    }
  }

  /// The hash of the key so far; resets the hasher. Keys of up to seven bytes are
  /// their own hash (the bytes, zero-padded): no two differ, and later stages mix
  /// hashes before relying on their bits. From eight bytes on, `pending` no longer
  /// holds the whole key, so the absorbed state is mixed in.
  @inline(__always)
  mutating func finish() -> UInt64 {
    let result =
      length < 8 ? pending : TokenizedText.mix((state ^ pending) &+ UInt64(length) &* 0xD6E8_FEB8_6659_FD93)
    self = KeyHasher()
    return result
  }
}

/// Collects tokens as the tokenizer finds them, in raw buffers: an `Array.append`
/// per token field costs more than the tokenizing itself.
struct TokenSink: ~Copyable {
  private(set) var hashes: UnsafeMutablePointer<UInt64>
  private(set) var starts: UnsafeMutablePointer<Int32>
  private(set) var ends: UnsafeMutablePointer<Int32>
  private var capacity: Int
  private(set) var count = 0
  var key = KeyHasher()
  /// The start of the token being read, or -1.
  var start = -1

  init(estimate: Int) {
    capacity = max(estimate, 16)
    hashes = .allocate(capacity: capacity)
    starts = .allocate(capacity: capacity)
    ends = .allocate(capacity: capacity)
  }

  deinit {
    hashes.deallocate()
    starts.deallocate()
    ends.deallocate()
  }

  /// Runs the ASCII kernel from `position` (no token may be in progress) and returns
  /// where it stopped; clears `lineBlank` when it passed words or punctuation.
  @inline(__always)
  mutating func scanASCIIWords(
    _ base: UnsafePointer<UInt8>, _ count: Int, from position: Int, sawContent lineBlank: inout Bool
  ) -> Int {
    if self.count + 64 > capacity { grow() }
    var buffer = winnow_token_buffer(
      hashes: hashes, starts: starts, ends: ends, count: Int64(self.count), capacity: Int64(capacity))
    var content: Int32 = 0
    let stopped = Int(winnow_scan_ascii_words(base, Int64(count), Int64(position), &buffer, &content))
    self.count = Int(buffer.count)
    if content != 0 { lineBlank = false }
    return stopped
  }

  /// Records a whole token at once (none may be in progress).
  @inline(__always)
  mutating func append(_ hash: UInt64, start: Int, end: Int) {
    if count == capacity { grow() }
    hashes[count] = hash
    starts[count] = Int32(truncatingIfNeeded: start)
    ends[count] = Int32(truncatingIfNeeded: end)
    count += 1
  }

  /// Ends the token being read, if any, at `end`.
  @inline(__always)
  mutating func end(_ end: Int) {
    guard start >= 0 else { return }
    if count == capacity { grow() }
    hashes[count] = key.finish()
    starts[count] = Int32(truncatingIfNeeded: start)
    ends[count] = Int32(truncatingIfNeeded: end)
    count += 1
    start = -1
  }

  private mutating func grow() {
    let newCapacity = capacity * 2
    func moved<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let new = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      new.moveInitialize(from: old, count: count)
      old.deallocate()
      return new
    }
    hashes = moved(hashes)
    starts = moved(starts)
    ends = moved(ends)
    capacity = newCapacity
  }
}
