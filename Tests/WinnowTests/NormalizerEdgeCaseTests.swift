import Testing
import Winnow

@Suite struct NormalizerEdgeCaseTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var input: String
    var expected: String
    var profile: NormalizationOptions.Profile = .default
    var testDescription: String { "\(profile): \(input.debugDescription)" }
  }

  static let defaultCases: [Case] = [
    Case(input: "", expected: ""),
    Case(input: "plain text", expected: "plain text\n"),
    Case(input: "plain text\n", expected: "plain text\n"),
    Case(input: "a\r\nb\rc\u{2028}d\u{2029}e", expected: "a\nb\nc\nd\ne\n"),
    Case(input: "one\rtwo", expected: "one\ntwo\n"),
    Case(input: "  leading and trailing  \n", expected: "leading and trailing\n"),
    Case(input: "a  b\t\tc\u{00A0}d\u{3000}e", expected: "a b c d e\n"),
    Case(input: "\n\n\na\n\n\n\nb\n\n\n", expected: "a\n\nb\n"),
    Case(input: "a \n \n b", expected: "a\n\nb\n"),
    Case(input: "\u{201C}quoted\u{201D} and \u{2018}single\u{2019}", expected: "\"quoted\" and 'single'\n"),
    Case(
      input: "\u{00AB}guillemets\u{00BB} \u{300C}corner\u{300D}",
      expected: "\u{00AB}guillemets\u{00BB} \u{300C}corner\u{300D}\n"),
    Case(input: "soft\u{00AD}hyphen zero\u{200B}width", expected: "softhyphen zerowidth\n"),
    Case(input: "\u{FEFF}bom", expected: "bom\n"),
    Case(input: "nul\u{0000}bell\u{0007}del\u{007F}", expected: "nulbelldel\n"),
    Case(input: "\u{0093}smart\u{0094} \u{0080}5 a\u{0096}b", expected: "\"smart\" \u{20AC}5 a\u{2013}b\n"),
    Case(input: "x\u{0081}y", expected: "xy\n"),
    Case(input: "cafe\u{0301}", expected: "caf\u{00E9}\n"),
    Case(input: "e\u{200B}\u{0301}", expected: "\u{00E9}\n"),
    Case(
      input: "family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
      expected: "family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\n"),
    Case(input: "\u{0915}\u{094D}\u{200D}\u{0937}", expected: "\u{0915}\u{094D}\u{200D}\u{0937}\n"),
    Case(
      input: "\u{2764}\u{FE0F} flag \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
      expected: "\u{2764}\u{FE0F} flag \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}\n"),
    Case(
      input: "\u{05E9}\u{05DC}\u{05D5}\u{05DD} \u{200F}rtl", expected: "\u{05E9}\u{05DC}\u{05D5}\u{05DD} \u{200F}rtl\n"),
    Case(input: "\u{212B}ngstr\u{00F6}m", expected: "\u{00C5}ngstr\u{00F6}m\n"),
    Case(input: "Wait\u{0085} what", expected: "Wait\u{2026} what\n"),
    Case(input: "line one\u{0085}line two", expected: "line one\nline two\n"),
    Case(input: "page\u{000C}break", expected: "page\nbreak\n"),
    Case(input: "\u{1100}\u{1161}\u{11A8}", expected: "\u{AC01}\n"),
    Case(input: "a\u{0591}\u{200B}\u{05B0}", expected: "a\u{05B0}\u{0591}\n"),
    Case(input: "x\u{0316}\u{05B0} q\u{0483}\u{0591}", expected: "x\u{05B0}\u{0316} q\u{0591}\u{0483}\n"),
    Case(input: "\u{FB01}ne \u{2460}", expected: "\u{FB01}ne \u{2460}\n"),
    Case(input: "\u{FB01}ne", expected: "fine\n", profile: .comparison),
    Case(
      input: "Hello, World! \u{201C}Don\u{2019}t\u{201D} \u{2014} ok", expected: "hello world dont ok\n",
      profile: .comparison),
    Case(input: "STRASSE Stra\u{00DF}e", expected: "strasse strasse\n", profile: .comparison),
    Case(input: "  keep  spaces \t\r\n\r\n\r\n", expected: "  keep  spaces \t\n\n\n", profile: .minimal),
    Case(input: "cafe\u{0301}\u{200B}", expected: "caf\u{00E9}\u{200B}", profile: .minimal),
  ]

  @Test(arguments: defaultCases)
  func normalizesAsDocumented(_ example: Case) {
    let normalizer = TextNormalizer(profile: example.profile)
    let result = normalizer.normalize(example.input, recordingEdits: true)
    #expect(result.text == example.expected)
    #expect(normalizer.normalized(example.input) == example.expected)
    #expect(result.applyingEdits(to: Array(example.input.utf8)) == result.utf8)
    #expect(normalizer.normalized(result.text) == result.text, "idempotent")
  }

  @Test func invalidUTF8BecomesReplacementCharacters() {
    let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xED, 0xA0, 0x80, 0x63, 0xE2, 0x82, 0x64, 0xC0, 0xAF]
    let result = TextNormalizer().normalize(utf8: bytes, recordingEdits: true)
    #expect(result.text == "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}c\u{FFFD}d\u{FFFD}\u{FFFD}\n")
    #expect(result.replacedInvalidSequences == 7)
    #expect(result.applyingEdits(to: bytes) == result.utf8)
  }
}

