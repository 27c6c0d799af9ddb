import ArgumentParser
import Foundation
import Winnow

struct ExplainText: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain-text",
    abstract: "Show a short text character by character: code point, name, category, and what normalizing does.",
    discussion: """
      For debugging a corpus: which invisible character, which kind of quotation mark or space, which control a line holds, and what the normalizer makes of it in context. Each line shows the UTF-8 byte offset, the code point, the character (escaped when it does not print), its Unicode name and general category, and the change (the replacement and its reasons) or "kept". Invalid UTF-8 bytes are shown as such. At most --limit characters are shown.

      Examples (from the repository root):
        winnow explain-text $'Caf\\u00e9\\u00a0\\u201cok\\u201d\\u200b'
        winnow explain-text --file Examples/Corpus/scraped-sample.txt --limit 200
        winnow explain-text --file Examples/Corpus/scraped-sample.txt --encoding auto
        printf 'a\\r\\nb' | winnow explain-text --profile minimal
      """
  )

  @Argument(help: "The text; without it, --file or standard input is read.")
  var text: String?

  @Option(help: "Read the text from this file.")
  var file: String?

  @Option(
    help: "Convert --file or standard input from this encoding first (auto: detect); default: show the bytes as UTF-8.")
  var encoding: String?

  @Option(help: "Show at most this many characters.")
  var limit: Int = 2000

  @OptionGroup var normalization: NormalizationFlags

  func validate() throws {
    guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
    guard text == nil || file == nil else { throw ValidationError("give the text or --file, not both.") }
    if let encoding, encoding != "auto", !TextEncoding.isAvailable(encoding) {
      throw ValidationError("unknown encoding \(encoding): ICU has no converter by that name.")
    }
  }

  func run() throws {
    var bytes: [UInt8]
    if let text {
      bytes = Array(text.utf8)
    } else {
      (_, bytes) = try Input.read(file)
      if let encoding {
        do {
          bytes = try TextEncoding.decode(bytes, from: encoding == "auto" ? nil : encoding).utf8
        } catch {
          Diagnostics.error("\(file ?? "standard input"): \(error)")
          throw ExitCode.failure
        }
      }
    }
    let result = TextNormalizer(normalization.options).normalize(utf8: bytes, recordingEdits: true)
    let edits = result.edits ?? []
    var lines = ""
    var offset = 0
    var shown = 0
    var editIndex = 0
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    loop: while shown < limit {
      let start = offset
      let description: String
      switch decoder.decode(&iterator) {
      case .emptyInput: break loop
      case .scalarValue(let scalar):
        offset += UTF8.width(scalar)
        let name = scalar.properties.nameAlias ?? scalar.properties.name ?? "(no name)"
        description =
          "U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))  \(Self.visible(scalar))  \(name)  \(Self.category(scalar))"
      case .error:
        // The decoder consumed the maximal invalid subpart; count its bytes.
        offset += 1
        while offset < bytes.count && bytes[offset] & 0xC0 == 0x80 && offset - start < 3 { offset += 1 }
        description = "invalid UTF-8 \(bytes[start..<offset].map { String(format: "%02X", $0) }.joined(separator: " "))"
      }
      while editIndex < edits.count && edits[editIndex].input.upperBound <= start { editIndex += 1 }
      var change = "kept"
      if editIndex < edits.count, edits[editIndex].input.lowerBound < offset {
        let edit = edits[editIndex]
        if edit.input.lowerBound >= start {
          let replacement = String(decoding: result.utf8[edit.output], as: UTF8.self)
          change = "→ \(Self.quoted(replacement)) (\(edit.reasons))"
        } else {
          change = "↑ (same change)"
        }
      }
      lines += "\(String(start).leftPadded(to: 6, with: " "))  \(description)  \(change)\n"
      shown += 1
    }
    if offset < bytes.count { lines += "... \(bytes.count - offset) more bytes not shown (--limit)\n" }
    lines += "normalized: \(Self.quoted(String(decoding: result.utf8, as: UTF8.self)))\n"
    do throws(OutputFile.Failure) {
      try OutputFile.write(Array(lines.utf8), to: nil)
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }
  }

  /// The character itself when it prints, else an escape.
  static func visible(_ scalar: Unicode.Scalar) -> String {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .nonspacingMark, .enclosingMark,
      .unassigned, .surrogate, .privateUse:
      return scalar.escaped(asASCII: true)
    default:
      return String(scalar)
    }
  }

  static func category(_ scalar: Unicode.Scalar) -> String { "\(scalar.properties.generalCategory)" }

  static func quoted(_ text: String) -> String {
    "\""
      + text.unicodeScalars.map { scalar in
        visible(scalar) == String(scalar) && scalar != "\"" && scalar != "\\"
          ? String(scalar) : scalar.escaped(asASCII: true)
      }.joined() + "\""
  }
}

extension String {
  fileprivate func leftPadded(to width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
