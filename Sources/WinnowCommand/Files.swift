import ArgumentParser
import Foundation

/// Reads a file or standard input: whole, or in pieces of whole lines. Input that
/// starts with the magic bytes of gzip (one member or several), zstd, bzip2 or xz is
/// decompressed as it is read, whatever its name; the output of each step is bounded
/// by the caller's buffer, so a small file that decompresses to gigabytes is read in
/// pieces like any large input.
final class InputReader {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  /// Bytes read after the last line feed handed out.
  private var pending: [UInt8] = []
  private var scratch: UnsafeMutableRawBufferPointer?
  private var finished = false
  /// Why reading failed, if it did (a system error or corrupt compressed data).
  private(set) var failure: String?
  /// The compression of the input, told by its first bytes.
  private(set) var compression: Compression?
  private var decompressor: Decompressor?
  /// Raw bytes read ahead to tell the compression of an input that cannot seek.
  private var prefetched: [UInt8] = []
  private var prefetchedOffset = 0
  private var rawFinished = false
  /// Compressed bytes read and not yet decompressed.
  private var compressed: UnsafeMutableRawBufferPointer?
  private var compressedRange = 0..<0
  /// Whether the descriptor is a regular file (read straight into an array).
  let isRegular: Bool
  /// With ``restrict(toLinesStartingIn:)``: the bytes of the file the reads may still
  /// return.
  private var remaining: Int?

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
    var info = stat()
    isRegular = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    var magic = [UInt8](repeating: 0, count: 6)
    if isRegular {
      let got = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, 6, 0) }
      magic = Array(magic.prefix(max(got, 0)))
    } else {
      // A pipe or a terminal: the first bytes are read ahead and handed out first.
      var chunk = [UInt8](repeating: 0, count: 64 << 10)
      while prefetched.count < 6 {
        let got = chunk.withUnsafeMutableBytes { rawRead(system: $0.baseAddress!, $0.count) }
        guard got > 0 else { break }
        prefetched += chunk[..<got]
      }
      magic = Array(prefetched.prefix(6))
    }
    compression = Compression.detect(magic)
    if let compression {
      do {
        decompressor = try Decompressor(compression)
      } catch {
        failure = error.description
        finished = true
      }
    }
  }

  deinit {
    if ownsDescriptor { _ = close(descriptor) }
    scratch?.deallocate()
    compressed?.deallocate()
  }

  /// Reads up to `limit` bytes of the file itself; 0 at its end or on an error
  /// (recorded in ``failure``).
  private func rawRead(system destination: UnsafeMutableRawPointer, _ limit: Int) -> Int {
    guard !rawFinished else { return 0 }
    let limit = min(limit, remaining ?? limit)
    var got = 0
    repeat {
      guard limit > 0 else { break }
      got = Foundation.read(descriptor, destination, limit)
    } while got < 0 && errno == EINTR
    if got > 0, let left = remaining { remaining = left - got }
    if got < 0 { failure = String(cString: strerror(errno)) }
    if got <= 0 { rawFinished = true }
    return max(got, 0)
  }

  /// Reads up to `limit` raw bytes: first those read ahead, then the file's.
  private func rawRead(_ destination: UnsafeMutableRawPointer, _ limit: Int) -> Int {
    if prefetchedOffset < prefetched.count {
      let count = min(limit, prefetched.count - prefetchedOffset)
      prefetched.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + prefetchedOffset, byteCount: count) }
      prefetchedOffset += count
      if prefetchedOffset == prefetched.count { prefetched = [] }
      return count
    }
    prefetchedOffset = 0
    return rawRead(system: destination, limit)
  }

  /// Reads up to `limit` bytes of the (decompressed) input to `destination`; the count,
  /// 0 at the end of input or on an error (recorded in ``failure``).
  private func read(_ destination: UnsafeMutableRawPointer, _ limit: Int) -> Int {
    guard !finished else { return 0 }
    guard let decompressor else {
      let got = rawRead(destination, limit)
      if got == 0 { finished = true }
      return got
    }
    if compressed == nil { compressed = .allocate(byteCount: 256 << 10, alignment: 16) }
    while true {
      if compressedRange.isEmpty && !rawFinished {
        compressedRange = 0..<rawRead(compressed!.baseAddress!, compressed!.count)
      }
      let output = UnsafeMutableRawBufferPointer(start: destination, count: limit)
      do {
        let input = UnsafeRawBufferPointer(rebasing: compressed![compressedRange])
        let (consumed, produced) = try decompressor.decompress(input, into: output)
        compressedRange = compressedRange.lowerBound + consumed..<compressedRange.upperBound
        if produced > 0 { return produced }
        if compressedRange.isEmpty && rawFinished {
          // The end of the file: it must end between members or frames.
          if failure == nil { try decompressor.finish() }
          finished = true
          return 0
        }
      } catch {
        failure = "\(error.description)"
        finished = true
        return 0
      }
    }
  }

  /// Appends what one read gives (at most `limit` bytes) to `buffer`; false at the end
  /// of input or on an error.
  private func readMore(into buffer: inout [UInt8], limit: Int) -> Bool {
    if scratch == nil || scratch!.count < limit {
      scratch?.deallocate()
      scratch = .allocate(byteCount: limit, alignment: 16)
    }
    let got = read(scratch!.baseAddress!, limit)
    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch![..<got]))
    return got > 0
  }

  /// Reads only the lines of the file that start in `range` (byte offsets): a bound
  /// inside a line moves to the start of the next line, so that ranges that meet
  /// cover every line once. Only for an uncompressed regular file, before any read;
  /// false otherwise.
  func restrict(toLinesStartingIn range: Range<Int>) -> Bool {
    var info = stat()
    guard isRegular, decompressor == nil, pending.isEmpty, fstat(descriptor, &info) == 0 else { return false }
    let size = Int(info.st_size)
    /// The first line start at or after `offset`.
    func lineStart(_ offset: Int) -> Int {
      guard offset > 0 else { return 0 }
      guard offset < size else { return size }
      var chunk = [UInt8](repeating: 0, count: 64 << 10)
      // The line starts at `offset` when the byte before it ends a line.
      var position = offset - 1
      while position < size {
        let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(position)) }
        guard got > 0 else { return size }
        if let feed = chunk[..<got].firstIndex(of: 0x0A) { return position + feed + 1 }
        position += got
      }
      return size
    }
    let start = lineStart(range.lowerBound)
    let end = max(start, lineStart(range.upperBound))
    guard lseek(descriptor, off_t(start), SEEK_SET) == off_t(start) else { return false }
    remaining = end - start
    return true
  }

  /// The first `count` bytes of the (decompressed) input, or all of it when it is
  /// shorter, and whether that is all of it; they are still handed out by the other
  /// reads.
  func peek(_ count: Int) -> (bytes: [UInt8], complete: Bool) {
    if pending.count < count && !finished { fill(to: count) }
    return (Array(pending.prefix(count)), finished && pending.count <= count)
  }

  /// Everything left; nil on a read error.
  func readAll() -> [UInt8]? {
    var bytes = pending
    pending = []
    var info = stat()
    if bytes.isEmpty && decompressor == nil && prefetched.isEmpty && isRegular && fstat(descriptor, &info) == 0
      && info.st_size > 0
    {
      // A regular file is read straight into an array of its size.
      let size = remaining ?? Int(info.st_size)
      bytes = [UInt8](unsafeUninitializedCapacity: size) { storage, count in
        while count < size {
          let got = read(storage.baseAddress! + count, size - count)
          guard got > 0 else { break }
          count += got
        }
      }
    }
    while readMore(into: &bytes, limit: decompressor == nil ? 64 << 10 : 1 << 20) {}
    return failure == nil ? bytes : nil
  }

  /// The next piece of about `size` bytes (more, to finish a long line) that ends with
  /// a line feed or at the end of input; nil at the end of input or on an error.
  func nextLines(about size: Int) -> [UInt8]? {
    var searched = 0
    while true {
      if finished {
        // After a read error the partial line is not handed out.
        guard !pending.isEmpty && failure == nil else { return nil }
        defer { pending = [] }
        return pending
      }
      guard pending.count >= size else {
        fill(to: size + (64 << 10))
        continue
      }
      guard let last = pending[searched...].lastIndex(of: 0x0A) else {
        // A line longer than the piece: read on until it ends.
        searched = pending.count
        fill(to: 2 * pending.count)
        continue
      }
      let rest = Array(pending[(last + 1)...])
      pending.removeLast(pending.count - last - 1)
      defer { pending = rest }
      return pending
    }
  }

  /// Replaces `pending` by an array of capacity `count` that starts with it and is
  /// read into directly, until it is full or the input ends.
  private func fill(to count: Int) {
    let start = pending
    pending = [UInt8](unsafeUninitializedCapacity: max(count, start.count)) { storage, initialized in
      initialized = storage.initialize(fromContentsOf: start)
      while initialized < storage.count {
        let got = read(storage.baseAddress! + initialized, storage.count - initialized)
        guard got > 0 else { break }
        initialized += got
      }
    }
  }
}

