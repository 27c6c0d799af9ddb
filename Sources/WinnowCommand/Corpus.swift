import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Winnow

/// How input files are read.
enum InputFormat: String, ExpressibleByArgument, CaseIterable {
  /// JSON Lines for `.jsonl` and `.ndjson` files, plain text otherwise.
  case auto
  /// A file is one document.
  case text
  /// One JSON object per line; the document is one string field.
  case jsonl
}

/// Options shared by the commands that process many documents.
struct CorpusFlags: ParsableArguments {
  @Argument(help: "Files and folders to read (folders recursively); '-' or nothing reads standard input.")
  var inputs: [String] = []

  @Option(name: .shortAndLong, help: "Write all output here (atomically) instead of standard output.")
  var output: String?

  @Option(help: "Write one output file per input file into this folder, under the input's relative path.")
  var outputDir: String?

  @Option(help: "Input format: auto (JSON Lines for .jsonl and .ndjson), text or jsonl.")
  var format: InputFormat = .auto

  @Option(help: "The JSON Lines field that holds the text.")
  var field: String = "text"

  @Option(help: "Worker threads (default: every core).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Stop at the first input that cannot be read or parsed (exit status 2).")
  var strict = false

  @Flag(name: .shortAndLong, help: "Print no progress and no summary on standard error.")
  var quiet = false

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1.") }
    guard output == nil || outputDir == nil else {
      throw ValidationError("--output and --output-dir cannot be used together.")
    }
    guard !field.isEmpty else { throw ValidationError("--field must not be empty.") }
  }
}

/// What the work on one document produced.
struct DocumentResult: Sendable {
  /// The new text of the document (or, for reports, what to print).
  var output: [UInt8]
  var counts = EditCounts()
  var repeatsRemoved = 0
  /// The `--explain` members for this document (JSON, without braces), if asked for.
  var explanation: String?
}

/// One input file, found on the command line or in a folder.
struct InputFile {
  var path: String
  /// The path under the folder it was found in (or the file name), for --output-dir.
  var relativePath: String
  var isJSONLines: Bool
  var foundInFolder: Bool
  var size: Int
}

/// Counts for the summary line.
struct CorpusSummary {
  var documents = 0
  var skipped = 0
  var bytesIn = 0
  var bytesOut = 0
  var repeatsRemoved = 0
  var invalidReplaced = 0
  var failedInputs = 0
}

/// Reads documents from files, folders, standard input and JSON Lines, processes them
/// in parallel in batches, and writes the results in input order.
///
/// Memory stays bounded: JSON Lines are read and processed a batch (about 8 MB) at a
/// time, and a text file is held only while it is processed.
final class CorpusRun {
  let flags: CorpusFlags
  /// Whether the output is one document per input (clean, normalize) rather than a
  /// report: several text documents then need --output-dir.
  let outputsDocuments: Bool
  let explainPath: String?
  private(set) var summary = CorpusSummary()
  private var progress: Progress?
  private let batchBytes = 8 << 20

  init(flags: CorpusFlags, outputsDocuments: Bool, explain: String?) {
    self.flags = flags
    self.outputsDocuments = outputsDocuments
    self.explainPath = explain
  }

