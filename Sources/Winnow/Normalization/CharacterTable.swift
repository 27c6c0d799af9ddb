/// What the normalizer does with each code point, for one set of options.
///
/// Built once per distinct ``NormalizationOptions`` from ICU property sets (UnicodeSet
/// patterns over Quotation_Mark, Dash, White_Space, Default_Ignorable_Code_Point,
/// general categories and normalization quick-check values), then looked up with two
/// array reads per code point. Per-code-point ICU property calls are 25-40 times
/// slower than this lookup, and the lookup lets plain runs of any script be copied
/// without leaving Swift.
final class CharacterTable: Sendable {
  /// Classes stored in the table. Values from ``firstRule`` on index ``rules``.
  enum Class {
    static let pass: UInt8 = 0
    static let space: UInt8 = 1
    static let lineBreak: UInt8 = 2
    static let carriageReturn: UInt8 = 3
    static let nextLine: UInt8 = 4
    static let segment: UInt8 = 5
    static let removeControl: UInt8 = 6
    static let removeInvisible: UInt8 = 7
    static let removePunctuation: UInt8 = 8
    static let c1Control: UInt8 = 9
    /// Copied unchanged when its canonical combining class is not lower than the
    /// previous character's; otherwise the marks must be reordered.
    static let nonStarter: UInt8 = 10
    static let firstRule: UInt8 = 16
  }

  /// A replacement: the bytes that replace the code point, and why.
  struct Rule {
    var bytes: [UInt8]
    var reason: TextEdit.Reason
  }

  let options: NormalizationOptions
  let rules: [Rule]
  /// The form whose boundaries delimit segments, or nil when nothing is normalized
  /// or folded.
  let form: ICU.Form?
  /// Whether segments are normalized (a Unicode form is set), not only case-folded.
  var normalizes: Bool { options.unicodeForm != .none }
  /// Whether every printable ASCII character except space is copied unchanged, so
  /// that eight bytes at a time can be checked with word arithmetic.
  let asciiPrintableIsPass: Bool
  /// What each C1 control U+0080-U+009F means in Windows-1252 (0: nothing).
  let windows1252: [UInt32]

  let classes: CodePointTable<UInt8>

  @inline(__always)
  func classOf(_ scalar: UInt32) -> UInt8 { classes[scalar] }

