import CWinnowCompression

/// A compressed container Winnow reads and writes.
enum Compression: String, CaseIterable, Sendable {
  /// gzip (RFC 1952) through ISA-L; concatenated members decode as one stream.
  case gzip
  /// Zstandard through libzstd; concatenated frames decode as one stream.
  case zstd
  /// bzip2 through libbz2; concatenated streams decode as one stream.
  case bzip2
  /// xz through liblzma; concatenated streams (and stream padding) decode as one stream.
  case xz

  /// The format's code in CWinnowCompression.
  fileprivate var code: Int32 {
    switch self {
    case .gzip: Int32(WINNOW_FORMAT_GZIP)
    case .zstd: Int32(WINNOW_FORMAT_ZSTD)
    case .bzip2: Int32(WINNOW_FORMAT_BZIP2)
    case .xz: Int32(WINNOW_FORMAT_XZ)
    }
  }

  /// The container whose magic bytes `prefix` starts with, if any (needs at most 6 bytes):
  /// gzip 1F 8B, zstd 28 B5 2F FD or a skippable frame, bzip2 "BZh" and a digit, xz FD 37 7A 58 5A 00.
  static func detect(_ prefix: some Collection<UInt8>) -> Compression? {
    let head = Array(prefix.prefix(6))
    let code = head.withUnsafeBufferPointer { winnow_compression_detect($0.baseAddress, $0.count) }
    return allCases.first { $0.code == code }
  }

  /// The container a file name (or path) asks for by its suffix, in any case: .gz, .zst,
  /// .bz2, .xz; nil otherwise.
  init?(fileName: String) {
    let name = fileName.lowercased()
    guard let format = Compression.allCases.first(where: { name.hasSuffix("." + $0.fileExtension) }) else {
      return nil
    }
    self = format
  }

  /// The file name suffix of the container, without the dot: "gz", "zst", "bz2", "xz".
  var fileExtension: String {
    switch self {
    case .gzip: "gz"
    case .zstd: "zst"
    case .bzip2: "bz2"
    case .xz: "xz"
    }
  }

  /// The level a ``Compressor`` uses when given none: gzip 1, zstd 3, bzip2 9, xz 6.
  var defaultLevel: Int { Int(winnow_compression_default_level(code)) }

  /// The levels a ``Compressor`` accepts: gzip 0...3 (ISA-L's), zstd 1...22, bzip2 1...9, xz 0...9.
  var levels: ClosedRange<Int> {
    var minimum: Int32 = 0
    var maximum: Int32 = 0
    _ = winnow_compression_level_range(code, &minimum, &maximum)
    return Int(minimum)...Int(maximum)
  }
}

/// Why compressed data could not be read or written, in plain words
/// ("gzip data is corrupt (invalid block header)", "the xz stream is cut short").
struct CompressionError: Error, CustomStringConvertible, Sendable {
  /// The explanation, without a trailing period.
  var description: String
}

/// What a CWinnowCompression step returns on failure.
private let codecError = Int32(WINNOW_CODEC_ERROR)
/// What a CWinnowCompression encoder step returns when a flush or finish is complete.
private let codecEnd = Int32(WINNOW_CODEC_END)

/// The message a failed `create` call wrote, or `fallback`.
private func creationError(_ message: [CChar], fallback: String) -> CompressionError {
  let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  return CompressionError(description: text.isEmpty ? fallback : text)
}

/// Streaming decompression with a bounded output: each call fills at most the output it
/// is given, so a decompression bomb never makes memory grow. Concatenated members,
/// frames or streams decode to the concatenation of their contents.
///
/// Feed the input in pieces of any size. Call ``decompress(_:into:)`` again while it
/// leaves input unconsumed or fills the output; at the end of the input, call it with
/// an empty input until it produces less than the output's size, then ``finish()``.
final class Decompressor {
  /// The container being decoded.
  let format: Compression
  /// The CWinnowCompression decoder.
  private let handle: OpaquePointer

  /// A decoder of `format`; throws only when memory runs out.
  init(_ format: Compression) throws(CompressionError) {
    var message = [CChar](repeating: 0, count: 256)
    guard let handle = winnow_decoder_create(format.code, &message, message.count) else {
      throw creationError(message, fallback: "could not create a \(format.rawValue) decoder")
    }
    self.format = format
    self.handle = handle
  }

  deinit { winnow_decoder_destroy(handle) }

