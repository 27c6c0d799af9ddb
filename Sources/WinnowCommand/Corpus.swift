import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

/// How input files are read.
/// One input file, found on the command line or in a folder.
struct InputFile {
  var path: String
  /// The path under the folder it was found in (or the file name), for --output-dir.
  var relativePath: String
  var foundInFolder: Bool
  var size: Int
  /// What it holds, told from its first bytes (never `.binary`: those are not read);
  /// nil for standard input, a FIFO or a device, told when the reader gets to it (not
  /// before: opening a FIFO waits for its writer).
  var kind: InputKind?
  /// Its compression, told from its first bytes (when `kind` is known).
  var compression: Compression?

  /// Whether its documents are written as JSON Lines records, as far as is known
  /// before reading: by its kind, or for a stream (whose kind is told when it is read)
  /// by `format` and its name.
  func writesRecords(format: InputFormat) -> Bool {
    if let kind { return kind != .text }
    return format == .jsonl || (format == .auto && InputKind.isJSONLinesName(path))
  }
}

/// Counts for the summary line: what the batches written counted (the corpus
/// module's summary, read through its members), and the inputs that could not be read.
@dynamicMemberLookup
struct CorpusSummary {
  var counts = CorpusPipeline.Summary()
  var failedInputs = 0

  subscript<Value>(dynamicMember path: WritableKeyPath<CorpusPipeline.Summary, Value>) -> Value {
    get { counts[keyPath: path] }
    set { counts[keyPath: path] = newValue }
  }
}

/// Reads documents from files, folders, standard input and JSON Lines, processes them
/// in parallel, and writes the results in input order.
///
/// Three kinds of threads form a pipeline: a reader cuts the inputs into batches (a
/// text file, or about a megabyte of whole JSON lines), `--threads` workers process
/// batches, and the calling thread writes the results in batch order and keeps the
/// counts. At most a few batches per worker are in flight, so memory stays bounded
/// whatever the size of the input; the output does not depend on the thread count.
/// With one thread, the same batches are read, processed and written in turn on the
/// calling thread.
final class CorpusRun {
  let flags: CorpusFlags
  /// Whether the output is one document per input (clean, normalize) rather than a
  /// report: several text documents then need --output-dir, and a JSON Lines document
  /// is written back into its line.
  let outputsDocuments: Bool
  let explainPath: String?
  /// Cross-document deduplication, applied by the writer in input order.
  private var decider: BatchDecider?
  /// What deduplication has seen: after the run, the documents it kept too.
  var deduplicator: CorpusDeduplicator? { decider?.deduplicator }
  /// --max-index-memory, in bytes.
  var indexMemoryLimit: Int?
  /// Other files the run will write (an index), which must not be inputs either.
  var otherOutputs: [String] = []
  /// For the first pass of boilerplate detection: counts the line keys of every
  /// document, in input order; nothing is written and nothing reported.
  var lineCounter: BoilerplateCounter?
  /// The normalizer of a run whose only work on a text file is normalizing it: large
  /// text files are then normalized as they are read.
  var streamingNormalizer: TextNormalizer?
  /// Whether boilerplate lines are removed (they are counted in the summary).
  var removesBoilerplate = false
  /// Whether the command looks for repeats inside documents (counted in the summary).
  var reportsRepeats = false
  /// The run stopped because the first lines of a JSON Lines file lack --field.
  var fieldMissing = false
  /// `winnow fingerprint`: each document's fingerprint record is written instead of
  /// the document, and nothing is decided.
  var writesFingerprints = false
  /// Documents fingerprinted so far (the next record's ordinal).
  private var fingerprinted = 0
  /// `winnow apply`: decisions made elsewhere, for the documents numbered from 0 in
  /// input order, instead of the deduplicator's.
  func useDecisions(_ given: @escaping (_ ordinal: Int, _ entry: Batch.Entry) -> DeduplicationDecision) {
    decider?.given = given
  }
  private(set) var summary = CorpusSummary()
  private var progress: Progress?
  private var files: [InputFile] = []
  /// A detected encoding with less confidence than this is reported as a guess (on
  /// standard error, and as `"doubtful": true` in --explain). ICU's detector gives
  /// most legacy-encoded articles 30 to 100 (see the README).
  static let doubtfulConfidence = 20

  /// With a `deduplicator`, documents are also deduplicated across the corpus, against
  /// what it has seen: `work` must then return each document's fingerprint, made with
  /// the same options. ``deduplicator`` holds it, updated, after the run.
  init(flags: CorpusFlags, outputsDocuments: Bool, explain: String?, deduplicator: CorpusDeduplicator? = nil) {
    self.flags = flags
    self.outputsDocuments = outputsDocuments
    self.explainPath = explain
    self.decider = deduplicator.map { BatchDecider($0, explaining: explain != nil) }
  }

