// One scalar: what the table says to do with it.
extension NormalizerEngine {
  mutating func step() {
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
  mutating func emitVerbatim(scalar: UInt32, length: Int, isSegment: Bool) {
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
  mutating func emitMapped(_ scalar: UInt32, inputLength: Int, reason: TextEdit.Reason) {
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
  mutating func emitContent(inputLength: Int, bytes: [UInt8], reason: TextEdit.Reason) {
    resolveGap(final: false)
    changed = true
    counts.add(reason)
    if recording { markDirty(position, output.count, reason) }
    bytes.withUnsafeBufferPointer { output.append($0.baseAddress!, $0.count) }
    position += inputLength
  }
}