extension InputReader {
  /// Calls `body` with each non-empty line of `path` ("-" is standard input) and its
  /// number, and `afterPiece` after each piece of about a megabyte of lines. A reason
  /// `body` returns is an error at FILE:LINE, and exits with status 1, as a file that
  /// cannot be read does.
  static func eachLine(
    _ path: String, afterPiece: () throws -> Void = {}, _ body: (Data, Int) -> String?
  ) throws {
    let name = path == "-" ? "<stdin>" : path
    guard let reader = InputReader(path: path) else {
      Diagnostics.error("cannot read \(name): \(String(cString: strerror(errno)))")
      throw ExitCode.failure
    }
    var number = 0
    while let piece = reader.nextLines(about: 1 << 20) {
      // A piece ends with a line feed (but for the input's last line): what follows it
      // is the next piece's first line, not an empty line here.
      let lines = piece.split(separator: 0x0A, omittingEmptySubsequences: false)
      for line in piece.last == 0x0A ? lines.dropLast() : lines[...] {
        number += 1
        guard !line.isEmpty else { continue }
        if let reason = body(Data(line), number) {
          Diagnostics.error("\(name):\(number): \(reason)")
          throw ExitCode.failure
        }
      }
      try afterPiece()
    }
    if let failure = reader.failure {
      Diagnostics.error("cannot read \(name): \(failure)")
      throw ExitCode.failure
    }
  }
}

