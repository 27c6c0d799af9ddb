import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

extension NormalizationOptions.Profile: ExpressibleByArgument {}
extension NormalizationOptions.UnicodeForm: ExpressibleByArgument {}
extension NormalizationOptions.QuoteFolding: ExpressibleByArgument {}

/// An option that is on or off.
enum Switch: String, ExpressibleByArgument, CaseIterable {
  case on, off
}

/// Options that choose and adjust the normalization profile.
struct NormalizationFlags: ParsableArguments {
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

  @Option(help: "Repair mojibake (UTF-8 read as windows-1252 and the like): on or off (overrides the profile).")
  var mojibake: Switch?

  @Option(help: "The least score a mojibake repair needs; higher is more cautious.")
  var mojibakeMinScore: Int = NormalizationOptions.default.mojibakeMinimumScore

  func validate() throws {
    if let maxBlankLines, maxBlankLines < 0 {
      throw ValidationError("--max-blank-lines must be 0 or more.")
    }
    if mojibakeMinScore < 1 {
      throw ValidationError("--mojibake-min-score must be 1 or more.")
    }
  }

  var options: NormalizationOptions {
    var options = profile.options
    if let form { options.unicodeForm = form }
    if let quotes { options.quotes = quotes }
    if let maxBlankLines { options.maximumBlankLines = maxBlankLines }
    if asciiDashes { options.asciiDashes = true }
    if asciiEllipsis { options.asciiEllipsis = true }
    if let mojibake { options.repairsMojibake = mojibake == .on }
    options.mojibakeMinimumScore = mojibakeMinScore
    return options
  }
}

/// Options of the repeated-block finder.
struct RepeatFlags: ParsableArguments {
  @Option(help: "Repeats shorter than this many tokens (words) are kept.")
  var minTokens: Int = RepeatFinder.Options().minimumTokens

  @Option(help: "Tokens hashed together for winnowing (k).")
  var shingle: Int = RepeatFinder.Options().shingleSize

  @Option(help: "Smallest similarity (0-1) for a paragraph to count as a near repeat.")
  var similarity: Double = RepeatFinder.Options().similarityThreshold

  @Flag(help: "Treat groups of lines separated by blank lines as paragraphs (default: every line).")
  var blankLineParagraphs = false

  func validate() throws {
    guard minTokens >= 1 else { throw ValidationError("--min-tokens must be at least 1.") }
    guard shingle >= 1, shingle <= minTokens else {
      throw ValidationError("--shingle must be between 1 and --min-tokens.")
    }
    guard (0...1).contains(similarity) else { throw ValidationError("--similarity must be between 0 and 1.") }
  }

  var options: RepeatFinder.Options {
    RepeatFinder.Options(
      minimumTokens: minTokens, shingleSize: shingle, similarityThreshold: similarity,
      blankLineSeparatedParagraphs: blankLineParagraphs)
  }
}

/// Reading one document.
enum Input {
  /// The bytes of `path`, or of standard input for nil or "-". Exits with status 2
  /// and a message when the input cannot be read.
  static func read(_ path: String?) throws -> (name: String, bytes: [UInt8]) {
    let name = path ?? "-"
    do {
      let data =
        name == "-"
        ? try FileHandle.standardInput.readToEnd() ?? Data()
        : try Data(contentsOf: URL(fileURLWithPath: name))
      return (name, [UInt8](data))
    } catch {
      Diagnostics.error("cannot read \(name): \(Diagnostics.reason(error))")
      throw ExitCode(2)
    }
  }
}

