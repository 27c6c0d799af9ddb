import Winnow

/// The deciding end of the pipeline: in input order, which documents of each batch
/// repeat earlier ones and which paragraphs they hold that earlier documents hold,
/// through one ``CorpusDeduplicator``; the batch's output and explanations are
/// rewritten accordingly.
package struct BatchDecider {
  /// What has been seen, updated by each batch.
  package var deduplicator: CorpusDeduplicator
  /// Whether explanations are written.
  package let explaining: Bool
  package private(set) var exactDuplicates = 0
  package private(set) var nearDuplicates = 0
  package private(set) var paragraphsRemoved = 0
  /// Decisions made elsewhere (`winnow apply`): the decision for the document
  /// numbered `ordinal` (from 0, in input order), used instead of the deduplicator's.
  package var given: ((_ ordinal: Int, _ entry: Batch.Entry) -> DeduplicationDecision)?
  /// Documents decided so far.
  package private(set) var decided = 0

  package init(_ deduplicator: CorpusDeduplicator, explaining: Bool) {
    self.deduplicator = deduplicator
    self.explaining = explaining
  }

  /// Decides, in input order, which documents of `batch` are duplicates of earlier
  /// ones and which paragraphs they repeat, and rewrites the batch's output and
  /// explanations accordingly.
  package mutating func decide(_ batch: Batch) {
    guard !batch.entries.isEmpty else { return }
    let decisions = batch.entries.map { entry in
      defer { decided += 1 }
      return given?(decided, entry) ?? deduplicator.decide(entry.fingerprint, id: entry.id)
    }
    // A batch whose documents all stay whole keeps the output the workers wrote.
    let rewrites = decisions.contains { $0.duplicate != nil || !$0.removedParagraphs.isEmpty }
    guard rewrites || explaining else {
      batch.input = []
      return
    }
    var output: [UInt8] = []
    if rewrites { output.reserveCapacity(batch.output.count) }
    var explanations: [UInt8] = []
    // Output between entries (documents that were not fingerprinted, such as those
    // passed through over --max-document-bytes) is kept as it is.
    var copied = 0
    for (entry, decision) in zip(batch.entries, decisions) {
      if rewrites { output.append(contentsOf: batch.output[copied..<entry.output.lowerBound]) }
      copied = entry.output.upperBound
      typealias ID = DocumentExplanation.RecordID
      // Built only when explaining: the writer's thread does this for every document.
      var explanation = DocumentExplanation(id: ID(json: ""), input: "")
      if explaining {
        explanation = entry.explanation ?? explanation
        (explanation.id, explanation.input) = (ID(json: entry.id), entry.source)
      }
      if explaining, let candidate = decision.nearestCandidate {
        // Similar enough to be checked, but holding text of its own: why it stays.
        explanation.nearCandidate = .init(
          id: ID(json: candidate.keptID), similarity: candidate.similarity, coveredShare: candidate.coveredShare,
          longestNewRun: candidate.longestNewRun)
      }
      if let duplicate = decision.duplicate {
        if duplicate.kind == .exact { exactDuplicates += 1 } else { nearDuplicates += 1 }
        batch.bytesOut -= entry.output.count
        batch.dropped = true
        guard explaining else { continue }
        explanation.duplicateOf = .init(
          id: ID(json: duplicate.keptID), kind: duplicate.kind.rawValue, similarity: duplicate.similarity,
          coveredShare: duplicate.coveredShare, longestNewRun: duplicate.longestNewRun, span: [0, entry.originalCount])
      } else if decision.removedParagraphs.isEmpty {
        if rewrites { output.append(contentsOf: batch.output[entry.output]) }
        guard explaining else { continue }
        explanation.removedParagraphs = []
      } else {
        paragraphsRemoved += decision.removedParagraphs.count
        let text = decision.applied(to: entry.text)
        let before = output.count
        if let (line, value) = entry.line {
          batch.input.withUnsafeBufferPointer { input in
            JSONLine.append(UnsafeBufferPointer(rebasing: input[line]), replacing: value, with: text, to: &output)
          }
          output.append(0x0A)
        } else {
          output.append(contentsOf: text)
        }
        batch.bytesOut += output.count - before - entry.output.count
        guard explaining else { continue }
        // Removed paragraphs come in the order of the removable ones: one walk maps
        // each to where it was in the original text.
        let removable = entry.fingerprint.removableParagraphs
        var index = 0
        explanation.removedParagraphs = decision.removedParagraphs.map { paragraph in
          while index < removable.count && removable[index] != paragraph.paragraph { index += 1 }
          // Every removed paragraph is one of the removable ones; the fallback (its
          // range in the cleaned text, clamped) only keeps a broken invariant from
          // trapping.
          let origin =
            index < entry.paragraphOrigins.count
            ? entry.paragraphOrigins[index] : paragraph.paragraph.clamped(to: 0..<entry.original.count)
          return .init(
            span: [origin.lowerBound, origin.upperBound], keptId: ID(json: paragraph.keptID), similarity: 1,
            text: String(decoding: entry.original[origin], as: UTF8.self))
        }
      }
      if explaining { explanation.encodedLine(into: &explanations) }
    }
    if rewrites {
      output.append(contentsOf: batch.output[copied...])
      batch.output = output
    }
    batch.explanations = explanations
    batch.input = []
  }
}
