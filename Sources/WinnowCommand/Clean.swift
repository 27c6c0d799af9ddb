import ArgumentParser
import Foundation
import Winnow

struct Clean: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Normalize documents, remove blocks repeated inside each, then what repeats earlier documents; keep first copies.",
    discussion: """
      Reads files, folders (recursively, following links) and standard input. Each input is told by its first bytes: gzip, zstd, bzip2 and xz are decompressed whatever the name; WARC and WET files are read record by record; JSON Lines are recognized by their first lines (or by --format jsonl, .jsonl, .ndjson), their text in --field, every other member passed through unchanged; anything else is one text document. Binary files are refused with what they look like. \
      Documents are processed in parallel on --threads threads; the output is the same for any thread count.

      Output goes to standard output, --output (one stream) or --output-dir (one file per input), compressed when its name ends in .gz, .zst, .bz2 or .xz. A file is written under a temporary name and renamed when complete; a device, FIFO or /dev/stdout is written to directly. A malformed JSON line is reported as FILE:LINE:COLUMN and skipped (--strict stops instead). Exit status: 0 success, 1 failure, 2 some inputs could not be read or parsed, 64 usage error, 130 and 143 interrupted.

      Across documents (see 'winnow dedup --help'), in input order: a document whose comparison form equals an earlier one's, or all of which an earlier one holds except for scattered edits (similarity at least --near-threshold, no run of more than --near-max-new-tokens tokens missing), is dropped; a paragraph of at least --min-paragraph-words words seen in an earlier document is removed. --no-dedup switches this off.

      --explain writes one JSON line per document: its id (the JSON Lines --id-field member, else the line number or the file path), every removed span with UTF-8 byte offsets into the original text and the span it repeats, normalization changes by kind, and what deduplication did: "duplicateOf" (the kept document's id, "exact" or "near", the similarity, the share it covers, the longest run it lacks) or "removedParagraphs" (span, kept document's id, text), and "nearCandidate" when a similar kept document lacks a run of its text.

      Examples (from the repository root):
        winnow clean Examples/duplicated-body.txt
        winnow clean Examples/pages.jsonl -o /tmp/c.jsonl.zst --explain /tmp/e.jsonl
        winnow clean Examples --output-dir /tmp/cleaned --min-tokens 20
        winnow clean Examples --output-format jsonl -o /tmp/examples.jsonl.gz
        cat Examples/scraped-sample.txt | winnow clean --no-normalize
      """
  )

  @OptionGroup var corpus: CorpusFlags

  @Flag(help: "Skip normalization.")
  var noNormalize = false

  @Flag(help: "Skip repeated-block removal.")
  var noRepeats = false

  @Flag(help: "Skip deduplication across documents.")
  var noDedup = false

  @OptionGroup var normalization: NormalizationFlags
  @OptionGroup var repeats: RepeatFlags
  @OptionGroup var dedup: DedupFlags

  @Option(help: "Write one JSON line per document describing its removals and normalization changes.")
  var explain: String?

  func run() throws {
    let normalizers = noNormalize ? nil : normalization.normalizers
    let finder = noRepeats ? nil : repeats.finder
    let explaining = explain != nil
    let deduplication = noDedup ? nil : dedup.options
    let fingerprinter = deduplication.map { CorpusDeduplicator($0) }
    let boilerplate = try dedup.findBoilerplate(corpus)
    let work: DocumentWork = { input, source in
      var text = input
      var counts = EditCounts()
      var normalized: NormalizedText?
      if let normalizer = normalizers?.for(source) {
        let result = normalizer.normalize(utf8: input, recordingEdits: explaining)
        counts = result.counts
        text = result.utf8
        normalized = result
      } else {
        (text, counts[.invalidUTF8]) = repairingUTF8(input)
      }
      var removal = RepeatRemoval(utf8: text, removed: [])
      var fingerprint: DocumentFingerprint?
      switch (finder, fingerprinter) {
      case (let finder?, let fingerprinter?):
        (removal, fingerprint) = fingerprinter.removingRepeats(utf8: text, with: finder)
      case (let finder?, nil): removal = finder.removingRepeats(utf8: text)
      case (nil, let fingerprinter?): fingerprint = fingerprinter.fingerprint(utf8: text)
      case (nil, nil): break
      }
      // Offsets of the text after repeats back to the original input.
      func original(_ range: Range<Int>) -> Range<Int> {
        let beforeRepeats = removal.inputRange(of: range)
        guard let normalized else { return beforeRepeats }
        return normalized.inputOffset(
          forOutputOffset: beforeRepeats.lowerBound)..<normalized.inputOffset(forOutputOffset: beforeRepeats.upperBound)
      }
      var output = removal.utf8
      var lines: [BoilerplateSet.RemovedLine] = []
      if let boilerplate {
        (output, lines) = boilerplate.removing(from: output)
        if !lines.isEmpty { fingerprint = fingerprinter?.fingerprint(utf8: output) }
      }
      var result = DocumentResult(output: output, counts: counts, repeatsRemoved: removal.removed.count)
      result.boilerplateRemoved = lines.count
      if explaining {
        result.explanation = explanation(of: removal, in: text, normalized: normalized, counts: counts)
        if boilerplate != nil { result.explanation! += "," + boilerplateMembers(lines, original: original) }
      }
      if let fingerprint {
        result.fingerprint = fingerprint
        if explaining {
          // Where each paragraph that may be removed was in the original text.
          let cuts = lines.map(\.utf8)
          result.paragraphOrigins = fingerprint.removableParagraphs.map { range in
            original(offsetBeforeCuts(range.lowerBound, cuts)..<offsetBeforeCuts(range.upperBound, cuts))
          }
        }
      }
      return result
    }
    let run = CorpusRun(
      flags: corpus, outputsDocuments: true, explain: explain, deduplicator: noDedup ? nil : try dedup.deduplicator())
    run.indexMemoryLimit = dedup.maxIndexMemory.map { $0 * 1_000_000 }
    run.otherOutputs = dedup.index.map { [$0] } ?? []
    run.removesBoilerplate = boilerplate != nil
    run.reportsRepeats = finder != nil
    let status = try run.run(work)
    // The index remembers what was written: not after a failure, nor after --strict
    // stopped a run (whose outputs were abandoned).
    if status == 0 || (status == 2 && !corpus.strict) { try dedup.save(run.deduplicator) }
    if status != 0 { throw ExitCode(status) }
  }
}

