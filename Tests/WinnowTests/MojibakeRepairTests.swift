import Testing
import Winnow

/// Mojibake repair: the fixes it reports, its caution, its place in the normalizer, and
/// text that must come through unchanged.
@Suite struct MojibakeRepairTests {
  let repair = MojibakeRepair()

  /// `text` encoded as UTF-8 and decoded as `encoding` (through ICU): mojibake.
  static func misread(_ text: String, as encoding: String) throws -> String {
    String(decoding: try TextEncoding.decode(Array(text.utf8), from: encoding).utf8, as: UTF8.self)
  }

  @Test func reportsEachFix() {
    let text = "Le cafÃ© de ZoÃ«: donâ€™t"
    let result = repair.repair(text)
    #expect(result.text == "Le café de Zoë: don’t")
    #expect(result.fixes.map(\.original) == ["Ã©", "Ã«", "â€™"])
    #expect(result.fixes.map(\.replacement) == ["é", "ë", "’"])
    #expect(result.fixes.allSatisfy { $0.encodings == ["windows-1252"] && $0.score >= 2 })
    let bytes = Array(text.utf8)
    for fix in result.fixes {
      #expect(String(decoding: bytes[fix.input], as: UTF8.self) == fix.original)
      #expect(String(decoding: result.utf8[fix.output], as: UTF8.self) == fix.replacement)
    }
  }

  @Test func repairsTextEncodedTwiceOver() throws {
    let twice = try Self.misread(Self.misread("naïve “café”", as: "windows-1252"), as: "windows-1252")
    let result = repair.repair(twice)
    #expect(result.text == "naïve “café”")
    #expect(result.fixes.allSatisfy { $0.encodings == ["windows-1252", "windows-1252"] })
  }

  @Test func eachEncodingItsOwnPath() throws {
    let samples: [(text: String, encoding: String)] = [
      ("Привет, как дела?", "windows-1251"), ("Zażółć gęślą jaźń", "windows-1250"),
      ("Καλημέρα κόσμε", "windows-1253"), ("Café crème brûlée", "macintosh"), ("Café à la crème", "IBM437"),
      ("Çok güzel bir gün", "windows-1254"), ("Žalgiris ir Šiauliai", "windows-1257"),
      ("Příliš žluťoučký kůň", "ISO-8859-2"),
    ]
    for sample in samples {
      let broken = try Self.misread(sample.text, as: sample.encoding)
      let result = repair.repair(broken)
      #expect(result.text == sample.text, "\(sample.encoding): \(broken) -> \(result.text)")
      #expect(!result.fixes.isEmpty)
    }
  }

  /// Byte 0xE6 of IBM437 is U+00B5 MICRO SIGN in Python, iconv and Windows, U+03BC in
  /// ICU 72's table: text misread by the others (as the shared material is) holds `µ`
  /// for it, and UTF-8 sequences that start with 0xE6 (CJK U+6000-U+6FFF) must be
  /// repaired from either reading (issue 16).
  @Test func ibm437ByteE6IsTheMicroSign() {
    // "日本語" as UTF-8, read through Python's cp437.
    let python =
      "Gr\u{251C}\u{255D}\u{251C}\u{0192}e aus M\u{251C}\u{255D}nchen, \u{00B5}\u{00F9}\u{00D1}\u{00B5}\u{00A3}\u{00BC}\u{03A6}\u{00AC}\u{20A7}"
    #expect(repair.repaired(python) == "Grüße aus München, 日本語")
    let icu = String(python.map { $0 == "\u{00B5}" ? "\u{03BC}" : $0 })
    #expect(repair.repaired(icu) == "Grüße aus München, 日本語")
  }

  /// Correct Belarusian and Serbian Cyrillic whose letters are windows-1251 bytes of
  /// well-formed UTF-8: a "repair" would put Hangul or Han inside the word (real lines
  /// of the shared material that were false repairs; issue 16).
  @Test func alphabeticWordsDoNotBecomeHanOrHangul() {
    for text in ["адмалёўніку і Кліўленд", "ўсталёўванне", "Азербејџан", "скокни пејџер"] {
      #expect(repair.repaired(text) == text, "\(text)")
    }
    // Han glued to ASCII letters is ordinary text, and its mojibake is still repaired.
    #expect(repair.repaired("Gy\u{00E5}\u{00B9}\u{00B4}M\u{00E6}\u{0153}\u{02C6}d") == "Gy年M月d")
  }

