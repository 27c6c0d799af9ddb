import ArgumentParser
import Foundation
import Winnow

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

  @OptionGroup var normalization: NormalizationFlags

  @Option(
    help: ArgumentHelp(
      "Write every edit to this file as tab-separated lines.",
      discussion: "Columns: input start, input end, output start, output end (UTF-8 byte offsets), reasons."))
  var edits: String?

  @Flag(name: .shortAndLong, help: "Print no summary on standard error.")
  var quiet = false

  func run() throws {
    let (name, bytes) = try Input.read(input)
    let start = ContinuousClock.now
    let result = TextNormalizer(normalization.options).normalize(utf8: bytes, recordingEdits: edits != nil)
    let elapsed = seconds(since: start)

    do {
      try Output.write(result.utf8, to: output)
      if let edits, let list = result.edits {
        var lines = ""
        for edit in list {
          lines += "\(edit.input.lowerBound)\t\(edit.input.upperBound)\t"
          lines += "\(edit.output.lowerBound)\t\(edit.output.upperBound)\t\(edit.reasons)\n"
        }
        try Output.write(Array(lines.utf8), to: edits)
      }
    } catch {
      Diagnostics.error("cannot write: \(Diagnostics.reason(error))")
      throw ExitCode.failure
    }

    if !quiet {
      let kinds = result.counts.byName.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
      Diagnostics.note(
        "\(name): \(bytes.count) bytes in, \(result.utf8.count) out; "
          + "\(result.replacedInvalidSequences) invalid sequences replaced; "
          + "changes: \(kinds.isEmpty ? "none" : kinds); \(rate(bytes.count, elapsed))")
    }
  }
}
