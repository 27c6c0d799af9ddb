import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

/// What `fingerprint` and `apply` change in the run of `clean`.
struct DistributedStep {
  /// The boilerplate lines, counted by the engine (--boilerplate-lines).
  var boilerplateLines: String?
  /// `fingerprint`: write fingerprint records instead of documents.
  var writesFingerprints = false
  /// `apply`: the decisions by ordinal (documents without one are kept whole).
  var decisions: [Int: DecisionRecord]?

  static let none = DistributedStep()
}

/// The options `fingerprint` and `apply` share with `clean`: the same cleaning, the
/// same fingerprints.
struct DistributedFlags: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The boilerplate lines, as JSON lines {\"k\": KEY, \"d\": DOCUMENTS}: the counts of 'winnow fingerprint --line-counts' added up by key, kept where DOCUMENTS reaches the threshold; '-' reads standard input.",
      valueName: "file"))
  var boilerplateLines: String?

  func validate(_ dedup: DedupFlags, _ corpus: CorpusFlags, decisions: String? = nil) throws {
    let readsStandardInput = corpus.inputs.isEmpty || corpus.inputs.contains("-")
    for (name, path) in [("--boilerplate-lines", boilerplateLines), ("--decisions", decisions)] where path == "-" {
      if readsStandardInput { throw ValidationError("\(name) - reads standard input: give the documents as files.") }
    }
    if dedup.boilerplate != nil {
      throw ValidationError("--boilerplate counts lines over the whole corpus: give --boilerplate-lines FILE here.")
    }
    if dedup.index != nil { throw ValidationError("--index is read and written by the engine's driver, not here.") }
  }
}

struct Fingerprint: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Clean documents as 'winnow clean' does and write each one's fingerprint, for deduplication on an engine.",
    discussion: """
      The first step of deduplication on a distributed engine (see Integrations/spark/README.md): each machine fingerprints its part of the corpus (a file, or with --range the lines that start in a byte range of one), the engine groups documents by the keys of their records, and 'winnow decide' and 'winnow apply' finish the work. With the same options, the documents, their ordinals and their fingerprints are those 'winnow clean' deduplicates.

      Writes one JSON line per document: {"o": ordinal in this input, "id": the id as written or the line number, "x": exact hash, "b": [LSH keys], "p": [{"i": paragraph index, "k": key}], "f": the fingerprint's bytes in base64}. Keys are 16 hexadecimal digits. Blank, malformed and oversize lines are not documents and have no record.

      --line-counts writes instead, for each distinct line, the number of documents holding it: {"k": key, "d": documents}, sorted by key; an engine adds them up by key for --boilerplate-lines.

      Examples (from the repository root):
        winnow fingerprint Examples/Corpus/pages.jsonl -o /tmp/f.jsonl
        winnow fingerprint Examples/Corpus/pages.jsonl --range 0:2000 -q
        winnow fingerprint Examples/Corpus/pages.jsonl --line-counts -q
      """
  )

  @OptionGroup var corpus: CorpusFlags
  @OptionGroup var cleaning: CleaningFlags
  @OptionGroup var normalization: NormalizationFlags
  @OptionGroup var repeats: RepeatFlags
  @OptionGroup var dedup: DedupFlags
  @OptionGroup var distributed: DistributedFlags

  @Flag(help: "Write the number of documents holding each distinct line instead (for --boilerplate-lines).")
  var lineCounts = false

  func validate() throws { try distributed.validate(dedup, corpus) }

  func run() throws {
    let cleaner = cleaning.cleaner(normalization, repeats, deduplication: dedup.options)
    guard lineCounts else {
      var step = DistributedStep(boilerplateLines: distributed.boilerplateLines)
      step.writesFingerprints = true
      try dedup.run(corpus, cleaning: cleaner, explain: nil, members: [], distributed: step)
      return
    }
    let run = CorpusRun(flags: corpus, outputsDocuments: false, explain: nil)
    run.lineCounter = BoilerplateCounter()
    let status = try run.run { input, source in
      var result = DocumentResult(output: [])
      result.lineKeys = cleaner.boilerplateKeys(of: input, kind: source.kind)
      return result
    }
    guard status == 0 || status == 2, let counter = run.lineCounter else { throw ExitCode(status) }
    var lines: [UInt8] = []
    for (key, documents) in counter.lineCounts {
      lines += Array("{\"k\":\"\(FingerprintRecord.hexKey(key))\",\"d\":\(documents)}\n".utf8)
    }
    do throws(OutputFile.Failure) {
      let output = try OutputFile(
        path: corpus.output, compression: corpus.compress.compression(forName: corpus.output ?? "-"))
      try output.write(lines)
      try output.commit()
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }
    if status != 0 { throw ExitCode(status) }
  }
}

