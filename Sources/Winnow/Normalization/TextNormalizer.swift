/// Normalizes text through ICU and reports exactly what it changed.
///
/// ```swift
/// let normalizer = TextNormalizer()                 // the default profile
/// normalizer.normalized("\u{201C}Caf\u{0065}\u{0301}\u{201D}\u{00A0} ok\r\n")
/// // "\"Café\" ok\n"
///
/// let result = normalizer.normalize("a\u{00A0}\u{00A0}b", recordingEdits: true)
/// result.edits  // [TextEdit(input: 1..<5, output: 1..<2, reasons: .whitespace)]
/// ```
///
/// What the ``NormalizationOptions/default`` profile does, in order of precedence:
///
/// - **Mojibake** (UTF-8 decoded through windows-1252 and other legacy encodings,
///   "donâ€™t") is repaired first, by ``MojibakeRepair``; each fix is in
///   ``NormalizedText/repairs``.
/// - **Invalid UTF-8** becomes U+FFFD, one per maximal ill-formed subsequence
///   (surrogates encoded in bytes and overlong forms included); the count is in
///   ``NormalizedText/replacedInvalidSequences``.
/// - **Line breaks** CRLF, CR, U+2028, U+2029, VT and FF become LF. U+0085 is a
///   Windows-1252 ellipsis decoded as Latin-1 when the text holds other C1
///   characters that Windows-1252 maps; otherwise it is a NEL line break when a
///   letter, digit or another U+0085 follows it, or when it ends a text that has no
///   CR or LF at all; before anything else (a space, punctuation, CR, LF, or the end
///   of a text that uses LF) it is an ellipsis.
/// - **C1 controls** that Windows-1252 maps to characters (U+0091–U+0094 quotes,
///   U+0096/U+0097 dashes, U+0080 euro, ...) become those characters, converted by
///   ICU's `windows-1252` converter; the others are removed. C0 controls other than
///   TAB and LF, and DEL, are removed.
/// - **Invisible characters** that carry nothing in running text are removed:
///   Default_Ignorable_Code_Point characters of category Cf, except Join_Control
///   (ZWJ, ZWNJ), Bidi_Control, Variation_Selector, emoji tags U+E0020–U+E007F, the
///   invisible math operators U+2061–U+2064 and the shorthand and musical format
///   controls. In Unicode 15 that removes U+00AD, U+180E, U+200B, U+2060,
///   U+206A–U+206F, U+FEFF and U+E0001.
/// - **Whitespace**: every White_Space character other than a line break becomes a
///   space; runs collapse to one; spaces at the start and end of lines go.
/// - **Blank lines**: runs collapse to ``NormalizationOptions/maximumBlankLines``;
///   leading and trailing blank lines go; non-empty output ends with one LF.
/// - **Quotes**: U+2018–U+201B become `'`, U+201C–U+201F and U+2E42 become `"`
///   (Quotation_Mark outside ASCII, minus guillemets and the CJK and full-width
///   blocks; single or double by the character's Unicode name).
/// - **Unicode normalization**: NFC.
///
/// Only characters that need work leave the fast path: runs of plain ASCII are
/// checked eight bytes at a time, and other runs with one table lookup per scalar.
/// Normalization runs through ICU only around characters whose NFC (or NFKC) quick
/// check is not "yes", from the normalization boundary before them to the one after.
///
/// The output is a fixed point: normalizing it again with the same options changes
/// nothing.
public struct TextNormalizer: Sendable {
  /// The options this normalizer applies.
  public let options: NormalizationOptions
  let table: CharacterTable

  /// Creates a normalizer with the given options.
  ///
  /// The first normalizer for a distinct set of options builds its character table
  /// from ICU (about a millisecond); later ones share it.
  public init(_ options: NormalizationOptions = .default) {
    self.options = options
    self.table = CharacterTable.table(for: options)
  }

  /// Creates a normalizer for a named profile.
  public init(profile: NormalizationOptions.Profile) {
    self.init(profile.options)
  }

  /// The version of the system ICU library in use, for example "72.1".
  public static var icuVersion: String { ICU.version }

  /// The Unicode version of the system ICU library, for example "15.0".
  public static var unicodeVersion: String { ICU.unicodeVersion }

