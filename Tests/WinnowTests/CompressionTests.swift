import CWinnowCompression
import Foundation
import Testing
import Winnow

@testable import WinnowCommand

/// Helpers shared by the compression tests: whole-buffer compression and decompression
/// in pieces of chosen sizes, sample data, and the system's compression tools.
enum CompressionSupport {
  /// Compresses `data` as one stream, handing it to the compressor `inputSlice` bytes at a time.
  static func compress(
    _ data: [UInt8], _ format: Compression, level: Int? = nil, inputSlice: Int = 1 << 16
  ) throws -> [UInt8] {
    let compressor = try Compressor(format, level: level)
    var output: [UInt8] = []
    try data.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + inputSlice, bytes.count)
        try compressor.compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &output)
        offset = end
      }
    }
    try compressor.finish(into: &output)
    return output
  }

  /// Decompresses `data`, handing it to the decompressor `inputSlice` bytes at a time
  /// through an output buffer of `outputSize` bytes; throws when the data is corrupt or
  /// does not end cleanly (`Decompressor.finish()`).
  static func decompress(
    _ data: [UInt8], _ format: Compression, inputSlice: Int = 1 << 16, outputSize: Int = 1 << 16
  ) throws -> [UInt8] {
    let decompressor = try Decompressor(format)
    let result = try decompressWithoutFinishing(data, decompressor, inputSlice: inputSlice, outputSize: outputSize)
    try decompressor.finish()
    return result
  }

  /// Feeds all of `data` to `decompressor` and drains it, without checking the end.
  static func decompressWithoutFinishing(
    _ data: [UInt8], _ decompressor: Decompressor, inputSlice: Int = 1 << 16, outputSize: Int = 1 << 16
  ) throws -> [UInt8] {
    var result: [UInt8] = []
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize, alignment: 1)
    defer { output.deallocate() }
    try data.withUnsafeBytes { bytes in
      var offset = 0
      while true {
        let end = min(offset + inputSlice, bytes.count)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        let (consumed, produced) = try decompressor.decompress(slice, into: output)
        result.append(contentsOf: output[..<produced])
        offset += consumed
        // The contract: input left over only when the output is full.
        #expect(consumed == slice.count || produced == output.count)
        if offset == bytes.count && produced < output.count { break }
      }
    }
    return result
  }

  /// About `count` bytes of JSON Lines-like text: ASCII words, some punctuation and
  /// non-ASCII text, numbers and, rarely, a stray invalid byte.
  static func mixedText(count: Int, seed: UInt64) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    let words = [
      "the", "of", "and", "corpus", "text", "Winnow", "déjà", "vu", "naïve", "Straße", "東京", "данные", "🙂",
      "\\\"quoted\\\"", "https://example.com/page?id=", "lorem", "ipsum", "2024-05-01", "\\n", "—",
    ].map { Array($0.utf8) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 200)
    var line = 0
    while bytes.count < count {
      bytes += Array("{\"id\":\(line),\"text\":\"".utf8)
      for _ in 0..<Int.random(in: 5...60, using: &random) {
        bytes += words.randomElement(using: &random)!
        if Int.random(in: 0..<10, using: &random) == 0 { bytes += Array(String(random.next() % 100_000).utf8) }
        bytes.append(Int.random(in: 0..<500, using: &random) == 0 ? 0xFF : 0x20)
      }
      bytes += Array("\"}\n".utf8)
      line += 1
    }
    return bytes
  }

  /// `count` random bytes: incompressible.
  static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
  }

  /// 5 MB of mixed text, made once.
  static let largeText = mixedText(count: 5_000_000, seed: 1)

  /// The samples every format round-trips.
  static let samples: [(name: String, bytes: [UInt8])] = [
    ("empty", []),
    ("one byte", [0x41]),
    ("one zero byte", [0]),
    ("5 MB of mixed text", largeText),
    ("300 kB of random bytes", randomBytes(count: 300_000, seed: 2)),
    ("100 kB of one byte", [UInt8](repeating: 0x61, count: 100_000)),
  ]

  /// The format's code in CWinnowCompression, for the tests that call it directly.
  static func code(_ format: Compression) -> Int32 {
    switch format {
    case .gzip: Int32(WINNOW_FORMAT_GZIP)
    case .zstd: Int32(WINNOW_FORMAT_ZSTD)
    case .bzip2: Int32(WINNOW_FORMAT_BZIP2)
    case .xz: Int32(WINNOW_FORMAT_XZ)
    }
  }

  /// The command-line tool of a format.
  static func toolName(_ format: Compression) -> String {
    switch format {
    case .gzip: "gzip"
    case .zstd: "zstd"
    case .bzip2: "bzip2"
    case .xz: "xz"
    }
  }

  /// The path of the executable `name` on PATH, if there is one.
  static func toolPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Whether the system has the command-line tool of `format`.
  static func hasTool(_ format: Compression) -> Bool { toolPath(toolName(format)) != nil }

  /// Runs the tool of `format` with `arguments` on `input` (a file, given as the last
  /// argument: gzip then stores its name in the header); returns its standard output.
  static func runTool(_ format: Compression, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "winnow-compression-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let inputURL = directory.appendingPathComponent("input.bin")
    let outputURL = directory.appendingPathComponent("output.bin")
    try Data(input).write(to: inputURL)
    #expect(FileManager.default.createFile(atPath: outputURL.path, contents: nil))
    let outputHandle = try FileHandle(forWritingTo: outputURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: toolPath(toolName(format))!)
    process.arguments = arguments + [inputURL.path]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = outputHandle
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outputHandle.close()
    #expect(process.terminationStatus == 0, "\(toolName(format)) \(arguments) failed")
    return [UInt8](try Data(contentsOf: outputURL))
  }

  /// The tool's own compression of `input`, at its default level.
  static func toolCompress(_ format: Compression, _ input: [UInt8]) throws -> [UInt8] {
    try runTool(format, format == .zstd ? ["-q", "-c"] : ["-c"], input: input)
  }

  /// The tool's decompression of `input`.
  static func toolDecompress(_ format: Compression, _ input: [UInt8]) throws -> [UInt8] {
    try runTool(format, format == .zstd ? ["-q", "-d", "-c"] : ["-d", "-c"], input: input)
  }

  /// The CRC-32 of gzip (and zlib's crc32), bit by bit: for building gzip headers.
  static func crc32(_ bytes: some Collection<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// A gzip member of `plain` whose header has the optional fields our encoder never
  /// writes (RFC 1952: FTEXT, FEXTRA, FNAME, FCOMMENT and FHCRC, a header CRC-16), and
  /// the header's length. `flagBits` are ORed into FLG (before the CRC-16 is computed).
  static func memberWithFullHeader(
    _ plain: [UInt8], flagBits: UInt8 = 0
  ) throws -> (member: [UInt8], headerLength: Int) {
    let ours = try compress(plain, .gzip)
    var header: [UInt8] = [0x1F, 0x8B, 0x08, 0x1F | flagBits, 0x78, 0x56, 0x34, 0x12, 0x00, 0x03]
    // One subfield "Ap" whose data has zeros and gzip's magic bytes in it.
    let extra: [UInt8] = [0x41, 0x70, 0x04, 0x00, 0x00, 0x1F, 0x8B, 0xFF]
    header += [UInt8(extra.count), 0] + extra
    header += Array("corpus-part-0001.jsonl".utf8) + [0]
    header += Array("a comment, with a \u{1F} byte".utf8) + [0]
    let crc = crc32(header)
    header += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF)]
    return (header + ours.dropFirst(10), header.count)
  }

  /// A short compressed sample (one stream of 3 kB of text) and its content.
  static func smallSample(_ format: Compression) throws -> (compressed: [UInt8], plain: [UInt8]) {
    let plain = mixedText(count: 3_000, seed: 7)
    return (try compress(plain, format), plain)
  }
}