/// An output: standard output, or a file written under a temporary name in the same
/// folder and renamed into place by ``commit()``, so that an interrupted run never
/// leaves a truncated file under the final name.
///
/// What is not a regular file is written to directly and never replaced: a character
/// device (`/dev/null`, a terminal), a FIFO, a socket, and the names of the standard
/// streams (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`), which write
/// to the stream the process was given. A symbolic link to a regular file stays a link:
/// the file it names is replaced.
final class OutputFile {
  struct Failure: Error {
    var message: String
  }

  private let path: String?
  /// The temporary file renamed to `target` on commit; nil when written directly.
  private let temporary: String?
  /// The file the temporary is renamed to: `path`, or what its symbolic link names.
  private let target: String?
  private let descriptor: Int32
  /// Whether `descriptor` was opened (or duplicated) here and must be closed.
  private let ownsDescriptor: Bool
  private var pending: [UInt8] = []
  private var closed = false
  /// Compresses what is written, when the output is compressed.
  private let compressor: Compressor?
  private var compressed: [UInt8] = []

  /// The descriptor that a name of a standard stream stands for ("/dev/stdout" is 1).
  static func standardStream(_ path: String) -> Int32? {
    switch path {
    case "/dev/stdin": return 0
    case "/dev/stdout": return 1
    case "/dev/stderr": return 2
    default:
      for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
        if let number = Int32(path.dropFirst(prefix.count)), number >= 0 { return number }
      }
      return nil
    }
  }

  /// Whether `path` names something that is written to directly, not replaced: a
  /// standard stream, or an existing file that is not a regular file (nor a folder).
  static func isWrittenDirectly(_ path: String) -> Bool {
    if path == "-" || standardStream(path) != nil { return true }
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    let type = info.st_mode & S_IFMT
    return type != S_IFREG && type != S_IFDIR
  }

  /// `nil` or "-" is standard output. With `compression`, what is written is compressed
  /// (one stream, ended by ``commit()``).
  init(path: String?, creatingDirectories: Bool = false, compression: Compression? = nil) throws(Failure) {
    do {
      compressor = try compression.map { format throws(CompressionError) in try Compressor(format) }
    } catch {
      throw Failure(message: "cannot write \(path ?? "standard output"): \(error.description)")
    }
    guard let path, path != "-" else {
      self.path = nil
      temporary = nil
      target = nil
      descriptor = STDOUT_FILENO
      ownsDescriptor = false
      return
    }
    self.path = path
    if let stream = Self.standardStream(path) {
      let copy = dup(stream)
      guard copy >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
      (temporary, target, descriptor, ownsDescriptor) = (nil, nil, copy, true)
      return
    }
    var info = stat()
    if stat(path, &info) == 0 {
      let type = info.st_mode & S_IFMT
      if type == S_IFDIR { throw Failure(message: "cannot write \(path): it is a folder") }
      if type != S_IFREG {
        // A device, a FIFO (whose reader is waiting) or a socket: written as it is.
        let opened = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard opened >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        (temporary, target, descriptor, ownsDescriptor) = (nil, nil, opened, true)
        return
      }
    }
    // A symbolic link to a regular file: the file it names is replaced, not the link.
    var target = path
    var linkInfo = stat()
    if lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK,
      let resolved = realpath(path, nil)
    {
      target = String(cString: resolved)
      free(resolved)
    }
    let (folder, name) = splitPath(target)
    if creatingDirectories && !folder.isEmpty {
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw Failure(message: "cannot create \(folder): \(Diagnostics.reason(error))")
      }
    }
    var template = Array(((folder.isEmpty ? "" : folder + "/") + ".\(name).winnow-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    fchmod(descriptor, 0o644)
    let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    self.temporary = temporary
    self.target = target
    self.descriptor = descriptor
    ownsDescriptor = true
    Interruption.register(temporary)
  }

  deinit { abandon() }

  func write(_ bytes: [UInt8]) throws(Failure) {
    // A batch-sized buffer goes straight to the file when nothing waits before it.
    if pending.isEmpty && bytes.count >= 1 << 18 { return try writeAll(bytes) }
    pending.append(contentsOf: bytes)
    if pending.count >= 1 << 20 { try flush() }
  }

  private func flush() throws(Failure) {
    try writeAll(pending)
    pending.removeAll(keepingCapacity: true)
  }

  /// Writes `bytes`, compressed when the output is.
  private func writeAll(_ bytes: [UInt8]) throws(Failure) {
    guard let compressor else { return try writeRaw(bytes) }
    var output = compressed
    output.removeAll(keepingCapacity: true)
    compressed = []
    let failure = bytes.withUnsafeBytes { input -> CompressionError? in
      do throws(CompressionError) {
        try compressor.compress(input, into: &output)
        return nil
      } catch {
        return error
      }
    }
    compressed = output
    if let failure { throw Failure(message: "cannot write \(path ?? "standard output"): \(failure.description)") }
    try writeRaw(compressed)
  }

  private func writeRaw(_ bytes: [UInt8]) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBufferPointer {
        Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw Failure(message: "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))")
      }
      offset += written
    }
  }

  /// Writes what is pending and, for a file, renames it into place.
  func commit() throws(Failure) {
    try flush()
    guard !closed else { return }
    if let compressor {
      compressed.removeAll(keepingCapacity: true)
      do {
        try compressor.finish(into: &compressed)
      } catch {
        throw Failure(message: "cannot write \(path ?? "standard output"): \(error.description)")
      }
      try writeRaw(compressed)
    }
    closed = true
    guard let path, let temporary, let target else {
      // Written directly: standard output stays open, a device or FIFO is closed.
      if ownsDescriptor && Foundation.close(descriptor) != 0 {
        throw Failure(message: "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))")
      }
      return
    }
    defer { Interruption.unregister(temporary) }
    // No fsync: the rename protects against an interrupted run, not against power
    // loss, and a sync per file costs milliseconds (seconds on a folder of thousands).
    guard Foundation.close(descriptor) == 0 else {
      unlink(temporary)
      throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    guard rename(temporary, target) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw Failure(message: "cannot write \(path): \(reason)")
    }
  }

  /// Writes `bytes` to `path` (nil or "-": standard output) under a temporary name,
  /// renamed when complete.
  static func write(_ bytes: [UInt8], to path: String?) throws(Failure) {
    let file = try OutputFile(path: path)
    try file.write(bytes)
    try file.commit()
  }

  /// Removes the temporary file of an output that will not be committed (what was
  /// written to a device or FIFO stays written).
  func abandon() {
    guard !closed else { return }
    closed = true
    if ownsDescriptor { _ = Foundation.close(descriptor) }
    guard let temporary else { return }
    unlink(temporary)
    Interruption.unregister(temporary)
  }
}

/// The folder and the name of `path` ("" for a name without a folder): written here
/// because Foundation's `NSString` path methods trap on one-character names on Linux
/// ("X" as an output crashed the command).
func splitPath(_ path: String) -> (folder: String, name: String) {
  var bytes = Array(path.utf8)
  while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
  guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return ("", String(decoding: bytes, as: UTF8.self)) }
  let folder = slash == 0 ? "/" : String(decoding: bytes[..<slash], as: UTF8.self)
  return (folder, String(decoding: bytes[(slash + 1)...], as: UTF8.self))
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