  /// Returns `text` normalized.
  ///
  /// When nothing changes, the original string is returned without a copy.
  ///
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func normalized(_ text: String) -> String {
    var text = text
    return text.withUTF8 { bytes in
      // The common case without mojibake stays on one engine pass and no copies.
      let firstRepair = repairMojibake(bytes)
      if firstRepair == nil {
        var engine = NormalizerEngine(table: table, options: options, input: bytes, recording: false)
        engine.run()
        if !engine.changed {
          engine.output.discard()
          return nil
        }
        if !mayFormMojibake(engine.counts) { return engine.output.takeString() }
        let output = engine.output.takeArray()
        if output.withUnsafeBufferPointer({ repairMojibake($0) }) == nil {
          return String(decoding: output, as: UTF8.self)
        }
      }
      return normalize(bytes, recordingEdits: false, firstRepair: firstRepair).text
    } ?? text
  }

  /// The mojibake repair of `bytes` when the options ask for it and it changes
  /// something.
  private func repairMojibake(_ bytes: UnsafeBufferPointer<UInt8>) -> MojibakeRepair.Result? {
    var supports: [[Int]]? = nil
    return repairMojibake(bytes, round: 0, supports: &supports)
  }

  /// The repair of `bytes` in round `round` of ``normalize(_:recordingEdits:firstRepair:supports:)``;
  /// `supports` (nil for a text of its own) carries each round's repair state from the
  /// pieces of the text before these bytes (see ``NormalizationStream``).
  private func repairMojibake(
    _ bytes: UnsafeBufferPointer<UInt8>, round: Int, supports: inout [[Int]]?
  ) -> MojibakeRepair.Result? {
    guard options.repairsMojibake else { return nil }
    let repair = MojibakeRepair(minimumScore: options.mojibakeMinimumScore)
    guard supports != nil else { return repair.repair(utf8Buffer: bytes) }
    var support: [Int]? = supports![round]
    defer { supports![round] = support! }
    return repair.repair(utf8Buffer: bytes, support: &support)
  }

  /// How many rounds of repair and normalization one text may take.
  static let rounds = 4

  /// Whether changes of these kinds can bring characters together into mojibake that
  /// was not there before (removing a character between two others, composing,
  /// mapping to non-ASCII characters, replacing ill-formed UTF-8 by U+FFFD, which
  /// stands for a lost byte); spaces, line breaks and ASCII mappings cannot.
  private func mayFormMojibake(_ counts: EditCounts) -> Bool {
    guard options.repairsMojibake else { return false }
    // Curly quotes count as ASCII quotes in a repair's score; guillemets and CJK
    // brackets do not (see MojibakeTables).
    if options.quotes == .all && counts[.quote] > 0 { return true }
    return Self.formingReasons.contains { counts[$0] > 0 }
  }

  private static let formingReasons: [TextEdit.Reason] = [
    .control, .invisible, .c1Mapping, .unicodeNormalization, .invalidUTF8, .caseFolding, .punctuation, .mojibake,
  ]

  /// Normalizes `text`, optionally recording every edit.
  ///
  /// - Parameters:
  ///   - text: The text to normalize.
  ///   - recordingEdits: Whether to record ``NormalizedText/edits``. Without it the
  ///     normalizer does no bookkeeping beyond the per-kind counts.
  /// - Returns: The output bytes with counts, and the edits when recorded.
  /// - Complexity: O(*n*) in the UTF-8 length of `text`.
  public func normalize(_ text: String, recordingEdits: Bool = false) -> NormalizedText {
    var text = text
    return text.withUTF8 { normalize(utf8Buffer: $0, recordingEdits: recordingEdits) }
  }

  /// Normalizes raw bytes that should be UTF-8; invalid sequences become U+FFFD.
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  public func normalize(
    utf8 bytes: some Collection<UInt8>, recordingEdits: Bool = false
  ) -> NormalizedText {
    if let result = bytes.withContiguousStorageIfAvailable({
      normalize(utf8Buffer: $0, recordingEdits: recordingEdits)
    }) {
      return result
    }
    return Array(bytes).withUnsafeBufferPointer {
      normalize(utf8Buffer: $0, recordingEdits: recordingEdits)
    }
  }

  /// Normalizes bytes in a buffer that should be UTF-8; invalid sequences become U+FFFD.
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  package func normalize(
    utf8Buffer bytes: UnsafeBufferPointer<UInt8>, recordingEdits: Bool = false
  ) -> NormalizedText {
    normalize(bytes, recordingEdits: recordingEdits, firstRepair: repairMojibake(bytes))
  }