@Suite struct CompressionTests {
  typealias Support = CompressionSupport

  // MARK: Formats

  @Test func detectsMagicBytes() {
    #expect(Compression.detect([0x1F, 0x8B]) == .gzip)
    #expect(Compression.detect([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]) == .gzip)
    #expect(Compression.detect([0x28, 0xB5, 0x2F, 0xFD, 0x04]) == .zstd)
    #expect(Compression.detect([0x50, 0x2A, 0x4D, 0x18]) == .zstd)  // a skippable frame, as pzstd writes
    #expect(Compression.detect([0x5F, 0x2A, 0x4D, 0x18]) == .zstd)
    #expect(Compression.detect(Array("BZh9".utf8)) == .bzip2)
    #expect(Compression.detect(Array("BZh1".utf8)) == .bzip2)
    #expect(Compression.detect(Array("BZh0".utf8)) == nil)
    #expect(Compression.detect(Array("BZh".utf8)) == nil)
    #expect(Compression.detect([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) == .xz)
    #expect(Compression.detect([0xFD, 0x37, 0x7A, 0x58, 0x5A]) == nil)
    #expect(Compression.detect([0x1F]) == nil)
    #expect(Compression.detect([UInt8]()) == nil)
    #expect(Compression.detect(Array("{\"text\":\"hello\"}\n".utf8)) == nil)
    #expect(Compression.detect(Array("BZh9".utf8)[...]) == .bzip2)  // any collection
    for format in Compression.allCases {
      let compressed = try? Support.compress(Array("x".utf8), format)
      #expect(compressed.flatMap(Compression.detect) == format)
    }
  }

