/// One normalization pass over one UTF-8 input.
///
/// The engine copies runs of characters that need no work straight to the output and
/// handles everything else one scalar at a time:
///
/// - **Gaps.** Whitespace, line breaks and removed characters never reach the output
///   directly. They collect in a pending *gap*, which is resolved when the next
///   content character (or the end) arrives: into nothing, one space, or a number of
///   LFs. This is what makes space collapsing, line trimming and blank-line limits
///   one decision per gap instead of look-behind edits.
/// - **Segments.** A character whose normalization quick check is not "yes" (or that
///   changes under case folding) is normalized together with its neighbours up to
///   the surrounding normalization boundaries, through ICU. The normalized text is
///   fed back through the same character handling, so mappings and normalization
///   commute and the output is a fixed point.
/// - **Edits.** When recording, every input byte is either copied verbatim or
///   consumed inside an open *dirty region*; a region closes into a ``TextEdit`` at
///   the next verbatim copy. That makes the edit list exact by construction.
struct NormalizerEngine {
  private let table: CharacterTable
  private let input: UnsafePointer<UInt8>
  private let end: Int
  private let recording: Bool
  private let spaceIsGap: Bool
  private let trims: Bool
  /// Whether trimmed non-empty output always ends with a LF (else only when the input
  /// ends with a line break).
  private let addsFinalLineFeed: Bool
  private let maximumNewlines: Int?

  private(set) var output: OutputBuffer
  private var position = 0

  // The pending gap.
  private var gapPending = true  // the start of the text behaves like a gap
  private var gapStart = 0
  private var gapNewlines = 0
  private var gapSpace = false
  private var gapReasons: TextEdit.Reason = []
  private var gapSynthetic = false

  // Edit recording.
  private(set) var edits: [TextEdit] = []
  private var regionOpen = false
  private var regionInput = 0
  private var regionOutput = 0
  private var regionReasons: TextEdit.Reason = []
  private var refeeding = false

  private(set) var counts = EditCounts()
  private(set) var changed = false
  private var nelEvidence: (windows1252: Bool, lineFeeds: Bool)?

  init(
    table: CharacterTable, options: NormalizationOptions, input: UnsafeBufferPointer<UInt8>, recording: Bool
  ) {
    self.table = table
    self.input = input.baseAddress ?? UnsafePointer(bitPattern: 1)!
    self.end = input.count
    self.recording = recording
    self.spaceIsGap = options.normalizesWhitespace
    self.trims = options.maximumBlankLines != nil
    self.addsFinalLineFeed = options.finalLineFeed == .added
    self.maximumNewlines = options.maximumBlankLines.map { min(max(0, $0), Int.max - 1) + 1 }
    self.output = OutputBuffer(capacity: input.count + input.count / 16 + 16)
  }

  // MARK: - Main loop

  mutating func run() {
    while position < end {
      if !gapPending {
        let runEnd = scanPlainRun(from: position)
        if runEnd > position {
          if recording { markClean(position, output.count) }
          output.append(input + position, runEnd - position)
          position = runEnd
          continue
        }
      }
      step()
    }
    if !gapPending && trims && output.count > 0 {
      // Content runs to the end: an empty final gap adds the closing LF.
      gapPending = true
      gapStart = end
      gapNewlines = 0
      gapSpace = false
      gapReasons = []
      gapSynthetic = false
    }
    resolveGap(final: true)
    if recording { markClean(end, output.count) }
  }

