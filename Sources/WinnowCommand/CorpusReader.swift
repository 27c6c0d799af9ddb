import Foundation
import Winnow
import WinnowCorpus

/// The command's side of the pipeline: the reader of every kind of input (files,
/// folders, standard input, JSON Lines, WARC, compressed), and the work on whole text
/// documents, over the corpus module's threads and queues (`BatchPipeline`) and its work
/// on lines and records (`BatchWorker`).
final class Pipeline: @unchecked Sendable {
  let files: [InputFile]
  let flags: CorpusFlags
  let outputsDocuments: Bool
  let explaining: Bool
  /// Documents are kept whole in their batch for the writer to deduplicate.
  let deduplicating: Bool
  /// The work on JSON lines and WARC records, and on each document.
  let worker: BatchWorker
  /// The threads and queues; the writer stops it.
  let engine = BatchPipeline()
  /// When normalizing is all the work on a text file: a large one is normalized as
  /// it is read, with this normalizer, instead of whole (see ``streamDocument``).
  let streamingNormalizer: TextNormalizer?

  init(
    files: [InputFile], flags: CorpusFlags, outputsDocuments: Bool, explaining: Bool, deduplicating: Bool,
    streamingNormalizer: TextNormalizer? = nil, work: @escaping DocumentWork
  ) {
    self.streamingNormalizer = streamingNormalizer
    self.files = files
    self.flags = flags
    self.outputsDocuments = outputsDocuments
    self.explaining = explaining
    self.deduplicating = deduplicating
    var configuration = BatchWorker.Configuration()
    configuration.field = JSONLine.FieldPath(flags.field)!
    configuration.idField = JSONLine.FieldPath(flags.idField)!
    configuration.strict = flags.strict
    configuration.outputsDocuments = outputsDocuments
    configuration.explaining = explaining
    configuration.deduplicating = deduplicating
    configuration.maxDocumentBytes = flags.maxDocumentBytes
    configuration.skipsOversize = flags.oversize == .skip
    worker = BatchWorker(configuration, work: work)
  }

  /// Runs the reader and the workers, handing each batch to `write` in order.
  func run(write: (Batch) -> Void) {
    engine.run(threads: flags.threads, read: { self.read($0) }, process: { self.process($0) }, write: write)
  }

  // MARK: Reader

  /// Cuts the inputs into batches, numbered in order, and gives each to `deliver`;
  /// the last is a `finish` batch.
  func read(_ deliver: (Batch) -> Void) {
    var sequence = 0
    func send(_ kind: Batch.Kind, file: Int, input: [UInt8] = [], message: String? = nil) {
      deliver(Batch(sequence: sequence, file: file, kind: kind, input: input, message: message))
      sequence += 1
    }
    reading: for (index, file) in files.enumerated() {
      let name = CorpusRun.displayName(file)
      guard !engine.isStopping else { break }
      guard let reader = InputReader(path: file.path) else {
        send(.unreadable, file: index, message: "cannot read \(name): \(String(cString: strerror(errno)))")
        if flags.strict { break }
        continue
      }
      var kind = file.kind ?? .text
      if file.kind == nil {
        // A stream: its kind is told from what it starts with, now.
        let (prefix, complete) = reader.peek(InputKind.sniffBytes)
        kind = InputKind.of(
          prefix, complete: complete, name: file.path, format: flags.format, encodingGiven: flags.encoding != "auto")
        if case .binary(let looks) = kind, reader.failure == nil {
          send(.skipped, file: index, message: CorpusRun.binaryMessage(name, looks, reader.compression))
          if flags.strict { break }
          continue
        }
      }
      switch kind {
      case .text, .binary:
        if case .text = kind, let normalizer = streamingNormalizer,
          streamDocument(file, index: index, reader: reader, normalizer: normalizer, sequence: &sequence, deliver)
        {
          if reader.failure != nil && flags.strict { break reading }
          continue
        }
        guard let bytes = reader.readAll() else {
          send(.unreadable, file: index, message: "cannot read \(name): \(reader.failure ?? "read error")")
          if flags.strict { break reading }
          continue
        }
        send(.document, file: index, input: bytes)
        continue
      case .jsonLines:
        if let range = flags.range, !reader.restrict(toLinesStartingIn: range.range) {
          send(.unreadable, file: index, message: "\(name): --range reads an uncompressed regular file only")
          break reading
        }
        var line = flags.firstLine
        while let piece = reader.nextLines(about: CorpusPipeline.batchBytes) {
          guard !engine.isStopping else { break reading }
          deliver(Batch.lines(piece, sequence: sequence, file: index, line: &line))
          sequence += 1
        }
      case .warc:
        var parser = WARCReader()
        var records: [WARCRecord] = []
        var size = 0
        var first = 1
        var malformed: String?
        func notWARC(_ error: WARCError) -> String {
          "\(name): not a valid WARC file at byte \(error.offset): \(error.description)"
        }
        func sendRecords() {
          guard !records.isEmpty else { return }
          let batch = Batch(sequence: sequence, file: index, kind: .records(firstRecord: first))
          batch.records = records
          deliver(batch)
          sequence += 1
          first += records.count
          (records, size) = ([], 0)
        }
        pieces: while let piece = reader.nextLines(about: CorpusPipeline.batchBytes) {
          guard !engine.isStopping else { break reading }
          parser.append(piece)
          do throws(WARCError) {
            while let record = try parser.next() {
              size += record.block.count + 256
              records.append(record)
              if size >= CorpusPipeline.batchBytes { sendRecords() }
            }
          } catch {
            malformed = notWARC(error)
            break pieces
          }
        }
        if malformed == nil && reader.failure == nil {
          do throws(WARCError) {
            try parser.finish()
          } catch {
            malformed = notWARC(error)
          }
        }
        sendRecords()
        if let malformed {
          send(.unreadable, file: index, message: malformed)
          send(.endOfFile(complete: false), file: index)
          if flags.strict { break reading }
          continue
        }
      }
      if let failure = reader.failure {
        send(.unreadable, file: index, message: "cannot read \(name): \(failure)")
        send(.endOfFile(complete: false), file: index)
        if flags.strict { break }
      } else {
        send(.endOfFile(complete: true), file: index)
      }
    }
    send(.finish, file: -1)
  }