  /// Processes every input with `work`; returns the exit status.
  func run(_ work: @escaping DocumentWork) throws -> Int32 {
    let start = ContinuousClock.now
    let files = try enumerateInputs()
    self.files = files
    if flags.strict && summary.failedInputs > 0 { return 2 }
    if flags.range != nil, let file = files.first, file.kind != .jsonLines || file.compression != nil {
      Diagnostics.error("--range reads an uncompressed JSON Lines file: \(Self.displayName(file)) is not one")
      return 64
    }
    if flags.outputFormat == .jsonl && flags.outputDir != nil {
      Diagnostics.error("--output-format jsonl writes one stream of records: use --output FILE, not --output-dir")
      return 64
    }
    let textDocuments =
      flags.outputFormat == .jsonl
      ? 0
      : files.filter { !$0.writesRecords(format: flags.format) }.count
    if outputsDocuments && flags.outputDir == nil && (textDocuments > 1 || (textDocuments == 1 && files.count > 1)) {
      Diagnostics.error(
        "\(textDocuments) text document\(textDocuments == 1 ? "" : "s") among \(files.count) inputs: "
          + "use --output-dir DIR to write one file per input (winnow does not concatenate documents)")
      return 64
    }
    try refuseOverwritingInputs(files)
    Interruption.install()
    if !flags.quiet && isatty(STDERR_FILENO) != 0 {
      progress = Progress(total: files.allSatisfy { $0.path != "-" } ? files.reduce(0) { $0 + $1.size } : nil)
    }
    let explain: OutputFile?
    let single: OutputFile?
    do {
      explain = try explainPath.map { path throws(OutputFile.Failure) in
        try OutputFile(path: path, compression: flags.compress.compression(forName: path))
      }
      single =
        flags.outputDir == nil
        ? try OutputFile(path: flags.output, compression: flags.compress.compression(forName: flags.output ?? "-"))
        : nil
    } catch {
      Diagnostics.error(error.message)
      return 1
    }

    let pipeline = Pipeline(
      files: files, flags: flags, outputsDocuments: outputsDocuments, explaining: explainPath != nil,
      deduplicating: deduplicator != nil || writesFingerprints,
      streamingNormalizer: lineCounter == nil ? streamingNormalizer : nil, work: work)
    var writer = Writer(run: self, single: single, explain: explain)
    pipeline.run { batch in
      guard !writer.stopped && writer.failure == nil else { return }
      do throws(OutputFile.Failure) {
        try writer.write(batch)
      } catch {
        writer.failure = error.message
      }
      if writer.stopped || writer.failure != nil { pipeline.engine.requestStop() }
    }
    progress?.clear()
    if let failure = writer.failure {
      Diagnostics.error(failure)
      return 1
    }
    // A run that read nothing because no input could be read leaves no output.
    let readNothing = summary.documents == 0 && summary.bytesIn == 0 && summary.failedInputs + summary.skipped > 0
    do {
      if !writer.stopped && !readNothing {
        try single?.commit()
        try explain?.commit()
      }
    } catch {
      Diagnostics.error(error.message)
      return 1
    }
    if !flags.quiet { printSummary(since: start) }
    return writer.stopped || summary.failedInputs > 0 || summary.skipped > 0 ? 2 : 0
  }

  /// The writing end of the pipeline: results in batch order, counts, messages.
  private struct Writer {
    let run: CorpusRun
    let single: OutputFile?
    let explain: OutputFile?
    /// The output file of the JSON Lines input being written, with --output-dir.
    var current: (file: Int, output: OutputFile)?
    /// --strict met a failure, or the field is missing: nothing more is written.
    var stopped = false
    /// The field counts of the JSON Lines file being written.
    var fields: (file: Int, counts: FieldCounts)?
    /// WARC records without text of the file being written, by type.
    var otherRecords: [String: Int] = [:]
    var failure: String?

    init(run: CorpusRun, single: OutputFile?, explain: OutputFile?) {
      self.run = run
      self.single = single
      self.explain = explain
    }

    private mutating func destination(for file: InputFile, index: Int) throws(OutputFile.Failure) -> OutputFile {
      if let single { return single }
      if let current, current.file == index { return current.output }
      let output = try CorpusRun.outputFile(for: file, flags: run.flags)
      current = (index, output)
      return output
    }