  /// Processes every input with `work`; returns the exit status.
  func run(_ work: @escaping @Sendable ([UInt8]) -> DocumentResult) throws -> Int32 {
    let start = ContinuousClock.now
    let files = try enumerateInputs()
    if flags.strict && summary.failedInputs > 0 { return 2 }
    let textDocuments = files.filter { !$0.isJSONLines }.count
    if outputsDocuments && flags.outputDir == nil && (textDocuments > 1 || (textDocuments == 1 && files.count > 1)) {
      Diagnostics.error(
        "\(textDocuments) text document\(textDocuments == 1 ? "" : "s") among \(files.count) inputs: "
          + "use --output-dir DIR to write one file per input (winnow does not concatenate documents)")
      return 64
    }
    try refuseOverwritingInputs(files)
    if !flags.quiet && isatty(STDERR_FILENO) != 0 {
      progress = Progress(total: files.allSatisfy { $0.path != "-" } ? files.reduce(0) { $0 + $1.size } : nil)
    }
    var stopped = false
    do {
      let explain = try explainPath.map { path throws(OutputFile.Failure) in try OutputFile(path: path) }
      let single = flags.outputDir == nil ? try OutputFile(path: flags.output) : nil
      var index = 0
      while index < files.count {
        let file = files[index]
        if !file.isJSONLines {
          // Text files are one document each: read a group of them and process the
          // group in parallel.
          var group: [(file: InputFile, bytes: [UInt8])] = []
          var size = 0
          while index < files.count && !files[index].isJSONLines && (size < batchBytes || group.isEmpty) {
            let file = files[index]
            index += 1
            guard let bytes = readText(file) else {
              if flags.strict {
                stopped = true
                break
              }
              continue
            }
            group.append((file, bytes))
            size += bytes.count
          }
          let outcomes = runBatch(
            group.map { Job(bytes: $0.bytes, line: 0, name: Self.displayName($0.file)) }, jsonLines: false, work: work)
          for (member, outcome) in zip(group, outcomes) {
            let destination =
              try single
              ?? OutputFile(path: flags.outputDir! + "/" + member.file.relativePath, creatingDirectories: true)
            try emit([outcome], name: Self.displayName(member.file), output: destination, explain: explain)
            if single == nil { try destination.commit() }
            progress?.advance(member.bytes.count)
          }
          if stopped { break }
          continue
        }
        index += 1
        let destination =
          try single ?? OutputFile(path: flags.outputDir! + "/" + file.relativePath, creatingDirectories: true)
        let outcome = try process(file, work: work, into: destination, explain: explain)
        if single == nil {
          // An unreadable or skipped file gets no output file, nor does one cut short.
          if outcome == .complete || (outcome == .incomplete && !flags.strict) {
            try destination.commit()
          } else {
            destination.abandon()
          }
        }
        if outcome != .complete && flags.strict {
          stopped = true
          break
        }
      }
      progress?.clear()
      if !stopped {
        try single?.commit()
        try explain?.commit()
      }
    } catch let error as OutputFile.Failure {
      progress?.clear()
      Diagnostics.error(error.message)
      return 1
    }
    if !flags.quiet { printSummary(since: start) }
    return stopped || summary.failedInputs > 0 || summary.skipped > 0 ? 2 : 0
  }

  private func printSummary(since start: ContinuousClock.Instant) {
    let elapsed = seconds(since: start)
    var line = "\(summary.documents) document\(summary.documents == 1 ? "" : "s")"
    if summary.skipped > 0 { line += ", \(summary.skipped) skipped" }
    if summary.failedInputs > 0 {
      line += ", \(summary.failedInputs) input\(summary.failedInputs == 1 ? "" : "s") unreadable"
    }
    line += "; \(summary.bytesIn) bytes in, \(summary.bytesOut) out"
    if outputsDocuments { line += "; \(summary.repeatsRemoved) repeats removed" }
    line += "; \(summary.invalidReplaced) invalid sequences replaced"
    line += String(format: "; %.2f s, ", elapsed) + rate(summary.bytesIn, elapsed)
    Diagnostics.note(line)
  }

  // MARK: Inputs

  private func isJSONLines(_ path: String) -> Bool {
    switch flags.format {
    case .jsonl: true
    case .text: false
    case .auto: path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
    }
  }