  /// The least size of a text file normalized as it is read: smaller ones are read whole.
  static let streamingBytes = 8 << 20
  /// The size of the pieces a streamed text file is read and normalized in.
  static let streamingPieceBytes = 1 << 20

  /// Normalizes the text file `file` as it is read from `reader`, delivering its
  /// output in pieces, when it can be (a regular file of ``streamingBytes`` or more,
  /// all well-formed UTF-8 without a byte order mark or U+0085, within
  /// --max-document-bytes, for a run whose only work on it is normalizing, written to
  /// one output as text, without --explain): the output is that of normalizing it
  /// whole (``NormalizationStream``) in memory bounded by the pieces. A first read
  /// checks the file; returns false, having read nothing from `reader`, when it
  /// cannot be streamed. A read error while streaming stops the run with nothing
  /// written (`writeFailure`).
  private func streamDocument(
    _ file: InputFile, index: Int, reader: InputReader, normalizer: TextNormalizer, sequence: inout Int,
    _ deliver: (Batch) -> Void
  ) -> Bool {
    guard !explaining, !deduplicating, outputsDocuments, flags.outputDir == nil, flags.outputFormat != .jsonl,
      flags.encoding == "auto", reader.isRegular, file.size >= Self.streamingBytes,
      let check = InputReader(path: file.path)
    else { return false }
    var total = 0
    while let piece = check.nextLines(about: Self.streamingPieceBytes) {
      if total == 0 {
        // What whole-file detection would say: UTF-8 without a byte order mark (the
        // other pieces are checked to be well-formed below).
        let detected = TextEncoding.detect(piece)
        guard detected.name == "UTF-8", !detected.byteOrderMark, detected.confidence == 100 else { return false }
      }
      guard piece.withUnsafeBufferPointer({ NormalizationStream.accepts($0) }) else { return false }
      total += piece.count
      if let limit = flags.maxDocumentBytes, total > limit { return false }
    }
    guard check.failure == nil, total >= Self.streamingBytes else { return false }

    // The stream cuts the pieces; the workers normalize them, the writer commits them
    // in order (`StreamedPieces`).
    var stream = NormalizationStream(normalizer, pieceBytes: Self.streamingPieceBytes)
    let pieces = StreamedPieces(normalizer)
    func send(bytesIn: Int, piece: [UInt8]?, last: Bool, failure: String? = nil) {
      let batch = Batch(sequence: sequence, file: index, kind: .documentPiece)
      sequence += 1
      batch.piece = piece.map { pieces.piece($0) }
      batch.bytesIn = bytesIn
      batch.documents = last ? 1 : 0
      batch.writeFailure = failure
      deliver(batch)
    }
    while let read = reader.nextLines(about: Self.streamingPieceBytes) {
      guard !engine.isStopping else { return true }
      send(bytesIn: read.count, piece: stream.cutPiece(appending: read), last: false)
    }
    let failure = reader.failure.map { "cannot read \(CorpusRun.displayName(file)): \($0); nothing written" }
    send(bytesIn: 0, piece: failure == nil ? stream.cutRest() : nil, last: true, failure: failure)
    return true
  }

