import Foundation

/// Reads a file or standard input in large chunks, whole or line by line.
final class LineReader {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var buffer: [UInt8] = []
  private var start = 0
  private var finished = false
  /// The `errno` of a failed read, if one failed.
  private(set) var error: Int32?
  private var chunk = 4 << 20

  /// Opens `path` ("-" is standard input); nil when it cannot be opened (see errno).
  init?(path: String) {
    if path == "-" {
      descriptor = STDIN_FILENO
      ownsDescriptor = false
    } else {
      descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { return nil }
      ownsDescriptor = true
    }
  }

  func close() {
    if ownsDescriptor { _ = Foundation.close(descriptor) }
  }

  /// Reads more bytes into the buffer; false at the end of input or on an error.
  private func fill() -> Bool {
    guard !finished else { return false }
    if start > 0 {
      buffer.removeFirst(start)
      start = 0
    }
    let old = buffer.count
    buffer.reserveCapacity(old + chunk)
    var count = 0
    buffer.append(contentsOf: repeatElement(0, count: chunk))
    repeat {
      count = buffer.withUnsafeMutableBufferPointer { read(descriptor, $0.baseAddress! + old, chunk) }
    } while count < 0 && errno == EINTR
    buffer.removeLast(chunk - max(count, 0))
    if count < 0 { error = errno }
    if count <= 0 { finished = true }
    return count > 0
  }

  /// Everything left; nil on a read error.
  func readAll() -> [UInt8]? {
    // A regular file is read in one chunk of its size: the 4 MB chunks of line reading
    // would cost more than a small file itself.
    var info = stat()
    if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
      chunk = max(Int(info.st_size) + 1, 4096)
    }
    while fill() {}
    return error == nil ? Array(buffer[start...]) : nil
  }

  /// The next line without its line feed, or nil at the end of input.
  func nextLine() -> [UInt8]? {
    var searchFrom = start
    while true {
      if let newline = buffer[searchFrom...].firstIndex(of: 0x0A) {
        let line = Array(buffer[start..<newline])
        start = newline + 1
        return line
      }
      let searched = buffer.count - start
      guard fill() else {
        guard start < buffer.count else { return nil }
        let line = Array(buffer[start...])
        start = buffer.count
        return line
      }
      searchFrom = searched  // fill() moved the unread bytes to the front
    }
  }
}

/// An output: standard output, or a file written under a temporary name in the same
/// folder and renamed into place by ``commit()``, so that an interrupted run never
/// leaves a truncated file under the final name.
final class OutputFile {
  struct Failure: Error {
    var message: String
  }

  private let path: String?
  private let temporary: String?
  private let descriptor: Int32
  private var pending: [UInt8] = []
  private var closed = false

  /// `nil` or "-" is standard output.
  init(path: String?, creatingDirectories: Bool = false) throws(Failure) {
    guard let path, path != "-" else {
      self.path = nil
      temporary = nil
      descriptor = STDOUT_FILENO
      return
    }
    let folder = (path as NSString).deletingLastPathComponent
    if creatingDirectories && !folder.isEmpty {
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw Failure(message: "cannot create \(folder): \(Diagnostics.reason(error))")
      }
    }
    let name = (path as NSString).lastPathComponent
    var template = Array(((folder.isEmpty ? "" : folder + "/") + ".\(name).winnow-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    fchmod(descriptor, 0o644)
    self.path = path
    self.temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    self.descriptor = descriptor
  }

  deinit { abandon() }

  func write(_ bytes: [UInt8]) throws(Failure) {
    pending.append(contentsOf: bytes)
    if pending.count >= 1 << 20 { try flush() }
  }

  private func flush() throws(Failure) {
    var offset = 0
    while offset < pending.count {
      let written = pending.withUnsafeBufferPointer {
        Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw Failure(message: "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))")
      }
      offset += written
    }
    pending.removeAll(keepingCapacity: true)
  }

  /// Writes what is pending and, for a file, renames it into place.
  func commit() throws(Failure) {
    try flush()
    guard let path, let temporary, !closed else { return }
    closed = true
    // No fsync: the rename protects against an interrupted run, not against power
    // loss, and a sync per file costs milliseconds (seconds on a folder of thousands).
    guard Foundation.close(descriptor) == 0 else {
      unlink(temporary)
      throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw Failure(message: "cannot write \(path): \(reason)")
    }
  }

  /// Removes the temporary file of an output that will not be committed.
  func abandon() {
    guard let temporary, !closed else { return }
    closed = true
    _ = Foundation.close(descriptor)
    unlink(temporary)
  }
}

/// A progress line on standard error (only used when it is a terminal): bytes done,
/// MB/s and, when the total is known, the time left. At most five updates a second.
final class Progress {
  private let total: Int?
  private var done = 0
  private let start = ContinuousClock.now
  private var lastDrawn = ContinuousClock.now - .seconds(1)

  init(total: Int?) { self.total = total }

  func advance(_ bytes: Int) {
    done += bytes
    let now = ContinuousClock.now
    guard now - lastDrawn >= .milliseconds(200) else { return }
    lastDrawn = now
    let elapsed = seconds(since: start)
    let speed = elapsed > 0 ? Double(done) / elapsed : 0
    var line = String(format: "\rwinnow: %.1f MB", Double(done) / 1e6)
    if let total, total > 0 {
      line += String(format: " of %.1f MB (%.0f%%)", Double(total) / 1e6, 100 * Double(done) / Double(total))
    }
    line += String(format: ", %.1f MB/s", speed / 1e6)
    if let total, speed > 0, total > done {
      let left = Int(Double(total - done) / speed)
      line += String(format: ", %d:%02d left", left / 60, left % 60)
    }
    FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
  }

  /// Erases the progress line.
  func clear() {
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
