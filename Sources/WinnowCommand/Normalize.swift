import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

struct Normalize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Normalize text: Unicode form, line breaks, whitespace, quotes, controls, invisibles.",
    discussion: """
      Reads files, folders and standard input as 'winnow clean' does (see 'winnow clean --help' for inputs, outputs, threads and exit status) and writes the normalized text. Inputs are never modified; files are written under a temporary name and renamed when complete.

      A text file of 8 MB or more written to one output without --explain is normalized as it is read, a megabyte at a time, with the output of normalizing it whole, when it is all well-formed UTF-8 without a byte order mark or U+0085 (a first read checks); otherwise it is read whole.

      Examples (from the repository root):
        winnow normalize Examples/Corpus/scraped-sample.txt
        winnow normalize --profile minimal Examples/Corpus/scraped-sample.txt
        cat Examples/Corpus/scraped-sample.txt | winnow normalize --edits /tmp/e.tsv
      """
  )

  @OptionGroup var corpus: CorpusFlags

  @OptionGroup var normalization: NormalizationFlags

  @Option(
    help: ArgumentHelp(
      "Write every edit of a single text document to this file as tab-separated lines.",
      discussion: "Columns: input start, input end, output start, output end (UTF-8 byte offsets), reasons."))
  var edits: String?

  @Option(help: "Write one JSON line per document with its normalization changes by kind.")
  var explain: String?

  func validate() throws {
    if edits != nil && (corpus.inputs.count > 1 || corpus.format == .jsonl || corpus.outputDir != nil) {
      throw ValidationError("--edits takes a single text document; use --explain for many.")
    }
  }

  func run() throws {
    let normalizer = TextNormalizer(normalization.options)
    guard let edits else {
      let explaining = explain != nil
      let cleaner = DocumentCleaner(normalization: normalization.options, repeats: nil, deduplication: nil)
      let work: DocumentWork = { input, source in
        DocumentResult(
          cleaner.clean(input, kind: source.kind), input: input, explaining: explaining ? .normalization : nil)
      }
      let run = CorpusRun(flags: corpus, outputsDocuments: true, explain: explain)
      run.streamingNormalizer = cleaner.onlyNormalizer
      let status = try run.run(work)
      if status != 0 { throw ExitCode(status) }
      return
    }
    let (name, bytes) = try Input.read(corpus.inputs.first)
    try CorpusRun.refuseOverwriting(corpus.inputs, with: [corpus.output ?? "-", edits])
    let start = ContinuousClock.now
    let result = normalizer.normalize(utf8: bytes, recordingEdits: true)
    let elapsed = seconds(since: start)

    var lines = ""
    for edit in result.edits ?? [] {
      lines += "\(edit.input.lowerBound)\t\(edit.input.upperBound)\t"
      lines += "\(edit.output.lowerBound)\t\(edit.output.upperBound)\t\(edit.reasons)\n"
    }
    do throws(OutputFile.Failure) {
      try OutputFile.write(result.utf8, to: corpus.output)
      try OutputFile.write(Array(lines.utf8), to: edits)
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }

    if !corpus.quiet {
      let kinds = result.counts.byName.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
      Diagnostics.note(
        "\(name): \(bytes.count) bytes in, \(result.utf8.count) out; "
          + "\(result.replacedInvalidSequences) invalid sequences replaced; "
          + "changes: \(kinds.isEmpty ? "none" : kinds); \(rate(bytes.count, elapsed))")
    }
  }
}