  /// Decompresses from `input` into `output`; returns how many bytes of each were used.
  /// Returns when the input is used up or the output is full; when it produced less
  /// than `output.count` and consumed all the input, nothing is held back. Throws on
  /// corrupt data, and again on every later call.
  func decompress(
    _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
  ) throws(CompressionError) -> (consumed: Int, produced: Int) {
    var consumed = 0
    var produced = 0
    let status = winnow_decoder_step(
      handle, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, &consumed,
      output.baseAddress?.assumingMemoryBound(to: UInt8.self), output.count, &produced)
    if status == codecError {
      throw CompressionError(description: String(cString: winnow_decoder_message(handle)))
    }
    return (consumed, produced)
  }

  /// Whether the input so far ends at a member/frame boundary (a clean end): after at
  /// least one complete member, frame or stream, and not inside another (gzip's trailing
  /// zero bytes and xz's stream padding are allowed). False after an error.
  var isAtBoundary: Bool { winnow_decoder_at_boundary(handle) != 0 }

  /// Checks that the input ended cleanly (``isAtBoundary``): throws "the gzip stream is
  /// cut short" when it stopped inside a member, "the gzip input is empty" when there
  /// was none.
  func finish() throws(CompressionError) {
    if isAtBoundary { return }
    let message = String(cString: winnow_decoder_message(handle))
    if !message.isEmpty { throw CompressionError(description: message) }
    if winnow_decoder_total_in(handle) == 0 {
      throw CompressionError(description: "the \(format.rawValue) input is empty")
    }
    throw CompressionError(description: "the \(format.rawValue) stream is cut short")
  }
}

/// Streaming compression to one stream of a ``Compression`` format (one gzip member,
/// one zstd frame with a checksum, one bzip2 stream, one xz stream with a CRC64).
final class Compressor {
  /// The container being written.
  let format: Compression
  /// The level in use.
  let level: Int
  /// The CWinnowCompression encoder.
  private let handle: OpaquePointer
  /// Where each step writes before the bytes are appended to the caller's output.
  private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

  /// An encoder of `format` at `level` (the format's ``Compression/defaultLevel`` when
  /// nil); throws when the level is not in ``Compression/levels``.
  init(_ format: Compression, level: Int? = nil) throws(CompressionError) {
    let level = level ?? format.defaultLevel
    guard format.levels.contains(level) else {
      throw CompressionError(
        description:
          "\(format.rawValue) compression levels are \(format.levels.lowerBound) to \(format.levels.upperBound), not \(level)"
      )
    }
    var message = [CChar](repeating: 0, count: 256)
    guard let handle = winnow_encoder_create(format.code, Int32(level), &message, message.count) else {
      throw creationError(message, fallback: "could not create a \(format.rawValue) encoder")
    }
    self.format = format
    self.level = level
    self.handle = handle
  }

  deinit { winnow_encoder_destroy(handle) }

  /// Appends the compressed form of `input` to `output` (may hold data back).
  func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
    try run(input, mode: Int32(WINNOW_ENCODE_RUN), into: &output)
  }

  /// Appends everything held back, so that `output` so far decompresses to all the
  /// input so far; the stream goes on (a flush costs a little compression). A bzip2
  /// flush ends its stream and the next input begins another: concatenated streams
  /// decode as one.
  func flush(into output: inout [UInt8]) throws(CompressionError) {
    try run(UnsafeRawBufferPointer(start: nil, count: 0), mode: Int32(WINNOW_ENCODE_FLUSH), into: &output)
  }

  /// Appends everything held back and the end of the stream; the compressor takes no
  /// more input afterwards.
  func finish(into output: inout [UInt8]) throws(CompressionError) {
    try run(UnsafeRawBufferPointer(start: nil, count: 0), mode: Int32(WINNOW_ENCODE_FINISH), into: &output)
  }

  /// Steps the encoder in `mode` until it took all of `input` and, for a flush or a
  /// finish, wrote everything.
  private func run(_ input: UnsafeRawBufferPointer, mode: Int32, into output: inout [UInt8]) throws(CompressionError) {
    var offset = 0
    while true {
      var consumed = 0
      var produced = 0
      let status = scratch.withUnsafeMutableBufferPointer { scratch in
        winnow_encoder_step(
          handle, input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + offset }, input.count - offset,
          &consumed, scratch.baseAddress, scratch.count, &produced, mode)
      }
      if status == codecError {
        throw CompressionError(description: String(cString: winnow_encoder_message(handle)))
      }
      offset += consumed
      output.append(contentsOf: scratch[..<produced])
      if mode == Int32(WINNOW_ENCODE_RUN) ? offset == input.count && produced < scratch.count : status == codecEnd {
        return
      }
      if consumed == 0 && produced == 0 {  // never expected: a guard against looping forever
        throw CompressionError(description: "the \(format.rawValue) encoder made no progress (an internal error)")
      }
    }
  }
}
