// Edit recording: dirty regions closed into TextEdits.
extension NormalizerEngine {
  @inline(__always)
  mutating func markClean(_ inputOffset: Int, _ outputOffset: Int) {
    guard regionOpen, !refeeding else { return }
    regionOpen = false
    edits.append(
      TextEdit(
        input: regionInput..<inputOffset, output: regionOutput..<outputOffset,
        reasons: regionReasons))
  }

  @inline(__always)
  mutating func markDirty(_ inputOffset: Int, _ outputOffset: Int, _ reasons: TextEdit.Reason) {
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
  mutating func reopenRegion(atOutput outputOffset: Int, reasons: TextEdit.Reason) {
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
