import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

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
        winnow clean Examples/Corpus/duplicated-body.txt
        winnow clean Examples/Corpus/pages.jsonl -o /tmp/c.jsonl.zst --explain /tmp/e
        winnow clean Examples/Corpus --output-dir /tmp/cleaned --min-tokens 20
        winnow clean Examples/Corpus --output-format jsonl -o /tmp/examples.jsonl.gz
        cat Examples/Corpus/scraped-sample.txt | winnow clean --no-normalize
      """
  )

  @OptionGroup var corpus: CorpusFlags
  @OptionGroup var cleaning: CleaningFlags

  @Flag(help: "Skip deduplication across documents.")
  var noDedup = false

  @OptionGroup var normalization: NormalizationFlags
  @OptionGroup var repeats: RepeatFlags
  @OptionGroup var dedup: DedupFlags

  @Option(help: "Write one JSON line per document describing its removals and normalization changes.")
  var explain: String?

  func run() throws {
    let cleaner = cleaning.cleaner(normalization, repeats, deduplication: noDedup ? nil : dedup.options)
    try dedup.run(corpus, cleaning: cleaner, explain: explain, members: [.removed, .normalization])
  }
}

/// The steps of `clean` that work inside each document: shared by the commands that
/// clean (clean, fingerprint, apply).
struct CleaningFlags: ParsableArguments {
  @Flag(help: "Skip normalization.")
  var noNormalize = false

  @Flag(help: "Skip repeated-block removal.")
  var noRepeats = false

  /// The cleaner these flags, `normalization` and `repeats` describe.
  func cleaner(
    _ normalization: NormalizationFlags, _ repeats: RepeatFlags, deduplication: CorpusDeduplicator.Options?
  ) -> DocumentCleaner {
    DocumentCleaner(
      normalization: noNormalize ? nil : normalization.options, repeats: noRepeats ? nil : repeats.options,
      deduplication: deduplication)
  }
}

extension DedupFlags {
  /// Cleans the corpus with `cleaner` and deduplicates it (when the cleaner
  /// fingerprints), with --boilerplate and --index: the run of `clean` and `dedup`.
  func run(
    _ corpus: CorpusFlags, cleaning counting: DocumentCleaner, explain: String?, members: ExplainMembers,
    distributed: DistributedStep = .none
  ) throws {
    var boilerplate = try findBoilerplate(corpus, counting: counting)
    if let lines = distributed.boilerplateLines { boilerplate = try BoilerplateFile.read(lines) }
    let cleaner = counting.with(boilerplate: boilerplate)
    let members = explain == nil ? nil : boilerplate == nil ? members : members.union(.boilerplate)
    let work: DocumentWork = { input, source in
      DocumentResult(
        cleaner.clean(input, kind: source.kind, explaining: members != nil), input: input, explaining: members)
    }
    let deduplicating = counting.deduplication != nil
    let run = CorpusRun(
      flags: corpus, outputsDocuments: true, explain: explain,
      deduplicator: deduplicating && !distributed.writesFingerprints ? try deduplicator() : nil)
    run.indexMemoryLimit = maxIndexMemory.map { $0 * 1_000_000 }
    run.otherOutputs = index.map { [$0] } ?? []
    run.removesBoilerplate = boilerplate != nil
    run.reportsRepeats = counting.repeats != nil
    run.writesFingerprints = distributed.writesFingerprints
    if let decisions = distributed.decisions {
      run.useDecisions { ordinal, entry in
        let record = decisions[ordinal] ?? DecisionRecord(inputNumber: ordinal)
        return record.decision(for: entry.fingerprint)
      }
    }
    let status = try run.run(work)
    // The index remembers what was written: not after a failure, nor after --strict
    // stopped a run (whose outputs were abandoned).
    if status == 0 || (status == 2 && !corpus.strict) { try save(run.deduplicator) }
    if status != 0 { throw ExitCode(status) }
  }
}