  @Test func fileNames() {
    #expect(Compression(fileName: "crawl.warc.wet.gz") == .gzip)
    #expect(Compression(fileName: "/data/part-0001.jsonl.zst") == .zstd)
    #expect(Compression(fileName: "dump.txt.bz2") == .bzip2)
    #expect(Compression(fileName: "dump.jsonl.XZ") == .xz)
    #expect(Compression(fileName: "dump.jsonl") == nil)
    #expect(Compression(fileName: "archive.tgz") == nil)
    #expect(Compression(fileName: "gz") == nil)
    for format in Compression.allCases {
      #expect(Compression(fileName: "a.jsonl." + format.fileExtension) == format)
    }
    #expect(Compression.allCases.map(\.fileExtension) == ["gz", "zst", "bz2", "xz"])
  }

  @Test func levels() throws {
    #expect(Compression.allCases.map(\.defaultLevel) == [1, 3, 9, 6])
    #expect(Compression.gzip.levels == 0...3)  // ISA-L's
    #expect(try Compressor(.gzip).level == 1)
    #expect(Compression.zstd.levels.lowerBound == 1)
    #expect(Compression.zstd.levels.upperBound >= 19)
    #expect(Compression.bzip2.levels == 1...9)
    #expect(Compression.xz.levels == 0...9)
    #expect(try Compressor(.zstd).level == 3)
    let plain = Support.mixedText(count: 20_000, seed: 3)
    for format in Compression.allCases {
      for level in [format.levels.lowerBound, format.defaultLevel, format.levels.upperBound] {
        let compressed = try Support.compress(plain, format, level: level)
        #expect(try Support.decompress(compressed, format) == plain, "\(format) level \(level)")
      }
      for level in [format.levels.lowerBound - 1, format.levels.upperBound + 1] {
        #expect(throws: CompressionError.self) { try Compressor(format, level: level) }
      }
    }
    let error = #expect(throws: CompressionError.self) { try Compressor(.bzip2, level: 0) }
    #expect(error?.description == "bzip2 compression levels are 1 to 9, not 0")
    let gzip = #expect(throws: CompressionError.self) { try Compressor(.gzip, level: 6) }
    #expect(gzip?.description == "gzip compression levels are 0 to 3, not 6")
  }

  @Test func gzipLevelsCompress() throws {
    let plain = Array(Support.largeText.prefix(1_000_000))
    var sizes: [Int] = []
    for level in Compression.gzip.levels {
      let compressed = try Support.compress(plain, .gzip, level: level)
      #expect(try Support.decompress(compressed, .gzip) == plain)
      sizes.append(compressed.count)
    }
    // Every level compresses (level 0 too: ISA-L's level 0 is Huffman coding with
    // matches, not stored blocks); the higher levels no worse than level 0.
    #expect(sizes.allSatisfy { $0 * 2 < plain.count }, "\(sizes)")
    #expect(sizes.dropFirst().allSatisfy { $0 <= sizes[0] }, "\(sizes)")
  }

  @Test func gzipIsRealGzip() throws {
    let compressed = try Support.compress(Array("hello\n".utf8), .gzip)
    #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08])  // magic, deflate
    // The trailer: CRC-32 of "hello\n" and its length, little-endian.
    #expect(Array(compressed.suffix(8)) == [0x20, 0x30, 0x3A, 0x36, 0x06, 0x00, 0x00, 0x00])
  }

  // MARK: Round trips

  @Test(arguments: Compression.allCases)
  func roundTrip(_ format: Compression) throws {
    for sample in Support.samples {
      let compressed = try Support.compress(sample.bytes, format)
      #expect(Compression.detect(compressed) == format)
      // Pieces of awkward sizes, and the whole at once.
      for (inputSlice, outputSize) in [(65_521, 4_099), (compressed.count + 1, 1 << 20)] {
        let plain = try Support.decompress(compressed, format, inputSlice: inputSlice, outputSize: outputSize)
        #expect(plain == sample.bytes, "\(format), \(sample.name), \(inputSlice)/\(outputSize)")
      }
    }
  }

  @Test(arguments: Compression.allCases)
  func roundTripThroughTinyBuffers(_ format: Compression) throws {
    let samples: [(String, [UInt8])] = [
      ("empty", []), ("one byte", [0x7A]),
      ("30 kB of text", Support.mixedText(count: 30_000, seed: 4)),
      ("10 kB of random bytes", Support.randomBytes(count: 10_000, seed: 5)),
    ]
    for (name, bytes) in samples {
      let compressed = try Support.compress(bytes, format, inputSlice: 1)
      #expect(try Support.decompress(compressed, format) == bytes, "\(format), \(name), compressed byte by byte")
      for (inputSlice, outputSize) in [(1, 1), (1, 7), (7, 1), (3, 7), (1 << 16, 1), (1 << 16, 7)] {
        let plain = try Support.decompress(compressed, format, inputSlice: inputSlice, outputSize: outputSize)
        #expect(plain == bytes, "\(format), \(name), \(inputSlice)/\(outputSize)")
      }
    }
    // The larger sample through a 7-byte output buffer.
    let large = Array(Support.largeText.prefix(600_000))
    let compressed = try Support.compress(large, format, inputSlice: 4_093)
    #expect(try Support.decompress(compressed, format, inputSlice: 13, outputSize: 7) == large)
  }

