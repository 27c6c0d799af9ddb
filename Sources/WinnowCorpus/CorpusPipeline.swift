import Foundation
import Winnow

/// Cleans a JSON Lines corpus in parallel, as `winnow clean` does: reads it in pieces
/// of whole lines, cleans the text of each record with a `DocumentCleaner` on
/// several threads, deduplicates across records in input order, and writes each
/// record that stays, every other member as it was, in input order.
///
/// ```swift
/// var pipeline = CorpusPipeline(cleaner: DocumentCleaner())
/// let output = FileHandle(forWritingAtPath: "clean.jsonl")!
/// let summary = try pipeline.run(JSONLinesFile(path: "corpus.jsonl")) { lines in
///   output.write(Data(lines))
/// }
/// print(summary.documents, summary.exactDuplicates + summary.nearDuplicates)
/// ```
///
/// The output and the explanations are byte for byte those of `winnow clean` with the
/// same options, for any number of threads. The pipeline keeps what deduplication has
/// seen: a second ``run(_:output:explanations:problems:)`` deduplicates against the
/// first input too, as one `winnow clean` run over both files does.
///
/// Memory stays bounded: a few batches of about a megabyte per thread are in flight,
/// besides what the deduplicator keeps of each kept document.
public struct CorpusPipeline: Sendable {
  /// How records are read and how many threads clean them.
  public struct Options: Sendable {
    /// The threads that clean records; the results do not depend on it.
    public var threads: Int
    /// The member that holds a record's text (a string, at a dotted path for nested
    /// objects).
    public var field: JSONLine.FieldPath
    /// The member that identifies a record in explanations (else its line number).
    public var idField: JSONLine.FieldPath
    /// Records whose text is longer than this many UTF-8 bytes are written unchanged
    /// and not deduplicated; `nil` for no limit.
    public var maxDocumentBytes: Int?

    /// Options with `threads` threads (by default one per active processor).
    public init(
      threads: Int = ProcessInfo.processInfo.activeProcessorCount, field: JSONLine.FieldPath = .init("text")!,
      idField: JSONLine.FieldPath = .init("id")!, maxDocumentBytes: Int? = nil
    ) {
      self.threads = max(1, threads)
      self.field = field
      self.idField = idField
      self.maxDocumentBytes = maxDocumentBytes
    }
  }

  /// What a run read, wrote and removed.
  public struct Summary: Sendable, Hashable {
    /// Nothing counted yet.
    public init() {}

    /// Records cleaned (skipped lines not included).
    public var documents = 0
    /// Lines skipped: malformed JSON, or without a string at the field.
    public var skipped = 0
    /// Records over ``Options/maxDocumentBytes``, written unchanged.
    public var oversize = 0
    /// Bytes read.
    public var bytesIn = 0
    /// Bytes written.
    public var bytesOut = 0
    /// Repeated blocks removed inside records.
    public var repeatsRemoved = 0
    /// Boilerplate lines removed.
    public var boilerplateLinesRemoved = 0
    /// Ill-formed UTF-8 sequences (and lone surrogate escapes) replaced by U+FFFD.
    public var invalidSequencesReplaced = 0
    /// Records dropped as exact copies of earlier ones (equal comparison forms).
    public var exactDuplicates = 0
    /// Records dropped as near copies of earlier ones.
    public var nearDuplicates = 0
    /// Paragraphs removed because an earlier record holds them.
    public var paragraphsRemoved = 0
  }

  /// Why a run stopped.
  public struct Failure: Error, CustomStringConvertible {
    /// The kinds of failure.
    public enum Code: Sendable, Hashable {
      /// The input could not be read (``underlying`` says why).
      case unreadableInput
      /// The output or explanations closure threw (``underlying``).
      case outputFailed
      /// None of the first 1,000 lines has a string at ``Options/field``.
      case fieldMissing
    }
    /// What failed.
    public let code: Code
    /// The error thrown by the input or an output, if any.
    public let underlying: (any Error)?
    /// What failed, for a person.
    public let description: String
  }

  /// The cleaning applied to each record.
  public let cleaner: DocumentCleaner
  /// The threads, the members read, the size limit.
  public let options: Options
  /// What deduplication has seen: the records kept so far (by this pipeline's runs
  /// and the index it started from). `nil` when the cleaner does not fingerprint.
  public private(set) var deduplicator: CorpusDeduplicator?

  /// A pipeline cleaning with `cleaner`. When the cleaner fingerprints for
  /// deduplication, records are deduplicated against `deduplicator` (a loaded index,
  /// made with the same options), or a new one.
  public init(
    cleaner: DocumentCleaner = DocumentCleaner(), deduplicator: CorpusDeduplicator? = nil, options: Options = Options()
  ) {
    self.cleaner = cleaner
    self.options = options
    if let settings = cleaner.deduplication {
      precondition(
        deduplicator.map { $0.options == settings } ?? true,
        "the deduplicator's options differ from the cleaner's")
      self.deduplicator = deduplicator ?? CorpusDeduplicator(settings)
    }
  }

