import Foundation
import Testing
import Winnow

/// The invariants on inputs built to hurt: every code point once, a hundred thousand
/// tiny paragraphs, one token repeated, and the same stream read whole or in pieces
/// (with a 600 KB line and mojibake).
@Suite struct AdversarialTests {
  /// Every Unicode scalar once, 64 to a line: the normalizer's output is valid UTF-8,
  /// its edits reproduce it, and it is a fixed point, in every profile.
  @Test(arguments: NormalizationOptions.Profile.allCases)
  func everyCodePointOnce(_ profile: NormalizationOptions.Profile) {
    var text: [UInt8] = []
    text.reserveCapacity(4_500_000)
    var count = 0
    for value in UInt32(1)...0x10_FFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      text += Array(String(Character(scalar)).utf8)
      count += 1
      if count % 64 == 0 { text.append(0x0A) }
    }
    #expect(NormalizerInvariantTests.check(text, profile) == nil)
  }

  /// 100,000 tiny paragraphs, most repeated: cleaning ends, keeps every first copy, and
  /// cleaning again removes nothing.
  @Test func tinyParagraphs() {
    var text = ""
    var random = SeededRandom(seed: 3)
    for _ in 0..<100_000 { text += "p\(random.next() % 1000)\n\n" }
    let finder = RepeatFinder(.init(minimumTokens: 1, shingleSize: 1))
    let once = finder.removingRepeats(from: text)
    #expect(!once.removed.isEmpty)
    #expect(finder.removingRepeats(utf8: once.utf8).removed.isEmpty)
    let kept = Set(once.text.split(separator: "\n"))
    #expect(kept.count == Set(text.split(separator: "\n")).count)
  }

  /// One token a million times on one line: the finder ends, and a second cleaning
  /// removes nothing more. (Runs of a single token are not taken for repeated blocks:
  /// the output keeps them.)
  @Test func oneTokenRepeated() {
    let text = String(repeating: "again ", count: 1_000_000)
    let finder = RepeatFinder()
    let cleaned = finder.removingRepeats(from: text)
    #expect(finder.removingRepeats(utf8: cleaned.utf8).removed.isEmpty)
    #expect(cleaned.text.hasPrefix("again again"))
  }

  /// The same JSON Lines through standard input (read in pieces as they come) and
  /// from a file, on one and two threads: byte-identical output.
  @Test func streamReadInPiecesOrWhole() throws {
    let directory = try CommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var lines = ""
    var random = SeededRandom(seed: 5)
    for index in 0..<4000 {
      let length = Int(random.next() % 400) + (index == 1234 ? 600_000 : 0)
      let words = (0..<(length / 6)).map { _ in "w\(random.next() % 300)" }.joined(separator: " ")
      lines += "{\"id\": \(index), \"text\": \"\(words) caf\\u00e9 donâ€™t\"}\n"
    }
    let input = directory.appendingPathComponent("in.jsonl")
    try Data(lines.utf8).write(to: input)
    let fromFile = directory.appendingPathComponent("from-file.jsonl")
    let fromStdin = directory.appendingPathComponent("from-stdin.jsonl")
    let file = try CommandTests.run(["clean", input.path, "-o", fromFile.path, "--quiet", "--threads", "2"])
    // Standard input from the file: read as a stream, in the pieces read(2) returns.
    let process = Process()
    process.executableURL = CommandTests.executable
    process.arguments = ["clean", "--format", "jsonl", "-o", fromStdin.path, "--quiet", "--threads", "1"]
    process.standardInput = try FileHandle(forReadingFrom: input)
    try process.run()
    process.waitUntilExit()
    #expect(file.status == 0 && process.terminationStatus == 0)
    let output = try Data(contentsOf: fromFile)
    #expect(output == (try Data(contentsOf: fromStdin)))
    #expect(String(decoding: output, as: UTF8.self).contains("café don't"))
  }
}
