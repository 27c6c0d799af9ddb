import Foundation

/// A source of JSON Lines for ``CorpusPipeline``: pieces of whole lines, in order.
public protocol JSONLinesInput {
  /// The input's name in messages and explanations ("corpus.jsonl:17:3: …").
  var name: String { get }

  /// The next piece of about `size` bytes (more, to finish a long line) that ends with
  /// a line feed or at the end of the input; `nil` at the end.
  mutating func nextLines(about size: Int) throws -> [UInt8]?
}

/// JSON Lines held in memory.
public struct JSONLinesBuffer: JSONLinesInput, Sendable {
  /// The name given, for messages.
  public let name: String
  private let bytes: [UInt8]
  private var position = 0

  /// The lines of `bytes`, called `name` in messages.
  public init(_ bytes: [UInt8], name: String = "<memory>") {
    self.bytes = bytes
    self.name = name
  }

  /// The next piece of whole lines of about `size` bytes.
  ///
  /// - Complexity: O(*k*) in the length of the piece.
  public mutating func nextLines(about size: Int) -> [UInt8]? {
    guard position < bytes.count else { return nil }
    var end = position + min(bytes.count - position, max(size, 1))
    if end < bytes.count, let feed = bytes[(end - 1)...].firstIndex(of: 0x0A) {
      end = feed + 1
    } else if end < bytes.count {
      end = bytes.count
    }
    defer { position = end }
    return Array(bytes[position..<end])
  }
}

/// A JSON Lines file, read in pieces of whole lines (uncompressed: the `winnow`
/// command reads compressed files too).
public final class JSONLinesFile: JSONLinesInput {
  /// A file that could not be opened or read.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    /// The file's path.
    public let path: String
    /// The system error number.
    public let code: Int32
    /// The path and the system's message.
    public var description: String { "cannot read \(path): \(String(cString: strerror(code)))" }
  }

  /// The file's path, for messages.
  public let name: String
  private let descriptor: Int32
  /// Bytes read after the last line feed handed out.
  private var pending: [UInt8] = []
  private var ended = false

  /// Opens the file at `path`.
  public init(path: String) throws(Failure) {
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw Failure(path: path, code: errno) }
    name = path
  }

  deinit { _ = close(descriptor) }

  /// The next piece of whole lines of about `size` bytes, read from the file.
  ///
  /// - Throws: ``Failure`` when the file cannot be read.
  /// - Complexity: O(*k*) in the length of the piece.
  public func nextLines(about size: Int) throws(Failure) -> [UInt8]? {
    var searched = 0
    while true {
      if let feed = pending[searched...].lastIndex(of: 0x0A), pending.count >= size || ended {
        let rest = Array(pending[(feed + 1)...])
        pending.removeLast(pending.count - feed - 1)
        defer { pending = rest }
        return pending
      }
      if ended {
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return pending
      }
      searched = pending.count
      try read(min(max(size - pending.count, 64 << 10), 16 << 20))
    }
  }

  /// Appends up to `count` bytes of the file to `pending`.
  private func read(_ count: Int) throws(Failure) {
    let start = pending.count
    pending.append(contentsOf: repeatElement(0, count: count))
    let (got, error) = pending.withUnsafeMutableBytes { buffer in
      var got: Int
      repeat {
        got = Foundation.read(descriptor, buffer.baseAddress! + start, count)
      } while got < 0 && errno == EINTR
      return (got, errno)
    }
    guard got >= 0 else {
      pending.removeLast(count)
      throw Failure(path: name, code: error)
    }
    pending.removeLast(count - got)
    if got == 0 { ended = true }
  }
}
