import CWinnowICU

/// How the tokenizer treats each code point, built once from ICU properties.
///
/// Tokens are compared by their *comparison key*: NFKC_Casefold, then NFD, keeping
/// letters, numbers and spacing marks. So case, compatibility forms (ligatures,
/// full-width letters), diacritics and Unicode normalization never make two copies of
/// a text differ. Whitespace and punctuation separate tokens, apostrophes inside words
/// are ignored ("don't" and "don’t" are one token `dont`), and characters of scripts
/// written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) are a
/// token each, so that repeats in those scripts are found too.
final class TokenTable: Sendable {
  enum Kind {
    /// A word character whose key is itself.
    static let word: UInt32 = 0
    /// A word character with one key code point, in the low bits.
    static let mapped: UInt32 = 1
    /// A word character with several key code points: low bits index `expansions`.
    static let expanded: UInt32 = 2
    /// Whitespace and punctuation: ends a token.
    static let separator: UInt32 = 3
    /// A line break: ends a token and a paragraph.
    static let lineBreak: UInt32 = 4
    /// Ignored entirely (marks, format characters, controls, apostrophes).
    static let ignored: UInt32 = 5
    /// A token on its own (scripts without spaces), whose key is itself.
    static let single: UInt32 = 6
    /// A token on its own with one key code point, in the low bits.
    static let singleMapped: UInt32 = 7
  }

  static let shared = TokenTable()

  let expansions: [[UInt32]]
  private let entries: CodePointTable<UInt32>

  /// The entry for a scalar: kind in the top 3 bits, key or index in the low 29.
  @inline(__always)
  func entry(_ scalar: UInt32) -> UInt32 { entries[scalar] }

  private init() {
    var flat = [UInt32](repeating: Kind.word << 29, count: 0x11_0000)
    var expansions: [[UInt32]] = []
    func assign(_ pattern: String, _ make: (UInt32) -> UInt32) {
      do {
        for range in try ICU.ranges(of: pattern) {
          for scalar in range { flat[Int(scalar)] = make(scalar) }
        }
      } catch {
        preconditionFailure("Winnow could not build its token table: \(error)")
      }
    }
    assign("[[:Changes_When_NFKC_Casefolded:][:NFD_QC=N:]-[:Hangul_Syllable_Type=LV:]-[:Hangul_Syllable_Type=LVT:]]") {
      scalar in
      var keys = [UInt32](repeating: 0, count: 32)
      let count = Int(max(0, min(32, winnow_comparison_key(scalar, &keys, 32))))
      switch count {
      case 0: return Kind.ignored << 29
      case 1: return keys[0] == scalar ? Kind.word << 29 : Kind.mapped << 29 | keys[0]
      default:
        expansions.append(Array(keys.prefix(count)))
        return Kind.expanded << 29 | UInt32(expansions.count - 1)
      }
    }
    assign("[[:Han:][:Hiragana:][:Katakana:][:Thai:][:Lao:][:Khmer:][:Myanmar:]]") { scalar in
      let entry = flat[Int(scalar)]
      // Identity entries carry no payload, so that whole blocks of ideographs are
      // stored once.
      switch entry >> 29 {
      case Kind.mapped: return Kind.singleMapped << 29 | (entry & 0x1FFF_FFFF)
      case Kind.word: return Kind.single << 29
      default: return entry  // marks of these scripts stay ignored
      }
    }
    assign("[[:Mn:][:Me:][:Cf:][:Cc:]]") { _ in Kind.ignored << 29 }
    assign("[[:P:][:S:][:White_Space:]]") { _ in Kind.separator << 29 }
    assign("[\\u0027\\u2019\\u02BC]") { _ in Kind.ignored << 29 }
    assign("[\\u000A-\\u000D\\u2028\\u2029]") { _ in Kind.lineBreak << 29 }
    for letter in UInt32(0x41)...0x5A { flat[Int(letter)] = Kind.mapped << 29 | (letter | 0x20) }
    self.expansions = expansions

    entries = CodePointTable(flat)
  }
}
