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
  private let table: CharacterTable

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
      var engine = NormalizerEngine(table: table, options: options, input: bytes, recording: false)
      engine.run()
      if !engine.changed {
        engine.output.discard()
        return nil
      }
      return engine.output.takeString()
    } ?? text
  }

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
  public func normalize(
    utf8Buffer bytes: UnsafeBufferPointer<UInt8>, recordingEdits: Bool = false
  ) -> NormalizedText {
    var engine = NormalizerEngine(table: table, options: options, input: bytes, recording: recordingEdits)
    engine.run()
    return NormalizedText(
      utf8: engine.output.takeArray(),
      edits: recordingEdits ? engine.edits : nil,
      counts: engine.counts,
      isUnchanged: !engine.changed,
      inputCount: bytes.count)
  }
}
