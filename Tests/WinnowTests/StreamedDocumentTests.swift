import Foundation
import Testing
import Winnow

/// A large text file that `winnow normalize` only has to normalize is normalized as it
/// is read: the bytes of normalizing it whole, in memory that does not grow with it.
@Suite(.serialized) struct StreamedDocumentTests {
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

    // The pieces are normalized on the workers, the mojibake repair's state guessed
    // and checked in order: the same bytes on one thread or several.
    var outputs: [[UInt8]] = []
    for threads in [1, 3] {
      // A spawned child's peak counts this process's peak so far (the memory it is
      // spawned from): measured against a run just before, the expected bytes computed
      // after.
      let base = try Self.runMeasuringMemory(["normalize", small.path, "-o", "/dev/null", "-q"])
      let run = try Self.runMeasuringMemory([
        "normalize", input.path, "-o", output.path, "-q", "--threads", String(threads),
      ])
      #expect(run.status == 0)
      outputs.append(try [UInt8](Data(contentsOf: output)))
      // Read whole, the file would take three copies of itself (input, text, output).
      #expect(
        run.peakBytes - base.peakBytes < size,
        "peak \(run.peakBytes >> 20) MB, \(base.peakBytes >> 20) MB for a line, for \(size >> 20) MB")
    }
    let expected = TextNormalizer().normalize(utf8: bytes).utf8
    #expect(outputs.allSatisfy { $0 == expected })
  }

  /// Pieces whose mojibake changes the repair's state from one to the next (each
  /// guess then wrong) still give the whole text's bytes on several threads.
  @Test func piecesThatChangeTheRepairsStateGiveTheWholeTextsBytes() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // Lines misread through windows-1252, Mac OS Roman and windows-1251, in runs that
    // change which encoding the repair tries first, across pieces of a megabyte.
    let misread: [[UInt8]] = try [
      ("Crème brûlée, naïve résumé, déjà vu.", String.Encoding.windowsCP1252),
      ("Crème brûlée, naïve résumé, déjà vu.", .macOSRoman),
      ("Привет, как дела у всех сегодня вечером?", .windowsCP1251),
    ].map { text, encoding in
      let line = try #require(String(data: Data(text.utf8), encoding: encoding))
      return Array((line + "\n").utf8)
    }
    let plain = Array("A plain line of ordinary words that ends here.\n".utf8)
    var bytes: [UInt8] = []
    var random = SeededRandom(seed: 3)
    while bytes.count < 12 << 20 {
      for _ in 0..<Int.random(in: 1_000...40_000, using: &random) { bytes += plain }
      let line = misread.randomElement(using: &random)!
      for _ in 0..<Int.random(in: 1...6, using: &random) { bytes += line }
    }
    let input = directory.appendingPathComponent("mojibake.txt")
    try Data(bytes).write(to: input)
    let expected = TextNormalizer().normalize(utf8: bytes).utf8
    #expect(expected != bytes)
    for threads in [1, 2, 5] {
      let output = directory.appendingPathComponent("out-\(threads).txt")
      let run = try Command.run(["normalize", input.path, "-o", output.path, "-q", "--threads", String(threads)])
      #expect(run.status == 0)
      #expect(try [UInt8](Data(contentsOf: output)) == expected, "\(threads) threads")
    }
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
