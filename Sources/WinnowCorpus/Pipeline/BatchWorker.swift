import CWinnowKernels
import Foundation
import Winnow

/// What a worker of the pipeline does to a batch of JSON lines or WARC records: each
/// document through the work, its output appended to the batch's in input order, its
/// explanation encoded, and with deduplication an entry for the writer to decide on.
package struct BatchWorker: Sendable {
  /// How documents are read and written.
  package struct Configuration: Sendable {
    /// The member that holds a record's text.
    package var field = JSONLine.FieldPath("text")!
    /// The member that identifies a record in explanations.
    package var idField = JSONLine.FieldPath("id")!
    /// Whether a malformed line stops the batch (and the run).
    package var strict = false
    /// Whether the output is the documents (each record written back with its new
    /// text) rather than a report of each (the work's output as it is).
    package var outputsDocuments = true
    /// Whether explanations are written.
    package var explaining = false
    /// Whether documents are kept in their batch for the writer to deduplicate.
    package var deduplicating = false
    /// Documents over this many bytes are not processed.
    package var maxDocumentBytes: Int?
    /// Whether a document over `maxDocumentBytes` is left out (else passed through).
    package var skipsOversize = false

    package init() {}
  }

  package let configuration: Configuration
  private let work: DocumentWork

  package init(_ configuration: Configuration, work: @escaping DocumentWork) {
    self.configuration = configuration
    if let limit = configuration.maxDocumentBytes {
      // Documents over the limit are not processed: passed through, or dropped.
      let skip = configuration.skipsOversize
      self.work = { bytes, source in
        guard bytes.count > limit else { return work(bytes, source) }
        var result = DocumentResult(output: skip ? [] : bytes)
        result.oversize = bytes.count
        return result
      }
    } else {
      self.work = work
    }
  }

  /// The work on one document, with the size limit applied.
  package func process(_ bytes: [UInt8], _ source: DocumentSource) -> DocumentResult { work(bytes, source) }

  /// Processes the JSON lines of `batch`, the first numbered `firstLine`, of the file
  /// called `name`.
  package func processLines(_ batch: Batch, firstLine: Int, name: String) {
    let deduplicating = configuration.deduplicating
    let outputsDocuments = configuration.outputsDocuments
    batch.bytesIn = batch.input.count
    batch.output.reserveCapacity(batch.input.count + batch.input.count / 16)
    batch.input.withUnsafeBufferPointer { all in
      var start = 0
      var lineNumber = firstLine - 1
      while start < all.count {
        lineNumber += 1
        let rest = all.count - start
        var end = all.count
        if let feed = memchr(all.baseAddress! + start, 0x0A, rest) {
          end = UnsafeRawPointer(feed) - UnsafeRawPointer(all.baseAddress!)
        }
        let line = UnsafeBufferPointer(rebasing: all[start..<end])
        start = end + 1
        // Blank lines are not documents.
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
        do throws(JSONLine.Failure) {
          let record = try JSONLine.parse(line, path: configuration.field, id: configuration.idField)
          if batch.fields.firstWithField == nil { batch.fields.firstWithField = lineNumber }
          let id = record.idRange.map { String(decoding: line[$0], as: UTF8.self) }
          let source = DocumentSource(file: name, line: lineNumber, id: id)
          var result = work(record.text, source)
          result.counts[.invalidUTF8] += record.replacedEscapes
          guard count(result, of: source, in: batch) else { continue }
          let before = batch.output.count
          if outputsDocuments {
            record.appendReplacingText(in: line, with: result.output, to: &batch.output)
            batch.output.append(0x0A)
          } else {
            batch.output.append(contentsOf: result.output)
          }
          batch.bytesOut += batch.output.count - before
          if deduplicating, let fingerprint = result.fingerprint {
            let lineStart = line.baseAddress! - all.baseAddress!
            batch.entries.append(
              Batch.Entry(
                output: before..<batch.output.count, line: (lineStart..<lineStart + line.count, record.valueRange),
                text: result.output, fingerprint: fingerprint, paragraphOrigins: result.paragraphOrigins,
                originalCount: record.text.count, id: id ?? String(lineNumber), source: name,
                explanation: result.explanation, original: record.text))
          } else {
            explain(result, id: id ?? String(lineNumber), source: source, into: batch)
          }
        } catch {
          batch.skipped += 1
          if let missing = error.missing, !configuration.strict {
            // Counted, and reported once per file by the writer.
            batch.fields.add(missing, line: lineNumber)
            if lineNumber <= FieldCounts.linesChecked && batch.fields.names.count < 64 {
              for name in JSONLine.memberNames(line) ?? [] where !batch.fields.names.contains(name) {
                batch.fields.names.append(name)
              }
            }
            continue
          }
          batch.messages.append("\(name):\(lineNumber):\(error.column): \(error.reason)")
          if configuration.strict {
            batch.stoppedAtFailure = true
            return
          }
        }
      }
    }
    let feeds = batch.input.withUnsafeBufferPointer { Int(winnow_count_line_feeds($0.baseAddress!, Int64($0.count))) }
    batch.lastLine = firstLine + feeds - (batch.input.last == 0x0A ? 1 : 0)
    // Deduplication may write some lines again.
    if !deduplicating { batch.input = [] }
  }

  /// The conversion records of a WARC batch, the first numbered `firstRecord`, each a
  /// document written as a JSON Lines record (``WARCRecord/jsonRecord(text:)``); other
  /// records are counted.
  package func processRecords(_ batch: Batch, firstRecord: Int, name: String) {
    let deduplicating = configuration.deduplicating
    for (offset, record) in batch.records.enumerated() {
      let number = firstRecord + offset
      batch.bytesIn += record.block.count
      guard record.type == "conversion" else {
        batch.otherRecords[record.type.isEmpty ? "untyped" : record.type, default: 0] += 1
        continue
      }
      let id = record.header("WARC-Record-ID").map { JSONLine.quoted($0) } ?? "null"
      let source = DocumentSource(file: name, line: 0, id: id, record: number)
      let result = work(record.block, source)
      guard count(result, of: source, in: batch) else { continue }
      let before = batch.output.count
      if configuration.outputsDocuments {
        let (line, text) = record.jsonRecord(text: result.output)
        batch.output.append(contentsOf: line)
        batch.output.append(0x0A)
        if deduplicating, let fingerprint = result.fingerprint {
          batch.entries.append(
            Batch.Entry(
              output: before..<batch.output.count, line: (before..<before + line.count, text), text: result.output,
              fingerprint: fingerprint, paragraphOrigins: result.paragraphOrigins, originalCount: record.block.count,
              id: id, source: name, explanation: result.explanation, original: record.block))
        } else {
          explain(result, id: id, source: source, into: batch)
        }
      } else {
        batch.output.append(contentsOf: result.output)
        explain(result, id: id, source: source, into: batch)
      }
      batch.bytesOut += batch.output.count - before
    }
    batch.records = []
    // Deduplication may write some records again: their lines are the input then.
    if deduplicating { batch.input = batch.output }
  }

  /// Counts a processed document of `batch`; false when it is over the size limit and
  /// left out.
  package func count(_ result: DocumentResult, of source: DocumentSource, in batch: Batch) -> Bool {
    if let size = result.oversize {
      batch.messages.append(oversizeMessage(source.description, size))
      batch.oversize += 1
      if configuration.skipsOversize { return false }
    }
    batch.documents += 1
    batch.repeatsRemoved += result.repeatsRemoved
    batch.boilerplateRemoved += result.boilerplateRemoved
    if let keys = result.lineKeys { batch.lineKeys.append(keys) }
    batch.invalidReplaced += result.counts[.invalidUTF8]
    return true
  }

  /// What is said of a document over the size limit.
  package func oversizeMessage(_ place: String, _ size: Int) -> String {
    "\(place): a document of \(size) bytes, over --max-document-bytes \(configuration.maxDocumentBytes ?? 0): "
      + (configuration.skipsOversize ? "skipped" : "passed through unchanged")
  }

  /// Appends the explanation line of a document that is not deduplicated.
  package func explain(_ result: DocumentResult, id: String, source: DocumentSource, into batch: Batch) {
    guard configuration.explaining, var explanation = result.explanation else { return }
    explanation.id = DocumentExplanation.RecordID(json: id)
    explanation.input = source.file
    explanation.encodedLine(into: &batch.explanations)
  }
}