  private init(options: NormalizationOptions) throws(ICU.Failure) {
    self.options = options
    var flat = [UInt8](repeating: Class.pass, count: 0x11_0000)
    var rules: [Rule] = []

    func assign(_ pattern: String, _ value: UInt8) throws(ICU.Failure) {
      for range in try ICU.ranges(of: pattern) {
        for scalar in range { flat[Int(scalar)] = value }
      }
    }
    func addRule(_ bytes: [UInt8], _ reason: TextEdit.Reason) -> UInt8 {
      if let index = rules.firstIndex(where: { $0.bytes == bytes && $0.reason == reason }) {
        return Class.firstRule + UInt8(index)
      }
      rules.append(Rule(bytes: bytes, reason: reason))
      return Class.firstRule + UInt8(rules.count - 1)
    }

    // Lowest precedence first: later assignments override earlier ones.
    if options.unicodeForm != .none {
      try assign("[:^ccc=0:]", Class.nonStarter)
    }
    switch options.unicodeForm {
    case .none: form = options.foldsCase ? .nfc : nil
    case .nfc:
      form = .nfc
      try assign("[[:NFC_QC=N:][:NFC_QC=M:]]", Class.segment)
    case .nfkc:
      form = .nfkc
      try assign("[[:NFKC_QC=N:][:NFKC_QC=M:]]", Class.segment)
    }
    if options.foldsCase {
      try assign("[[:Changes_When_Casefolded:]-[:ASCII:]]", Class.segment)
      for letter in UInt8(ascii: "A")...UInt8(ascii: "Z") {
        flat[Int(letter)] = addRule([letter | 0x20], .caseFolding)
      }
    }
    if options.quotes != .keep {
      let pattern =
        options.quotes == .all
        ? "[[:Quotation_Mark:]-[:ASCII:]]"
        : "[[:Quotation_Mark:]-[:ASCII:]-[\\u00AB\\u00BB\\u2039\\u203A]"
          + "-[:Block=CJK_Symbols_And_Punctuation:]-[:Block=Halfwidth_And_Fullwidth_Forms:]"
          + "-[:Block=Vertical_Forms:]-[:Block=CJK_Compatibility_Forms:]]"
      for range in try ICU.ranges(of: pattern) {
        for scalar in range {
          // Unicode names say which quotes are single ("LEFT SINGLE QUOTATION MARK",
          // "FULLWIDTH APOSTROPHE"); everything else becomes a double quote.
          let name = ICU.name(of: scalar)
          let single = name.contains("SINGLE") || name.contains("APOSTROPHE")
          flat[Int(scalar)] = addRule([single ? UInt8(ascii: "'") : UInt8(ascii: "\"")], .quote)
        }
      }
    }
    if options.asciiDashes {
      let dash = addRule([UInt8(ascii: "-")], .dash)
      try assign("[[[:Dash:]&[:gc=Pd:]&[:Script=Common:]]-[:ASCII:]-[\\u301C\\u3030\\u30A0]]", dash)
    }
    if options.asciiEllipsis {
      flat[0x2026] = addRule(Array("...".utf8), .ellipsis)
    }
    if options.removesPunctuationAndSymbols {
      // U+FFFD stays: it marks where invalid input was, and is written for it.
      try assign("[[:P:][:S:]-[\\uFFFD]]", Class.removePunctuation)
    }
    if options.removesInvisibles {
      try assign(
        "[[[:Default_Ignorable_Code_Point:]&[:gc=Cf:]]-[:Join_Control:]-[:Bidi_Control:]"
          + "-[:Variation_Selector:]-[\\U000E0020-\\U000E007F]-[\\u2061-\\u2064]"
          + "-[\\U0001BCA0-\\U0001BCA3]-[\\U0001D173-\\U0001D17A]]",
        Class.removeInvisible)
    }
    if options.normalizesWhitespace {
      try assign("[[:White_Space:]-[\\u000A-\\u000D\\u0085\\u2028\\u2029]]", Class.space)
    }
    if options.removesControls {
      try assign("[\\u0000-\\u0008\\u000E-\\u001F\\u007F]", Class.removeControl)
      flat[0x0B] = Class.lineBreak
      flat[0x0C] = Class.lineBreak
    }
    var windows1252 = [UInt32](repeating: 0, count: 32)
    for byte in 0x80...0x9F {
      let decoded = ICU.convertToUTF8(from: "windows-1252", [UInt8(byte)])
      var scalars = String(decoding: decoded, as: UTF8.self).unicodeScalars.makeIterator()
      // Bytes Windows-1252 leaves undefined decode to themselves (or U+FFFD): those
      // controls stand for nothing.
      if let scalar = scalars.next(), scalar.value > 0x9F, scalar.value != 0xFFFD {
        windows1252[byte - 0x80] = scalar.value
      }
      if options.mapsC1Controls { flat[byte] = Class.c1Control }
    }
    self.windows1252 = windows1252
    flat[0x0A] = Class.lineBreak
    flat[0x0D] = Class.carriageReturn
    flat[0x85] = Class.nextLine
    flat[0x2028] = Class.lineBreak
    flat[0x2029] = Class.lineBreak
    if !options.normalizesWhitespace {
      flat[0x20] = Class.pass
    }
    self.rules = rules
    self.asciiPrintableIsPass = (0x21...0x7E).allSatisfy { flat[$0] == Class.pass }

    classes = CodePointTable(flat)
  }

  private static let cache = Locked<[NormalizationOptions: CharacterTable]>([:])

  /// The table for `options`, built on first use and shared afterwards.
  static func table(for options: NormalizationOptions) -> CharacterTable {
    // The blank-line limit does not shape the table: one table serves every limit.
    var options = options
    options.maximumBlankLines = options.maximumBlankLines == nil ? nil : 1
    options.finalLineFeed = .added
    if let table = cache.withLock({ $0[options] }) { return table }
    let table: CharacterTable
    do {
      table = try CharacterTable(options: options)
    } catch {
      // The patterns are constants; ICU rejects them only if its data is missing.
      preconditionFailure("Winnow could not build its character table: \(error)")
    }
    return cache.withLock { cache in
      if let existing = cache[options] { return existing }
      cache[options] = table
      return table
    }
  }
}
