// Gaps: pending whitespace, line breaks and removals, resolved at the next character.
extension NormalizerEngine {
  mutating func addToGap(
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
  mutating func resolveGap(final: Bool) -> Bool {
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
}