  // MARK: Workers

  /// Does the work on the documents of `batch`.
  func process(_ batch: Batch) {
    switch batch.kind {
    case .lines(let firstLine):
      worker.processLines(batch, firstLine: firstLine, name: CorpusRun.displayName(files[batch.file]))
    case .records(let firstRecord):
      worker.processRecords(batch, firstRecord: firstRecord, name: CorpusRun.displayName(files[batch.file]))
    case .document: processDocument(batch)
    case .documentPiece: batch.piece?.normalize()
    default: break
    }
  }

  private func processDocument(_ batch: Batch) {
    let file = files[batch.file]
    let source = DocumentSource(file: CorpusRun.displayName(file), line: 0)
    // Text in another encoding is converted to UTF-8 first (offsets in explanations
    // are then offsets of the converted text).
    let decoded: (utf8: [UInt8], encoding: TextEncoding.Detected)
    do {
      decoded = try TextEncoding.decode(batch.input, from: flags.encoding == "auto" ? nil : flags.encoding)
    } catch {
      batch.messages.append("\(source): \(error.description); skipped")
      batch.skipped = 1
      batch.bytesIn = batch.input.count
      batch.input = []
      return
    }
    let doubtful = flags.encoding == "auto" && decoded.encoding.confidence < CorpusRun.doubtfulConfidence
    if doubtful {
      batch.messages.append(
        "warning: \(source): the encoding is a guess, \(decoded.encoding.name) with confidence "
          + "\(decoded.encoding.confidence) of 100 (below \(CorpusRun.doubtfulConfidence)): the text may be misread; "
          + "name its encoding with --encoding")
    }
    var result = worker.process(decoded.utf8, source)
    if let size = result.oversize {
      batch.messages.append(worker.oversizeMessage(source.description, size))
      batch.oversize = 1
      if flags.oversize == .skip {
        batch.bytesIn = batch.input.count
        batch.input = []
        return
      }
    }
    if explaining {
      let encoding = decoded.encoding
      result.explanation?.encoding = .init(
        name: encoding.name, confidence: encoding.confidence, byteOrderMark: encoding.byteOrderMark,
        doubtful: doubtful ? true : nil)
    }
    // --output-format jsonl: the text as a record, its id the path under the input.
    var record: (line: [UInt8], value: Range<Int>)?
    if flags.outputFormat == .jsonl && outputsDocuments && result.oversize == nil {
      var line = Array("{\"id\":".utf8)
      line += Array(JSONLine.quoted(file.relativePath).utf8)
      line += Array(",\"text\":".utf8)
      let start = line.count
      result.output.withUnsafeBufferPointer { JSONLine.appendString($0, to: &line) }
      let value = start..<line.count
      line.append(UInt8(ascii: "}"))
      record = (line, value)
    }
    batch.bytesIn = batch.input.count
    batch.input = []
    batch.documents = 1
    batch.bytesOut = record.map { $0.line.count + 1 } ?? result.output.count
    batch.repeatsRemoved = result.repeatsRemoved
    batch.boilerplateRemoved = result.boilerplateRemoved
    if let keys = result.lineKeys { batch.lineKeys.append(keys) }
    batch.invalidReplaced = result.counts[.invalidUTF8]
    if deduplicating, let fingerprint = result.fingerprint {
      batch.output = record.map { $0.line + [0x0A] } ?? result.output
      if let record { batch.input = record.line }
      batch.entries.append(
        Batch.Entry(
          output: 0..<batch.output.count, line: record.map { (0..<$0.line.count, $0.value) }, text: result.output,
          fingerprint: fingerprint,
          paragraphOrigins: result.paragraphOrigins, originalCount: decoded.utf8.count,
          id: JSONLine.quoted(source.file), source: source.file, explanation: result.explanation,
          original: decoded.utf8))
      return
    }
    if outputsDocuments && flags.outputDir != nil {
      do throws(OutputFile.Failure) {
        let output = try CorpusRun.outputFile(for: file, flags: flags)
        try output.write(result.output)
        try output.commit()
      } catch {
        batch.writeFailure = error.message
      }
    } else {
      batch.output = record.map { $0.line + [0x0A] } ?? result.output
    }
    worker.explain(result, id: JSONLine.quoted(source.file), source: source, into: batch)
  }
}
