/// What a ``TextNormalizer`` changes.
///
/// Start from a profile (``default``, ``minimal`` or ``comparison``) and adjust single
/// options:
///
/// ```swift
/// var options = NormalizationOptions.default
/// options.unicodeForm = .nfkc
/// options.asciiDashes = true
/// let normalizer = TextNormalizer(options)
/// ```
///
/// Whatever the options, every normalizer turns invalid UTF-8 into U+FFFD and
/// CRLF, CR, U+2028 and U+2029 into LF, and decides U+0085 by context
/// (see ``TextNormalizer``).
public struct NormalizationOptions: Sendable, Hashable {
  /// A Unicode normalization form.
  public enum UnicodeForm: String, Sendable, Hashable, CaseIterable {
    /// Leave the canonical form as it is.
    case none
    /// Canonical composition (NFC): changes no visible text.
    case nfc
    /// Compatibility composition (NFKC): also folds ligatures, full-width forms,
    /// superscripts and the like.
    case nfkc
  }

  /// How output ends when blank lines are trimmed.
  public enum FinalLineFeed: String, Sendable, Hashable, CaseIterable {
    /// Non-empty output ends with exactly one LF.
    case added
    /// Non-empty output ends with one LF when the input ends with line breaks (and
    /// whatever blank lines or spaces after them), with none otherwise.
    case kept
  }

  /// Which quotation marks become ASCII `'` and `"`.
  public enum QuoteFolding: String, Sendable, Hashable, CaseIterable {
    /// Keep every quotation mark.
    case keep
    /// Latin-style curly quotes (U+2018–U+201F, U+2E42) become ASCII; guillemets and
    /// CJK corner brackets stay.
    case latin
    /// Every non-ASCII Quotation_Mark character becomes ASCII, guillemets and CJK
    /// brackets included.
    case all
  }

  /// The Unicode normalization form of the output. Default: ``UnicodeForm/nfc``.
  public var unicodeForm: UnicodeForm
  /// Repair mojibake (UTF-8 decoded through a legacy encoding) before anything else,
  /// with ``MojibakeRepair``; the fixes are in ``NormalizedText/repairs``.
  public var repairsMojibake: Bool
  /// The least score a mojibake repair needs (``MojibakeRepair/minimumScore``);
  /// higher is more cautious. Default 1.
  public var mojibakeMinimumScore: Int
  /// Map C1 controls that stand for Windows-1252 characters (U+0091 to `'`, U+0080 to
  /// `€`, ...) to those characters and remove the other C1 controls.
  public var mapsC1Controls: Bool
  /// Remove C0 controls other than TAB and LF, and DEL; VT and FF become line breaks.
  public var removesControls: Bool
  /// Remove invisible format characters that carry nothing in running text: U+00AD
  /// soft hyphen, U+180E, U+200B, U+2060, U+206A–U+206F, U+FEFF and U+E0001.
  /// ZWJ, ZWNJ, variation selectors, emoji tags and bidi controls are always kept.
  public var removesInvisibles: Bool
  /// Turn every White_Space character other than a line break into a space, collapse
  /// runs of spaces, and remove spaces at the start and end of lines.
  public var normalizesWhitespace: Bool
  /// The longest run of blank lines kept, or `nil` to keep every blank line. When set,
  /// leading and trailing blank lines are removed and non-empty output ends with
  /// exactly one LF, or as ``finalLineFeed`` says.
  public var maximumBlankLines: Int?
  /// Whether non-empty output ends with a line feed when ``maximumBlankLines`` is set:
  /// always (a text file), or only when the input ends with a line break (a field of a
  /// record, whose value has its own final-newline state). Default: ``FinalLineFeed/added``.
  public var finalLineFeed: FinalLineFeed = .added
  /// Which quotation marks become ASCII.
  public var quotes: QuoteFolding
  /// Map dashes (Dash and Pd in the Common script: hyphen, en and em dash, ...) to
  /// `-`. The minus sign U+2212 and script-specific hyphens are kept.
  public var asciiDashes: Bool
  /// Map U+2026 HORIZONTAL ELLIPSIS to `...`.
  public var asciiEllipsis: Bool
  /// Apply full Unicode case folding.
  public var foldsCase: Bool
  /// Remove punctuation and symbols (general categories P and S).
  public var removesPunctuationAndSymbols: Bool

  /// Creates options; the defaults are the ``default`` profile.
  public init(
    unicodeForm: UnicodeForm = .nfc,
    repairsMojibake: Bool = true,
    mojibakeMinimumScore: Int = 1,
    mapsC1Controls: Bool = true,
    removesControls: Bool = true,
    removesInvisibles: Bool = true,
    normalizesWhitespace: Bool = true,
    maximumBlankLines: Int? = 1,
    quotes: QuoteFolding = .latin,
    asciiDashes: Bool = false,
    asciiEllipsis: Bool = false,
    foldsCase: Bool = false,
    removesPunctuationAndSymbols: Bool = false
  ) {
    self.unicodeForm = unicodeForm
    self.repairsMojibake = repairsMojibake
    self.mojibakeMinimumScore = mojibakeMinimumScore
    self.mapsC1Controls = mapsC1Controls
    self.removesControls = removesControls
    self.removesInvisibles = removesInvisibles
    self.normalizesWhitespace = normalizesWhitespace
    self.maximumBlankLines = maximumBlankLines.map { max(0, $0) }
    self.quotes = quotes
    self.asciiDashes = asciiDashes
    self.asciiEllipsis = asciiEllipsis
    self.foldsCase = foldsCase
    self.removesPunctuationAndSymbols = removesPunctuationAndSymbols
  }

  /// Cleaning scraped text for reuse, display-safe: mojibake repaired, NFC, C1 repair, controls and
  /// invisibles removed, whitespace normalized, at most one blank line, Latin curly
  /// quotes to ASCII.
  public static let `default` = NormalizationOptions()

  /// Only line breaks, invalid UTF-8 and NFC.
  public static let minimal = NormalizationOptions(
    repairsMojibake: false, mapsC1Controls: false, removesControls: false, removesInvisibles: false,
    normalizesWhitespace: false, maximumBlankLines: nil, quotes: .keep)

  /// The form used to compare text for duplicates: mojibake repaired, NFKC, case-folded, punctuation and
  /// symbols removed, whitespace collapsed, no blank lines. Not for display.
  public static let comparison = NormalizationOptions(
    unicodeForm: .nfkc, maximumBlankLines: 0, quotes: .all, asciiDashes: true,
    asciiEllipsis: true, foldsCase: true, removesPunctuationAndSymbols: true)
}

extension NormalizationOptions {
  /// A named set of options.
  public enum Profile: String, Sendable, Hashable, CaseIterable {
    /// ``NormalizationOptions/default``.
    case `default`
    /// ``NormalizationOptions/minimal``.
    case minimal
    /// ``NormalizationOptions/comparison``.
    case comparison

    /// The options of this profile.
    public var options: NormalizationOptions {
      switch self {
      case .default: .default
      case .minimal: .minimal
      case .comparison: .comparison
      }
    }
  }
}
