import Foundation
import Testing
import Winnow

/// `winnow clean` and `normalize` on many documents: JSON Lines, folders, bad input,
/// threads, explanations and the exit status.
@Suite struct CorpusCommandTests {
  typealias Command = CommandTests

  static func write(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  static func jsonString(_ text: String) -> String {
    String(
      decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self
    )
    .dropFirst().dropLast().description
  }

  /// A document with its body printed twice.
  static func duplicated(_ index: Int) -> String {
    let body = [
      "Report \(index) paragraph 0: the council voted on Tuesday to expand the bus network across the northern districts.",
      "Report \(index) paragraph 1: officials expect twelve new routes, longer weekend hours and a fare freeze next spring.",
      "Report \(index) paragraph 2: opponents argued that the money should repair the crumbling bridges on the river first.",
    ]
    return "Title \(index)\n" + (body + body).joined(separator: "\n") + "\n"
  }

  @Test func jsonLinesKeepOtherFieldsAndExplain() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("crawl.jsonl")
    let curly = "\u{201C}Quoted\u{201D} start.\n" + Self.duplicated(1)
    let lines = [
      "{\"id\": \"a-1\", \"meta\": {\"tags\": [1, 2.5e3, null, true, \"x\\u00e9\"]}, \"text\": \(Self.jsonString(curly))}",
      "",
      "{\"text\": \"plain \\ud83d\\ude00 emoji\\tand tab\", \"n\": -0.5}",
      "{\"id\": 3, \"text\": \(Self.jsonString(Self.duplicated(2)))}",
    ]
    try Self.write(lines.joined(separator: "\n") + "\n", to: input)
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run(["clean", input.path, "--no-dedup", "--explain", explain.path])
    #expect(run.status == 0, "\(run.stderr)")
    let output = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(output.count == 4)  // three documents and the final newline
    // Every other member is passed through byte for byte.
    #expect(
      output[0].hasPrefix("{\"id\": \"a-1\", \"meta\": {\"tags\": [1, 2.5e3, null, true, \"x\\u00e9\"]}, \"text\": \""))
    #expect(output[1].hasSuffix(", \"n\": -0.5}"))
    let first = try JSONSerialization.jsonObject(with: Data(output[0].utf8)) as! [String: Any]
    let cleaned = first["text"] as! String
    #expect(cleaned.hasPrefix("\"Quoted\" start.\nTitle 1\n"))
    #expect(cleaned.components(separatedBy: "paragraph 0:").count == 2)
    let second = try JSONSerialization.jsonObject(with: Data(output[1].utf8)) as! [String: Any]
    #expect(second["text"] as? String == "plain \u{1F600} emoji and tab")

    let records = try String(contentsOf: explain, encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(records.count == 3)
    #expect(records[0]["id"] as? String == "a-1")
    #expect(records[1]["id"] as? Int == 3)  // no id member: the line number
    #expect(records[2]["id"] as? Int == 3)
    // Offsets are into the original text (before normalization turned the curly quotes
    // into ASCII ones, which shortened it).
    let removed = (records[0]["removed"] as! [[String: Any]])[0]
    let span = removed["span"] as! [Int]
    let original = Array(curly.utf8)
    let removedOriginal = String(decoding: original[span[0]..<span[1]], as: UTF8.self)
      .trimmingCharacters(in: .newlines)
    #expect(removedOriginal.hasPrefix("Report 1 paragraph 0"))
    #expect(removedOriginal.hasSuffix("on the river first."))
    let repeats = removed["repeats"] as! [Int]
    #expect(String(decoding: original[repeats[0]..<repeats[1]], as: UTF8.self) == removedOriginal)
    #expect(repeats[1] <= span[0])
  }

