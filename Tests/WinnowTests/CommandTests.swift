import Foundation
import Testing
import Winnow

/// The `winnow` executable, run as a user would run it.
@Suite struct CommandTests {
  struct Run {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
  }

  static let executable: URL = {
    // The test bundle sits beside the products in .build/<configuration>/.
    var directory = Bundle.module.bundleURL.deletingLastPathComponent()
    for _ in 0..<3 {
      let candidate = directory.appendingPathComponent("winnow")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent("winnow")
  }()

  static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Run {
    // A command that stops before reading all its input (a binary file skipped) makes
    // the write below fail with EPIPE, not kill the test process.
    signal(SIGPIPE, SIG_IGN)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let input = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    try input.fileHandleForWriting.write(contentsOf: stdin)
    try input.fileHandleForWriting.close()
    let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
    let stderrData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: [UInt8](stdoutData),
      stderr: String(decoding: stderrData, as: UTF8.self))
  }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static let sample: [UInt8] =
    Array("  \u{201C}Hello\u{201D}\u{00A0}\u{00A0}world\r\n\r\n\r\n\r\nbye\u{200B}  ".utf8) + [0xFF]

  @Test func normalizesStandardInput() throws {
    let expected = TextNormalizer().normalize(utf8: Self.sample).utf8
    let implicit = try Self.run(["normalize", "--quiet"], stdin: Self.sample)
    #expect(implicit.status == 0)
    #expect(implicit.stdout == expected)
    #expect(implicit.stderr.isEmpty)
    let dash = try Self.run(["normalize", "-", "--quiet"], stdin: Self.sample)
    #expect(dash.stdout == expected)
  }

