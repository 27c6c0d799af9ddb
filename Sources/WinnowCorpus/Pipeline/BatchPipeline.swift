import Dispatch
import Foundation
import Synchronization

/// The ordered parallel pipeline: a reader cuts the input into batches numbered in
/// order, workers process them on their own threads, and the calling thread hands
/// them to the writer in sequence order, whatever order the workers finish in.
///
/// At most a few batches per worker are in flight, so memory stays bounded whatever
/// the size of the input, and the output does not depend on the thread count. With
/// one thread, the same batches are read, processed and written in turn on the
/// calling thread.
package final class BatchPipeline: @unchecked Sendable {
  /// Set by the writer when nothing more should be read or processed.
  private let stopping = Atomic<Bool>(false)

  package init() {}

  /// Whether the writer asked the run to stop: the reader should send no more.
  package var isStopping: Bool { stopping.load(ordering: .relaxed) }

  /// Asks the reader and the workers to stop: batches not yet processed are handed to
  /// the writer unprocessed.
  package func requestStop() { stopping.store(true, ordering: .relaxed) }

  /// Runs the pipeline to its end.
  ///
  /// - Parameters:
  ///   - threads: The number of workers; with 1, everything runs on this thread.
  ///   - read: Gives the batches to `deliver` in sequence order, from 0 up, the last
  ///     of kind ``Batch/Kind/finish``.
  ///   - process: The work on one batch, on a worker (not called once stopping).
  ///   - write: Takes each batch in sequence order on this thread (never the `finish`
  ///     one with more than one thread).
  package func run(
    threads: Int, read: @escaping @Sendable (_ deliver: (Batch) -> Void) -> Void,
    process: @escaping @Sendable (Batch) -> Void, write: (Batch) -> Void
  ) {
    if threads <= 1 {
      // One thread reads, processes and writes, batch after batch: one thread is one
      // core's worth of work, for runs of one process per core.
      read { batch in
        if !isStopping { process(batch) }
        write(batch)
      }
      return
    }
    let slots = DispatchSemaphore(value: 4 * threads + 4)
    let waiting = BlockingQueue<Batch>()
    let finished = ReorderBuffer()
    let group = DispatchGroup()
    let reader: @Sendable () -> Void = {
      read { batch in
        slots.wait()
        waiting.push(batch)
      }
      waiting.close()
    }
    let worker: @Sendable () -> Void = {
      while let batch = waiting.pop() {
        if !self.isStopping { process(batch) }
        finished.put(batch)
      }
    }
    for body in [reader] + Array(repeating: worker, count: threads) {
      group.enter()
      let thread = Thread {
        body()
        group.leave()
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    var sequence = 0
    while true {
      let batch = finished.take(sequence)
      sequence += 1
      defer { slots.signal() }
      if case .finish = batch.kind { break }
      write(batch)
    }
    group.wait()
  }
}

/// A first-in, first-out queue that blocks its consumers while it is empty.
package final class BlockingQueue<Element>: @unchecked Sendable {
  private var elements: [Element?] = []
  private var head = 0
  private var closed = false
  private let condition = NSCondition()

  package func push(_ element: Element) {
    condition.lock()
    elements.append(element)
    condition.signal()
    condition.unlock()
  }

  /// No more elements will come: consumers get nil once the queue is empty.
  package func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  /// The next element; nil when the queue is closed and empty.
  package func pop() -> Element? {
    condition.lock()
    defer { condition.unlock() }
    while head == elements.count && !closed { condition.wait() }
    guard head < elements.count else { return nil }
    let element = elements[head]
    elements[head] = nil
    head += 1
    if head > 1024 && head * 2 > elements.count {
      elements.removeFirst(head)
      head = 0
    }
    return element
  }
}

/// Processed batches, handed to the writer in sequence order whatever order the
/// workers finish them in.
package final class ReorderBuffer: @unchecked Sendable {
  private var ready: [Int: Batch] = [:]
  private let condition = NSCondition()

  package func put(_ batch: Batch) {
    condition.lock()
    ready[batch.sequence] = batch
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for the batch numbered `sequence`.
  package func take(_ sequence: Int) -> Batch {
    condition.lock()
    defer { condition.unlock() }
    while ready[sequence] == nil { condition.wait() }
    return ready.removeValue(forKey: sequence)!
  }
}