  @Test func cautionIsTheMinimumScore() throws {
    let text = "one â€” two"
    let score = try #require(MojibakeRepair(minimumScore: 1).repair(text).fixes.first).score
    #expect(score >= 2)
    #expect(MojibakeRepair(minimumScore: score).repaired(text) == "one — two")
    #expect(MojibakeRepair(minimumScore: score + 1).repaired(text) == text)
    var options = NormalizationOptions.default
    options.mojibakeMinimumScore = score + 1
    #expect(TextNormalizer(options).normalized(text) == "one â€\" two\n")
  }

  @Test func damagedFormsNeedEvidence() {
    // A lost 0xA0 or a lost byte alone is not enough; beside real mojibake it is.
    #expect(repair.repaired("voilÃ  tout") == "voilÃ  tout")
    #expect(repair.repaired("voilÃ  tout, cafÃ©") == "voilà tout, café")
    // The lost byte of "â€\u{FFFD}" could be ”, a zero-width joiner or three other
    // characters: it is marked lost, not guessed.
    #expect(repair.repaired("â€œQuoteâ€\u{FFFD}") == "“Quote\u{FFFD}")
    // A sequence that lost a byte as U+FFFD (itself the mark of a failed decoding) is
    // evidence, with a higher score needed; the character is marked lost.
    #expect(repair.repaired("Quoteâ€\u{FFFD}") == "Quote\u{FFFD}")
    // Ã followed by a lost byte could be Á, Í, Ï, Ð or Ý: the character is lost.
    #expect(repair.repaired("Ã\u{FFFD}rbol, cafÃ©") == "\u{FFFD}rbol, café")
  }

  /// The causes of false and missed repairs found on the shared real material (issue
  /// 16), each in hand-written text; every case here failed on the repair before it
  /// judged whole lines and words.
  @Test func correctTextThatReadsAsMojibakeInPartsStays() {
    for text in [
      "Сјеверна Америка",  // "Сј" is windows-1251 for U+047C, "еверна" is not mojibake
      "слово „Л“ и „О“",  // "Л“" is windows-1251 for U+02D3
      "(ノ°Д°）ノ︵┻━┻",  // "Д°" is windows-1254 for U+0130
      "если ≤ √π",  // "√π" is MacRoman for ù, "≤" beside it is not
      "CENOVÝ® a FRIABILITÉ™",  // ® and ™ after a name; the "repairs" mix scripts and case
    ] {
      #expect(repair.repaired(text) == text, "\(text)")
    }
  }

  @Test func mojibakeThatLooksOrdinaryInPartsIsRepaired() {
    let cases = [
      ("MÉ”n Algeria", "Mɔn Algeria"),  // a closing quote inside a word
      ("niedansujÄ…cemu", "niedansującemu"),  // an ellipsis inside a word
      ("AthtÉ›ria", "Athtɛria"),
      ("Lovo ya kelÄ©", "Lovo ya kelĩ"),  // ĩ is a letter of Kikuyu and Vietnamese
      ("mitoci a daÃ†â„¢iÃ†â„¢a", "mitoci a daƙiƙa"),  // twice over, ƙ from Æ™
      ("obraÄ?unska, Å¡tevilk", "obra\u{FFFD}unska, številk"),  // "?" for a lost byte
      // A lost byte between emoji is as likely a zero-width joiner as a quote.
      ("ðŸ‘¨â€\u{FFFD}ðŸ‘§ famille", "👨\u{FFFD}👧 famille"),
      // CESU-8: U+1F600 as two encoded surrogates, read as windows-1252.
      ("Smile í\u{A0}½í¸€ and cafÃ©", "Smile 😀 and café"),
    ]
    for (broken, expected) in cases {
      #expect(repair.repaired(broken) == expected, "\(broken)")
    }
  }

  /// A word of mojibake on a line that also holds correct accented text is repaired
  /// when all of the word reads as UTF-8, its punctuation aside.
  @Test func wordsOfMojibakeBesideCorrectText() {
    #expect(repair.repaired("Café «РџСЂРёРІРµС‚»") == "Café «Привет»")
    #expect(repair.repaired("Η Ελλάδα: Ξ‘ΞΈΞ®Ξ½Ξ±…") == "Η Ελλάδα: Αθήνα…")
    #expect(repair.repaired("Kraków — ZaĹĽĂłĹ‚Ä‡ gÄ™Ĺ›lÄ…") == "Kraków — Zażółć gęślą")
    // One two-byte sequence beside punctuation is no evidence.
    #expect(repair.repaired("Ћирилично „Л“") == "Ћирилично „Л“")
  }