  @Test(arguments: Compression.allCases)
  func flushMakesTheOutputSoFarDecodable(_ format: Compression) throws {
    let first = Support.mixedText(count: 50_000, seed: 8)
    let second = Support.mixedText(count: 50_000, seed: 9)
    let compressor = try Compressor(format)
    var output: [UInt8] = []
    try first.withUnsafeBytes { try compressor.compress($0, into: &output) }
    try compressor.flush(into: &output)
    try compressor.flush(into: &output)  // a second flush with nothing new is harmless
    let decompressor = try Decompressor(format)
    #expect(try Support.decompressWithoutFinishing(output, decompressor) == first)
    #expect(decompressor.isAtBoundary == (format == .bzip2))  // bzip2 flushes by ending its stream
    try second.withUnsafeBytes { try compressor.compress($0, into: &output) }
    try compressor.finish(into: &output)
    #expect(try Support.decompress(output, format) == first + second)
    // Nothing may follow the end.
    let error = #expect(throws: CompressionError.self) { try compressor.finish(into: &output) }
    #expect(error?.description == "the \(format.rawValue) stream is already finished")
  }

  /// The C encoder through outputs of a few bytes: each flush ends (ISA-L, left to
  /// itself, would begin another empty block after each one through a small output),
  /// and the output up to each flush decodes to the input up to it.
  @Test(arguments: Compression.allCases)
  func flushesThroughTinyOutputs(_ format: Compression) throws {
    let plain = Support.mixedText(count: 30_000, seed: 17)
    let levels = format == .gzip ? Array(format.levels) : [format.defaultLevel]
    for level in levels {
      for outputSize in [1, 7, 9, 100] {
        var message = [CChar](repeating: 0, count: 256)
        let encoder = try #require(winnow_encoder_create(Support.code(format), Int32(level), &message, message.count))
        defer { winnow_encoder_destroy(encoder) }
        var output = [UInt8](repeating: 0, count: outputSize)
        var compressed: [UInt8] = []
        var flushes: [(compressed: Int, plain: Int)] = []
        /// Steps in `mode` until the input is taken and, for a flush or a finish, it ends.
        func run(_ input: ArraySlice<UInt8>, _ mode: Int32) throws {
          var input = input
          var steps = 0
          while true {
            var consumed = 0
            var produced = 0
            let status = input.withUnsafeBufferPointer { source in
              output.withUnsafeMutableBufferPointer {
                winnow_encoder_step(
                  encoder, source.baseAddress, source.count, &consumed, $0.baseAddress, $0.count, &produced, mode)
              }
            }
            try #require(status != Int32(WINNOW_CODEC_ERROR), "\(String(cString: winnow_encoder_message(encoder)))")
            input = input.dropFirst(consumed)
            compressed += output[..<produced]
            if mode == Int32(WINNOW_ENCODE_RUN) ? input.isEmpty && produced < outputSize : status == codecEnd { return }
            steps += 1
            try #require(steps < 1_000_000, "\(format): mode \(mode) through \(outputSize) bytes does not end")
          }
        }
        let codecEnd = Int32(WINNOW_CODEC_END)
        for (index, start) in stride(from: 0, to: plain.count, by: 1_000).enumerated() {
          try run(plain[start..<min(start + 1_000, plain.count)], Int32(WINNOW_ENCODE_RUN))
          if index % 3 == 2 {
            try run([], Int32(WINNOW_ENCODE_FLUSH))
            let afterFlush = compressed.count
            try run([], Int32(WINNOW_ENCODE_FLUSH))  // nothing new: nothing written
            #expect(compressed.count == afterFlush || format != .gzip, "\(format): a second flush wrote bytes")
            flushes.append((compressed.count, min(start + 1_000, plain.count)))
          }
        }
        try run([], Int32(WINNOW_ENCODE_FINISH))
        for flush in flushes {
          let decompressor = try Decompressor(format)
          let decoded = try Support.decompressWithoutFinishing(Array(compressed.prefix(flush.compressed)), decompressor)
          #expect(decoded == Array(plain.prefix(flush.plain)), "\(format) through \(outputSize) bytes")
        }
        #expect(try Support.decompress(compressed, format) == plain, "\(format) through \(outputSize) bytes")
      }
    }
  }

  // MARK: Concatenation