  /// Reads, cleans and writes every record of `input`.
  ///
  /// - Parameters:
  ///   - input: The JSON Lines to clean.
  ///   - output: Takes the records that stay, as whole lines, in input order (on the
  ///     calling thread).
  ///   - explanations: Takes one JSON line per record saying what was removed and
  ///     changed, with byte offsets into its original text (`winnow clean --explain`);
  ///     `nil` to explain nothing, which is faster.
  ///   - problems: Takes each message about a skipped line ("name:line:column:
  ///     reason"), in input order.
  /// - Returns: What the run read, wrote and removed.
  /// - Throws: ``Failure``: what was written before is then incomplete, and
  ///   ``deduplicator`` holds the records decided before the failure, written or not:
  ///   to run the input again, start from a new pipeline (or a saved index).
  /// - Complexity: O(*n*) in the size of the input, on ``Options/threads`` threads.
  public mutating func run(
    _ input: some JSONLinesInput, output: ([UInt8]) throws -> Void,
    explanations: (([UInt8]) throws -> Void)? = nil, problems: (String) -> Void = { _ in }
  ) throws(Failure) -> Summary {
    let explaining = explanations != nil
    // What `winnow clean --explain` says of each record.
    let members: ExplainMembers? =
      !explaining
      ? nil : cleaner.boilerplate == nil ? [.removed, .normalization] : [.removed, .normalization, .boilerplate]
    var configuration = BatchWorker.Configuration()
    configuration.field = options.field
    configuration.idField = options.idField
    configuration.explaining = explaining
    configuration.deduplicating = deduplicator != nil
    configuration.maxDocumentBytes = options.maxDocumentBytes
    let cleaner = cleaner
    let worker = BatchWorker(configuration) { bytes, source in
      DocumentResult(
        cleaner.clean(bytes, kind: source.kind, explaining: members != nil), input: bytes, explaining: members)
    }
    let reading = Reading(input)
    let next: @Sendable () -> [UInt8]? = { reading.next() }
    let name = input.name
    let engine = BatchPipeline()
    // Taken out while the run changes it, so that its tables are not copied.
    var decider = deduplicator.take().map { BatchDecider($0, explaining: explaining) }
    var summary = Summary()
    var fields = FieldCounts()
    var failure: Failure?
    engine.run(
      threads: options.threads,
      read: { deliver in
        var sequence = 0
        var line = 1
        while !engine.isStopping, let piece = next() {
          deliver(Batch.lines(piece, sequence: sequence, file: 0, line: &line))
          sequence += 1
        }
        deliver(Batch(sequence: sequence, file: 0, kind: .finish))
      },
      process: { batch in
        if case .lines(let firstLine) = batch.kind { worker.processLines(batch, firstLine: firstLine, name: name) }
      },
      write: { batch in
        guard failure == nil, case .lines = batch.kind else { return }
        for message in batch.messages { problems(message) }
        fields.merge(batch.fields)
        if fields.fieldIsMissing(lastLine: batch.lastLine, ended: false) {
          failure = Failure(
            code: .fieldMissing, underlying: nil,
            description: fields.missingFieldMessage(file: name, field: options.field.description))
          engine.requestStop()
          return
        }
        decider?.decide(batch)
        summary.add(batch)
        do {
          try output(batch.output)
          try explanations?(batch.explanations)
        } catch {
          failure = Failure(code: .outputFailed, underlying: error, description: "cannot write: \(error)")
          engine.requestStop()
        }
      })
    if let decider {
      deduplicator = decider.deduplicator
      summary.exactDuplicates += decider.exactDuplicates
      summary.nearDuplicates += decider.nearDuplicates
      summary.paragraphsRemoved += decider.paragraphsRemoved
    }
    if failure == nil, let error = reading.failure {
      failure = Failure(code: .unreadableInput, underlying: error, description: "\(error)")
    }
    if failure == nil && fields.fieldIsMissing(lastLine: Int.max, ended: true) {
      failure = Failure(
        code: .fieldMissing, underlying: nil,
        description: fields.missingFieldMessage(file: name, field: options.field.description))
    }
    if let failure { throw failure }
    for message in fields.skippedLinesMessages(file: name, field: options.field.description) { problems(message) }
    return summary
  }

  /// The input, read on the reader thread only, and the error that ended it.
  private final class Reading: @unchecked Sendable {
    var input: any JSONLinesInput
    var failure: (any Error)?

    init(_ input: any JSONLinesInput) { self.input = input }

    /// The next piece; nil at the end or after an error.
    func next() -> [UInt8]? {
      do {
        return try input.nextLines(about: CorpusPipeline.batchBytes)
      } catch {
        failure = error
        return nil
      }
    }
  }

  /// The size of a batch of lines.
  package static let batchBytes = 1 << 20
}

extension CorpusPipeline.Summary {
  /// Adds the counts of a written batch.
  package mutating func add(_ batch: Batch) {
    documents += batch.documents
    skipped += batch.skipped
    oversize += batch.oversize
    bytesIn += batch.bytesIn
    bytesOut += batch.bytesOut
    repeatsRemoved += batch.repeatsRemoved
    boilerplateLinesRemoved += batch.boilerplateRemoved
    invalidSequencesReplaced += batch.invalidReplaced
  }
}
