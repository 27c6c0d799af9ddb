import ArgumentParser
import Foundation
import Winnow

extension NormalizationOptions.Profile: ExpressibleByArgument {}
extension NormalizationOptions.UnicodeForm: ExpressibleByArgument {}
extension NormalizationOptions.QuoteFolding: ExpressibleByArgument {}

struct Normalize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Normalize text: Unicode form, line breaks, whitespace, quotes, controls, invisibles.",
    discussion: """
      Reads one file (or standard input when INPUT is omitted or '-') and writes the
      normalized text to standard output or --output. The input is never modified;
      --output is written atomically (a temporary file renamed into place).

      Examples:
        winnow normalize Examples/scraped-sample.txt
        winnow normalize --profile minimal --output clean.txt page.txt
        cat page.txt | winnow normalize --form nfkc --ascii-dashes --edits edits.tsv
      """
  )

  @Argument(help: "The file to normalize; '-' or nothing reads standard input.")
  var input: String?

  @Option(name: .shortAndLong, help: "Write the result here instead of standard output.")
  var output: String?

  @Option(help: "The profile to start from: default, minimal or comparison.")
  var profile: NormalizationOptions.Profile = .default

  @Option(help: "Unicode normalization form: none, nfc or nfkc (overrides the profile).")
  var form: NormalizationOptions.UnicodeForm?

  @Option(help: "Which quotation marks become ASCII: keep, latin or all (overrides the profile).")
  var quotes: NormalizationOptions.QuoteFolding?

  @Option(help: "Keep at most this many consecutive blank lines (overrides the profile).")
  var maxBlankLines: Int?

  @Flag(help: "Map dashes (hyphen, en and em dash, ...) to '-'.")
  var asciiDashes = false

  @Flag(help: "Map '…' to '...'.")
  var asciiEllipsis = false

  @Option(
    help: ArgumentHelp(
      "Write every edit to this file as tab-separated lines.",
      discussion: "Columns: input start, input end, output start, output end (UTF-8 byte offsets), reasons."))
  var edits: String?

  @Flag(name: .shortAndLong, help: "Print no summary on standard error.")
  var quiet = false

  func validate() throws {
    if let maxBlankLines, maxBlankLines < 0 {
      throw ValidationError("--max-blank-lines must be 0 or more.")
    }
  }

  func run() throws {
    var options = profile.options
    if let form { options.unicodeForm = form }
    if let quotes { options.quotes = quotes }
    if let maxBlankLines { options.maximumBlankLines = maxBlankLines }
    if asciiDashes { options.asciiDashes = true }
    if asciiEllipsis { options.asciiEllipsis = true }

    let name = input ?? "-"
    let bytes: Data
    do {
      bytes =
        try name == "-" ? FileHandle.standardInput.readToEnd() ?? Data() : Data(contentsOf: URL(fileURLWithPath: name))
    } catch {
      Diagnostics.error("cannot read \(name): \(Diagnostics.reason(error))")
      throw ExitCode(2)
    }

    let clock = ContinuousClock()
    let start = clock.now
    let normalizer = TextNormalizer(options)
    let result = bytes.withUnsafeBytes { raw in
      normalizer.normalize(utf8Buffer: raw.assumingMemoryBound(to: UInt8.self), recordingEdits: edits != nil)
    }
    let elapsed = clock.now - start

    do {
      try Output.write(result.utf8, to: output)
      if let edits, let list = result.edits {
        var lines = ""
        for edit in list {
          lines +=
            "\(edit.input.lowerBound)\t\(edit.input.upperBound)\t\(edit.output.lowerBound)\t\(edit.output.upperBound)\t\(edit.reasons)\n"
        }
        try Output.write(Array(lines.utf8), to: edits)
      }
    } catch {
      Diagnostics.error("cannot write: \(Diagnostics.reason(error))")
      throw ExitCode.failure
    }

    if !quiet {
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      let rate = seconds > 0 ? Double(bytes.count) / seconds / 1e6 : 0
      let kinds = result.counts.byName.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
      Diagnostics.note(
        "\(name): \(bytes.count) bytes in, \(result.utf8.count) out; "
          + "\(result.replacedInvalidSequences) invalid sequences replaced; "
          + "changes: \(kinds.isEmpty ? "none" : kinds); "
          + String(format: "%.1f MB/s", rate))
    }
  }
}