struct Decide: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decide which documents are exact or near duplicates, from fingerprint records grouped by an engine.",
    discussion: """
      Reads the records of 'winnow fingerprint', each with "n" (its number in the whole corpus) and "c" (its connected component of the candidate graph) added by the engine, sorted by component and then by number, from files or standard input; a record with "kept": true (a document of a prior index, from 'winnow index export') is entered as kept without being decided. Writes a JSON line for each document that is dropped or has a near candidate, {"n": number, "dup": {"id", "n", "kind", "similarity", "covered", "run"}} or {"n": number, "near": {...}}, through the same deduplicator as 'winnow clean', keep-first in number order: within a component, the decisions are those of one run over the whole corpus. A new component starts a new deduplicator once 4,096 documents are kept, so that memory stays that of the largest component. Paragraphs are not decided here: the engine groups them by key.

      Examples (from the repository root):
        winnow fingerprint Examples/Corpus/pages.jsonl -q -o /tmp/f.jsonl
        sed 's/"o":\\([0-9]*\\)/&,"n":\\1,"c":0/' /tmp/f.jsonl | winnow decide
      """
  )

  @Argument(help: "Files of fingerprint records; '-' or nothing reads standard input.")
  var inputs: [String] = []

  @Option(name: .shortAndLong, help: "Write the decisions here (atomically) instead of standard output.")
  var output: String?

  @OptionGroup var dedup: DedupFlags

  /// Kept documents after which a new component starts a new deduplicator.
  static let resetAfter = 4096

  func run() throws {
    let options = dedup.options
    var deduplicator = CorpusDeduplicator(options)
    var component: Int?
    var lastNumber = -1
    let decoder = JSONDecoder()
    let output: OutputFile
    do throws(OutputFile.Failure) {
      output = try OutputFile(path: self.output, compression: nil)
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }
    var written: [UInt8] = []
    for path in inputs.isEmpty ? ["-"] : inputs {
      try InputReader.eachLine(path) {
        do throws(OutputFile.Failure) {
          try output.write(written)
        } catch {
          Diagnostics.error(error.message)
          throw ExitCode.failure
        }
        written = []
      } _: { line, _ in
        let record: FingerprintRecord
        do {
          record = try decoder.decode(FingerprintRecord.self, from: line)
        } catch {
          return "not a fingerprint record: \(error)"
        }
        guard let number = record.inputNumber else { return "the record has no input number \"n\"" }
        if record.component != component {
          if deduplicator.keptIDs.count >= Self.resetAfter { deduplicator = CorpusDeduplicator(options) }
          component = record.component
        } else if number <= lastNumber {
          return "input numbers must grow within a component: \(number) after \(lastNumber)"
        }
        lastNumber = number
        guard let bytes = Data(base64Encoded: record.fingerprint) else { return "the fingerprint is not base64" }
        let fingerprint: DocumentFingerprint
        do throws(CorpusDeduplicator.FingerprintError) {
          fingerprint = try deduplicator.fingerprint(serialized: bytes)
        } catch {
          return "\(error) (made with other options?)"
        }
        if record.kept == true {
          deduplicator.keep(fingerprint, id: record.id, inputNumber: number)
        } else {
          let decision = DecisionRecord(
            deduplicator.decide(fingerprint, id: record.id, inputNumber: number), inputNumber: number)
          if !decision.isEmpty { decision.encodedLine(into: &written) }
        }
        return nil
      }
    }
    do throws(OutputFile.Failure) {
      try output.commit()
    } catch {
      Diagnostics.error(error.message)
      throw ExitCode.failure
    }
  }
}