  /// The input files in order: command-line order, folders walked in byte order of
  /// their paths. Unreadable paths are reported and counted.
  private func enumerateInputs() throws -> [InputFile] {
    let arguments = flags.inputs.isEmpty ? ["-"] : flags.inputs
    var files: [InputFile] = []
    let manager = FileManager.default
    for argument in arguments {
      if argument == "-" {
        files.append(
          InputFile(
            path: "-", relativePath: "stdin", isJSONLines: flags.format == .jsonl, foundInFolder: false, size: 0))
        continue
      }
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        Diagnostics.error("cannot read \(argument): no such file or directory")
        summary.failedInputs += 1
        continue
      }
      if !isDirectory.boolValue {
        let size = (try? manager.attributesOfItem(atPath: argument)[.size] as? Int) ?? 0
        files.append(
          InputFile(
            path: argument, relativePath: (argument as NSString).lastPathComponent, isJSONLines: isJSONLines(argument),
            foundInFolder: false, size: size))
        continue
      }
      guard let enumerator = manager.enumerator(atPath: argument) else {
        Diagnostics.error("cannot read folder \(argument)")
        summary.failedInputs += 1
        continue
      }
      var found: [InputFile] = []
      while let relative = enumerator.nextObject() as? String {
        let path = argument.hasSuffix("/") ? argument + relative : argument + "/" + relative
        guard let attributes = enumerator.fileAttributes, attributes[.type] as? FileAttributeType == .typeRegular
        else { continue }
        found.append(
          InputFile(
            path: path, relativePath: relative, isJSONLines: isJSONLines(path), foundInFolder: true,
            size: attributes[.size] as? Int ?? 0))
      }
      files += found.sorted { Array($0.relativePath.utf8).lexicographicallyPrecedes(Array($1.relativePath.utf8)) }
    }
    return files
  }

  /// Refuses (exit 1) when an output file would replace one of the inputs.
  private func refuseOverwritingInputs(_ files: [InputFile]) throws {
    func identity(_ path: String) -> (UInt64, UInt64)? {
      var info = stat()
      guard stat(path, &info) == 0 else { return nil }
      return (UInt64(info.st_dev), UInt64(info.st_ino))
    }
    var outputs: [String] = []
    if let output = flags.output, output != "-" { outputs.append(output) }
    if let explainPath, explainPath != "-" { outputs.append(explainPath) }
    if let directory = flags.outputDir { outputs += files.map { directory + "/" + $0.relativePath } }
    let inputs = Set(files.compactMap { identity($0.path).map { "\($0.0):\($0.1)" } })
    for output in outputs {
      if let id = identity(output), inputs.contains("\(id.0):\(id.1)") {
        Diagnostics.error("refusing to write \(output): it is one of the inputs")
        throw ExitCode(64)
      }
    }
  }

  // MARK: Processing

  /// A document waiting for a worker.
  private struct Job: Sendable {
    var bytes: [UInt8]
    var line: Int  // 0 for a text file
    var name: String
  }

  /// What a worker made of a job.
  private enum Outcome: Sendable {
    case done(DocumentResult, id: String, output: [UInt8])
    case failed(String)
  }

  /// How far the processing of one input file got.
  private enum FileOutcome {
    case complete
    /// Some lines could not be parsed (or, with --strict, the file was cut short).
    case incomplete
    /// Nothing was read: the file could not be opened.
    case unread
  }

  static func displayName(_ file: InputFile) -> String { file.path == "-" ? "<stdin>" : file.path }

  /// The bytes of a text file; nil (reported and counted) when it cannot be read or,
  /// found in a folder, looks binary.
  private func readText(_ file: InputFile) -> [UInt8]? {
    let name = Self.displayName(file)
    guard let reader = LineReader(path: file.path), let bytes = reader.readAll() else {
      Diagnostics.error("cannot read \(name): \(String(cString: strerror(errno)))")
      summary.failedInputs += 1
      return nil
    }
    reader.close()
    if file.foundInFolder && bytes.prefix(8000).contains(0) {
      Diagnostics.error("\(name): binary file (NUL bytes), skipped")
      summary.skipped += 1
      return nil
    }
    summary.bytesIn += bytes.count
    return bytes
  }

  /// Processes one JSON Lines file.
  private func process(
    _ file: InputFile, work: @escaping @Sendable ([UInt8]) -> DocumentResult, into output: OutputFile,
    explain: OutputFile?
  ) throws(OutputFile.Failure) -> FileOutcome {
    let name = Self.displayName(file)
    guard let reader = LineReader(path: file.path) else {
      Diagnostics.error("cannot read \(name): \(String(cString: strerror(errno)))")
      summary.failedInputs += 1
      return .unread
    }
    defer { reader.close() }
    var allGood = true
    var lineNumber = 0
    while true {
      var jobs: [Job] = []
      var size = 0
      while size < batchBytes, let line = reader.nextLine() {
        lineNumber += 1
        size += line.count + 1
        // Blank lines are not documents.
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
        jobs.append(Job(bytes: line, line: lineNumber, name: name))
      }
      if let error = reader.error {
        Diagnostics.error("cannot read \(name): \(String(cString: strerror(error)))")
        summary.failedInputs += 1
        return .incomplete
      }
      summary.bytesIn += size
      guard !jobs.isEmpty else { break }
      let outcomes = runBatch(jobs, jsonLines: true, work: work)
      let ok = try emit(outcomes, name: name, output: output, explain: explain)
      progress?.advance(size)
      if !ok {
        allGood = false
        if flags.strict { return .incomplete }
      }
    }
    return allGood ? .complete : .incomplete
  }

  /// Runs `work` on every job on `flags.threads` threads; outcomes in job order.
  private func runBatch(_ jobs: [Job], jsonLines: Bool, work: @escaping @Sendable ([UInt8]) -> DocumentResult)
    -> [Outcome]
  {
    let slots = Slots<Outcome>(count: jobs.count)
    let next = Atomic<Int>(0)
    let field = Array(flags.field.utf8)
    let process: @Sendable (Job) -> Outcome = { job in
      guard jsonLines else {
        let result = work(job.bytes)
        return .done(result, id: Self.quoted(job.name), output: result.output)
      }
      return job.bytes.withUnsafeBufferPointer { line in
        do throws(JSONLine.Failure) {
          let record = try JSONLine.parse(line, field: field)
          var result = work(record.text)
          if record.replacedEscapes > 0 {
            result.counts[.invalidUTF8] += record.replacedEscapes
          }
          let id = record.idRange.map { String(decoding: line[$0], as: UTF8.self) } ?? String(job.line)
          return .done(result, id: id, output: record.replacingText(in: line, with: result.output) + [0x0A])
        } catch {
          return .failed("\(job.line):\(error.column): \(error.reason)")
        }
      }
    }
    let workers = min(flags.threads, jobs.count)
    jobs.withUnsafeBufferPointer { jobs in
      nonisolated(unsafe) let jobs = jobs
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
          let index = next.add(1, ordering: .relaxed).oldValue
          guard index < jobs.count else { return }
          slots.set(index, process(jobs[index]))
        }
      }
    }
    return slots.values
  }

  /// Writes outcomes in order; returns false when one of them failed.
  @discardableResult
  private func emit(
    _ outcomes: [Outcome], name: String, output: OutputFile, explain: OutputFile?
  ) throws(OutputFile.Failure) -> Bool {
    var ok = true
    for outcome in outcomes {
      switch outcome {
      case .failed(let message):
        Diagnostics.error("\(name):\(message)")
        summary.skipped += 1
        ok = false
        if flags.strict { return false }
      case .done(let result, let id, let bytes):
        summary.documents += 1
        summary.bytesOut += bytes.count
        summary.repeatsRemoved += result.repeatsRemoved
        summary.invalidReplaced += result.counts[.invalidUTF8]
        try output.write(bytes)
        if let explain, let members = result.explanation {
          try explain.write(Array("{\"id\":\(id),\"input\":\(Self.quoted(name)),\(members)}\n".utf8))
        }
      }
    }
    return ok
  }

  /// `text` as a JSON string literal.
  static func quoted(_ text: String) -> String {
    var bytes: [UInt8] = []
    JSONLine.appendString(Array(text.utf8), to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension CorpusRun {
  /// Result slots written by workers at distinct indices, read after they finish.
  final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) { storage = [Value?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
      lock.lock()
      storage[index] = value
      lock.unlock()
    }

    var values: [Value] { storage.map { $0! } }
  }
}
