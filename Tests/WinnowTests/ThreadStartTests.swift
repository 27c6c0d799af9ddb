import Foundation
import Synchronization
import Testing
import WinnowCorpus

/// A pipeline that gets fewer threads than it asks for (the system out of memory or of
/// threads) still reads, processes and writes every batch, in order.
@Suite struct ThreadStartTests {
  /// Runs a pipeline of 3 workers over 60 batches, with threads started only while
  /// fewer than `allowed` have been: the sequence numbers written, and how many
  /// batches were processed.
  static func run(allowing allowed: Int) -> (written: [Int], processed: Int) {
    let started = Atomic<Int>(0)
    let pipeline = BatchPipeline(startThread: { body in
      guard started.add(1, ordering: .relaxed).newValue <= allowed else { return false }
      return BatchPipeline.startThread(body)
    })
    let processed = Atomic<Int>(0)
    var written: [Int] = []
    pipeline.run(
      threads: 3,
      read: { deliver in
        for sequence in 0..<60 { deliver(Batch(sequence: sequence, file: 0, kind: .document)) }
        deliver(Batch(sequence: 60, file: -1, kind: .finish))
      },
      process: { batch in
        guard case .document = batch.kind else { return }
        batch.documents = 1
        processed.add(1, ordering: .relaxed)
      },
      write: { batch in
        if case .finish = batch.kind { return }
        #expect(batch.documents == 1)
        written.append(batch.sequence)
      })
    return (written, processed.load(ordering: .relaxed))
  }

  @Test(.timeLimit(.minutes(1)), arguments: [0, 1, 3, 4])
  func everyBatchIsWrittenInOrder(allowed: Int) {
    let run = Self.run(allowing: allowed)
    #expect(run.written == Array(0..<60), "\(allowed) threads allowed")
    #expect(run.processed == 60)
  }
}
