// The score: how much stranger a segment is than its repair.
extension MojibakeScanner {
  /// The strangeness of a run of characters (see <doc:MojibakeRepairRules>); the rare
  /// letters count only in text taken as the original.
  func strangeness(_ text: [UInt32], asOriginal: Bool) -> Int {
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
    for scalar in text {
      // An ill-formed sequence counts as the U+FFFD the normalizer makes of it.
      let value: UInt8 = scalar < 0x11_0000 ? classes[scalar] : Kind.replacement
      let kind = value & 0x0F
      let previousKind = previous & 0x0F
      let beforePreviousKind = beforePrevious & 0x0F
      let letter = isLetter(kind)
      let previousLetter = isLetter(previousKind)
      let nonASCII = scalar >= 0x80
      let previousNonASCII = previousScalar >= 0x80
      // Characters by themselves.
      if kind == Kind.c1 { total += 3 }
      if value & MojibakeTables.rare != 0 && asOriginal { total += 2 }
      // A letter, then a symbol or an opening mark.
      // ® and ™ follow names in real text: after a letter, they count only when a
      // letter or digit follows (ę is "Ä™" in windows-1252).
      if previousLetter && kind == Kind.symbol && scalar != 0xAE && scalar != 0x2122 {
        total += scalar == 0x20AC ? 3 : 2
      }
      if isLetter(beforePreviousKind) && (previousScalar == 0xAE || previousScalar == 0x2122)
        && (letter || kind == Kind.digit)
      {
        total += 2
      }
      if previousLetter && kind == Kind.opening && nonASCII { total += 2 }
      // Closing punctuation inside a word ("MÉ”n", "jÄ…c" for "Mɔn", "jąc"); a dash
      // inside a word only beside a non-ASCII letter ("Ã–s" for "Ös").
      if isLetter(beforePreviousKind) && letter {
        switch previousScalar {
        case 0x2026, 0xBB, 0x203A, 0x201D: total += 2
        case 0x2013, 0x2014: if nonASCII || beforePreviousScalar >= 0x80 { total += 1 }
        default: break
        }
      }
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
        && (nonASCII || (beforePreviousScalar >= 0x80 && previousNonASCII))
      {
        total += 1
      }
      // A Greek capital with tonos inside a word (capitals carry no accents there).
      if previousLetter && [0x386, 0x388, 0x389, 0x38A, 0x38C, 0x38E, 0x38F].contains(scalar) { total += 1 }
      // Scripts mixed inside a word.
      if previousLetter && letter {
        let script = value & Script.mask
        let previousScript = previous & Script.mask
        if script != previousScript && (script != 0 || previousScript != 0) && (nonASCII || previousNonASCII) {
          total += 2
        }
      }
      if (previousLetter && previous & Script.mask != 0 && kind == Kind.foreignLetter)
        || (previousKind == Kind.foreignLetter && letter && value & Script.mask != 0)
      {
        total += 2
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
}