  /// Correct curly quotes around mojibake: the repair reads them as the ASCII quotes
  /// the default profile folds them to, so that it decides the same before and after
  /// folding (the output is a fixed point), and a closing quote that ends a two-byte
  /// sequence is still no evidence.
  @Test func curlyQuotesDecideAsTheirFoldedForm() {
    for text in ["“CafÃ©” ok", "\"CafÃ©\" ok"] {
      #expect(TextNormalizer().normalized(text) == "\"Café\" ok\n", "\(text)")
      #expect(NormalizerInvariantTests.check(Array(text.utf8), .default) == nil)
    }
    #expect(repair.repaired("„Л“") == "„Л“")
    // MacRoman reads all of "‚É£" (U+20E3); windows-1252 only by passing over "‚".
    #expect(repair.repaired("#‚É£ tecla") == "#\u{20E3} tecla")
  }

  /// Every line break the normalizer keeps or makes ends a line: a line of mojibake
  /// after one of correct Serbian is judged alone (as a word it would need more).
  @Test func everyLineBreakEndsALine() {
    let correct = "Сјеверна Америка и Јужна Америка, две Америке"
    for separator in ["\n", "\r", "\u{0B}", "\u{0C}", "\r\n", "\u{2028}", "\u{2029}"] {
      #expect(repair.repaired(correct + separator + "MÉ”n Algeria") == correct + separator + "Mɔn Algeria")
    }
    // Within a line, the same word beside correct Cyrillic is not enough.
    #expect(repair.repaired(correct + " MÉ”n Algeria") == correct + " MÉ”n Algeria")
  }

  /// The search skips runs of Cyrillic letters 16 bytes at a time: mojibake at every
  /// offset inside correct Russian text is still found.
  @Test func mojibakeAtEveryOffsetInCyrillic() throws {
    let broken = try Self.misread("Привет", as: "windows-1251")
    for offset in 0..<40 {
      let before = String(repeating: "ж", count: offset)
      let text = "Сегодня \(before) \(broken) и завтра тоже"
      #expect(repair.repaired(text) == "Сегодня \(before) Привет и завтра тоже", "offset \(offset)")
    }
  }

  @Test func defaultProfileRepairsMinimalDoesNot() {
    let text = "The cafÃ© isnâ€™t open â€” yet\n"
    #expect(TextNormalizer().normalized(text) == "The café isn't open — yet\n")
    #expect(TextNormalizer(profile: .minimal).normalized(text) == text)
    var options = NormalizationOptions.minimal
    options.repairsMojibake = true
    #expect(TextNormalizer(options).normalized(text) == "The café isn’t open — yet\n")
  }

  @Test func normalizerReportsRepairsAndEdits() {
    let text = "CafÃ© â€œnoirâ€\u{9D}"
    let result = TextNormalizer().normalize(text, recordingEdits: true)
    #expect(result.text == "Café \"noir\"\n")
    #expect(result.counts[.mojibake] == 3)
    #expect(result.repairs.map(\.replacement) == ["é", "“", "”"])
    #expect(result.applyingEdits(to: Array(text.utf8)) == result.utf8)
    #expect(result.edits?.filter { $0.reasons.contains(.mojibake) }.count == 3)
    #expect(NormalizerInvariantTests.check(Array(text.utf8), .default) == nil)
  }

  /// Normalizing can bring two characters together into mojibake (here by removing a
  /// DEL between them); the output is still a fixed point.
  @Test func mojibakeFormedByNormalizingIsRepairedToo() {
    let text = "CafÃ\u{7F}© ok"
    let result = TextNormalizer().normalize(text, recordingEdits: true)
    #expect(result.text == "Café ok\n")
    #expect(result.repairs.count == 1)
    #expect(result.applyingEdits(to: Array(text.utf8)) == result.utf8)
    #expect(NormalizerInvariantTests.check(Array(text.utf8), .default) == nil)
  }