/// Seconds since `start`, as a Double.
func seconds(since start: ContinuousClock.Instant) -> Double {
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// "12.3 MB/s" for `bytes` processed in `seconds` ("0.004 MB/s" below 1 MB/s, so that
/// small inputs do not read as nothing done).
func rate(_ bytes: Int, _ seconds: Double) -> String {
  let value = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
  return String(format: value >= 1 ? "%.1f MB/s" : "%.3f MB/s", value)
}

/// What a run does with its --index.
enum IndexMode: String, ExpressibleByArgument, CaseIterable {
  /// Read the index if it exists, save it updated.
  case update
  /// Read the index, never change it.
  case read
}

/// Options of cross-document deduplication.
struct DedupFlags: ParsableArguments {
  @Flag(help: "Keep documents whose comparison form equals an earlier document's.")
  var noExactDocuments = false

  @Flag(help: "Keep near-duplicate documents.")
  var noNearDuplicates = false

  @Flag(help: "Keep paragraphs already seen in earlier documents.")
  var noRepeatedParagraphs = false

  @Option(
    help:
      "Smallest estimated Jaccard similarity (0-1) of shingle sets for a kept document to be checked as the original of a near copy."
  )
  var nearThreshold: Double = CorpusDeduplicator.Options().similarityThreshold

  @Option(
    help: ArgumentHelp(
      "A near copy lacks no run of more than this many consecutive tokens from its kept document.",
      discussion:
        "Scattered edits leave gaps of a token or two; a document that adds a sentence or a paragraph of its own is kept."
    ))
  var nearMaxNewTokens: Int = CorpusDeduplicator.Options().maximumNewTokens

  @Option(help: "Tokens per shingle for near-duplicate signatures.")
  var nearShingle: Int = CorpusDeduplicator.Options().shingleSize

  @Option(help: "Bins in a MinHash signature.")
  var signatureSize: Int = CorpusDeduplicator.Options().signatureSize

  @Option(help: "LSH bands: a document sharing all bins of a band with a kept one is checked.")
  var bands: Int = CorpusDeduplicator.Options().bands

  @Option(help: "Signature bins per LSH band.")
  var rows: Int = CorpusDeduplicator.Options().rows

  @Option(help: "Paragraphs shorter than this many words are never removed as repeats of earlier documents.")
  var minParagraphWords: Int = CorpusDeduplicator.Options().minimumParagraphWords

  @Option(
    help: ArgumentHelp(
      "Remove every copy of each line found in at least this many documents (site boilerplate).",
      discussion:
        "The input is read twice: once to count in how many documents each line occurs, once to clean it. Files and folders only, not standard input."
    ))
  var boilerplate: Int?

  @Option(
    help: ArgumentHelp(
      "Deduplicate against the index at this path, if it exists, and save the updated index there.",
      discussion:
        "Runs on yesterday's crawl make the index that today's run reads; 'winnow index merge' combines shards."))
  var index: String?

  @Option(
    help: ArgumentHelp(
      "What the run does with --index: update (read it if it exists, save it updated) or read (read it, never change it).",
      discussion:
        "read deduplicates against an index without adding to it: decontamination against a held-out set, or a rerun that shows what is new. The run's own documents are still deduplicated among themselves. The index must exist."
    ))
  var indexMode: IndexMode = .update

  @Option(
    help: ArgumentHelp(
      "Stop with an error when the deduplication index would hold more than this many megabytes.",
      discussion:
        "Checked after each batch of documents: the index may pass the limit by one batch's growth (a table doubling). Nothing is written and the index is not saved."
    ))
  var maxIndexMemory: Int?

  func validate() throws {
    guard (0...1).contains(nearThreshold) else { throw ValidationError("--near-threshold must be between 0 and 1.") }
    if let maxIndexMemory, maxIndexMemory < 1 { throw ValidationError("--max-index-memory must be at least 1 (MB).") }
    guard nearMaxNewTokens >= 0 else { throw ValidationError("--near-max-new-tokens must be at least 0.") }
    guard nearShingle >= 1 else { throw ValidationError("--near-shingle must be at least 1.") }
    guard signatureSize >= 1, bands >= 1, rows >= 1, bands * rows <= signatureSize else {
      throw ValidationError("--bands times --rows must be at most --signature-size.")
    }
    guard minParagraphWords >= 1 else { throw ValidationError("--min-paragraph-words must be at least 1.") }
    if let boilerplate, boilerplate < 2 { throw ValidationError("--boilerplate must be at least 2.") }
    if indexMode == .read && index == nil { throw ValidationError("--index-mode read needs --index PATH.") }
  }

  /// The deduplicator to start from: empty, or the one in --index. Exits with status 1
  /// and a message if the index cannot be read or was made with other options.
  func deduplicator() throws -> CorpusDeduplicator {
    let options = options
    if let index, indexMode == .read, !FileManager.default.fileExists(atPath: index) {
      Diagnostics.error("--index-mode read needs an index: \(index) does not exist")
      throw ExitCode.failure
    }
    guard let index, FileManager.default.fileExists(atPath: index) else { return CorpusDeduplicator(options) }
    guard let data = FileManager.default.contents(atPath: index) else {
      Diagnostics.error("cannot read the index \(index)")
      throw ExitCode.failure
    }
    let loaded: CorpusDeduplicator
    do {
      loaded = try CorpusDeduplicator(
        serialized: [UInt8](data), similarityThreshold: options.similarityThreshold,
        maximumNewTokens: options.maximumNewTokens)
    } catch {
      Diagnostics.error("cannot use the index \(index): \(error)")
      throw ExitCode.failure
    }
    guard loaded.options == options else {
      Diagnostics.error(
        "the index \(index) was made with other options (\(DedupFlags.describe(loaded.options))); "
          + "this run uses \(DedupFlags.describe(options))")
      throw ExitCode.failure
    }
    return loaded
  }

  /// With --boilerplate, reads the inputs once to count the documents that hold each
  /// line, in the form `cleaner` removes boilerplate from, and returns the lines found
  /// in enough of them.
  func findBoilerplate(_ corpus: CorpusFlags, counting cleaner: DocumentCleaner) throws -> BoilerplateSet? {
    guard let minimum = boilerplate else { return nil }
    guard !corpus.inputs.isEmpty, !corpus.inputs.contains("-") else {
      Diagnostics.error("--boilerplate reads the input twice: give files or folders, not standard input")
      throw ExitCode(64)
    }
    var quiet = corpus
    (quiet.quiet, quiet.output, quiet.outputDir, quiet.strict) = (true, nil, nil, false)
    let run = CorpusRun(flags: quiet, outputsDocuments: false, explain: nil)
    run.lineCounter = BoilerplateCounter()
    _ = try run.run { input, source in
      var result = DocumentResult(output: [])
      result.lineKeys = cleaner.boilerplateKeys(of: input, kind: source.kind)
      return result
    }
    if run.fieldMissing { throw ExitCode(2) }
    let set = run.lineCounter!.boilerplate(minimumDocuments: minimum)
    if !corpus.quiet {
      Diagnostics.note(
        "\(set.count) boilerplate line\(set.count == 1 ? "" : "s") (in \(minimum) or more of \(run.lineCounter!.documentCount) documents)"
      )
    }
    return set
  }

  /// Saves `deduplicator` to --index, atomically (not with --index-mode read).
  func save(_ deduplicator: CorpusDeduplicator?) throws {
    guard let index, let deduplicator, indexMode == .update else { return }
    do throws(OutputFile.Failure) {
      try OutputFile.write(deduplicator.serialized(), to: index)
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }
  }

  static func describe(_ options: CorpusDeduplicator.Options) -> String {
    var steps: [String] = []
    if !options.exactDocuments { steps.append("--no-exact-documents") }
    if !options.nearDuplicates { steps.append("--no-near-duplicates") }
    if !options.repeatedParagraphs { steps.append("--no-repeated-paragraphs") }
    return
      (steps + [
        "--near-shingle \(options.shingleSize)", "--signature-size \(options.signatureSize)",
        "--bands \(options.bands)",
        "--rows \(options.rows)", "--min-paragraph-words \(options.minimumParagraphWords)",
      ]).joined(separator: " ")
  }

  var options: CorpusDeduplicator.Options {
    CorpusDeduplicator.Options(
      exactDocuments: !noExactDocuments, nearDuplicates: !noNearDuplicates, repeatedParagraphs: !noRepeatedParagraphs,
      minimumParagraphWords: minParagraphWords, similarityThreshold: nearThreshold,
      maximumNewTokens: nearMaxNewTokens, shingleSize: nearShingle,
      signatureSize: signatureSize, bands: bands, rows: rows)
  }
}