    /// Adds the field counts of a batch of lines of the current file; true (and the run
    /// stopped, with one message) when its first lines show that --field is missing.
    mutating func checkFields(_ batch: Batch, ended: Bool) -> Bool {
      if fields?.file != batch.file { fields = (batch.file, FieldCounts()) }
      fields!.counts.merge(batch.fields)
      let lastLine = ended ? Int.max : batch.lastLine
      guard fields!.counts.fieldIsMissing(lastLine: lastLine, ended: ended) else { return false }
      let file = CorpusRun.displayName(run.files[batch.file])
      Diagnostics.error(fields!.counts.missingFieldMessage(file: file, field: run.flags.field))
      run.fieldMissing = true
      stopped = true
      return true
    }

    /// At the end of a WARC file: one note for its records that hold no text.
    mutating func reportOtherRecords(_ file: Int) {
      defer { otherRecords = [:] }
      guard !otherRecords.isEmpty, !run.flags.quiet else { return }
      let counts = otherRecords.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      let total = otherRecords.values.reduce(0, +)
      Diagnostics.note(
        "\(CorpusRun.displayName(run.files[file])): \(total) record\(total == 1 ? "" : "s") without text skipped "
          + "(\(counts)): the text of a page is in conversion records (WET files)")
    }

    /// At the end of a JSON Lines file: one message for its lines without the field.
    mutating func reportMissingFields(_ file: Int) {
      defer { fields = nil }
      guard let counts = fields?.counts, fields?.file == file else { return }
      let name = CorpusRun.displayName(run.files[file])
      for message in counts.skippedLinesMessages(file: name, field: run.flags.field) { Diagnostics.error(message) }
    }

    mutating func write(_ batch: Batch) throws(OutputFile.Failure) {
      let strict = run.flags.strict
      if case .documentPiece = batch.kind, batch.piece != nil {
        // Pieces of a streamed text are committed in order, here.
        batch.output = batch.piece!.commit()
        batch.bytesOut = batch.output.count
      }
      // The first pass of boilerplate detection reports nothing: the second will.
      if run.lineCounter == nil {
        for message in batch.messages {
          // A warning is not an error: "winnow: warning: ...".
          if message.hasPrefix("warning: ") { Diagnostics.note(message) } else { Diagnostics.error(message) }
        }
      }
      if run.decider != nil {
        run.decider!.decide(batch)
        if let limit = run.indexMemoryLimit, let bytes = run.deduplicator?.memoryBytes, bytes > limit {
          throw OutputFile.Failure(
            message:
              "the deduplication index holds \(bytes / 1_000_000) MB after \(run.summary.documents + batch.documents) "
              + "documents, over --max-index-memory \(limit / 1_000_000): stopped; nothing written, the index not saved"
          )
        }
      }
      if run.writesFingerprints {
        var records: [UInt8] = []
        for entry in batch.entries {
          FingerprintRecord(entry.fingerprint, ordinal: run.fingerprinted, id: entry.id).encodedLine(into: &records)
          run.fingerprinted += 1
        }
        batch.output = records
        batch.explanations = []
      }
      if var counter = run.lineCounter.take() {
        for keys in batch.lineKeys { counter.add(keys) }
        run.lineCounter = counter
      }
      run.summary.counts.add(batch)
      Interruption.progress(documents: run.summary.documents, bytes: run.summary.bytesIn)
      run.progress?.advance(batch.bytesIn)
      let file = batch.file >= 0 ? run.files[batch.file] : nil
      switch batch.kind {
      case .unreadable:
        run.summary.failedInputs += 1
        if strict { stopped = true }
        return
      case .skipped:
        run.summary.skipped += 1
        if strict { stopped = true }
        return
      case .documentPiece:
        if let failure = batch.writeFailure { throw OutputFile.Failure(message: failure) }
        try single?.write(batch.output)
      case .document:
        if let failure = batch.writeFailure { throw OutputFile.Failure(message: failure) }
        if run.deduplicator != nil, !batch.dropped, run.flags.outputDir != nil, let file {
          // Deduplicated text documents are written here, once they are known to stay.
          let output = try CorpusRun.outputFile(for: file, flags: run.flags)
          try output.write(batch.output)
          try output.commit()
        } else {
          try single?.write(batch.output)
        }
      case .lines:
        if checkFields(batch, ended: false) { return }
        try destination(for: file!, index: batch.file).write(batch.output)
        if batch.stoppedAtFailure { stopped = true }
      case .records:
        for (type, count) in batch.otherRecords { otherRecords[type, default: 0] += count }
        try destination(for: file!, index: batch.file).write(batch.output)
      case .endOfFile(let complete):
        if checkFields(batch, ended: true) { return }
        if run.lineCounter == nil {
          reportMissingFields(batch.file)
          reportOtherRecords(batch.file)
        }
        guard single == nil else { return }
        let output = try destination(for: file!, index: batch.file)
        current = nil
        // An input cut short by a read error is written as far as it was read,
        // unless --strict asks for all or nothing.
        if complete || !strict { try output.commit() } else { output.abandon() }
      case .finish:
        return
      }
      try explain?.write(batch.explanations)
    }
  }

