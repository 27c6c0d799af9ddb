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
/// ## How a repair is found
///
/// A *broken sequence* is a run of characters that a legacy encoding maps to the bytes
/// of one well-formed multi-byte UTF-8 character: `Ã` and `©` are the windows-1252
/// bytes C3 A9, which are UTF-8 for `é`. Adjacent broken sequences of one encoding
/// form a *chain* ("РџСЂРёРІРµС‚" is six). The encodings tried are windows-1252 (with
/// ISO-8859-1: its C1 controls), windows-1251, windows-1250, ISO-8859-2,
/// windows-1253, windows-1254, windows-1257, macintosh (MacRoman) and IBM437;
/// ICU's converters give their characters. Characters decoded by the repair must be
/// assigned, not private use and not controls. A repaired chain that is itself
/// mojibake (text encoded twice over) is repaired again; the encodings it went
/// through are reported in order.
///
/// Only places with two non-ASCII characters in a row can hold a chain, so the search
/// skips everything else 16 bytes at a time: on clean text the repair costs little.
///
/// ## The score
///
/// A chain is repaired when its *score* reaches ``minimumScore``. Of two readings of
/// a chain that score the same, the one with more accented letters that European
/// languages use widely wins (`á` over `å`); then the encoding that the text's other
/// chains show; then the order above. The score is how
/// much stranger the text is with the chain than with its repair, counted on the chain
/// and its two neighbours, where the *strangeness* of text is the sum of:
///
/// - 3 for each C1 control (U+0080–U+009F), 2 for each letter rare in real text next
///   to its script's common letters (Serbian and Macedonian Cyrillic letters, `ƒ`, `Ÿ`,
///   `Ĺ`, `ĺ`);
/// - 2 for a letter directly followed by a symbol (`Ã©`, `â€`), 1 for a symbol
///   directly followed by a letter, 1 for two symbols in a row. Symbols are non-ASCII
///   symbols and punctuation other than closing quotes, dashes and the ellipsis;
/// - 2 for a letter followed by a non-ASCII opening quotation mark or bracket (`Ã«`,
///   `â“`); 1 for one that follows non-ASCII punctuation directly (`…„`), and 1 for
///   one followed by a space or punctuation;
/// - 2 for `Â` or `Ã` followed by a space or a non-ASCII symbol or punctuation mark
///   (`Â®`, `Â’`, `Ã»`): they are the windows-1252 readings of the UTF-8 lead bytes of
///   Latin-1 symbols and letters (`¬` and `Ā` in MacRoman and windows-1257);
/// - 1 for a lowercase letter followed by a non-ASCII capital (`CafÃ`), and 1 for a
///   non-ASCII capital followed by a non-ASCII lowercase letter (`Ðµ`, `Ĺž`);
/// - 2 for a Latin, Greek or Cyrillic letter followed by a combining mark of another
///   script (a Hebrew point, an Indic sign);
/// - 2 for letters of two of the Latin, Greek and Cyrillic scripts side by side;
/// - 3 for a character of a writing system without case (Han, Hangul, kana, from
///   U+3000 on) between two non-ASCII Latin, Greek or Cyrillic letters (`адма븢ніку`,
///   what a reading of correct Belarusian as windows-1251 bytes makes); next to ASCII
///   letters it is ordinary (`y年M月`);
/// - 2 for a box-drawing or block character next to a letter, digit, symbol or
///   opening mark;
/// - 1 for `‚` (MacRoman's reading of the lead byte of general punctuation) before a
///   non-ASCII letter;
/// - 1 for U+FFFD next to a non-ASCII letter;
/// - 1 for a non-ASCII Latin capital standing alone between spaces and punctuation
///   ("Ã ", "Ð»").
///
/// Symbols include the ordinal indicators `ª` `º`, the spacing modifier letters (`ˆ`)
/// and the soft hyphen, which sit between letters only in mojibake. When a curly
/// quotation mark is a neighbour of the chain, it counts as ASCII punctuation, as the
/// normalizer may fold it.
///
/// A C1 control in a repair (text that was decoded as ISO-8859-1 before it was
/// encoded again) becomes the windows-1252 character of its byte.
///
/// "CafÃ©" scores 3 (f then capital Ã: 1; letter Ã then symbol ©: 2) against 0 for
/// "Café". Correct text scores 0 or less against any reading of it as mojibake:
/// "«СССР»" holds the windows-1251 bytes D0 BB (`Р»`, UTF-8 for `л`), but neither
/// "Р»" nor "Сл" is strange, so nothing is repaired.
///
/// ## Damaged mojibake
///
/// Once a text holds a repaired chain of an encoding, chains of that encoding whose
/// score is at least `max(1, minimumScore - 1)` are repaired too, or at least 0 when
/// they lie between two repaired chains of the encoding on one line ("Рё" in
/// "Р’РѕР№РЅР° Рё РјРёСЂ"), or between one and the start or end of the line, with only
/// ASCII in between; and these damaged forms are accepted:
///
/// - **A lost 0xA0.** A space where the byte 0xA0 (U+00A0 NO-BREAK SPACE in the
///   encoding) was: "Ã " for `à`, "Â " for U+00A0, "Ð " for `Р`, "Î " for `Π`,
///   "Ä " for `Ġ`, and
///   0xA0 as the third or fourth byte of a longer sequence ("â€ " for `†`).
/// - **A lost byte.** U+FFFD, or `?` inside a three- or four-byte sequence, where a
///   byte the encoding leaves undefined was (windows-1252: 0x81, 0x8D, 0x8F, 0x90,
///   0x9D). When exactly one of the possible bytes gives a letter, a digit, a quotation
///   mark or a bracket, that character is the repair (`â€\u{FFFD}` is `”`: the other
///   candidates are spaces and format characters); otherwise the sequence becomes one
///   U+FFFD, which says that the character is lost.
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
    /// How much stranger the original is than the repair (see ``MojibakeRepair``).
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

  /// The least score a chain needs to be repaired; higher is more cautious. Chains in
  /// a text that already holds a repair of their encoding need
  /// `max(1, minimumScore - 1)`. Default 2.
  public var minimumScore: Int

  /// Creates a repair with the given caution.
  public init(minimumScore: Int = 2) {
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
  public func repair(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> Result? {
    guard let base = bytes.baseAddress, bytes.count >= 4 else { return nil }
    var scanner = MojibakeScanner(input: base, end: bytes.count, minimumScore: minimumScore)
    return scanner.run()
  }
}

/// One repair over one input: finds chains, decides, writes the output.
struct MojibakeScanner {
  private let tables = MojibakeTables.shared
  private let input: UnsafePointer<UInt8>
  private let end: Int
  private let minimumScore: Int

  /// An accepted chain.
  private struct Chain {
    var start: Int
    var end: Int
    var replacement: [UInt8]
    /// The encoding of the outer level, whose chains are evidence for others.
    var encodings: [Int]
    /// The encodings' names, outermost (repaired first) first.
    var names: [String] = []
    var score: Int
    var last: UInt32
    /// The encodings that read the chain this way without lenient bytes.
    var readers: UInt16 = 0
    /// Whether another reading of the chain scored the same.
    var tie = false
    /// The encodings whose reading scored as well, this one's and ties.
    var contenders: UInt16 = 0
  }

  private var accepted: [Chain] = []
  /// The encodings in the order they are preferred when chains of several score the
  /// same: the order of ``MojibakeTables/encodingNames``, then the encodings with the
  /// most clear wins in this text first.
  private var priority = Self.defaultPriority
  private var support = Self.zeros
  /// For each encoding, the accepted chains it reads as well as any other encoding.
  private var coverage = Self.zeros
  // Shared until written, so that a text without mojibake costs no allocation.
  private static let defaultPriority = Array(MojibakeTables.encodingNames.indices)
  private static let zeros = [Int](repeating: 0, count: MojibakeTables.encodingNames.count)
  private var tied = false
  private var scalars: [UInt32] = []
  private var originals: [UInt32] = []

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
    strictPass()
    guard !accepted.isEmpty else { return nil }
    // Chains that read equally well in two encodings (windows-1250 and ISO-8859-2
    // differ in a few letters) take the encoding that the text's other chains show:
    // the strict pass runs again if it met such a tie.
    if prefer(), tied {
      accepted.removeAll()
      support = support.map { _ in 0 }
      coverage = coverage.map { _ in 0 }
      strictPass()
    }
    var evidence: UInt16 = 0
    for chain in accepted { evidence |= 1 << chain.encodings[0] | chain.readers }
    lenientPass(evidence: evidence)
    prefer()
    // A chain that several encodings read the same way is reported under the
    // preferred one of them.
    for index in accepted.indices {
      let chain = accepted[index]
      guard let encoding = priority.first(where: { chain.readers & (1 << $0) != 0 }),
        encoding != chain.encodings[0]
      else { continue }
      accepted[index].encodings[0] = encoding
      accepted[index].names[0] = name(of: encoding, from: chain.start, to: chain.end)
    }
    return write()
  }

  /// Orders ``priority`` by support, then coverage, then the default order; returns
  /// whether the order changed.
  @discardableResult
  private mutating func prefer() -> Bool {
    let preferred = priority.sorted { a, b in
      if support[a] != support[b] { return support[a] > support[b] }
      if coverage[a] != coverage[b] { return coverage[a] > coverage[b] }
      return a < b
    }
    defer { priority = preferred }
    return preferred != priority
  }

  // MARK: - Passes

  /// Finds chains of undamaged sequences with a score of at least `minimumScore`.
  private mutating func strictPass() {
    var position = 0
    while position < end {
      // A character that stands for a lead byte followed by one that stands for a
      // continuation byte, in one encoding, may start a chain.
      var leads: UInt32 = 0
      let start = Int(winnow_find_mojibake_pair(input, Int64(end), Int64(position), tables.searchMasks, &leads))
      if start >= end { return }
      if let chain = bestChain(at: start, limit: end, mask: UInt16(leads), lenient: false, previous: accepted.last),
        chain.score >= minimumScore
      {
        record(chain)
        accepted.append(chain)
        position = chain.end
      } else {
        position = start + character(at: start).1
      }
    }
  }

  /// With evidence of the encodings in `evidence`, finds further chains, damaged ones
  /// included, with a score of at least `max(1, minimumScore - 1)`, between the
  /// accepted ones.
  private mutating func lenientPass(evidence: UInt16) {
    let threshold = max(1, minimumScore - 1)
    var found: [Chain] = []
    var next = 0  // the next accepted chain
    var index = 0
    while index < end {
      if next < accepted.count && index >= accepted[next].start {
        index = accepted[next].end
        next += 1
        continue
      }
      let limit = next < accepted.count ? accepted[next].start : end
      let byte = input[index]
      if byte < 0x80 {
        index += 1
        continue
      }
      let (scalar, length) = character(at: index)
      if scalar < 0x11_0000 {
        let mask = tables.leads(scalar) & evidence
        if mask != 0 {
          let earlier = next > 0 ? accepted[next - 1] : nil
          let previous = (found.last?.end ?? -1) > (earlier?.end ?? -1) ? found.last : earlier
          let following = next < accepted.count ? accepted[next] : nil
          if let chain = bestChain(
            at: index, limit: limit, mask: mask, lenient: true, previous: previous, following: following),
            chain.score >= (isBetween(chain, previous, following) ? 0 : threshold)
          {
            record(chain)
            found.append(chain)
            index = chain.end
            continue
          }
        }
      }
      index += length
    }
    if !found.isEmpty {
      accepted = (accepted + found).sorted { $0.start < $1.start }
    }
  }

  /// Whether `chain` lies between two repaired chains of its encoding on one line, or
  /// between one and the line's start or end, with only ASCII in between.
  private func isBetween(_ chain: Chain, _ previous: Chain?, _ following: Chain?) -> Bool {
    func reads(_ other: Chain?) -> Bool {
      guard let other else { return false }
      return (other.readers | 1 << other.encodings[0]) & (1 << chain.encodings[0]) != 0
    }
    // Whether the bytes are ASCII other than a line break.
    func clear(_ range: Range<Int>) -> Bool {
      range.allSatisfy { input[$0] != 0x0A && input[$0] < 0x80 }
    }
    func lineStart() -> Int {
      var index = chain.start
      while index > 0 && input[index - 1] != 0x0A { index -= 1 }
      return index
    }
    func lineEnd() -> Int {
      var index = chain.end
      while index < end && input[index] != 0x0A { index += 1 }
      return index
    }
    let before =
      reads(previous) && previous!.end <= chain.start ? clear(previous!.end..<chain.start) : nil
    let after =
      reads(following) && following!.start >= chain.end ? clear(chain.end..<following!.start) : nil
    switch (before, after) {
    case (true?, true?): return true
    case (true?, nil): return clear(chain.end..<lineEnd())
    case (nil, true?): return clear(lineStart()..<chain.start)
    default: return false
    }
  }

  // MARK: - Chains

  /// The best-scoring chain at `start` among the encodings in `mask`, ending by
  /// `limit`. Of chains with the same score, the one whose encoding comes first in
  /// ``priority`` wins. An accepted chain adds to the ``support`` of every encoding
  /// that reads it that way without lenient bytes (its ``Chain/readers``), and
  /// ``tied`` notes that another reading scored the same.
  private mutating func bestChain(
    at start: Int, limit: Int, mask: UInt16, lenient: Bool, previous: Chain?, following: Chain? = nil
  ) -> Chain? {
    var best: Chain?
    var tie = false
    var contenders: UInt16 = 0
    var bestRaw: [UInt8] = []
    var tried: [[UInt8]] = []
    for encoding in priority where mask & (1 << encoding) != 0 {
      guard let (chainEnd, repaired, weak) = chain(at: start, limit: limit, encoding: encoding, lenient: lenient)
      else { continue }
      if tried.contains(repaired) {
        // Another encoding reads the chain the same way.
        if repaired == bestRaw {
          if !weak { best?.readers |= 1 << encoding }
          contenders |= 1 << encoding
        }
        continue
      }
      tried.append(repaired)
      var candidate = Chain(
        start: start, end: chainEnd, replacement: repaired, encodings: [encoding],
        names: [name(of: encoding, from: start, to: chainEnd)], score: 0, last: 0,
        readers: weak ? 0 : 1 << encoding)
      repairAgain(&candidate)
      // A C1 control in the repair stands for the windows-1252 character of its byte
      // (text decoded as ISO-8859-1 before it was encoded again), else the chain is no
      // repair.
      guard let mapped = mappingC1Controls(candidate.replacement) else { continue }
      candidate.replacement = mapped
      candidate.last = String(decoding: candidate.replacement, as: UTF8.self).unicodeScalars.last?.value ?? 0x20
      candidate.score = score(candidate, previous: previous, following: following)
      if let current = best, candidate.score <= current.score {
        if candidate.score == current.score {
          // Of two readings that score the same, the one with more letters that
          // European languages use widely wins ("página" over "pågina").
          let difference = Self.commonLetters(candidate.replacement) - Self.commonLetters(current.replacement)
          if difference < 0 { continue }
          if difference == 0 {
            tie = true
            contenders |= 1 << encoding
            continue
          }
        } else {
          continue
        }
      }
      tie = false
      contenders = 1 << encoding
      bestRaw = repaired
      best = candidate
    }
    best?.tie = tie
    best?.contenders = contenders
    return best
  }

  /// Accented letters that many European languages use.
  private static let common: Set<UInt32> = Set(
    "áéíóúàèìòùâêîôûäëïöüãõñçßąęłńśźżčřšžěůýťďňőűășțÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÃÕÑÇĄĘŁŃŚŹŻČŘŠŽĚŮÝŤĎŇŐŰĂȘȚ".unicodeScalars
      .map(\.value))

  /// The number of ``common`` letters in UTF-8 `bytes`.
  private static func commonLetters(_ bytes: [UInt8]) -> Int {
    String(decoding: bytes, as: UTF8.self).unicodeScalars.reduce(0) { $0 + (common.contains($1.value) ? 1 : 0) }
  }

  /// Counts an accepted chain as evidence: clear wins add to ``support``; a tie is
  /// no evidence for either reading.
  private mutating func record(_ chain: Chain) {
    if chain.tie {
      tied = true
    } else {
      var readers = chain.readers
      while readers != 0 {
        support[readers.trailingZeroBitCount] += 1
        readers &= readers - 1
      }
    }
    var contenders = chain.contenders
    while contenders != 0 {
      coverage[contenders.trailingZeroBitCount] += 1
      contenders &= contenders - 1
    }
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

  /// The chain of encoding `encoding` at `start`: its end, the repaired bytes, and
  /// whether it reads a byte that the encoding leaves undefined.
  private func chain(at start: Int, limit: Int, encoding: Int, lenient: Bool) -> (Int, [UInt8], Bool)? {
    var index = start
    var repaired: [UInt8] = []
    var weak = false
    while index < limit,
      let (sequenceEnd, scalar, undefined) = sequence(at: index, limit: limit, encoding: encoding, lenient: lenient)
    {
      UTF8Decoding.encode(scalar, into: &repaired)
      index = sequenceEnd
      weak = weak || undefined
    }
    return index > start ? (index, repaired, weak) : nil
  }

  /// The broken sequence of encoding `encoding` at `start`: its end, the character it
  /// stands for, and whether it reads a byte the encoding leaves undefined.
  private func sequence(at start: Int, limit: Int, encoding: Int, lenient: Bool) -> (Int, UInt32, Bool)? {
    let (first, firstLength) = character(at: start)
    guard first >= 0x80, first < 0x11_0000 else { return nil }
    let lead = tables.byte(encoding, first)
    guard lead >= 0xC2, lead <= 0xF4 else { return nil }
    let count = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    // The bytes, packed first byte lowest, and the positions of lost bytes as bits:
    // no allocation for a sequence that fails.
    var packed = UInt32(lead)
    var undefined = tables.encodings[encoding].lenient[Int(lead) - 0x80]
    var lost: UInt8 = 0
    var lostA0 = false
    var index = start + firstLength
    let info = tables.encodings[encoding]
    for position in 1..<count {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      var byte: UInt8 = scalar >= 0x80 && scalar < 0x11_0000 ? tables.byte(encoding, scalar) : 0
      if byte > 0xBF { byte = 0 }
      if byte == 0 {
        guard lenient else { return nil }
        // A lost 0xA0 is taken for the second byte of a two-byte sequence (the
        // characters listed below) or for a later byte of a longer one: after a
        // three-byte lead (à-ï in windows-1252), a space is far likelier a word's end.
        if scalar == 0x20 && info.a0IsNoBreakSpace && (count == 2 || position >= 2) {
          byte = 0xA0
          lostA0 = true
        } else if (scalar == 0xFFFD || (scalar == 0x3F && count >= 3)) && !info.undefinedContinuations.isEmpty {
          lost |= 1 << position
          byte = 0x80
        } else {
          return nil
        }
      }
      if info.lenient[Int(byte) - 0x80] && lost & (1 << position) == 0 { undefined = true }
      packed |= UInt32(byte) << (8 * position)
      index += length
    }
    var scalar: UInt32
    if lost == 0 {
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
    return (index, scalar, undefined || lost != 0)
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
          // Letters (1-5), decimal digits (9), brackets and quotation marks (20, 21, 28, 29).
          let category = ICU.generalCategory(of: scalar)
          if (1...5).contains(category) || [9, 20, 21, 28, 29].contains(category) { found.insert(scalar) }
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

  /// Repairs a repaired chain again while it is mojibake itself (text encoded twice
  /// over), adding the encodings to the chain's path.
  private func repairAgain(_ chain: inout Chain) {
    for _ in 0..<3 {
      let bytes = chain.replacement
      guard bytes.count >= 4 else { return }
      let inner: MojibakeRepair.Result? = bytes.withUnsafeBufferPointer { buffer in
        guard Int(winnow_find_high_run(buffer.baseAddress!, Int64(buffer.count), 0)) < buffer.count else {
          return nil
        }
        var scanner = MojibakeScanner(input: buffer.baseAddress!, end: buffer.count, minimumScore: minimumScore)
        return scanner.run()
      }
      guard let inner, let first = inner.fixes.first else { return }
      chain.replacement = inner.utf8
      chain.names += first.encodings.reversed()
    }
  }

  // MARK: - Score

  /// How much stranger the chain is than its repair, with its neighbours.
  private mutating func score(_ chain: Chain, previous: Chain?, following: Chain?) -> Int {
    let before: UInt32
    if let previous, previous.end == chain.start {
      before = previous.last
    } else if chain.start == 0 {
      before = 0x20
    } else {
      // The character that ends where the chain starts; U+FFFD for an ill-formed one.
      var start = chain.start - 1
      while start > 0 && chain.start - start < 4 && input[start] & 0xC0 == 0x80 { start -= 1 }
      let (scalar, length) = character(at: start)
      before = start + length == chain.start && scalar < 0x11_0000 ? scalar : 0xFFFD
    }
    let after = chain.end < end ? character(at: chain.end).0 : 0x20
    let fixedAfter =
      following.flatMap {
        $0.start == chain.end ? String(decoding: $0.replacement, as: UTF8.self).unicodeScalars.first?.value : nil
      }
      ?? after
    originals.removeAll(keepingCapacity: true)
    originals.append(before)
    var index = chain.start
    while index < chain.end {
      let (scalar, length) = character(at: index)
      originals.append(scalar)
      index += length
    }
    originals.append(after)
    scalars.removeAll(keepingCapacity: true)
    scalars.append(before)
    for scalar in String(decoding: chain.replacement, as: UTF8.self).unicodeScalars { scalars.append(scalar.value) }
    scalars.append(fixedAfter)
    return strangeness(originals) - strangeness(scalars)
  }

  /// The strangeness of a run of characters (see ``MojibakeRepair``).
  private func strangeness(_ text: [UInt32]) -> Int {
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
    for (position, scalar) in text.enumerated() {
      // An ill-formed sequence counts as the U+FFFD the normalizer makes of it.
      var value: UInt8 = scalar < 0x11_0000 ? classes[scalar] : Kind.replacement
      // The neighbours of a chain count as what the normalizer may fold them to, so
      // that normalizing never changes a decision: curly quotes as ASCII quotes.
      if (position == 0 || position == text.count - 1) && (0x2018...0x201F).contains(scalar) {
        value = Kind.punctuation
      }
      let kind = value & 0x0F
      let previousKind = previous & 0x0F
      let beforePreviousKind = beforePrevious & 0x0F
      let letter = isLetter(kind)
      let previousLetter = isLetter(previousKind)
      let nonASCII = scalar >= 0x80
      let previousNonASCII = previousScalar >= 0x80
      // Characters by themselves.
      if kind == Kind.c1 { total += 3 }
      if value & MojibakeTables.rare != 0 { total += 2 }
      // A letter, then a symbol or an opening mark.
      if previousLetter && kind == Kind.symbol { total += scalar == 0x20AC ? 3 : 2 }
      if previousLetter && kind == Kind.opening && nonASCII { total += 2 }
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
        && beforePreviousScalar >= 0x80 && previousNonASCII
      {
        total += 1
      }
      // A Greek capital with tonos inside a word (capitals carry no accents there).
      if previousLetter && [0x386, 0x388, 0x389, 0x38A, 0x38C, 0x38E, 0x38F].contains(scalar) { total += 1 }
      // Scripts mixed inside a word.
      if previousLetter && letter {
        let script = value & Script.mask
        let previousScript = previous & Script.mask
        if script != 0 && previousScript != 0 && script != previousScript { total += 2 }
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
    for chain in accepted {
      output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: chain.start - position))
      let outputStart = output.count
      output.append(contentsOf: chain.replacement)
      fixes.append(
        MojibakeRepair.Fix(
          input: chain.start..<chain.end, output: outputStart..<output.count,
          original: String(
            decoding: UnsafeBufferPointer(start: input + chain.start, count: chain.end - chain.start), as: UTF8.self),
          replacement: String(decoding: chain.replacement, as: UTF8.self),
          encodings: chain.names.reversed(), score: chain.score))
      position = chain.end
    }
    output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: end - position))
    return MojibakeRepair.Result(utf8: output, fixes: fixes)
  }
}
