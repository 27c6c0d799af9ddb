import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

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

  /// Starts a thread running its argument; false when the system gives none.
  package typealias ThreadStarter = @Sendable (_ body: @escaping @Sendable () -> Void) -> Bool
  private let startThread: ThreadStarter

  /// A pipeline whose threads `startThread` starts (``startThread(_:)`` unless a test
  /// says otherwise).
  package init(startThread: @escaping ThreadStarter = BatchPipeline.startThread) {
    self.startThread = startThread
  }

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
    func runHere() {
      // One thread reads, processes and writes, batch after batch: one thread is one
      // core's worth of work, for runs of one process per core.
      read { batch in
        if !isStopping { process(batch) }
        write(batch)
      }
    }
    guard threads > 1 else { return runHere() }
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
    // Workers first, then the reader. When the system gives no thread (out of memory
    // or of threads), the run goes on with the workers it has, or on this thread: the
    // output does not depend on the number of threads.
    var workers = 0
    while workers < threads {
      group.enter()
      guard
        startThread({
          worker(); group.leave()
        })
      else {
        group.leave()
        break
      }
      workers += 1
    }
    group.enter()
    guard workers > 0,
      startThread({
        reader(); group.leave()
      })
    else {
      group.leave()
      waiting.close()
      group.wait()
      return runHere()
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

extension BatchPipeline {
  /// What a new thread runs.
  private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }

  /// Starts `body` on a new thread with a stack of 8 MB; false when the system
  /// refuses the thread. (Foundation's `Thread.start()` says nothing when it fails:
  /// a run then waited for ever on a reader that never started.)
  package static func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    // Initialized by pthread_attr_init.
    let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
    defer { attributes.deallocate() }
    guard pthread_attr_init(attributes) == 0 else { return false }
    defer { pthread_attr_destroy(attributes) }
    _ = pthread_attr_setstacksize(attributes, 8 << 20)
    _ = pthread_attr_setdetachstate(attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread: pthread_t = 0
    let result = pthread_create(
      &thread, attributes,
      { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
        return nil
      }, context)
    guard result == 0 else {
      Unmanaged<ThreadBody>.fromOpaque(context).release()
      return false
    }
    return true
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
