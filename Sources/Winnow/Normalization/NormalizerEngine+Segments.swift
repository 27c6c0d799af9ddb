// Segments: characters that change under Unicode normalization, through ICU.
extension NormalizerEngine {
  /// Normalizes the output from the normalization boundary before the character
  /// written at `start` to the boundary after it, consuming the input up to that
  /// boundary first.
  mutating func normalizeSegment(around start: Int, scalar: UInt32, form: ICU.Form) {
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
  mutating func appendJoiner() {
    changed = true
    counts.add(.unicodeNormalization)
    output.append(0xCD)
    output.append(0x8F)
  }

  /// Replaces the output from `start` with its normalized (and case-folded) form,
  /// fed back through the character handling. Returns true when that handling
  /// changed the normalized text again, so that it must be normalized once more.
  mutating func rewriteSegment(from start: Int, form: ICU.Form) -> Bool {
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
  mutating func refeed(_ text: [UInt8]) -> Bool {
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
}