  @Test func malformedLinesAreReportedAndSkipped() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("bad.jsonl")
    let lines = [
      "{\"text\": \"good one\"}", "{\"text\": \"unterminated}", "[1, 2]", "{\"id\": 4}", "{\"text\": 5}",
      "{\"text\": \"two\"} trailing", "{\"text\": \"bad \\q escape\"}", "{\"text\": \"good two\"}",
    ]
    try Self.write(lines.joined(separator: "\n"), to: input)
    let run = try Command.run(["clean", input.path])
    #expect(run.status == 2)
    #expect(String(decoding: run.stdout, as: UTF8.self) == "{\"text\": \"good one\"}\n{\"text\": \"good two\"}\n")
    for line in [2, 3, 6, 7] {
      #expect(run.stderr.contains("\(input.path):\(line):"), "line \(line): \(run.stderr)")
    }
    // Well-formed lines without the text are counted and reported once per file.
    #expect(run.stderr.contains("\(input.path): 1 line without the field \"text\" (first at line 4), skipped"))
    #expect(run.stderr.contains("\(input.path): 1 line where \"text\" is not a string (first at line 5), skipped"))
    #expect(run.stderr.contains("2 documents, 6 skipped"))

    // --strict stops at the first bad line and leaves no output file behind.
    let output = directory.appendingPathComponent("out.jsonl")
    let strict = try Command.run(["clean", "--strict", input.path, "-o", output.path])
    #expect(strict.status == 2)
    #expect(!FileManager.default.fileExists(atPath: output.path))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty)
  }

  @Test func identicalOutputOnOneAndTwoThreads() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("many.jsonl")
    var lines: [String] = []
    for index in 0..<400 {
      lines.append(
        "{\"id\": \(index), \"text\": \(Self.jsonString(index % 3 == 0 ? Self.duplicated(index) : "Only \(index).\u{00A0}"))}"
      )
    }
    try Self.write(lines.joined(separator: "\n") + "\n", to: input)
    var outputs: [[UInt8]] = []
    var explains: [Data] = []
    for threads in ["1", "2", "5"] {
      let explain = directory.appendingPathComponent("explain-\(threads).jsonl")
      let run = try Command.run([
        "clean", input.path, "--no-dedup", "--threads", threads, "--explain", explain.path, "-q",
      ])
      #expect(run.status == 0)
      outputs.append(run.stdout)
      explains.append(try Data(contentsOf: explain))
    }
    #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    #expect(explains[0] == explains[1] && explains[1] == explains[2])
    #expect(String(decoding: outputs[0], as: UTF8.self).split(separator: "\n").count == 400)
  }

  /// Several megabytes, so that the input is cut into many pieces, with a line of
  /// 3 MB that no piece can hold: every line comes out once, in order, the same on one
  /// and two threads.
  @Test func manyPiecesAndALongLine() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("big.jsonl")
    let long = (0..<400_000).map { "w\($0)" }.joined(separator: " ")
    var lines: [String] = []
    for index in 0..<4000 {
      let text =
        index == 1500
        ? long
        : index % 5 == 0
          ? Self.duplicated(index)
          : "Article \(index). " + String(repeating: "Plain words, \(index) of them. ", count: 30)
      lines.append("{\"id\": \(index), \"text\": \(Self.jsonString(text))}")
    }
    try Self.write(lines.joined(separator: "\n") + "\n", to: input)
    #expect(try FileManager.default.attributesOfItem(atPath: input.path)[.size] as! Int > 6_000_000)
    var outputs: [[UInt8]] = []
    for threads in ["1", "2"] {
      let output = directory.appendingPathComponent("out-\(threads).jsonl")
      let run = try Command.run([
        "clean", input.path, "--no-dedup", "--threads", threads, "-q", "-o", output.path,
      ])
      #expect(run.status == 0)
      outputs.append(try [UInt8](Data(contentsOf: output)))
    }
    #expect(outputs[0] == outputs[1])
    let objects = try String(decoding: outputs[0], as: UTF8.self).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(objects.map { $0["id"] as! Int } == Array(0..<4000))
    // Normalized text ends with one line feed; nothing else changes. (A Bool, so that
    // a failure does not print 3 MB.)
    let longLineIntact = objects[1500]["text"] as! String == long
    #expect(longLineIntact)
    #expect((objects[5]["text"] as! String).utf8.count < Self.duplicated(5).utf8.count)
  }

  @Test func foldersNeedAnOutputFolder() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let pages = directory.appendingPathComponent("pages")
    try Self.write(Self.duplicated(1), to: pages.appendingPathComponent("a.txt"))
    try Self.write("Second  page.\r\n", to: pages.appendingPathComponent("sub/b.txt"))
    try Data([0x50, 0x4B, 0x00, 0x01, 0x02]).write(to: pages.appendingPathComponent("image.bin"))

    let refused = try Command.run(["clean", pages.path])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--output-dir"))
    #expect(refused.stdout.isEmpty)

    let cleaned = directory.appendingPathComponent("cleaned")
    let run = try Command.run(["clean", pages.path, "--output-dir", cleaned.path])
    #expect(run.status == 2)  // the binary file was skipped
    #expect(run.stderr.contains("image.bin: binary (NUL bytes), not text: skipped"))
    #expect(run.stderr.contains("2 documents, 1 skipped"))
    let a = try String(contentsOf: cleaned.appendingPathComponent("a.txt"), encoding: .utf8)
    #expect(a.components(separatedBy: "paragraph 1:").count == 2)
    #expect(try String(contentsOf: cleaned.appendingPathComponent("sub/b.txt"), encoding: .utf8) == "Second page.\n")
    #expect(!FileManager.default.fileExists(atPath: cleaned.appendingPathComponent("image.bin").path))
    // Inputs are never modified.
    #expect(try String(contentsOf: pages.appendingPathComponent("a.txt"), encoding: .utf8) == Self.duplicated(1))
  }

  @Test func refusesToOverwriteAnInputAndGoesOnAfterUnreadablePaths() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.jsonl")
    try Self.write("{\"text\": \"a  b\"}\n", to: input)
    let refused = try Command.run(["clean", input.path, "-o", input.path])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("it is one of the inputs"))
    #expect(try String(contentsOf: input, encoding: .utf8) == "{\"text\": \"a  b\"}\n")

    let unwritable = try Command.run(["clean", input.path, "-o", directory.path + "/no/such/folder/out.jsonl"])
    #expect(unwritable.status == 1)
    #expect(unwritable.stderr.contains("cannot write"))

    let missing = directory.appendingPathComponent("missing.jsonl").path
    let run = try Command.run(["normalize", missing, input.path])
    #expect(run.status == 2)
    #expect(run.stderr.contains("cannot read \(missing)"))
    #expect(String(decoding: run.stdout, as: UTF8.self) == "{\"text\": \"a b\"}\n")
  }

  /// Text files in other encodings are detected and converted; the explanation says
  /// which encoding was found.
  @Test func textFilesInOtherEncodings() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let pages = directory.appendingPathComponent("pages")
    try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
    let french = String(
      repeating:
        "L\u{2019}été dernier, le conseil municipal a voté la rénovation du pont, un chantier de deux ans et demi.\n",
      count: 3)
    // windows-1252: ’ is 0x92, é is 0xE9.
    var windows: [UInt8] = []
    for scalar in french.unicodeScalars {
      switch scalar.value {
      case 0x2019: windows.append(0x92)
      case 0x00E9: windows.append(0xE9)
      default: windows.append(UInt8(scalar.value))
      }
    }
    try Data(windows).write(to: pages.appendingPathComponent("a.txt"))
    var utf16: [UInt8] = [0xFF, 0xFE]
    for unit in french.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    try Data(utf16).write(to: pages.appendingPathComponent("b.txt"))
    let output = directory.appendingPathComponent("out")
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run([
      "clean", pages.path, "--output-dir", output.path, "--no-dedup", "--explain", explain.path, "-q",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    // Converted, then normalized (curly apostrophes become straight ones; the repeated
    // lines are repeats).
    let expected =
      "L'été dernier, le conseil municipal a voté la rénovation du pont, un chantier de deux ans et demi.\n"
    for name in ["a.txt", "b.txt"] {
      let text = String(decoding: try Data(contentsOf: output.appendingPathComponent(name)), as: UTF8.self)
      #expect(text == expected, "\(name)")
    }
    let records = try String(decoding: Data(contentsOf: explain), as: UTF8.self).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let encodings = records.map { ($0["encoding"] as? [String: Any])?["name"] as? String }
    #expect(encodings == ["windows-1252", "UTF-16LE"])
    let unknown = try Command.run(["clean", pages.path, "--encoding", "no-such-charset"])
    #expect(unknown.status == 64)
  }
}
