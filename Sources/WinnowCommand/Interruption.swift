import Dispatch
import Foundation
import Synchronization
import Winnow

/// SIGINT and SIGTERM: wherever the threads are (a worker in a long document, the
/// reader waiting on standard input), the run ends at once, removes the temporary
/// files of every output not yet complete, says how far it got, and exits with
/// 128 + the signal's number (130, 143). Outputs completed before stay; nothing is left
/// under a final name half written. An index is not saved.
enum Interruption {
  private static let temporaries = Locked<Set<String>>([])
  private static let documents = Atomic<Int>(0)
  private static let bytes = Atomic<Int>(0)
  private static let sources = Locked<[any DispatchSourceSignal]>([])

  /// Handles both signals from now on (once per process).
  static func install() {
    sources.withLock { sources in
      guard sources.isEmpty else { return }
      for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { interrupted(by: number) }
        source.resume()
        sources.append(source)
      }
    }
  }

  /// Notes a temporary file to remove if the run is interrupted.
  static func register(_ path: String) { temporaries.withLock { _ = $0.insert(path) } }

  /// The temporary file was renamed or removed.
  static func unregister(_ path: String) { temporaries.withLock { _ = $0.remove(path) } }

  /// How far the run has got, for the message.
  static func progress(documents: Int, bytes: Int) {
    self.documents.store(documents, ordering: .relaxed)
    self.bytes.store(bytes, ordering: .relaxed)
  }

  private static func interrupted(by number: Int32) -> Never {
    let removed = temporaries.withLock { paths in
      for path in paths { unlink(path) }
      return paths.count
    }
    let name = number == SIGINT ? "SIGINT" : "SIGTERM"
    let done = documents.load(ordering: .relaxed)
    let megabytes = Double(bytes.load(ordering: .relaxed)) / 1e6
    let message =
      "\rwinnow: interrupted by \(name) after \(done) document\(done == 1 ? "" : "s") "
      + String(format: "(%.1f MB read)", megabytes)
      + "; \(removed) unfinished output\(removed == 1 ? "" : "s") removed, nothing partial left\n"
    FileHandle.standardError.write(Data(message.utf8))
    _exit(128 + number)
  }
}