  /// The summary on standard error: a few short lines (each fits 80 columns with
  /// counts below a billion), only with what the command does.
  private func printSummary(since start: ContinuousClock.Instant) {
    let elapsed = seconds(since: start)
    func plural(_ count: Int, _ word: String, _ words: String? = nil) -> String {
      "\(count) \(count == 1 ? word : words ?? word + "s")"
    }
    var first = plural(summary.documents, "document")
    if summary.skipped > 0 { first += ", \(summary.skipped) skipped" }
    if summary.oversize > 0 {
      first += ", \(summary.oversize) over --max-document-bytes "
      first += flags.oversize == .skip ? "(skipped)" : "(passed through)"
    }
    if summary.failedInputs > 0 { first += ", " + plural(summary.failedInputs, "input") + " unreadable" }
    first += "; " + size(summary.bytesIn) + " in, " + size(summary.bytesOut) + " out"
    first += String(format: "; %.2f s, ", elapsed) + rate(summary.bytesIn, elapsed)
    var lines = [first]
    var steps: [String] = []
    if reportsRepeats {
      steps.append(
        outputsDocuments
          ? plural(summary.repeatsRemoved, "repeat") + " removed"
          : plural(summary.repeatsRemoved, "repeated block") + " found")
    }
    if summary.invalidSequencesReplaced > 0 {
      steps.append("\(summary.invalidSequencesReplaced) invalid sequences replaced")
    }
    if !steps.isEmpty { lines.append(steps.joined(separator: "; ")) }
    if let decider {
      let dropped = decider.exactDuplicates + decider.nearDuplicates
      lines.append(
        plural(dropped, "duplicate") + " dropped (\(decider.exactDuplicates) exact, \(decider.nearDuplicates) near); "
          + plural(decider.paragraphsRemoved, "paragraph") + " seen before removed")
    }
    if removesBoilerplate { lines.append(plural(summary.boilerplateLinesRemoved, "boilerplate line") + " removed") }
    for line in lines { Diagnostics.note(line) }
  }

  /// A byte count for a person: "812 bytes", "4.2 kB", "210.5 MB", "1.3 GB".
  private func size(_ bytes: Int) -> String {
    switch bytes {
    case ..<1000: return "\(bytes) bytes"
    case ..<1_000_000: return String(format: "%.1f kB", Double(bytes) / 1e3)
    case ..<1_000_000_000: return String(format: "%.1f MB", Double(bytes) / 1e6)
    default: return String(format: "%.1f GB", Double(bytes) / 1e9)
    }
  }

  // MARK: Inputs