/// An offset of a text from which the sorted, disjoint `cuts` were removed, mapped
/// back to the text before.
func offsetBeforeCuts(_ offset: Int, _ cuts: [Range<Int>]) -> Int {
  var before = offset
  for cut in cuts {
    guard cut.lowerBound <= before else { break }
    before += cut.count
  }
  return before
}

/// The `--explain` member for removed boilerplate lines: spans in the original text
/// (through `original`) and how many documents hold each line.
func boilerplateMembers(_ lines: [BoilerplateSet.RemovedLine], original: (Range<Int>) -> Range<Int>) -> String {
  let spans = lines.map { line in
    let span = original(line.utf8)
    return "{\"span\":[\(span.lowerBound),\(span.upperBound)],\"documents\":\(line.documents)}"
  }
  return "\"boilerplate\":[\(spans.joined(separator: ","))]"
}

/// `bytes` with invalid UTF-8 replaced by U+FFFD, and the number of replacements.
func repairingUTF8(_ bytes: [UInt8]) -> ([UInt8], Int) {
  // Valid text, the common case, is checked by the standard library's validator.
  if String(validating: bytes, as: UTF8.self) != nil { return (bytes, 0) }
  var replaced = 0
  var output: [UInt8] = []
  var iterator = bytes.makeIterator()
  var decoder = UTF8()
  var valid = true
  loop: while true {
    switch decoder.decode(&iterator) {
    case .scalarValue: continue
    case .emptyInput: break loop
    case .error:
      valid = false
      break loop
    }
  }
  guard !valid else { return (bytes, 0) }
  iterator = bytes.makeIterator()
  decoder = UTF8()
  output.reserveCapacity(bytes.count + 16)
  loop: while true {
    switch decoder.decode(&iterator) {
    case .scalarValue(let scalar): output.append(contentsOf: UTF8.encode(scalar)!)
    case .emptyInput: break loop
    case .error:
      replaced += 1
      output.append(contentsOf: [0xEF, 0xBF, 0xBD])
    }
  }
  return (output, replaced)
}

/// The `--explain` members of one document: removed spans with offsets into the
/// original text (mapped back through normalization), and counts of changes by kind.
func explanation(of removal: RepeatRemoval, in text: [UInt8], normalized: NormalizedText?, counts: EditCounts)
  -> String
{
  func original(_ range: Range<Int>) -> String {
    guard let normalized else { return "\(range.lowerBound),\(range.upperBound)" }
    return
      "\(normalized.inputOffset(forOutputOffset: range.lowerBound)),\(normalized.inputOffset(forOutputOffset: range.upperBound))"
  }
  var spans: [String] = []
  for span in removal.removed {
    let removedText = String(decoding: removal.text(of: span.utf8, in: text, for: span), as: UTF8.self)
    var line = "{\"span\":[\(original(span.utf8))],\"repeats\":[\(original(span.repeats))]"
    line += ",\"tokens\":\(span.tokenCount),\"similarity\":\(span.similarity)"
    line += ",\"paragraphs\":\(span.isParagraphBlock),\"pass\":\(span.pass)"
    line += ",\"text\":\(CorpusRun.quoted(removedText))}"
    spans.append(line)
  }
  let kinds = counts.byName.map { "\(CorpusRun.quoted($0.name)):\($0.count)" }.joined(separator: ",")
  var members = "\"removed\":[\(spans.joined(separator: ","))],\"normalization\":{\(kinds)}"
  if let normalized, !normalized.repairs.isEmpty { members += "," + mojibakeMember(normalized.repairs) }
  return members
}

/// The `--explain` member for mojibake repairs: each span in the original text, what
/// it was and became, the encodings it went through and the score.
func mojibakeMember(_ repairs: [MojibakeRepair.Fix]) -> String {
  let fixes = repairs.map { fix in
    let encodings = fix.encodings.map(CorpusRun.quoted).joined(separator: ",")
    return "{\"span\":[\(fix.input.lowerBound),\(fix.input.upperBound)],\"original\":\(CorpusRun.quoted(fix.original))"
      + ",\"replacement\":\(CorpusRun.quoted(fix.replacement)),\"encodings\":[\(encodings)],\"score\":\(fix.score)}"
  }
  return "\"mojibake\":[\(fixes.joined(separator: ","))]"
}