  /// The end of the run from `start` of characters that are copied unchanged. A
  /// single ASCII space followed by such a character belongs to the run too.
  @inline(__always)
  private func scanPlainRun(from start: Int) -> Int {
    let bytes = input
    let end = self.end
    let classes = table.classes
    let wordScan = table.asciiPrintableIsPass
    let spaceIsGap = self.spaceIsGap
    let pass = CharacterTable.Class.pass
    let nonStarter = CharacterTable.Class.nonStarter
    // The previous character when it was a non-starter (else 0), for the canonical
    // ordering check that NFC's quick check makes besides per-character properties.
    // Combining classes are looked up only for two non-starters in a row.
    var previousNonStarter: UInt32 = 0
    @inline(__always) func classOf(_ scalar: UInt32) -> UInt8 {
      classes[scalar]
    }
    var index = start
    while index < end {
      let byte = bytes[index]
      if byte < 0x80 {
        previousNonStarter = 0
        if wordScan {
          // Eight bytes at a time: printable ASCII other than space, and a space when
          // spaces are copied or when a printable character follows it. Word
          // arithmetic without carries between bytes.
          while index + 9 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self))
            let next = UInt64(littleEndian: UnsafeRawPointer(bytes + index + 1).loadUnaligned(as: UInt64.self))
            let good =
              Self.printable(word) | (spaceIsGap ? Self.spaces(word) & Self.printable(next) : Self.spaces(word))
            let bad = ~good & 0x8080_8080_8080_8080
            if bad != 0 {
              index += bad.trailingZeroBitCount &>> 3
              break
            }
            index += 8
          }
          if index >= end { break }
          if bytes[index] >= 0x80 { continue }
        }
        let ascii = bytes[index]
        let asciiClass = classOf(UInt32(ascii))
        if asciiClass == pass {
          index += 1
          continue
        }
        if ascii == 0x20, spaceIsGap, index + 1 < end {
          let (scalar, length) = UTF8Decoding.decode(bytes, index + 1, end)
          if length > 0, scalar != 0x20, classOf(scalar) == pass {
            index += 1 + length
            continue
          }
        }
        break
      }
      let (scalar, length) = UTF8Decoding.decode(bytes, index, end)
      guard length > 0 else { break }
      let kind = classOf(scalar)
      if kind == pass {
        previousNonStarter = 0
      } else if kind == nonStarter && index > start {
        if previousNonStarter != 0,
          ICU.combiningClass(of: scalar) < ICU.combiningClass(of: previousNonStarter)
        {
          break
        }
        previousNonStarter = scalar
      } else {
        break
      }
      index += length
    }
    return index
  }

  /// 0x80 in each byte of `word` that is printable ASCII other than space (0x21-0x7E).
  @inline(__always)
  private static func printable(_ word: UInt64) -> UInt64 {
    let low = word & 0x7F7F_7F7F_7F7F_7F7F
    let atLeast21 = low &+ 0x5F5F_5F5F_5F5F_5F5F
    let atLeast7F = low &+ 0x0101_0101_0101_0101
    return atLeast21 & ~atLeast7F & ~word & 0x8080_8080_8080_8080
  }

  /// 0x80 in each byte of `word` that is an ASCII space.
  @inline(__always)
  private static func spaces(_ word: UInt64) -> UInt64 {
    let flipped = word ^ 0x2020_2020_2020_2020
    return ~(((flipped & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | flipped | 0x7F7F_7F7F_7F7F_7F7F)
  }

  // MARK: - One scalar

  private mutating func step() {
    let (scalar, length) = UTF8Decoding.decode(input, position, end)
    if length < 0 {
      emitContent(inputLength: -length, bytes: OutputBuffer.replacementCharacter, reason: .invalidUTF8)
      return
    }
    let kind = table.classOf(scalar)
    typealias Class = CharacterTable.Class
    switch kind {
    case Class.pass, Class.segment, Class.nonStarter:
      // A non-starter gets here only at the start of a run, with no ordering context:
      // normalize around it.
      emitVerbatim(scalar: scalar, length: length, isSegment: kind != Class.pass)
    case Class.space:
      addToGap(length: length, space: true, reason: scalar == 0x20 ? [] : .whitespace)
    case Class.lineBreak:
      addToGap(length: length, newline: true, reason: scalar == 0x0A ? [] : .lineBreak)
    case Class.carriageReturn:
      let pair = position + 1 < end && input[position + 1] == 0x0A
      addToGap(length: pair ? 2 : 1, newline: true, reason: .lineBreak)
    case Class.nextLine:
      if nextLineIsEllipsis() {
        if table.options.mapsC1Controls {
          emitMapped(0x2026, inputLength: length, reason: .c1Mapping)
        } else {
          emitVerbatim(scalar: scalar, length: length, isSegment: false)
        }
      } else {
        addToGap(length: length, newline: true, reason: .lineBreak)
      }
    case Class.removeControl:
      addToGap(length: length, reason: .control)
    case Class.removeInvisible:
      addToGap(length: length, reason: .invisible)
    case Class.removePunctuation:
      addToGap(length: length, reason: .punctuation)
    case Class.c1Control:
      let meaning = table.windows1252[Int(scalar) - 0x80]
      if meaning == 0 {
        addToGap(length: length, reason: .control)
      } else {
        emitMapped(meaning, inputLength: length, reason: .c1Mapping)
      }
    default:
      let rule = table.rules[Int(kind - Class.firstRule)]
      emitContent(inputLength: length, bytes: rule.bytes, reason: rule.reason)
    }
  }

  /// Emits a character copied unchanged; normalizes around it when it needs it.
  private mutating func emitVerbatim(scalar: UInt32, length: Int, isSegment: Bool) {
    let gapWasEmpty = resolveGap(final: false)
    let start = output.count
    if recording { markClean(position, start) }
    output.append(input + position, length)
    position += length
    if let form = table.form,
      isSegment || (gapWasEmpty && table.normalizes && !ICU.hasBoundaryBefore(form, scalar))
    {
      // A segment character, or a non-starter that a removal brought next to
      // another character: normalize the segment around it.
      normalizeSegment(around: start, scalar: scalar, form: form)
    }
  }

  /// Emits `scalar`, which stands for the input character at the current position
  /// (a C1 control's Windows-1252 meaning, or U+2026 for U+0085), handled as if it
  /// had been in the input.
  private mutating func emitMapped(_ scalar: UInt32, inputLength: Int, reason: TextEdit.Reason) {
    let kind = table.classOf(scalar)
    var bytes: [UInt8] = []
    var reasons = reason
    if kind >= CharacterTable.Class.firstRule {
      let rule = table.rules[Int(kind - CharacterTable.Class.firstRule)]
      bytes = rule.bytes
      reasons.insert(rule.reason)
    } else if kind == CharacterTable.Class.removePunctuation {
      addToGap(length: inputLength, reason: reasons.union(.punctuation))
      return
    } else {
      UTF8Decoding.encode(scalar, into: &bytes)
    }
    resolveGap(final: false)
    let start = output.count
    emitContent(inputLength: inputLength, bytes: bytes, reason: reasons)
    if kind == CharacterTable.Class.segment, let form = table.form {
      normalizeSegment(around: start, scalar: scalar, form: form)
    }
  }

  /// Emits replacement bytes for `inputLength` input bytes.
  private mutating func emitContent(inputLength: Int, bytes: [UInt8], reason: TextEdit.Reason) {
    resolveGap(final: false)
    changed = true
    counts.add(reason)
    if recording { markDirty(position, output.count, reason) }
    bytes.withUnsafeBufferPointer { output.append($0.baseAddress!, $0.count) }
    position += inputLength
  }

  // MARK: - Gaps

  private mutating func addToGap(
    length: Int, space: Bool = false, newline: Bool = false, reason: TextEdit.Reason
  ) {
    if !gapPending {
      gapPending = true
      gapStart = position
      gapNewlines = 0
      gapSpace = false
      gapReasons = []
      gapSynthetic = refeeding
    }
    gapSpace = gapSpace || space
    if newline { gapNewlines += 1 }
    if !reason.isEmpty {
      gapReasons.insert(reason)
      counts.add(reason)
    }
    if !refeeding { position += length }
  }

  /// Writes what the pending gap becomes. Returns true when the gap was removed
  /// entirely between two pieces of content (so that a following non-starter may
  /// now combine with the character before it).
  @discardableResult
  private mutating func resolveGap(final: Bool) -> Bool {
    guard gapPending else { return false }
    gapPending = false
    var newlines = 0
    var space = false
    if output.count == 0 && trims {
      // Leading blank lines and spaces go.
    } else if final && trims {
      newlines = output.count > 0 && (addsFinalLineFeed || gapNewlines > 0) ? 1 : 0
    } else if gapNewlines > 0 {
      newlines = maximumNewlines.map { min(gapNewlines, $0) } ?? gapNewlines
    } else if gapSpace && !final && output.count > 0 && output.last != 0x0A && output.last != 0x20 {
      space = true
    }
    let emitted = newlines + (space ? 1 : 0)
    let inputLength = position - gapStart
    let verbatim =
      !gapSynthetic && emitted == inputLength
      && (space ? input[gapStart] == 0x20 : (0..<inputLength).allSatisfy { input[gapStart + $0] == 0x0A })
    if !verbatim {
      changed = true
      var reasons = gapReasons
      if newlines != gapNewlines {
        reasons.insert(.lineBreak)
        counts.add(.lineBreak)
      }
      if gapSpace && (!space || inputLength != 1) && !reasons.contains(.whitespace) {
        reasons.insert(.whitespace)
        counts.add(.whitespace)
      }
      if recording { markDirty(gapStart, output.count, reasons) }
    } else if recording {
      markClean(gapStart, output.count)
    }
    if space { output.append(0x20) }
    for _ in 0..<newlines { output.append(0x0A) }
    return emitted == 0 && output.count > 0 && !final
  }

  // MARK: - U+0085

  /// Decides whether U+0085 at the current position is a Windows-1252 ellipsis
  /// decoded as Latin-1 or a NEL line break:
  /// 1. an ellipsis if the text holds other C1 controls that Windows-1252 maps to
  ///    characters (evidence that the text was decoded as Latin-1);
  /// 2. a line break if a letter, a mark, a digit or another U+0085 follows (a next
  ///    line), looking past characters that are removed;
  /// 3. at the end of the text, a line break if the text has no CR or LF at all
  ///    (NEL-delimited text, as converted from EBCDIC), otherwise an ellipsis;
  /// 4. an ellipsis before anything else: a space, punctuation, CR or LF.
  private mutating func nextLineIsEllipsis() -> Bool {
    if nelEvidence == nil {
      var windows1252 = false
      var lineFeeds = false
      for index in 0..<end {
        let byte = input[index]
        if byte == 0x0A || byte == 0x0D {
          lineFeeds = true
        } else if byte == 0xC2, index + 1 < end, (0x80...0x9F).contains(input[index + 1]),
          input[index + 1] != 0x85
        {
          windows1252 = windows1252 || table.windows1252[Int(input[index + 1]) - 0x80] != 0
        }
      }
      nelEvidence = (windows1252, lineFeeds)
    }
    guard let evidence = nelEvidence else { return false }
    if evidence.windows1252 { return true }
    // The next character that will be kept: removed characters are skipped, so that
    // the decision is the same on the output as on the input.
    var next = position + 2
    while next < end {
      let (scalar, length) = UTF8Decoding.decode(input, next, end)
      guard length > 0 else { return true }
      let kind = table.classOf(scalar)
      if kind == CharacterTable.Class.removeControl || kind == CharacterTable.Class.removeInvisible
        || kind == CharacterTable.Class.removePunctuation
        || (kind == CharacterTable.Class.c1Control && table.windows1252[Int(scalar) - 0x80] == 0)
      {
        next += length
        continue
      }
      if scalar == 0x85 { return false }
      // Letters, marks (which case folding may turn into letters) and digits.
      let category = ICU.generalCategory(of: scalar)
      return !((1...8).contains(category) || (9...11).contains(category))
    }
    return evidence.lineFeeds
  }

  // MARK: - Segments

  /// Normalizes the output from the normalization boundary before the character
  /// written at `start` to the boundary after it, consuming the input up to that
  /// boundary first.
  private mutating func normalizeSegment(around start: Int, scalar: UInt32, form: ICU.Form) {
    var segmentStart = start
    var nonStarters = 0
    var streamSafeBreak = false
    if !ICU.hasBoundaryBefore(form, scalar) {
      nonStarters = 1
      // Back to the previous boundary. Spaces and LFs never combine with what follows
      // them, so the segment starts after them.
      var candidate = start
      var reachedBoundary = false
      while candidate > 0 && nonStarters <= Self.streamSafeLimit {
        let (previous, value) = UTF8Decoding.decodeBackward(output.base, candidate)
        if value == 0x20 || value == 0x0A {
          reachedBoundary = true
          break
        }
        candidate = previous
        if ICU.hasBoundaryBefore(form, value) {
          reachedBoundary = true
          break
        }
        nonStarters += 1
      }
      if reachedBoundary || candidate == 0 {
        segmentStart = candidate
      } else {
        // More than 30 non-starters before this one: a joiner goes in before it (see
        // below), so that each segment stays short whatever the input.
        let character = Array(UnsafeBufferPointer(start: output.base + start, count: output.count - start))
        if recording { reopenRegion(atOutput: start, reasons: .unicodeNormalization) }
        output.truncate(to: start)
        appendJoiner()
        character.withUnsafeBufferPointer { output.append($0.baseAddress!, $0.count) }
        segmentStart = start
        nonStarters = 1
      }
    }
    // Forward to the next boundary.
    while position < end {
      let (next, length) = UTF8Decoding.decode(input, position, end)
      guard length > 0 else { break }
      let kind = table.classOf(next)
      guard
        kind == CharacterTable.Class.pass || kind == CharacterTable.Class.segment
          || kind == CharacterTable.Class.nonStarter,
        !ICU.hasBoundaryBefore(form, next)
      else { break }
      if nonStarters >= Self.streamSafeLimit {
        // UAX #15 Stream-Safe Text Format: after 30 non-starters a U+034F COMBINING
        // GRAPHEME JOINER goes in, which keeps canonical reordering (quadratic in
        // ICU) bounded. Real text never has such runs; "Zalgo" text does.
        streamSafeBreak = true
        break
      }
      nonStarters += 1
      if recording { markClean(position, output.count) }
      output.append(input + position, length)
      position += length
    }
    for _ in 0..<4 {
      guard rewriteSegment(from: segmentStart, form: form) else { break }
    }
    if streamSafeBreak {
      resolveGap(final: false)
      if recording { markDirty(position, output.count, .unicodeNormalization) }
      appendJoiner()
    }
  }

  /// The longest run of non-starters before a combining grapheme joiner is inserted.
  static let streamSafeLimit = 30

  /// Writes U+034F COMBINING GRAPHEME JOINER (stream-safe format); the caller has
  /// opened the dirty region for it.
  private mutating func appendJoiner() {
    changed = true
    counts.add(.unicodeNormalization)
    output.append(0xCD)
    output.append(0x8F)
  }

  /// Replaces the output from `start` with its normalized (and case-folded) form,
  /// fed back through the character handling. Returns true when that handling
  /// changed the normalized text again, so that it must be normalized once more.
  private mutating func rewriteSegment(from start: Int, form: ICU.Form) -> Bool {
    let original = UnsafeBufferPointer(start: output.base + start, count: output.count - start)
    var reasons: TextEdit.Reason = []
    var result = Array(original)
    if table.normalizes {
      result = ICU.normalize(form, original)
      if !result.elementsEqual(original) { reasons.insert(.unicodeNormalization) }
    }
    if table.options.foldsCase {
      let folded = result.withUnsafeBufferPointer { ICU.foldCase($0) }
      if folded != result {
        reasons.insert(.caseFolding)
        result = table.normalizes ? folded.withUnsafeBufferPointer { ICU.normalize(form, $0) } : folded
      }
    }
    // Folding and composing can give back the very same text.
    guard !reasons.isEmpty, !result.elementsEqual(original) else { return false }
    counts.add(reasons)
    changed = true
    if recording { reopenRegion(atOutput: start, reasons: reasons) }
    output.truncate(to: start)
    return refeed(result)
  }

  /// Writes normalized text through the character handling (mappings, gaps), without
  /// normalizing it again. Returns true when a mapping changed it.
  private mutating func refeed(_ text: [UInt8]) -> Bool {
    refeeding = true
    defer { refeeding = false }
    var mapped = false
    text.withUnsafeBufferPointer { buffer in
      let bytes = buffer.baseAddress!
      var index = 0
      while index < buffer.count {
        let (scalar, length) = UTF8Decoding.decode(bytes, index, buffer.count)
        let kind = table.classOf(scalar)
        typealias Class = CharacterTable.Class
        switch kind {
        case Class.space:
          addToGap(length: 0, space: true, reason: scalar == 0x20 ? [] : .whitespace)
          mapped = true
        case Class.lineBreak, Class.carriageReturn:
          addToGap(length: 0, newline: true, reason: .lineBreak)
          mapped = true
        case Class.removeControl, Class.removeInvisible, Class.removePunctuation:
          let reason: TextEdit.Reason =
            kind == Class.removePunctuation ? .punctuation : kind == Class.removeControl ? .control : .invisible
          addToGap(length: 0, reason: reason)
          mapped = true
        case Class.firstRule...:
          let rule = table.rules[Int(kind - Class.firstRule)]
          resolveGap(final: false)
          counts.add(rule.reason)
          if recording { regionReasons.insert(rule.reason) }
          rule.bytes.withUnsafeBufferPointer { output.append($0.baseAddress!, $0.count) }
          mapped = true
        default:
          resolveGap(final: false)
          output.append(bytes + index, length)
        }
        index += length
      }
    }
    return mapped
  }

  // MARK: - Edit recording

  @inline(__always)
  private mutating func markClean(_ inputOffset: Int, _ outputOffset: Int) {
    guard regionOpen, !refeeding else { return }
    regionOpen = false
    edits.append(
      TextEdit(
        input: regionInput..<inputOffset, output: regionOutput..<outputOffset,
        reasons: regionReasons))
  }

  @inline(__always)
  private mutating func markDirty(_ inputOffset: Int, _ outputOffset: Int, _ reasons: TextEdit.Reason) {
    if regionOpen {
      regionReasons.formUnion(reasons)
    } else {
      regionOpen = true
      regionInput = inputOffset
      regionOutput = outputOffset
      regionReasons = reasons
    }
  }

  /// Opens (or widens) the dirty region so that it starts at or before `outputOffset`,
  /// merging the edits it swallows.
  private mutating func reopenRegion(atOutput outputOffset: Int, reasons: TextEdit.Reason) {
    if regionOpen && regionOutput <= outputOffset {
      regionReasons.formUnion(reasons)
      return
    }
    var merged = reasons.union(regionOpen ? regionReasons : [])
    var start: (input: Int, output: Int)?
    while let last = edits.last, last.output.upperBound > outputOffset {
      edits.removeLast()
      merged.formUnion(last.reasons)
      if last.output.lowerBound <= outputOffset {
        start = (last.input.lowerBound, last.output.lowerBound)
        break
      }
    }
    if start == nil {
      let delta = edits.last.map { $0.input.upperBound - $0.output.upperBound } ?? 0
      start = (outputOffset + delta, outputOffset)
    }
    regionOpen = true
    regionInput = start!.input
    regionOutput = start!.output
    regionReasons = merged
  }
}

/// A growable byte buffer for the output, without the per-append checks of `Array`.
struct OutputBuffer {
  static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

  private(set) var base: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private(set) var count = 0

  /// Drops the bytes from `newCount` on.
  mutating func truncate(to newCount: Int) {
    precondition(newCount <= count)
    count = newCount
  }

  init(capacity: Int) {
    self.capacity = max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  var last: UInt8? { count > 0 ? base[count - 1] : nil }

  @inline(__always)
  mutating func append(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
    if count + length > capacity { grow(to: count + length) }
    (base + count).update(from: bytes, count: length)
    count += length
  }

  @inline(__always)
  mutating func append(_ byte: UInt8) {
    if count == capacity { grow(to: count + 1) }
    base[count] = byte
    count += 1
  }

  private mutating func grow(to needed: Int) {
    let newCapacity = max(needed, capacity * 2)
    let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  /// The bytes as an array; frees the buffer.
  consuming func takeArray() -> [UInt8] {
    let result = [UInt8](UnsafeBufferPointer(start: base, count: count))
    base.deallocate()
    return result
  }

  /// The bytes as a string; frees the buffer.
  consuming func takeString() -> String {
    let result = String(unsafeUninitializedCapacity: count) { buffer in
      _ = buffer.initialize(from: UnsafeBufferPointer(start: base, count: count))
      return count
    }
    base.deallocate()
    return result
  }

  /// Frees the buffer without reading it.
  consuming func discard() { base.deallocate() }
}
