import Foundation
import Testing
import Winnow

/// --field and --id-field, missing fields, byte order marks and final line feeds of JSON
/// Lines, through the built command.
@Suite struct JSONLinesFieldTests {
  typealias Command = CommandTests

  /// `count` lines made by `line`, as a JSON Lines file in a new folder.
  static func corpus(_ count: Int, _ line: (Int) -> String) throws -> (URL, URL) {
    let directory = try Command.temporaryDirectory()
    let file = directory.appendingPathComponent("corpus.jsonl")
    try Data((0..<count).map { line($0) + "\n" }.joined().utf8).write(to: file)
    return (directory, file)
  }

  @Test func wrongFieldStopsWithOneMessageNamingTheMembers() throws {
    let (directory, file) = try Self.corpus(3000) { "{\"id\":\($0),\"content\":\"Hello world \($0)\"}" }
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("out.jsonl")
    let run = try Command.run(["clean", file.path, "-o", output.path])
    #expect(run.status == 2)
    let errors = run.stderr.split(separator: "\n").filter { $0.contains("error") }
    #expect(errors.count == 1, "\(run.stderr)")
    #expect(run.stderr.contains("no line among the first 1000 has the field \"text\""))
    #expect(run.stderr.contains("\"id\", \"content\""))
    #expect(!FileManager.default.fileExists(atPath: output.path))
  }

  @Test func laterMissingFieldsAreReportedOncePerFile() throws {
    let (directory, file) = try Self.corpus(2000) {
      $0 % 10 == 9 ? "{\"id\":\($0),\"body\":\"x\"}" : "{\"id\":\($0),\"text\":\"Document number \($0).\"}"
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Command.run(["clean", file.path, "--no-dedup"])
    #expect(run.status == 2)
    let errors = run.stderr.split(separator: "\n").filter { $0.contains("error") }
    #expect(errors == ["winnow: error: \(file.path): 200 lines without the field \"text\" (first at line 10), skipped"])
    #expect(run.stdout.split(separator: 0x0A).count == 1800)
  }

  @Test func nestedFieldsAndIdField() throws {
    let (directory, file) = try Self.corpus(3) {
      "{\"meta\":{\"key\":\"doc-\($0)\",\"a.b\":\"x\"},\"body\":{\"content\":\"\u{201C}Quoted\u{201D}  \($0)\"}}"
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run([
      "clean", file.path, "--field", "body.content", "--id-field", "meta.key", "--explain", explain.path, "--quiet",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
    #expect(lines.first == "{\"meta\":{\"key\":\"doc-0\",\"a.b\":\"x\"},\"body\":{\"content\":\"\\\"Quoted\\\" 0\"}}")
    let explanation = try String(contentsOf: explain, encoding: .utf8)
    #expect(explanation.hasPrefix("{\"id\":\"doc-0\""))
    // A dot inside a member name is written \.
    let dotted = try Command.run(["normalize", file.path, "--field", "meta.a\\.b", "--quiet"])
    #expect(dotted.status == 0, "\(dotted.stderr)")
    #expect(String(decoding: dotted.stdout, as: UTF8.self).split(separator: "\n").count == 3)
  }

  @Test func byteOrderMarkBeforeTheFirstRecordIsSkipped() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("bom.jsonl")
    try Data([0xEF, 0xBB, 0xBF] + Array("{\"text\":\"first\"}\n{\"text\":\"second\"}\n".utf8)).write(to: file)
    let run = try Command.run(["normalize", file.path, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(String(decoding: run.stdout, as: UTF8.self) == "{\"text\":\"first\"}\n{\"text\":\"second\"}\n")
  }

  @Test func recordsKeepTheirFinalNewlineState() throws {
    let input = "{\"text\":\"Hello world\"}\n{\"text\":\"Ends with one\\n\"}\n{\"text\":\"Ends with three\\n\\n\\n\"}\n"
    let run = try Command.run(["clean", "--format", "jsonl", "--quiet"], stdin: Array(input.utf8))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      String(decoding: run.stdout, as: UTF8.self)
        == "{\"text\":\"Hello world\"}\n{\"text\":\"Ends with one\\n\"}\n{\"text\":\"Ends with three\\n\"}\n")
    // A text file still ends with one line feed.
    let text = try Command.run(["clean", "--format", "text", "--quiet"], stdin: Array("Hello world".utf8))
    #expect(text.stdout == Array("Hello world\n".utf8))
  }

  @Test func keptFinalLineFeedOption() {
    var options = NormalizationOptions.default
    options.finalLineFeed = .kept
    let normalizer = TextNormalizer(options)
    #expect(normalizer.normalized("a  b  ") == "a b")
    #expect(normalizer.normalized("a\r\n\r\n \n") == "a\n")
    #expect(normalizer.normalized("\n\n") == "")
    #expect(TextNormalizer().normalized("a  b  ") == "a b\n")
    // Every invariant of the profiles holds (fixed point, exact edits), on random input.
    var random = SeededRandom(seed: 2029)
    var failures = 0
    for _ in 0..<4000 {
      let bytes = RandomText.make(using: &random)
      if let failure = NormalizerInvariantTests.check(bytes, options: options) {
        failures += 1
        if failures <= 5 { Issue.record("\(failure) for input \(bytes.map { String($0, radix: 16) })") }
      }
    }
    #expect(failures == 0)
  }
}
