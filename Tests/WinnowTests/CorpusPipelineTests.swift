import Foundation
import Testing
import Winnow
import WinnowCorpus

/// The library's corpus pipeline: the same bytes as `winnow clean`, on any thread count.
@Suite struct CorpusPipelineTests {
  typealias Command = CommandTests

  /// The dedup corpus (reposts, near copies, mixed documents, a shared notice) with
  /// what else a scraped corpus holds: bodies printed twice, mojibake, quotes and
  /// spaces to normalize, invalid UTF-8 escapes, records without an id, a malformed
  /// line, a line without the field, blank lines.
  static func corpus() -> String {
    var lines = DedupCommandTests.corpus().text.split(separator: "\n").map(String.init)
    for index in stride(from: 0, to: lines.count, by: 9) {
      let body = DeduplicationTests.article(UInt64(50_000 + index), paragraphs: 4)
      let twice = body + ["Share this article"] + body
      lines.insert(DedupCommandTests.line("twice-\(index)", twice), at: index)
    }
    lines.insert(
      #"{"text": "Itâ€™s a \u201Cquote\u201D\u00A0here \udc80 and caf\u00c3\u00a9 au lait, served daily."}"#, at: 5)
    lines.insert(#"{"id": 7, "text": "broken"#, at: 40)
    lines.insert(#"{"id": "no-text", "body": "elsewhere"}"#, at: 41)
    lines.insert("", at: 42)
    lines.insert("   ", at: 300)
    return lines.joined(separator: "\n") + "\n"
  }

  /// `winnow clean` and ``CorpusPipeline`` with the default options: byte-identical
  /// output and explanations on 1, 2 and 5 threads.
  @Test func givesTheBytesOfTheCleanCommand() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("corpus.jsonl")
    try Data(Self.corpus().utf8).write(to: input)
    var reference: (output: [UInt8], explanations: [UInt8])?
    for threads in [1, 2, 5] {
      let output = directory.appendingPathComponent("clean-\(threads).jsonl")
      let explain = directory.appendingPathComponent("explain-\(threads).jsonl")
      let run = try Command.run([
        "clean", input.path, "--threads", String(threads), "-o", output.path, "--explain", explain.path,
      ])
      #expect(run.status == 2, "one malformed line and one without the field are skipped")
      let command = (try [UInt8](Data(contentsOf: output)), try [UInt8](Data(contentsOf: explain)))

      var pipeline = CorpusPipeline(options: .init(threads: threads))
      var written: [UInt8] = []
      var explained: [UInt8] = []
      var problems: [String] = []
      let summary = try pipeline.run(
        try JSONLinesFile(path: input.path), output: { written += $0 }, explanations: { explained += $0 },
        problems: { problems.append($0) })
      #expect(written == command.0)
      #expect(explained == command.1)
      #expect(summary.skipped == 2)
      #expect(summary.exactDuplicates + summary.nearDuplicates == DedupCommandTests.corpus().dropped.count)
      #expect(summary.repeatsRemoved > 0 && summary.paragraphsRemoved > 0)
      #expect(problems.first?.hasPrefix("\(input.path):41:") == true)
      #expect(problems.count == 2 && problems[1].contains("1 line without the field \"text\""))
      #expect(run.stderr.contains(problems[0]) && run.stderr.contains(problems[1]))
      if let reference {
        #expect(written == reference.output && explained == reference.explanations)
      }
      reference = (written, explained)
      #expect(!explained.isEmpty && written.count > 1_000_000)
    }
  }

  /// Runs over two inputs, one after the other, equal one command run over both: the
  /// pipeline keeps what deduplication has seen.
  @Test func secondRunDeduplicatesAgainstTheFirst() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let lines = Self.corpus().split(separator: "\n", omittingEmptySubsequences: false)
    let half = lines.count / 2
    let first = directory.appendingPathComponent("a.jsonl")
    let second = directory.appendingPathComponent("b.jsonl")
    try Data((lines[..<half].joined(separator: "\n") + "\n").utf8).write(to: first)
    try Data(lines[half...].joined(separator: "\n").utf8).write(to: second)
    let output = directory.appendingPathComponent("out.jsonl")
    let run = try Command.run(["clean", first.path, second.path, "-o", output.path, "-q"])
    #expect(run.status == 2)

    var pipeline = CorpusPipeline(options: .init(threads: 2))
    var written: [UInt8] = []
    var summaries: [CorpusPipeline.Summary] = []
    for file in [first, second] {
      summaries.append(
        try pipeline.run(JSONLinesBuffer(try [UInt8](Data(contentsOf: file)), name: file.path)) {
          written += $0
        })
    }
    #expect(written == (try [UInt8](Data(contentsOf: output))))
    #expect(summaries[1].exactDuplicates > 0)
    #expect((pipeline.deduplicator?.keptIDs.count ?? 0) > 600)
  }

  @Test func failuresAreTypedAndNamed() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: JSONLinesFile.Failure.self) { try JSONLinesFile(path: directory.path + "/missing.jsonl") }

