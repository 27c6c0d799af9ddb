import Foundation
import Testing
import Winnow

/// A large text file that `winnow normalize` only has to normalize is normalized as it
/// is read: the bytes of normalizing it whole, in memory that does not grow with it.
@Suite struct StreamedDocumentTests {
  typealias Command = CommandTests

  /// Runs the winnow executable with `arguments`: its exit status and peak resident
  /// memory in bytes (from `wait4`, which Foundation's `Process` does not give).
  static func runMeasuringMemory(_ arguments: [String]) throws -> (status: Int32, peakBytes: Int) {
    let path = Command.executable.path
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, nil, nil, argv, environ)
    try #require(spawned == 0, "posix_spawn: \(spawned)")
    var status: Int32 = 0
    var usage = rusage()
    try #require(wait4(pid, &status, 0, &usage) == pid)
    // ru_maxrss is in kilobytes on Linux; the exit status is in the high byte.
    return ((status >> 8) & 0xFF, usage.ru_maxrss * 1024)
  }

  /// About `size` bytes of text: prose-like lines, and a quarter of lines that exercise
  /// the normalizer (curly quotes, spaces, blank runs, CRLF, mojibake, invisibles,
  /// U+FFFD), well-formed UTF-8 without NUL or U+0085: a block of about a megabyte,
  /// repeated.
  static func text(size: Int) -> [UInt8] {
    var random = SeededRandom(seed: 11)
    let words = ["The", "river", "crossed", "42", "plains", "and", "old", "towns", "under", "grey", "skies"]
    let prose = (0..<12_000).flatMap { _ in
      Array(((0..<12).map { _ in words.randomElement(using: &random)! }.joined(separator: " ") + ".\n").utf8)
    }
    let adversarial = (UInt64(1)...2).flatMap { NormalizationStreamTests.adversarialText(seed: $0, lines: 2_000) }
    let valid = Array(String(decoding: adversarial, as: UTF8.self).utf8).replacingNextLine().filter { $0 != 0 }
    let block = prose + valid
    var text: [UInt8] = []
    text.reserveCapacity(size + block.count)
    while text.count < size { text += block }
    return text
  }

  @Test func aLargeFileIsNormalizedAsReadInBoundedMemory() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let size = 32 << 20
    let bytes = Self.text(size: size)
    let input = directory.appendingPathComponent("large.txt")
    try Data(bytes).write(to: input)
    let small = directory.appendingPathComponent("small.txt")
    try Data("A line.\n".utf8).write(to: small)
    let output = directory.appendingPathComponent("large.out")

    let base = try Self.runMeasuringMemory(["normalize", small.path, "-o", "/dev/null", "-q"])
    let run = try Self.runMeasuringMemory(["normalize", input.path, "-o", output.path, "-q"])
    #expect(run.status == 0)
    let expected = TextNormalizer().normalize(utf8: bytes).utf8
    #expect(try [UInt8](Data(contentsOf: output)) == expected)
    // Read whole, the file would take three copies of itself (input, text, output).
    #expect(
      run.peakBytes - base.peakBytes < size,
      "peak \(run.peakBytes >> 20) MB, \(base.peakBytes >> 20) MB for a line, for \(size >> 20) MB")
  }

  /// What cannot be decided piece by piece is read whole, with the same bytes as from
  /// standard input (which is always read whole): U+0085, ill-formed UTF-8, a byte
  /// order mark, a size over --max-document-bytes.
  @Test func whatCannotBeStreamedIsReadWhole() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let body = Self.text(size: 9 << 20)
    #expect(body.withUnsafeBufferPointer { NormalizationStream.accepts($0) })
    let middle = body.count / 2
    let cases: [(String, [UInt8], [String])] = [
      ("plain", body, []),
      ("next-line", Array(body[..<middle]) + Array("A\u{85}b c.\u{93}x\u{94}\n".utf8) + Array(body[middle...]), []),
      ("ill-formed", Array(body[..<middle]) + [0x41, 0xFF, 0x0A] + Array(body[middle...]), []),
      ("byte-order-mark", [0xEF, 0xBB, 0xBF] + body, []),
      ("oversize", body, ["--max-document-bytes", String(body.count - 1)]),
    ]
    for (name, bytes, options) in cases {
      let input = directory.appendingPathComponent("\(name).txt")
      try Data(bytes).write(to: input)
      let fromFile = directory.appendingPathComponent("\(name).file.out")
      let fromStream = directory.appendingPathComponent("\(name).stdin.out")
      let file = try Command.run(["normalize", input.path, "-o", fromFile.path] + options)
      let piped = try Command.run(["normalize", "-", "-o", fromStream.path] + options, stdin: bytes)
      #expect(file.status == piped.status, "\(name)")
      let a = try [UInt8](Data(contentsOf: fromFile))
      let b = try [UInt8](Data(contentsOf: fromStream))
      #expect(a == b && !a.isEmpty, "\(name): \(a.count) and \(b.count) bytes")
    }
  }
}