@Suite struct OffsetMappingTests {
  @Test func outputOffsetsMapBackToTheInput() {
    let input = "x \u{201C}caf\u{0065}\u{0301}\u{201D}\u{00A0}\u{00A0}z"
    let result = TextNormalizer().normalize(input, recordingEdits: true)
    #expect(result.text == "x \"caf\u{00E9}\" z\n")
    let inputBytes = Array(input.utf8)
    let outputBytes = result.utf8
    // Every output byte that was copied maps to an identical input byte.
    var copied = Set(0..<outputBytes.count)
    for edit in result.edits! { copied.subtract(edit.output) }
    for offset in copied {
      #expect(inputBytes[result.inputOffset(forOutputOffset: offset)] == outputBytes[offset])
    }
    // The 'z' and the quotes map to where they were.
    let z = outputBytes.firstIndex(of: UInt8(ascii: "z"))!
    #expect(result.inputOffset(forOutputOffset: z) == inputBytes.firstIndex(of: UInt8(ascii: "z"))!)
    #expect(result.inputOffset(forOutputOffset: 2) == 2)  // the opening quote starts an edit
    #expect(result.inputOffset(forOutputOffset: 0) == 0)
    // The added final LF comes from the end of the input.
    #expect(result.inputOffset(forOutputOffset: outputBytes.count) == inputBytes.count)
  }
}

/// Cases found in review: each failed before its fix.
@Suite struct NormalizerRegressionTests {
  @Test func hugeBlankLineLimitDoesNotOverflow() {
    var options = NormalizationOptions.default
    options.maximumBlankLines = .max
    #expect(TextNormalizer(options).normalized("a\n\n\n\nb") == "a\n\n\n\nb\n")
  }

  @Test func compatibilityMappingToASpaceAddsNoDoubleSpace() {
    var options = NormalizationOptions.default
    options.unicodeForm = .nfkc
    let normalizer = TextNormalizer(options)
    for input in ["a \u{00B4}b", "word  \u{00B4}x", "a \u{00A8}\u{00A8} b"] {
      let once = normalizer.normalize(input, recordingEdits: true)
      #expect(normalizer.normalized(once.text) == once.text, "\(input.debugDescription)")
      #expect(once.applyingEdits(to: Array(input.utf8)) == once.utf8)
    }
  }

  @Test func nextLineDecidedByTheCharacterThatIsKept() {
    var options = NormalizationOptions.default
    options.mapsC1Controls = false
    let normalizer = TextNormalizer(options)
    for input in ["a\u{85}\u{200B}b", "x\u{85}\u{00AD}y"] {
      let once = normalizer.normalized(input)
      #expect(normalizer.normalized(once) == once, "\(input.debugDescription)")
    }
  }

  @Test func foldingThatGivesBackTheSameTextIsNoChange() {
    let comparison = TextNormalizer(profile: .comparison)
    let once = comparison.normalized("\u{0390}\u{0316}")
    let again = comparison.normalize(once, recordingEdits: true)
    #expect(again.isUnchanged)
    #expect(again.edits == [])
  }

  @Test func foldingWithoutAUnicodeFormDoesNotCompose() {
    var options = NormalizationOptions.comparison
    options.unicodeForm = .none
    let normalizer = TextNormalizer(options)
    #expect(normalizer.normalized("e\u{301}") == "e\u{301}\n")
    #expect(normalizer.normalized("E\u{301}") == "e\u{301}\n")
  }

  @Test func mappedC1ControlCountsOnlyItsOwnChange() {
    var options = NormalizationOptions.default
    options.unicodeForm = .nfkc
    let result = TextNormalizer(options).normalize("a\n\u{99}", recordingEdits: true)
    #expect(result.text == "a\nTM\n")
    #expect(result.counts[.whitespace] == 0)
    #expect(result.counts[.c1Mapping] == 1)
  }
}