    var pipeline = CorpusPipeline(options: .init(threads: 2))
    let noField = Array(repeating: #"{"body": "text elsewhere"}"#, count: 1_200).joined(separator: "\n")
    do {
      _ = try pipeline.run(JSONLinesBuffer(Array(noField.utf8), name: "c.jsonl")) { _ in }
      Issue.record("a corpus without the field ran")
    } catch {
      #expect(error.code == .fieldMissing)
      #expect(error.description.hasPrefix("c.jsonl: no line among the first 1000 has the field \"text\""))
    }

    struct Full: Error {}
    let corpus = Array(Self.corpus().utf8)
    var calls = 0
    do {
      _ = try pipeline.run(JSONLinesBuffer(corpus)) { _ in
        calls += 1
        if calls == 2 { throw Full() }
      }
      Issue.record("a failing output was not reported")
    } catch {
      #expect(error.code == .outputFailed && error.underlying is Full)
      #expect(calls == 2, "nothing is written after the output failed")
    }
  }
}

/// `--explain` lines decode into ``DocumentExplanation`` and encode back to the same
/// bytes, and every span's text is the original text there.
@Suite struct ExplanationTests {
  typealias Command = CommandTests

  /// Records whose repeats, boilerplate and seen paragraphs hold what normalization
  /// changes: curly quotes, no-break spaces, mojibake, a decomposed accent.
  static func corpus() -> String {
    let notice = "Sign up for our newsletter\u{00A0}\u{2013} it\u{2019}s free and you can leave at any time."
    var lines: [String] = []
    for index in 0..<6 {
      var body = DeduplicationTests.article(UInt64(700 + index), paragraphs: 3)
      body[1] =
        "\u{201C}Caf\u{0065}\u{0301} \(index)\u{201D}\u{00A0}\u{00A0}said the owner, who opened it in \(1990 + index) with two friends."
      let shared =
        "The city\u{2019}s council met on Tuesday \u{2013} itâ€™s the third meeting this month about the old harbour."
      // The shared line is in two records: below --boilerplate 3, a paragraph seen before.
      let text = ((index < 2 ? [shared] : []) + body + [notice] + body).joined(separator: "\n")
      lines.append(
        index % 2 == 0
          ? DedupCommandTests.line("r\(index)", [text])
          : "{\"id\": \(index), \"text\": \(CorpusCommandTests.jsonString(text))}")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func spansHoldTheOriginalTextAndLinesRoundTrip() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("corpus.jsonl")
    let corpus = Self.corpus()
    try Data(corpus.utf8).write(to: input)
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run([
      "clean", input.path, "--boilerplate", "3", "-o", "/dev/null", "--explain", explain.path, "-q",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let originals = try corpus.split(separator: "\n").map {
      Array(try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["text"] as! String)
    }
    let lines = try String(contentsOf: explain, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == originals.count)
    var spans = (removed: 0, boilerplate: 0, paragraphs: 0)
    for (line, original) in zip(lines, originals) {
      let explanation = try JSONDecoder().decode(DocumentExplanation.self, from: Data(line.utf8))
      #expect(try CompactJSONEncoder().encode(explanation) == Array(line.utf8))
      let bytes = Array(String(original).utf8)
      func text(_ span: [Int]) -> String { String(decoding: bytes[span[0]..<span[1]], as: UTF8.self) }
      for removal in explanation.removed ?? [] {
        #expect(removal.text == text(removal.span))
        spans.removed += 1
      }
      for line in explanation.boilerplate ?? [] {
        #expect(line.text == text(line.span))
        #expect(line.documents == 6)
        spans.boilerplate += 1
      }
      for paragraph in explanation.removedParagraphs ?? [] {
        #expect(paragraph.text == text(paragraph.span))
        spans.paragraphs += 1
      }
      #expect(explanation.normalization?.counts.contains { $0.kind == "quote" } == true)
    }
    // Each record's second body and its notice, and the second record's first line.
    #expect(spans.removed == 6 && spans.boilerplate == 6 && spans.paragraphs == 1)
    let ids = try lines.map { try JSONDecoder().decode(DocumentExplanation.self, from: Data($0.utf8)).id.json }
    #expect(ids == ["\"r0\"", "1", "\"r2\"", "3", "\"r4\"", "5"])
  }
}