  @Test func correctTextLooksSuspiciousButStays() {
    let texts = [
      "«СССР»", "ОАО «Газпром»", "SÃO PAULO", "À LA UNE", "N°5 et Nº 3", "Apple® Winnow™ ©2024", "25°C, ±0.5 µm",
      "¯\\_(ツ)_/¯", "(╯°□°)╯︵ ┻━┻", "Ã is A with a tilde", "ÉCOLE «CAFÉ»", "½ + ¼ = ¾", "£5 €10 ¥100",
    ]
    for text in texts {
      #expect(repair.repaired(text) == text)
    }
  }

  /// Random sentences made of accented, Cyrillic, Greek and CJK words, partly read as
  /// windows-1252: the repair gives each sentence back.
  @Test func randomPartlyBrokenSentences() throws {
    let words = [
      "café", "naïve", "über", "señor", "ação", "Zoë", "crème", "déjà", "don’t", "“quoted”", "—", "Привет",
      "мир", "Καλημέρα", "日本語", "😀", "straße", "Ærø", "coöperate", "plain", "words", "and", "more", "text",
    ]
    var random = SeededRandom(seed: 77)
    var failures: [String] = []
    for _ in 0..<500 {
      let sentence = (0..<(3 + Int(random.next() % 8))).map { _ in words[Int(random.next() % UInt64(words.count))] }
      var broken: [String] = []
      for word in sentence {
        broken.append(random.next() % 2 == 0 ? try Self.misread(word, as: "windows-1252") : word)
      }
      let original = sentence.joined(separator: " ")
      let repaired = repair.repaired(broken.joined(separator: " "))
      if repaired != original { failures.append("\(broken.joined(separator: " ")) -> \(repaired)") }
    }
    #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
  }

  @Test(.enabled(if: Fixtures.hasArticles, "needs ../shared/data/articles"))
  func sharedArticlesAreLeftAlone() {
    for article in Fixtures.articles {
      let fixes = repair.repair(String(decoding: article.bytes, as: UTF8.self)).fixes
      #expect(fixes.isEmpty, "\(article.name): \(fixes.map { "\($0.original) -> \($0.replacement)" })")
    }
  }
}

/// The table of `MojibakeCases.swift` (generated with Python's codecs by
/// Tests/Tools/mojibake_cases.py): every case repairs exactly, with its path, and
/// every negative comes through unchanged.
@Suite struct MojibakeTableTests {
  @Test func tableIsLargeEnough() {
    #expect(mojibakeCases.count >= 100)
    #expect(mojibakeNegatives.count >= 100)
    for kind in ["single", "double", "mixed", "lostA0", "lossy"] {
      #expect(mojibakeCases.contains { $0.kind == kind })
    }
  }

  @Test func everyCaseRepairs() {
    let repair = MojibakeRepair()
    var failures: [String] = []
    for item in mojibakeCases {
      let result = repair.repair(item.broken)
      if result.text != item.expected {
        failures.append("\(item.kind) \(item.path): \(item.broken.debugDescription) -> \(result.text.debugDescription)")
      } else if item.kind != "mixed" && item.kind != "lossy" && item.kind != "lostA0",
        let path = result.fixes.first?.encodings, path != item.path
      {
        failures.append("\(item.kind): \(item.broken.debugDescription) path \(path), expected \(item.path)")
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of \(mojibakeCases.count):\n\(failures.joined(separator: "\n"))")
  }

  @Test func everyNegativeStays() {
    let repair = MojibakeRepair()
    let plain = TextNormalizer(NormalizationOptions(repairsMojibake: false))
    let normalizer = TextNormalizer()
    var failures: [String] = []
    for text in mojibakeNegatives {
      let repaired = repair.repaired(text)
      if repaired != text || normalizer.normalized(text) != plain.normalized(text) {
        failures.append("\(text.debugDescription) -> \(repaired.debugDescription)")
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of \(mojibakeNegatives.count):\n\(failures.joined(separator: "\n"))")
  }

  /// With repair on, every case still meets the normalizer's invariants: edits that
  /// reproduce the output, and a fixed point.
  @Test(arguments: [NormalizationOptions.Profile.default, .comparison])
  func invariantsHold(_ profile: NormalizationOptions.Profile) {
    for text in mojibakeCases.map(\.broken) + mojibakeNegatives {
      if let failure = NormalizerInvariantTests.check(Array(text.utf8), profile) {
        Issue.record("\(text.debugDescription): \(failure)")
      }
    }
  }
}