  @Test func writesOutputFileAndLeavesInputAlone() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.txt")
    let output = directory.appendingPathComponent("out.txt")
    let edits = directory.appendingPathComponent("edits.tsv")
    try Data(Self.sample).write(to: input)
    let run = try Self.run(["normalize", input.path, "-o", output.path, "--edits", edits.path])
    #expect(run.status == 0)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("1 invalid sequences replaced"))
    #expect(try [UInt8](Data(contentsOf: input)) == Self.sample)
    let written = try [UInt8](Data(contentsOf: output))
    #expect(written == Array("\"Hello\" world\n\nbye \u{FFFD}\n".utf8))
    // The TSV edits, applied to the input, give the output.
    var rebuilt: [UInt8] = []
    var position = 0
    for line in try String(contentsOf: edits, encoding: .utf8).split(separator: "\n") {
      let fields = line.split(separator: "\t")
      let (inStart, inEnd, outStart, outEnd) = (Int(fields[0])!, Int(fields[1])!, Int(fields[2])!, Int(fields[3])!)
      rebuilt += Self.sample[position..<inStart] + written[outStart..<outEnd]
      position = inEnd
    }
    rebuilt += Self.sample[position...]
    #expect(rebuilt == written)
  }

  @Test func profilesAndOptions() throws {
    let minimal = try Self.run(["normalize", "--profile", "minimal", "-q"], stdin: Array("a\r\nb  ".utf8))
    #expect(minimal.stdout == Array("a\nb  ".utf8))
    let dashes = try Self.run(
      ["normalize", "--ascii-dashes", "--form", "nfkc", "-q"], stdin: Array("\u{FB01} \u{2014}".utf8))
    #expect(dashes.stdout == Array("fi -\n".utf8))
  }

  @Test func unreadableInputExitsTwo() throws {
    let run = try Self.run(["normalize", "/nonexistent/winnow-input.txt"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("cannot read /nonexistent/winnow-input.txt"))
    #expect(run.stdout.isEmpty)
  }

  @Test func usageErrorsExitSixtyFour() throws {
    let unknown = try Self.run(["normalize", "--no-such-option"])
    #expect(unknown.status == 64)
    let badProfile = try Self.run(["normalize", "--profile", "loud"])
    #expect(badProfile.status == 64)
    let negative = try Self.run(["normalize", "--max-blank-lines", "-1"])
    #expect(negative.status == 64)
  }

  @Test func helpDocumentsExamples() throws {
    let run = try Self.run(["normalize", "--help"])
    #expect(run.status == 0)
    let help = String(decoding: run.stdout, as: UTF8.self)
    #expect(help.contains("--profile"))
    #expect(help.contains("Examples (from the repository root):"))
  }

  static let paragraphs = [
    "The city council voted on Tuesday to expand the bus network across the northern districts next spring.",
    "Officials said the plan would add twelve new routes and extend service hours on weekends for commuters.",
  ]

  @Test func cleanRemovesRepeatsAndExplains() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let text = "Headline\r\n" + (Self.paragraphs + Self.paragraphs).joined(separator: "\r\n") + "\r\n\r\n\r\n"
    let explain = directory.appendingPathComponent("explain.json")
    let run = try Self.run(["clean", "--explain", explain.path], stdin: Array(text.utf8))
    #expect(run.status == 0)
    #expect(run.stdout == Array(("Headline\n" + Self.paragraphs.joined(separator: "\n") + "\n").utf8))
    #expect(run.stderr.contains("1 repeat removed"))
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: explain)) as! [String: Any]
    let removed = record["removed"] as! [[String: Any]]
    #expect(removed.count == 1)
    #expect(removed[0]["similarity"] as? Double == 1)
    #expect((removed[0]["text"] as? String)?.contains("twelve new routes") == true)
    #expect((record["normalization"] as? [String: Int])?["lineBreak"] != nil)

    let untouched = try Self.run(["clean", "--no-repeats", "--no-normalize", "-q"], stdin: Array(text.utf8))
    #expect(untouched.stdout == Array(text.utf8))
  }

  @Test func repeatsListsBlocks() throws {
    let text = (Self.paragraphs + ["Something else entirely."] + Self.paragraphs).joined(separator: "\n") + "\n"
    let human = try Self.run(["repeats"], stdin: Array(text.utf8))
    #expect(human.status == 0)
    let output = String(decoding: human.stdout, as: UTF8.self)
    #expect(output.contains("1 repeated block"))
    #expect(output.contains("lines 1-2"))
    #expect(output.contains("lines 4-5"))
    let json = try Self.run(["repeats", "--json"], stdin: Array(text.utf8))
    let report = try JSONSerialization.jsonObject(with: Data(json.stdout)) as! [String: Any]
    let blocks = report["blocks"] as! [[String: Any]]
    #expect(blocks.count == 1)
    #expect((blocks[0]["copies"] as! [[String: Any]]).count == 1)
    let bad = try Self.run(["repeats", "--similarity", "2"])
    #expect(bad.status == 64)
  }

  /// Several inputs, text and JSON Lines: one report per document, in input order, with
  /// the JSON Lines id as it is written; a malformed line is reported and counted.
  @Test func repeatsOverSeveralInputs() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let repeated = (Self.paragraphs + ["Something else entirely."] + Self.paragraphs).joined(separator: "\n")
    let text = directory.appendingPathComponent("page.txt")
    try Data(repeated.utf8).write(to: text)
    let lines = directory.appendingPathComponent("crawl.jsonl")
    let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [repeated]), as: UTF8.self).dropFirst()
      .dropLast()
    try Data("{\"id\": \"a-1\", \"text\": \(quoted)}\n{broken\n{\"id\": 7, \"text\": \"Nothing twice.\"}\n".utf8)
      .write(to: lines)
    let run = try Self.run(["repeats", "--json", text.path, lines.path])
    #expect(run.status == 2)
    #expect(run.stderr.contains("crawl.jsonl:2:"))
    #expect(run.stderr.contains("3 documents, 1 skipped"))
    #expect(run.stderr.contains("2 repeated blocks found"))
    let reports = try String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(reports.map { $0["document"] as! String } == [text.path, lines.path + ":1", lines.path + ":3"])
    #expect(reports[0]["id"] == nil && reports[1]["id"] as? String == "a-1" && reports[2]["id"] as? Int == 7)
    #expect(reports.map { ($0["blocks"] as! [Any]).count } == [1, 1, 0])
    let refused = try Self.run(["repeats", text.path, "--output-dir", directory.path])
    #expect(refused.status == 64)
  }

  @Test func explainTextShowsEveryCharacterAndItsChange() throws {
    let run = try Self.run(["explain-text", "Caf\u{00E9}\u{00A0}\u{201C}ok\u{201D}\u{200B}"])
    #expect(run.status == 0)
    let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    #expect(lines.count == 11)  // ten characters and the normalized text
    #expect(
      lines[3].contains("U+00E9") && lines[3].contains("LATIN SMALL LETTER E WITH ACUTE") && lines[3].hasSuffix("kept"))
    #expect(lines[4].contains("NO-BREAK SPACE") && lines[4].contains("whitespace"))
    #expect(lines[9].contains("ZERO WIDTH SPACE"))
    #expect(lines.last == "normalized: \"Café \\\"ok\\\"\\n\"")
    let bytes = try Self.run(["explain-text"], stdin: [0x61, 0x0D, 0x0A, 0xFF])
    let text = String(decoding: bytes.stdout, as: UTF8.self)
    #expect(text.contains("invalid UTF-8 FF") && text.contains("invalidUTF8") && text.contains("lineBreak"))
  }
}