struct Apply: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Clean documents as 'winnow clean' does, with deduplication decisions made by an engine.",
    discussion: """
      The last step of deduplication on a distributed engine (see Integrations/spark/README.md): cleans the same input (or --range) as 'winnow fingerprint' did, with the same options, and drops documents and removes paragraphs as the decisions say; the output and --explain are those of 'winnow clean' for these documents. --decisions holds JSON lines of 'winnow decide', each with "o" (the document's ordinal in this input) added by the engine, and "p": [{"i": paragraph index, "id": kept document's id, "n": its number}] for the paragraphs a document of a smaller number holds; a document without a line is kept whole.

      Examples (from the repository root):
        echo '{"n":2,"o":2,"p":[{"i":0,"id":"1","n":0}]}' > /tmp/d.jsonl
        winnow apply Examples/Corpus/pages.jsonl --decisions /tmp/d.jsonl -q
      """
  )

  @OptionGroup var corpus: CorpusFlags
  @OptionGroup var cleaning: CleaningFlags
  @OptionGroup var normalization: NormalizationFlags
  @OptionGroup var repeats: RepeatFlags
  @OptionGroup var dedup: DedupFlags
  @OptionGroup var distributed: DistributedFlags

  @Option(help: "The decisions: JSON lines of 'winnow decide' with \"o\" (and \"p\") added; '-' reads standard input.")
  var decisions: String

  @Option(help: "Write one JSON line per document describing its removals and normalization changes.")
  var explain: String?

  func validate() throws { try distributed.validate(dedup, corpus, decisions: decisions) }

  func run() throws {
    let cleaner = cleaning.cleaner(normalization, repeats, deduplication: dedup.options)
    var step = DistributedStep(boilerplateLines: distributed.boilerplateLines)
    step.decisions = try Self.readDecisions(decisions)
    try dedup.run(corpus, cleaning: cleaner, explain: explain, members: [.removed, .normalization], distributed: step)
  }

  /// The decisions in `path`, by ordinal. Exits with status 1 and FILE:LINE on a line
  /// that is not a decision record with an ordinal.
  static func readDecisions(_ path: String) throws -> [Int: DecisionRecord] {
    var result: [Int: DecisionRecord] = [:]
    let decoder = JSONDecoder()
    try InputReader.eachLine(path) { line, _ in
      guard let record = try? decoder.decode(DecisionRecord.self, from: line), let ordinal = record.ordinal else {
        return "not a decision record with an ordinal \"o\""
      }
      if let kind = record.duplicate.map({ $0.kind ?? "" }), kind != "exact" && kind != "near" {
        return "a \"dup\" needs a \"kind\": \"exact\" or \"near\""
      }
      result[ordinal] = record
      return nil
    }
    return result
  }
}

/// The boilerplate lines an engine counted: JSON lines {"k": key, "d": documents}.
enum BoilerplateFile {
  static func read(_ path: String) throws -> BoilerplateSet {
    struct Line: Decodable {
      var k: String
      var d: Int
    }
    var counts: [UInt64: Int] = [:]
    let decoder = JSONDecoder()
    try InputReader.eachLine(path) { line, _ in
      guard let entry = try? decoder.decode(Line.self, from: line), let key = UInt64(entry.k, radix: 16) else {
        return "not a boilerplate line {\"k\": 16 hexadecimal digits, \"d\": documents}"
      }
      counts[key] = entry.d
      return nil
    }
    return BoilerplateSet(documentCounts: counts)
  }
}
