import CWinnowKernels

/// Repairs mojibake: UTF-8 text that was decoded through a single-byte legacy encoding
/// ("donâ€™t", "CafÃ©", "РџСЂРёРІРµС‚"), once or twice over, in all of a text or in
/// parts of it.
///
/// ```swift
/// let repair = MojibakeRepair()
/// repair.repaired("CafÃ© â€œnoirâ€\u{9D}")   // "Café “noir”"
/// let result = repair.repair("donâ€™t")
/// result.fixes[0]   // input 3..<10, "â€™" -> "’", encodings ["windows-1252"], score 3
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
/// A chain is repaired when its *score* reaches ``minimumScore``. The score is how
/// much stranger the text is with the chain than with its repair, counted on the chain
/// and its two neighbours, where the *strangeness* of text is the sum of:
///
/// - 3 for each C1 control (U+0080–U+009F), 1 for each letter rare in real text next
///   to its script's common letters (Serbian and Macedonian Cyrillic letters, `ƒ`, `Ÿ`,
///   `Ĺ`, `ĺ`);
/// - 2 for a letter directly followed by a symbol (`Ã©`, `â€`), 1 for a symbol
///   directly followed by a letter, 1 for two symbols in a row. Symbols are non-ASCII
///   symbols and punctuation other than closing quotes, dashes and the ellipsis;
/// - 2 for a letter followed by a non-ASCII opening quotation mark or bracket (`Ã«`,
///   `â“`); 1 for one that follows non-ASCII punctuation directly (`…„`), and 1 for
///   one followed by a space or punctuation;
/// - 2 for `Â` followed by a non-ASCII symbol or punctuation mark (`Â®`, `Â’`): Â
///   is the windows-1252 reading of the UTF-8 lead byte of every Latin-1 symbol;
/// - 1 for a lowercase letter followed by a non-ASCII capital (`CafÃ`), and 1 for a
///   non-ASCII capital followed by a non-ASCII lowercase letter (`Ðµ`, `Ĺž`);
/// - 2 for a Latin, Greek or Cyrillic letter followed by a combining mark of another
///   script (a Hebrew point, an Indic sign);
/// - 2 for letters of two of the Latin, Greek and Cyrillic scripts side by side;
/// - 2 for a box-drawing or block character next to a letter, digit or symbol;
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
/// score is at least 1 are repaired too, and these damaged forms are accepted:
///
/// - **A lost 0xA0.** A space where the byte 0xA0 (U+00A0 NO-BREAK SPACE in the
///   encoding) was: "Ã " for `à`, "Â " for U+00A0, "Ð " for `Р`, "Î " for `Π`, and
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
    /// The legacy encodings the text had been decoded through, first one first
    /// ("windows-1252", or twice "windows-1252" for text encoded twice over).
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
    var encodings: [Int]
    var score: Int
    var last: UInt32
  }

  private var accepted: [Chain] = []
  /// The encodings in the order they are preferred when chains of several score the
  /// same: the order of ``MojibakeTables/encodingNames``, then the encodings with the
  /// most clear wins in this text first.
  private var priority = Array(MojibakeTables.encodingNames.indices)
  private var support = [Int](repeating: 0, count: MojibakeTables.encodingNames.count)
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
    if tied {
      // Chains that read equally well in two encodings (windows-1250 and ISO-8859-2
      // differ in a few letters) take the encoding that the text's other chains show.
      let preferred = priority.enumerated().sorted { a, b in
        support[a.element] != support[b.element] ? support[a.element] > support[b.element] : a.offset < b.offset
      }.map(\.element)
      if preferred != priority {
        priority = preferred
        accepted.removeAll()
        strictPass()
      }
    }
    var evidence: UInt16 = 0
    for chain in accepted { evidence |= 1 << chain.encodings[0] }
    lenientPass(evidence: evidence)
    return write()
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
        let mask = tables.leadMask[scalar] & evidence
        if mask != 0 {
          let earlier = next > 0 ? accepted[next - 1] : nil
          let previous = (found.last?.end ?? -1) > (earlier?.end ?? -1) ? found.last : earlier
          if let chain = bestChain(at: index, limit: limit, mask: mask, lenient: true, previous: previous),
            chain.score >= threshold
          {
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

  // MARK: - Chains

  /// The best-scoring chain at `start` among the encodings in `mask`, ending by
  /// `limit`. Of chains with the same score, the one whose encoding comes first in
  /// ``priority`` wins; ``support`` counts clear wins and ``tied`` notes ties.
  private mutating func bestChain(
    at start: Int, limit: Int, mask: UInt16, lenient: Bool, previous: Chain?
  ) -> Chain? {
    var best: Chain?
    var tie = false
    var shared = false
    var bestRaw: [UInt8] = []
    var tried: [[UInt8]] = []
    for encoding in priority where mask & (1 << encoding) != 0 {
      guard let (chainEnd, repaired) = chain(at: start, limit: limit, encoding: encoding, lenient: lenient)
      else { continue }
      if tried.contains(repaired) {
        // Another encoding reads the chain the same way: no evidence for either.
        if repaired == bestRaw { shared = true }
        continue
      }
      tried.append(repaired)
      var candidate = Chain(
        start: start, end: chainEnd, replacement: repaired, encodings: [encoding], score: 0, last: 0)
      repairAgain(&candidate)
      // A C1 control in the repair stands for the windows-1252 character of its byte
      // (text decoded as ISO-8859-1 before it was encoded again), else the chain is no
      // repair.
      guard let mapped = mappingC1Controls(candidate.replacement) else { continue }
      candidate.replacement = mapped
      candidate.last = String(decoding: candidate.replacement, as: UTF8.self).unicodeScalars.last?.value ?? 0x20
      candidate.score = score(candidate, previous: previous)
      if let current = best, candidate.score <= current.score {
        if candidate.score == current.score { tie = true }
        continue
      }
      tie = false
      shared = false
      bestRaw = repaired
      best = candidate
    }
    if let best, best.score >= minimumScore {
      if tie { tied = true } else if !shared { support[best.encodings[0]] += 1 }
    }
    return best
  }

  /// The chain of encoding `encoding` at `start`: its end and the repaired bytes.
  private func chain(at start: Int, limit: Int, encoding: Int, lenient: Bool) -> (Int, [UInt8])? {
    var index = start
    var repaired: [UInt8] = []
    while index < limit,
      let (sequenceEnd, scalar) = sequence(at: index, limit: limit, encoding: encoding, lenient: lenient)
    {
      UTF8Decoding.encode(scalar, into: &repaired)
      index = sequenceEnd
    }
    return index > start ? (index, repaired) : nil
  }

  /// The broken sequence of encoding `encoding` at `start`: its end and the character
  /// it stands for.
  private func sequence(at start: Int, limit: Int, encoding: Int, lenient: Bool) -> (Int, UInt32)? {
    let (first, firstLength) = character(at: start)
    guard first >= 0x80, first < 0x11_0000 else { return nil }
    let table = tables.bytes[encoding]
    let lead = table[first]
    guard lead >= 0xC2, lead <= 0xF4 else { return nil }
    let count = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    var bytes: [UInt8] = [lead]
    var lost: [Int] = []
    var lostA0 = false
    var index = start + firstLength
    let info = tables.encodings[encoding]
    for position in 1..<count {
      guard index < limit else { return nil }
      let (scalar, length) = character(at: index)
      var byte: UInt8 = scalar >= 0x80 && scalar < 0x11_0000 ? table[scalar] : 0
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
          lost.append(position)
          byte = 0x80
        } else {
          return nil
        }
      }
      bytes.append(byte)
      index += length
    }
    var scalar: UInt32
    if lost.isEmpty {
      guard let decoded = Self.decodeOne(bytes) else { return nil }
      scalar = decoded
    } else {
      scalar = resolveLost(bytes, lost, info.undefinedContinuations)
    }
    // C1 controls may be a step of text encoded twice over; the chain's final repair
    // is checked for them.
    guard tables.classes[scalar] & MojibakeTables.implausible == 0 || (0x80..<0xA0).contains(scalar) else {
      return nil
    }
    if lostA0 && count == 2 && ![0xA0, 0xE0, 0x420, 0x3A0].contains(scalar) { return nil }
    return (index, scalar)
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

  /// The scalar that `bytes` encode when they are exactly one well-formed UTF-8
  /// character.
  private static func decodeOne(_ bytes: [UInt8]) -> UInt32? {
    bytes.withUnsafeBufferPointer { buffer in
      let (scalar, length) = UTF8Decoding.decode(buffer.baseAddress!, 0, buffer.count)
      return length == buffer.count ? scalar : nil
    }
  }

  /// The character a sequence with lost bytes stood for: the one candidate that is a
  /// letter, digit, quotation mark or bracket, else U+FFFD.
  private func resolveLost(_ bytes: [UInt8], _ lost: [Int], _ candidates: [UInt8]) -> UInt32 {
    var found: Set<UInt32> = []
    var combination = bytes
    func fill(_ slot: Int) {
      if slot == lost.count {
        if let scalar = Self.decodeOne(combination), tables.classes[scalar] & MojibakeTables.implausible == 0 {
          // Letters (1-5), decimal digits (9), brackets and quotation marks (20, 21, 28, 29).
          let category = ICU.generalCategory(of: scalar)
          if (1...5).contains(category) || [9, 20, 21, 28, 29].contains(category) { found.insert(scalar) }
        }
        return
      }
      for candidate in candidates {
        combination[lost[slot]] = candidate
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
      guard let inner, let first = inner.fixes.first,
        let encoding = MojibakeTables.encodingNames.firstIndex(of: first.encodings[0])
      else { return }
      chain.replacement = inner.utf8
      chain.encodings.append(encoding)
    }
  }

  // MARK: - Score

  /// How much stranger the chain is than its repair, with its neighbours.
  private mutating func score(_ chain: Chain, previous: Chain?) -> Int {
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
    scalars.append(after)
    return strangeness(originals) - strangeness(scalars)
  }

  /// The strangeness of a run of characters (see ``MojibakeRepair``).
  private func strangeness(_ text: [UInt32]) -> Int {
    typealias Kind = MojibakeTables.Kind
    let classes = tables.classes
    var total = 0
    var previous: UInt8 = Kind.boundary
    var beforePrevious: UInt8 = Kind.boundary
    var previousScalar: UInt32 = 0x20
    for (position, scalar) in text.enumerated() {
      // An ill-formed sequence counts as the U+FFFD the normalizer makes of it.
      var value: UInt8 = scalar < 0x11_0000 ? classes[scalar] : Kind.replacement
      // The neighbours of a chain count as what the normalizer may fold them to, so
      // that normalizing never changes a decision: curly quotes as ASCII quotes.
      if (position == 0 || position == text.count - 1) && (0x2018...0x201F).contains(scalar) {
        value = Kind.punctuation
      }
      let kind = value & 0x0F
      if kind == Kind.c1 { total += 3 }
      if value & MojibakeTables.rare != 0 { total += 1 }
      let previousKind = previous & 0x0F
      let previousLetter = previousKind == Kind.lower || previousKind == Kind.upper
      let letter = kind == Kind.lower || kind == Kind.upper
      if previousLetter && kind == Kind.symbol { total += 2 }
      if previousKind == Kind.symbol && letter { total += 1 }
      if previousKind == Kind.symbol && kind == Kind.symbol { total += 1 }
      if previousLetter && kind == Kind.opening && scalar >= 0x80 { total += 2 }
      if previousKind == Kind.punctuation && previousScalar >= 0x80 && kind == Kind.opening && scalar >= 0x80 {
        total += 1
      }
      if previousKind == Kind.opening && previousScalar >= 0x80 && (kind == Kind.boundary || kind == Kind.punctuation) {
        total += 1
      }
      if previousScalar == 0xC2 && scalar >= 0x80 && !letter && kind != Kind.boundary { total += 2 }
      if previousKind == Kind.lower && kind == Kind.upper && scalar >= 0x80 { total += 1 }
      if previousKind == Kind.upper && kind == Kind.lower && previousScalar >= 0x80 && scalar >= 0x80 {
        total += 1
      }
      if previousLetter && kind == Kind.foreignMark && previous & MojibakeTables.Script.mask != 0 { total += 2 }
      if previousLetter && letter {
        let script = value & MojibakeTables.Script.mask
        let previousScript = previous & MojibakeTables.Script.mask
        if script != 0 && previousScript != 0 && script != previousScript { total += 2 }
      }
      if (previousKind == Kind.box) != (kind == Kind.box) {
        let other = previousKind == Kind.box ? kind : previousKind
        if other == Kind.lower || other == Kind.upper || other == Kind.digit || other == Kind.symbol { total += 2 }
      }
      if (previousKind == Kind.replacement && letter && scalar >= 0x80)
        || (kind == Kind.replacement && previousLetter && previousScalar >= 0x80)
      {
        total += 1
      }
      // A non-ASCII Latin capital standing alone ("Ã ", "Ð»").
      let apart = { (kind: UInt8) in kind == Kind.boundary || kind == Kind.punctuation }
      if apart(kind) && previousKind == Kind.upper && previousScalar >= 0x80
        && previous & MojibakeTables.Script.mask == MojibakeTables.Script.latin && apart(beforePrevious & 0x0F)
      {
        total += 1
      }
      beforePrevious = previous
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
          encodings: chain.encodings.map { MojibakeTables.encodingNames[$0] }, score: chain.score))
      position = chain.end
    }
    output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: end - position))
    return MojibakeRepair.Result(utf8: output, fixes: fixes)
  }
}