  @Test func multiMemberGzip() throws {
    let parts = [Support.mixedText(count: 40_000, seed: 10), [], Array("last line\n".utf8)]
    let members = try parts.map { try Support.compress($0, .gzip) }
    let joined = members.reduce([], +)  // as `cat a.gz b.gz c.gz` gives
    let expected = parts.reduce([], +)
    #expect(try Support.decompress(joined, .gzip) == expected)
    #expect(try Support.decompress(joined, .gzip, inputSlice: 1, outputSize: 7) == expected)
    // Trailing zero bytes after the last member are ignored.
    #expect(try Support.decompress(joined + [0, 0, 0, 0, 0], .gzip) == expected)
    // Other trailing bytes are an error, also after zeros.
    let garbage = #expect(throws: CompressionError.self) { try Support.decompress(joined + Array("junk".utf8), .gzip) }
    #expect(garbage?.description == "data after the end of the gzip stream")
    let afterZeros = #expect(throws: CompressionError.self) {
      try Support.decompress(joined + [0, 0] + members[2], .gzip)
    }
    #expect(afterZeros?.description == "data after the end of the gzip stream (after 2 zero bytes)")
    // A second member that is cut short.
    #expect(throws: CompressionError.self) { try Support.decompress(joined + members[0].prefix(30), .gzip) }
  }

  /// Headers with every optional field (as other tools write them), split across two
  /// inputs at every byte: the header parse resumes where it stopped.
  @Test func gzipHeaderFieldsAndSplits() throws {
    let plain = Support.mixedText(count: 5_000, seed: 15)
    let (member, headerLength) = try Support.memberWithFullHeader(plain)
    #expect(try Support.decompress(member, .gzip) == plain)
    #expect(try Support.decompress(member, .gzip, inputSlice: 1, outputSize: 7) == plain)
    // The same member second, after one of ours, split once at each byte around its header.
    let firstPlain = Array("first member\n".utf8)
    let first = try Support.compress(firstPlain, .gzip)
    let joined = first + member
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_000, alignment: 1)
    defer { output.deallocate() }
    for split in (first.count - 10)...(first.count + headerLength + 2) {
      let decompressor = try Decompressor(.gzip)
      var result: [UInt8] = []
      try joined.withUnsafeBytes { bytes in
        for piece in [0..<split, split..<bytes.count] {
          var offset = piece.lowerBound
          while true {
            let (consumed, produced) = try decompressor.decompress(
              UnsafeRawBufferPointer(rebasing: bytes[offset..<piece.upperBound]), into: output)
            result.append(contentsOf: output[..<produced])
            offset += consumed
            if offset == piece.upperBound && produced < output.count { break }
          }
          // Inside the second header: not a clean end.
          if piece.upperBound == split && split > first.count {
            #expect(!decompressor.isAtBoundary, "split at \(split)")
          }
        }
      }
      try decompressor.finish()
      #expect(result == firstPlain + plain, "split at \(split)")
    }
    // Every prefix that ends inside the header is cut short, not an error.
    for length in 1..<headerLength {
      let decompressor = try Decompressor(.gzip)
      _ = try Support.decompressWithoutFinishing(Array(member.prefix(length)), decompressor, inputSlice: 3)
      let error = #expect(throws: CompressionError.self) { try decompressor.finish() }
      #expect(error?.description == "the gzip stream is cut short", "a prefix of \(length)")
    }
  }

  @Test func gzipHeaderErrors() throws {
    let plain = Array("header checks\n".utf8)
    var (member, headerLength) = try Support.memberWithFullHeader(plain)
    member[headerLength - 1] ^= 0x01  // the header's CRC-16
    for (inputSlice, outputSize) in [(1 << 16, 1 << 16), (7, 7)] {
      let check = #expect(throws: CompressionError.self) {
        try Support.decompress(member, .gzip, inputSlice: inputSlice, outputSize: outputSize)
      }
      #expect(check?.description == "gzip data is corrupt (header crc mismatch)")
    }
    // FLG's reserved bits, as zlib refuses them.
    let reserved = try Support.memberWithFullHeader(plain, flagBits: 0x20).member
    let flags = #expect(throws: CompressionError.self) { try Support.decompress(reserved, .gzip) }
    #expect(flags?.description == "gzip data is corrupt (unknown header flags set)")
    // A method other than deflate (8), and a wrong second magic byte.
    var method = try Support.compress(plain, .gzip)
    method[2] = 7
    let unknown = #expect(throws: CompressionError.self) { try Support.decompress(method, .gzip) }
    #expect(unknown?.description == "gzip data is corrupt (unknown compression method)")
    var magic = try Support.compress(plain, .gzip)
    magic[1] = 0x8C
    let wrapper = #expect(throws: CompressionError.self) { try Support.decompress(magic, .gzip) }
    #expect(wrapper?.description == "gzip data is corrupt (not a gzip header)")
    // The trailer's length (ISIZE) is checked as well as its CRC-32.
    var length = try Support.compress(plain, .gzip)
    length[length.count - 4] ^= 0x01
    let size = #expect(throws: CompressionError.self) { try Support.decompress(length, .gzip) }
    #expect(size?.description == "gzip data is corrupt (incorrect data check)")
  }

  @Test(arguments: Compression.allCases)
  func concatenatedStreams(_ format: Compression) throws {
    let parts = [
      Support.mixedText(count: 20_000, seed: 11), Array("x".utf8), [], Support.randomBytes(count: 999, seed: 12),
    ]
    let joined = try parts.map { try Support.compress($0, format) }.reduce([], +)
    let expected = parts.reduce([], +)
    #expect(try Support.decompress(joined, format) == expected)
    #expect(try Support.decompress(joined, format, inputSlice: 1, outputSize: 1) == expected)
    #expect(try Support.decompress(joined, format, inputSlice: 5, outputSize: 7) == expected)
    let garbage = #expect(throws: CompressionError.self) { try Support.decompress(joined + Array("junk".utf8), format) }
    #expect(garbage?.description == "data after the end of the \(format.rawValue) stream")
  }

  @Test func xzStreamPadding() throws {
    let a = try Support.compress(Array("first\n".utf8), .xz)
    let b = try Support.compress(Array("second\n".utf8), .xz)
    let expected = Array("first\nsecond\n".utf8)
    // Stream padding: multiples of four zero bytes between and after streams.
    #expect(try Support.decompress(a + [0, 0, 0, 0] + b + [0, 0, 0, 0, 0, 0, 0, 0], .xz) == expected)
    #expect(try Support.decompress(a + [0, 0, 0, 0] + b, .xz, inputSlice: 1, outputSize: 1) == expected)
    #expect(throws: CompressionError.self) { try Support.decompress(a + [0, 0, 0] + b, .xz) }
    let decompressor = try Decompressor(.xz)
    _ = try Support.decompressWithoutFinishing(a + [0, 0], decompressor)
    #expect(!decompressor.isAtBoundary)
    _ = try Support.decompressWithoutFinishing([0, 0], decompressor)
    #expect(decompressor.isAtBoundary)
  }

  @Test(arguments: [Compression.zstd, .bzip2])
  func trailingZerosAreNotAccepted(_ format: Compression) throws {
    let compressed = try Support.compress(Array("text\n".utf8), format)
    #expect(throws: CompressionError.self) { try Support.decompress(compressed + [0, 0, 0, 0], format) }
  }

  // MARK: Damaged input

  @Test(arguments: Compression.allCases)
  func cutShortInputIsDetected(_ format: Compression) throws {
    let (compressed, plain) = try Support.smallSample(format)
    #expect(try Support.decompress(compressed, format) == plain)
    var waiting = 0  // prefixes that decode without an error but do not end cleanly
    for length in 0..<compressed.count {
      let prefix = Array(compressed.prefix(length))
      let decompressor = try Decompressor(format)
      do {
        _ = try Support.decompressWithoutFinishing(prefix, decompressor, inputSlice: 97, outputSize: 1_000)
        #expect(!decompressor.isAtBoundary, "\(format): a prefix of \(length) of \(compressed.count) bytes")
        let error = #expect(throws: CompressionError.self) { try decompressor.finish() }
        let expected =
          length == 0 ? "the \(format.rawValue) input is empty" : "the \(format.rawValue) stream is cut short"
        #expect(error?.description == expected)
        waiting += 1
      } catch {
        // Also fine: some libraries see a bad end before the input ends.
      }
    }
    // Most prefixes look like a stream still in progress: the end of the input is what tells.
    #expect(waiting * 2 > compressed.count, "\(format): \(waiting) of \(compressed.count) prefixes")
  }

  @Test(arguments: Compression.allCases)
  func corruptBytesGiveErrors(_ format: Compression) throws {
    let (compressed, plain) = try Support.smallSample(format)
    var errors = 0
    var random = SeededRandom(seed: 13)
    for position in 0..<compressed.count {
      for flip: UInt8 in [0xFF, 1 << UInt8.random(in: 0..<8, using: &random)] {
        var damaged = compressed
        damaged[position] ^= flip
        do {
          // Undetected damage may only be in bytes that do not matter (such as gzip's MTIME).
          let result = try Support.decompress(damaged, format, inputSlice: 211, outputSize: 509)
          #expect(result == plain, "\(format): byte \(position) ^ \(flip) decoded to other data without an error")
        } catch let error as CompressionError {
          errors += 1
          #expect(!error.description.isEmpty)
        }
      }
    }
    // Almost every change is caught (by the structure or a checksum).
    #expect(errors * 10 >= compressed.count * 2 * 9, "\(format): \(errors) errors in \(compressed.count * 2) changes")
    // Random bytes after a valid header, and random bytes alone.
    for seed: UInt64 in 20..<30 {
      let noise = Support.randomBytes(count: 2_000, seed: seed)
      #expect(throws: CompressionError.self) { try Support.decompress(Array(compressed.prefix(12)) + noise, format) }
      #expect(throws: CompressionError.self) { try Support.decompress(noise, format) }
    }
  }

  @Test func corruptionMessagesAreSpecific() throws {
    // A gzip header followed by a deflate block of the reserved type 3.
    let badBlock: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x07, 0x00]
    let block = #expect(throws: CompressionError.self) { try Support.decompress(badBlock, .gzip) }
    #expect(block?.description == "gzip data is corrupt (invalid block header)")
    var damaged = try Support.compress(Array("hello, hello\n".utf8), .gzip)
    damaged[damaged.count - 8] ^= 0x01  // the CRC-32
    let check = #expect(throws: CompressionError.self) { try Support.decompress(damaged, .gzip) }
    #expect(check?.description == "gzip data is corrupt (incorrect data check)")
    for format in Compression.allCases {
      let error = #expect(throws: CompressionError.self) {
        try Support.decompress(Array("plain text, not compressed\n".utf8), format)
      }
      #expect(
        error?.description.hasPrefix("\(format.rawValue) data is corrupt (") == true, "\(String(describing: error))")
    }
    // A zstd frame asking for a 2 GiB window (as --long=31 writes) is refused, not allocated.
    let wide: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 21 << 3, 0x01, 0x00, 0x00]
    let window = #expect(throws: CompressionError.self) { try Support.decompress(wide, .zstd) }
    #expect(window?.description.hasPrefix("zstd data needs a window larger than the 128 MiB allowed") == true)
    // An error sticks.
    let decompressor = try Decompressor(.xz)
    _ = try? Support.decompressWithoutFinishing(Array("plain text, not compressed\n".utf8), decompressor)
    let again = #expect(throws: CompressionError.self) {
      try Support.decompressWithoutFinishing(try Support.compress([1, 2, 3], .xz), decompressor)
    }
    #expect(again?.description == "xz data is corrupt (no xz stream header)")
    #expect(!decompressor.isAtBoundary)
  }

  /// 256 MB of zeros, compressed 1 MB at a time, decompressed through a 64 KB buffer:
  /// memory stays bounded by the buffers, whatever the expansion (256 MB rather than
  /// more keeps the test quick under the sanitizers; the bound does not depend on it).
  @Test(arguments: Compression.allCases)
  func decompressionBomb(_ format: Compression) throws {
    let zeros = [UInt8](repeating: 0, count: 1 << 20)
    let compressor = try Compressor(format, level: max(1, format.levels.lowerBound))
    var bomb: [UInt8] = []
    for _ in 0..<256 { try zeros.withUnsafeBytes { try compressor.compress($0, into: &bomb) } }
    try compressor.finish(into: &bomb)
    #expect(bomb.count < 5_000_000)
    let decompressor = try Decompressor(format)
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
    defer { output.deallocate() }
    var total = 0
    var nonZero = false
    try bomb.withUnsafeBytes { input in
      var offset = 0
      while true {
        let (consumed, produced) = try decompressor.decompress(
          UnsafeRawBufferPointer(rebasing: input[offset...]), into: output)
        offset += consumed
        total += produced
        if produced > 0 && (output[0] != 0 || output[produced - 1] != 0) { nonZero = true }
        if offset == input.count && produced < output.count { break }
      }
    }
    try decompressor.finish()
    #expect(total == 1 << 28)
    #expect(!nonZero)
  }

  /// The decoders write only into the output they are given (the libraries' assembly
  /// is not checked by the address sanitizer): bytes past its end stay as they were.
  @Test(arguments: Compression.allCases)
  func decodersWriteOnlyTheirOutput(_ format: Compression) throws {
    let plain = Array(Support.largeText.prefix(400_000)) + [UInt8](repeating: 0x61, count: 100_000)
    let compressed = try Support.compress(plain, format)
    let canary: UInt8 = 0xA5
    for outputSize in [1, 7, 31, 64, 255, 4_099, 65_536, 1 << 20] {
      let decompressor = try Decompressor(format)
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize + 64, alignment: 1)
      defer { buffer.deallocate() }
      let output = UnsafeMutableRawBufferPointer(rebasing: buffer[..<outputSize])
      var result: [UInt8] = []
      var overrun = false
      try compressed.withUnsafeBytes { input in
        var offset = 0
        while true {
          let tail = UnsafeMutableRawBufferPointer(rebasing: buffer[outputSize...])
          tail.initializeMemory(as: UInt8.self, repeating: canary)
          let (consumed, produced) = try decompressor.decompress(
            UnsafeRawBufferPointer(rebasing: input[offset..<min(offset + 65_521, input.count)]), into: output)
          if buffer[outputSize...].contains(where: { $0 != canary }) { overrun = true }
          result.append(contentsOf: output[..<produced])
          offset += consumed
          if offset == input.count && produced < output.count { break }
        }
      }
      try decompressor.finish()
      #expect(!overrun, "\(format): wrote past an output of \(outputSize) bytes")
      #expect(result == plain, "\(format), output of \(outputSize) bytes")
    }
  }

  // MARK: The system's tools

  /// Our output decodes with the tool, the tool's with us, and concatenations of the
  /// tool's streams decode to the concatenation.
  func interoperate(_ format: Compression) throws {
    let plain = Array(Support.largeText.prefix(1_000_000)) + Support.randomBytes(count: 50_000, seed: 14)
    let theirs = try Support.toolCompress(format, plain)
    #expect(try Support.decompress(theirs, format) == plain, "\(format): the tool's output")
    #expect(try Support.decompress(theirs, format, inputSlice: 4_093, outputSize: 7) == plain)
    for level in [nil, format.levels.lowerBound, format.levels.upperBound] {
      let ours = try Support.compress(plain, format, level: level)
      #expect(try Support.toolDecompress(format, ours) == plain, "\(format) level \(String(describing: level))")
    }
    let empty = try Support.toolCompress(format, [])
    #expect(try Support.decompress(empty, format) == [])
    #expect(try Support.toolDecompress(format, try Support.compress([], format)) == [])
    let tail = Array("tail\n".utf8)
    let joined = theirs + (try Support.toolCompress(format, tail))
    #expect(try Support.decompress(joined, format) == plain + tail, "\(format): concatenated tool streams")
    let ourJoin = try Support.compress(tail, format) + Support.compress(plain, format)
    #expect(try Support.toolDecompress(format, ourJoin) == tail + plain)
  }

  // A test whose tool is missing is reported as skipped, not passed.
  @Test(.enabled(if: CompressionSupport.hasTool(.gzip), "needs the gzip command"))
  func interoperatesWithGzip() throws { try interoperate(.gzip) }

  /// gzip's own headers (a name, a time, XFL by level) split across inputs of every small size.
  @Test(.enabled(if: CompressionSupport.hasTool(.gzip), "needs the gzip command"))
  func gzipToolHeadersAcrossPieces() throws {
    let plain = Support.mixedText(count: 20_000, seed: 16)
    for arguments in [["-c", "-N"], ["-c", "-9"], ["-c", "-1"]] {
      let theirs = try Support.runTool(.gzip, arguments, input: plain)
      #expect(theirs.count > 3 && theirs[3] & 0x08 != 0, "\(arguments): a name in the header")
      for inputSlice in [1, 2, 3, 5, 11, 17] {
        #expect(try Support.decompress(theirs, .gzip, inputSlice: inputSlice, outputSize: 4_099) == plain)
      }
    }
  }

  @Test(.enabled(if: CompressionSupport.hasTool(.zstd), "needs the zstd command (apt-get install zstd)"))
  func interoperatesWithZstd() throws { try interoperate(.zstd) }

  @Test(.enabled(if: CompressionSupport.hasTool(.bzip2), "needs the bzip2 command (apt-get install bzip2)"))
  func interoperatesWithBzip2() throws { try interoperate(.bzip2) }

  @Test(.enabled(if: CompressionSupport.hasTool(.xz), "needs the xz command (apt-get install xz-utils)"))
  func interoperatesWithXz() throws { try interoperate(.xz) }

  @Test(.enabled(if: CompressionSupport.hasTool(.xz), "needs the xz command (apt-get install xz-utils)"))
  func refusesAHugeXzDictionary() throws {
    // A 1 GiB dictionary would take 1 GiB to decode even a small stream.
    let wide = try Support.runTool(.xz, ["-c", "--lzma2=dict=1GiB"], input: Array("small\n".utf8))
    let error = #expect(throws: CompressionError.self) { try Support.decompress(wide, .xz) }
    #expect(
      error?.description
        == "xz data needs 1025 MiB of memory to decode, more than the 256 MiB allowed (it was compressed with a very large dictionary)"
    )
    let usual = try Support.runTool(.xz, ["-c", "-9e"], input: Array("small\n".utf8))
    #expect(try Support.decompress(usual, .xz) == Array("small\n".utf8))
  }

  @Test(.enabled(if: CompressionSupport.hasTool(.zstd), "needs the zstd command (apt-get install zstd)"))
  func decodesMultithreadedZstd() throws {
    let plain = Array(Support.largeText.prefix(3_000_000))
    let threaded = try Support.runTool(.zstd, ["-q", "-c", "-T2", "-19"], input: plain)
    #expect(try Support.decompress(threaded, .zstd) == plain)
  }
}