  /// Normalizes one piece of a text cut where nothing but the mojibake repair's
  /// state crosses (see ``NormalizationStream``); `supports` carries that state, one
  /// per round, from piece to piece.
  func normalize(piece bytes: UnsafeBufferPointer<UInt8>, supports: inout [[Int]]?) -> NormalizedText {
    let firstRepair = repairMojibake(bytes, round: 0, supports: &supports)
    return normalize(bytes, recordingEdits: false, firstRepair: firstRepair, supports: &supports)
  }

  /// Repairs, normalizes, and while normalizing brought characters together that are
  /// mojibake, repairs and normalizes again: the output is a fixed point.
  /// `firstRepair` is the repair of `bytes`, made by the caller.
  private func normalize(
    _ bytes: UnsafeBufferPointer<UInt8>, recordingEdits: Bool, firstRepair: MojibakeRepair.Result?
  ) -> NormalizedText {
    var supports: [[Int]]? = nil
    return normalize(bytes, recordingEdits: recordingEdits, firstRepair: firstRepair, supports: &supports)
  }

  /// ``normalize(_:recordingEdits:firstRepair:)``, with the repair state of the pieces
  /// before (`supports`, nil for a text of its own) for rounds after the first.
  private func normalize(
    _ bytes: UnsafeBufferPointer<UInt8>, recordingEdits: Bool, firstRepair: MojibakeRepair.Result?,
    supports: inout [[Int]]?
  ) -> NormalizedText {
    let supportsBefore = supports
    var repairs: [MojibakeRepair.Fix] = []
    var edits: [TextEdit] = []
    var counts: EditCounts?
    var current: [UInt8]?
    var changed = false
    for round in 0..<Self.rounds {
      let repair =
        current.map { text in text.withUnsafeBufferPointer { repairMojibake($0, round: round, supports: &supports) } }
        ?? firstRepair
      if round > 0 && repair == nil { break }
      if let repair {
        if round > 0 && !recordingEdits {
          // Later repairs are reported in input offsets, through the edits so far.
          supports = supportsBefore
          let recorded = normalize(bytes, recordingEdits: true, firstRepair: firstRepair, supports: &supports)
          return NormalizedText(
            utf8: recorded.utf8, edits: nil, counts: recorded.counts, isUnchanged: recorded.isUnchanged,
            inputCount: recorded.inputCount, repairs: recorded.repairs)
        }
        changed = true
        if counts == nil { counts = EditCounts() }
        counts![.mojibake] += repair.fixes.count
        for fix in repair.fixes {
          var mapped = fix
          if round > 0 {
            mapped.input =
              TextEdit.inputOffset(
                forOutputOffset: fix.input.lowerBound, in: edits, roundingUp: false)..<TextEdit.inputOffset(
                forOutputOffset: fix.input.upperBound, in: edits, roundingUp: true)
          }
          repairs.append(mapped)
        }
        if recordingEdits {
          edits = TextEdit.composing(
            edits, repair.fixes.map { TextEdit(input: $0.input, output: $0.output, reasons: .mojibake) })
        }
        current = repair.utf8
      }
      let next: (output: [UInt8], counts: EditCounts, changed: Bool) =
        (current.map { text in
          text.withUnsafeBufferPointer { runEngine($0, recordingEdits, &edits) }
        } ?? runEngine(bytes, recordingEdits, &edits))
      if counts == nil {
        counts = next.counts
      } else {
        counts! += next.counts
      }
      changed = changed || next.changed
      current = next.output
      if repair == nil && !mayFormMojibake(next.counts) { break }
    }
    return NormalizedText(
      utf8: current ?? Array(bytes),
      edits: recordingEdits ? edits : nil,
      counts: counts ?? EditCounts(),
      isUnchanged: !changed,
      inputCount: bytes.count,
      repairs: repairs.count > 1 ? repairs.sorted { $0.input.lowerBound < $1.input.lowerBound } : repairs)
  }

  /// One engine pass; composes its edits onto `edits` when recording.
  private func runEngine(
    _ bytes: UnsafeBufferPointer<UInt8>, _ recording: Bool, _ edits: inout [TextEdit]
  ) -> ([UInt8], EditCounts, Bool) {
    var engine = NormalizerEngine(table: table, options: options, input: bytes, recording: recording)
    engine.run()
    if recording { edits = TextEdit.composing(edits, engine.edits) }
    return (engine.output.takeArray(), engine.counts, engine.changed)
  }
}
