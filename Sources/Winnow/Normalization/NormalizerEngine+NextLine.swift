// U+0085: an ellipsis or a line break, by its context.
extension NormalizerEngine {
  /// Decides whether U+0085 at the current position is a Windows-1252 ellipsis
  /// decoded as Latin-1 or a NEL line break:
  /// 1. an ellipsis if the text holds other C1 controls that Windows-1252 maps to
  ///    characters (evidence that the text was decoded as Latin-1);
  /// 2. a line break if a letter, a mark, a digit or another U+0085 follows (a next
  ///    line), looking past characters that are removed;
  /// 3. at the end of the text, a line break if the text has no CR or LF at all
  ///    (NEL-delimited text, as converted from EBCDIC), otherwise an ellipsis;
  /// 4. an ellipsis before anything else: a space, punctuation, CR or LF.
  mutating func nextLineIsEllipsis() -> Bool {
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
}