  /// The input files in order: command-line order, folders walked in byte order of
  /// their paths (see ``InputWalk``), each told apart by its first bytes
  /// (``InputKind``). Unreadable paths are reported and counted; binary files are
  /// reported and skipped.
  private func enumerateInputs() throws -> [InputFile] {
    let arguments = flags.inputs.isEmpty ? ["-"] : flags.inputs
    let walk = InputWalk(arguments: arguments, excluding: flags.outputDir.map { [$0] } ?? [])
    for problem in walk.problems { Diagnostics.error(problem) }
    summary.failedInputs += walk.problems.count
    if !flags.quiet { for note in walk.notes { Diagnostics.note(note) } }
    var files: [InputFile] = []
    let encodingGiven = flags.encoding != "auto"
    for found in walk.files {
      let name = found.path == "-" ? "<stdin>" : found.path
      var info = stat()
      guard found.path != "-" && stat(found.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG else {
        files.append(
          InputFile(
            path: found.path, relativePath: found.relativePath, foundInFolder: found.foundInFolder, size: found.size,
            kind: nil, compression: nil))
        continue
      }
      guard let reader = InputReader(path: found.path) else {
        Diagnostics.error("cannot read \(name): \(String(cString: strerror(errno)))")
        summary.failedInputs += 1
        continue
      }
      let (prefix, complete) = reader.peek(InputKind.sniffBytes)
      if let failure = reader.failure {
        Diagnostics.error("cannot read \(name): \(failure)")
        summary.failedInputs += 1
        continue
      }
      let kind = InputKind.of(
        prefix, complete: complete, name: found.path, format: flags.format, encodingGiven: encodingGiven)
      if case .binary(let looks) = kind {
        Diagnostics.error(Self.binaryMessage(name, looks, reader.compression))
        summary.skipped += 1
        continue
      }
      files.append(
        InputFile(
          path: found.path, relativePath: found.relativePath, foundInFolder: found.foundInFolder, size: found.size,
          kind: kind, compression: reader.compression))
    }
    return files
  }

  /// What is said of an input that is not text.
  static func binaryMessage(_ name: String, _ looks: String, _ compression: Compression?) -> String {
    let compressed = compression.map { " (inside \($0.rawValue))" } ?? ""
    return "\(name): \(looks)\(compressed), not text: skipped (--encoding NAME reads a file as text in that encoding)"
  }

  /// The --output-dir path of `file`'s output: its relative path, WARC files renamed to
  /// JSON Lines (`a.warc.wet.gz` gives `a.jsonl.gz`).
  static func outputPath(_ file: InputFile, in directory: String) -> String {
    var relative = file.relativePath
    if file.kind == .warc {
      var suffix = ""
      if let compression = Compression(fileName: relative) {
        suffix = "." + compression.fileExtension
        relative.removeLast(suffix.count)
      }
      for extensionName in [".warc.wet", ".wet", ".warc"] where relative.hasSuffix(extensionName) {
        relative.removeLast(extensionName.count)
        break
      }
      relative += ".jsonl" + suffix
    }
    return directory + "/" + relative
  }

  /// The --output-dir file of `file`: its path, and its compression (the input's, or
  /// as --compress says).
  static func outputFile(for file: InputFile, flags: CorpusFlags) throws(OutputFile.Failure) -> OutputFile {
    let path = outputPath(file, in: flags.outputDir!)
    return try OutputFile(
      path: path, creatingDirectories: true, compression: flags.compress.compression(forInput: file.compression))
  }

  /// Refuses (exit 1) when an output file would replace one of the inputs.
  private func refuseOverwritingInputs(_ files: [InputFile]) throws {
    var outputs: [String] = []
    if flags.outputDir == nil { outputs.append(flags.output ?? "-") }
    if let explainPath { outputs.append(explainPath) }
    outputs += otherOutputs
    if let directory = flags.outputDir { outputs += files.map { Self.outputPath($0, in: directory) } }
    try Self.refuseOverwriting(files.map(\.path), with: outputs)
  }

  /// Exits with status 64 and a message if one of `outputs` is the same file as one of
  /// `inputs` (standard input and output, "-", never are), or if two outputs name the
  /// same file (one would lose what the other wrote). Character devices such as
  /// `/dev/null` may take several outputs.
  static func refuseOverwriting(_ inputs: [String], with outputs: [String]) throws {
    func identity(_ path: String) -> String? {
      var info = stat()
      guard path != "-", stat(path, &info) == 0 else { return nil }
      return "\(info.st_dev):\(info.st_ino)"
    }
    let inputIdentities = Set(inputs.compactMap(identity))
    var seen: [String: String] = [:]
    for output in outputs {
      if let id = identity(output), inputIdentities.contains(id) {
        Diagnostics.error("refusing to write \(output): it is one of the inputs")
        throw ExitCode(64)
      }
      guard let id = outputIdentity(output) else { continue }
      if let other = seen[id] {
        func name(_ path: String) -> String { path == "-" ? "standard output" : path }
        Diagnostics.error(
          other == output
            ? "two outputs name \(output): each needs a file of its own"
            : "the outputs \(name(other)) and \(name(output)) are the same file: each needs a file of its own")
        throw ExitCode(64)
      }
      seen[id] = output
    }
  }

  /// What an output writes to, to tell whether two outputs are the same: the device
  /// and inode of an existing file, with the descriptor for a standard stream (standard
  /// output and standard error joined by the shell are two outputs), the resolved path
  /// of a file to be created; nil for a character device, which may take several
  /// outputs.
  static func outputIdentity(_ path: String) -> String? {
    var info = stat()
    let stream: Int32? = path == "-" ? STDOUT_FILENO : OutputFile.standardStream(path)
    let found = stream.map { fstat($0, &info) == 0 } ?? (stat(path, &info) == 0)
    if found {
      if info.st_mode & S_IFMT == S_IFCHR { return nil }
      // Standard output and standard error may be one pipe: the shell joined them.
      return "\(info.st_dev):\(info.st_ino)" + (stream.map { ":\($0)" } ?? "")
    }
    if stream != nil { return "stream:\(stream!)" }
    let (folder, name) = splitPath(path)
    guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved) + "/" + name
  }

  static func displayName(_ file: InputFile) -> String { file.path == "-" ? "<stdin>" : file.path }

}
