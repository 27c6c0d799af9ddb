import Foundation
import Testing
import Winnow
import WinnowCorpus

/// The engine-neutral contract: `--range`, `winnow fingerprint`, `winnow decide` and
/// `winnow apply` give, put together as an engine would, the bytes of one `winnow clean`.
@Suite struct DistributedCommandTests {
  typealias Command = CommandTests

  /// The first line start at or after `offset` of `bytes`, as --range moves a bound.
  static func lineStart(_ offset: Int, in bytes: [UInt8]) -> Int {
    guard offset > 0 else { return 0 }
    guard offset < bytes.count else { return bytes.count }
    var position = offset
    while position < bytes.count && bytes[position - 1] != 0x0A { position += 1 }
    return position
  }

  /// Ranges of `bytes` cut at `cuts` (any offsets), each with the number of its first
  /// line, as an engine computes it by counting line feeds.
  static func ranges(_ bytes: [UInt8], cuts: [Int]) -> [(range: Range<Int>, firstLine: Int)] {
    let bounds = [0] + cuts + [bytes.count]
    return zip(bounds, bounds.dropFirst()).map { start, end in
      let first = lineStart(start, in: bytes)
      return (start..<end, 1 + bytes[..<first].filter { $0 == 0x0A }.count)
    }
  }

  /// Runs winnow with `-o` and `--explain` files in `directory`: its status, output,
  /// explanations and messages.
  static func run(_ arguments: [String], in directory: URL) throws -> (
    status: Int32, output: [UInt8], explanations: [UInt8], messages: [String]
  ) {
    let output = directory.appendingPathComponent("output-\(UUID().uuidString)")
    let explain = directory.appendingPathComponent("explain-\(UUID().uuidString)")
    let run = try Command.run(arguments + ["-o", output.path, "--explain", explain.path])
    defer {
      try? FileManager.default.removeItem(at: output)
      try? FileManager.default.removeItem(at: explain)
    }
    let read = { (url: URL) in (try? [UInt8](Data(contentsOf: url))) ?? [] }
    return (run.status, read(output), read(explain), run.stderr.split(separator: "\n").map(String.init))
  }

  /// Cuts inside lines, at line starts, at a line feed, twice at the same place.
  static func cuts(of bytes: [UInt8]) -> [Int] {
    let feeds = bytes.indices.filter { bytes[$0] == 0x0A }
    return [
      1, feeds[3], feeds[3] + 1, bytes.count / 3, bytes.count / 3, bytes.count / 2 + 7, feeds[feeds.count - 2] + 1,
    ]
  }

  @Test func rangesThatMeetReadEveryLineOnce() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("corpus.jsonl")
    let bytes = Array(CorpusPipelineTests.corpus().utf8)
    try Data(bytes).write(to: input)
    let whole = try Self.run(["clean", input.path, "--no-dedup", "-q"], in: directory)
    #expect(whole.status == 2)
    var output: [UInt8] = []
    var explanations: [UInt8] = []
    var messages: [String] = []
    for (range, firstLine) in Self.ranges(bytes, cuts: Self.cuts(of: bytes)) {
      let part = try Self.run(
        [
          "clean", input.path, "--no-dedup", "-q", "--range", "\(range.lowerBound):\(range.upperBound)",
          "--first-line", String(firstLine),
        ], in: directory)
      #expect(part.status == 0 || part.status == 2)
      output += part.output
      explanations += part.explanations
      messages += part.messages.filter { !$0.contains("without the field") }
    }
    // Records and explanations (ids of records without one are line numbers), and the
    // malformed line's message with its line in the whole file.
    #expect(output == whole.output)
    #expect(explanations == whole.explanations)
    #expect(messages.contains { $0.contains("corpus.jsonl:41:") })
    #expect(messages == whole.messages.filter { !$0.contains("without the field") })

    let compressed = directory.appendingPathComponent("corpus.jsonl.gz")
    #expect(try Command.run(["clean", input.path, "--no-dedup", "-o", compressed.path, "-q"]).status == 2)
    let refused = try Command.run(["clean", compressed.path, "--range", "0:100", "-q"])
    #expect(refused.status == 64 && refused.stderr.contains("--range reads an uncompressed JSON Lines file"))
  }

  /// Fingerprints of three ranges, numbered; components of documents sharing an exact
  /// or LSH key (more edges than the Spark driver's verified ones: still exact);
  /// `winnow decide` over all components in one process; paragraph holders by key;
  /// `winnow apply` per range: the output and explanations of `winnow clean`, with
  /// and without boilerplate counted per range.
  @Test(arguments: [nil, 3])
  func fingerprintDecideApplyGiveTheBytesOfClean(boilerplate: Int?) throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("corpus.jsonl")
    let bytes = Array(CorpusPipelineTests.corpus().utf8)
    try Data(bytes).write(to: input)
    let extra = boilerplate.map { ["--boilerplate", String($0)] } ?? []
    let whole = try Self.run(["clean", input.path, "-q"] + extra, in: directory)
    #expect(whole.status == 2)
    let parts = Self.ranges(bytes, cuts: [bytes.count / 3, 2 * bytes.count / 3 + 11]).map { part in
      [
        input.path, "--range", "\(part.range.lowerBound):\(part.range.upperBound)", "--first-line",
        String(part.firstLine), "-q",
      ]
    }
    let decoder = JSONDecoder()
    func lines(_ bytes: [UInt8]) -> [Data] {
      bytes.split(separator: 0x0A).map { Data($0) }
    }

    // Boilerplate: line counts per range, added up by key.
    var shared: [String] = []
    if let boilerplate {
      struct Count: Decodable {
        var k: String
        var d: Int
      }
      var counts: [String: Int] = [:]
      for part in parts {
        let counted = try Command.run(["fingerprint", "--line-counts"] + part)
        for line in lines(counted.stdout) {
          let count = try decoder.decode(Count.self, from: line)
          counts[count.k, default: 0] += count.d
        }
      }
      let file = directory.appendingPathComponent("boilerplate.jsonl")
      let kept = counts.filter { $0.value >= boilerplate }.sorted { $0.key < $1.key }
      #expect(!kept.isEmpty)
      try Data(kept.map { "{\"k\":\"\($0.key)\",\"d\":\($0.value)}\n" }.joined().utf8).write(to: file)
      shared = ["--boilerplate-lines", file.path]
    }

    // Fingerprints, numbered in input order.
    var records: [FingerprintRecord] = []
    var offsets: [Int] = []
    for part in parts {
      offsets.append(records.count)
      let run = try Command.run(["fingerprint"] + part + shared)
      #expect(run.status == 0 || run.status == 2)
      for line in lines(run.stdout) {
        var record = try decoder.decode(FingerprintRecord.self, from: line)
        record.inputNumber = records.count
        records.append(record)
      }
    }

    // Components: union-find over shared keys.
    var parent = Array(records.indices)
    func root(_ node: Int) -> Int {
      var node = node
      while parent[node] != node {
        parent[node] = parent[parent[node]]
        node = parent[node]
      }
      return node
    }
    var holder: [String: Int] = [:]
    for (number, record) in records.enumerated() {
      for key in (record.exact.map { ["x" + $0] } ?? [])
        + record.lshKeys.enumerated().map({ "\($0.offset):\($0.element)" })
      {
        if let other = holder[key] { parent[root(number)] = root(other) } else { holder[key] = number }
      }
    }
    var components: [Int: [Int]] = [:]
    for number in records.indices { components[root(number), default: []].append(number) }
    #expect(components.values.contains { $0.count > 2 })

    // Decisions, every component in one run, each in number order.
    var decideInput: [UInt8] = []
    for (component, members) in components.sorted(by: { $0.key < $1.key }) {
      for number in members {
        var record = records[number]
        record.component = component
        record.encodedLine(into: &decideInput)
      }
    }
    let decideFile = directory.appendingPathComponent("decide.jsonl")
    try Data(decideInput).write(to: decideFile)
    let decided = try Command.run(["decide", decideFile.path])
    #expect(decided.status == 0, "\(decided.stderr)")
    var decisions: [Int: DecisionRecord] = [:]
    for line in lines(decided.stdout) {
      let decision = try decoder.decode(DecisionRecord.self, from: line)
      decisions[decision.inputNumber] = decision
    }
    #expect(decisions.values.contains { $0.duplicate?.kind == "near" })

    // Paragraph holders: the kept document of the smallest number.
    var firstHolder: [String: Int] = [:]
    for (number, record) in records.enumerated() where decisions[number]?.duplicate == nil {
      for paragraph in record.paragraphs {
        if let first = firstHolder[paragraph.key], first != number {
          var decision = decisions[number] ?? DecisionRecord(inputNumber: number)
          decision.removedParagraphs =
            (decision.removedParagraphs ?? []) + [
              .init(index: paragraph.index, id: records[first].id, inputNumber: first)
            ]
          decisions[number] = decision
        } else if firstHolder[paragraph.key] == nil {
          firstHolder[paragraph.key] = number
        }
      }
    }

    // Apply, range by range.
    var output: [UInt8] = []
    var explanations: [UInt8] = []
    for (index, part) in parts.enumerated() {
      let end = index + 1 < offsets.count ? offsets[index + 1] : records.count
      var file: [UInt8] = []
      for number in offsets[index]..<end {
        guard var decision = decisions[number] else { continue }
        decision.ordinal = number - offsets[index]
        decision.encodedLine(into: &file)
      }
      let decisionFile = directory.appendingPathComponent("decisions-\(index).jsonl")
      try Data(file).write(to: decisionFile)
      let applied = try Self.run(["apply"] + part + shared + ["--decisions", decisionFile.path], in: directory)
      #expect(applied.status == 0 || applied.status == 2, "\(applied.messages)")
      output += applied.output
      explanations += applied.explanations
    }
    #expect(output == whole.output)
    #expect(explanations == whole.explanations)
  }

  /// An index exported as records and built again from them (as a distributed run
  /// builds one) gives the decisions of the index itself; `winnow decide` enters
  /// exported documents as kept.
  @Test func exportedIndexBuildsAnIndexThatDecidesAlike() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let lines = CorpusPipelineTests.corpus().split(separator: "\n", omittingEmptySubsequences: false)
    let first = directory.appendingPathComponent("first.jsonl")
    let second = directory.appendingPathComponent("second.jsonl")
    try Data((lines[..<500].joined(separator: "\n") + "\n").utf8).write(to: first)
    try Data(lines[500...].joined(separator: "\n").utf8).write(to: second)
    let index = directory.appendingPathComponent("first.index").path
    #expect(try Command.run(["clean", first.path, "-o", "/dev/null", "-q", "--index", index]).status == 2)
    let documents = directory.appendingPathComponent("kept.jsonl").path
    let paragraphs = directory.appendingPathComponent("holders.jsonl").path
    let exported = try Command.run(["index", "export", index, "--documents", documents, "--paragraphs", paragraphs])
    #expect(exported.status == 0, "\(exported.stderr)")
    let seen = try JSONDecoder().decode([String: Int].self, from: Data(exported.stdout))["documents"] ?? 0
    #expect(seen > 400)
    let rebuilt = directory.appendingPathComponent("rebuilt.index").path
    let built = try Command.run([
      "index", "build", "--documents", documents, "--paragraphs", paragraphs, "--seen", String(seen), "-o", rebuilt,
    ])
    #expect(built.status == 0, "\(built.stderr)")
    let original = try Self.run(["clean", second.path, "-q", "--index", index, "--index-mode", "read"], in: directory)
    let again = try Self.run(["clean", second.path, "-q", "--index", rebuilt, "--index-mode", "read"], in: directory)
    #expect(original.output == again.output && original.explanations == again.explanations)
    #expect(original.explanations.count > 1000)
    // Exported documents go through `winnow decide` as kept: nothing is said of them.
    let decided = try Command.run(["decide", documents])
    #expect(decided.status == 0 && decided.stdout.isEmpty, "\(decided.stderr)")
  }

  /// A bad line of a file of several megabytes is named by its own line number: the
  /// reader's pieces of about a megabyte add no lines of their own.
  @Test func aBadLineFarIntoALargeFileIsNamedByItsNumber() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = (0..<120_000).map {
      String(format: "{\"k\":\"%016llx\",\"d\":5}\n", UInt64($0) &* 0x9E37_79B9_7F4A_7C15)
    }
    let lines = directory.appendingPathComponent("lines.jsonl")
    try Data((good.joined() + "not a line\n").utf8).write(to: lines)
    let input = directory.appendingPathComponent("corpus.jsonl")
    try Data("{\"text\":\"a\"}\n".utf8).write(to: input)
    let run = try Command.run(["fingerprint", input.path, "--boilerplate-lines", lines.path])
    #expect(run.status == 1)
    #expect(run.stderr.contains("lines.jsonl:120001: not a boilerplate line"), "\(run.stderr)")
    let decisions = directory.appendingPathComponent("decisions.jsonl")
    try Data((String(repeating: "\n", count: 3_000_000) + "{]\n").utf8).write(to: decisions)
    let decided = try Command.run(["apply", input.path, "--decisions", decisions.path])
    #expect(decided.stderr.contains("decisions.jsonl:3000001:"), "\(decided.stderr)")
    // A dropped document's record says how it was matched.
    try Data("{\"n\":0,\"o\":0,\"dup\":{\"id\":\"1\",\"n\":1,\"similarity\":1,\"covered\":1,\"run\":0}}\n".utf8)
      .write(to: decisions)
    let unnamed = try Command.run(["apply", input.path, "--decisions", decisions.path])
    #expect(
      unnamed.status == 1 && unnamed.stderr.contains("decisions.jsonl:1: a \"dup\" needs a \"kind\""),
      "\(unnamed.stderr)")
    // Standard input holds either the documents or the lines an engine wrote, not both.
    let both = try Command.run(["apply", "-", "--decisions", "-"])
    #expect(both.status == 64 && both.stderr.contains("--decisions - reads standard input"), "\(both.stderr)")
  }

  /// A fingerprint's bytes read back give the same decisions.
  @Test func serializedFingerprintsDecideAlike() throws {
    let deduplicator = CorpusDeduplicator()
    let texts = (0..<40).map { index in
      DeduplicationTests.article(UInt64(index % 25), paragraphs: 4).joined(separator: "\n")
        + (index > 30 ? " more" : "")
    }
    var direct = deduplicator
    var readBack = deduplicator
    for (index, text) in texts.enumerated() {
      let fingerprint = deduplicator.fingerprint(utf8: Array(text.utf8))
      let bytes = fingerprint.serialized()
      let decoded = try deduplicator.fingerprint(serialized: bytes)
      #expect(decoded.serialized() == bytes)
      #expect(decoded.lshKeys == fingerprint.lshKeys)
      let a = direct.decide(fingerprint, id: String(index))
      let b = readBack.decide(decoded, id: String(index), inputNumber: index)
      #expect(a.duplicate?.keptID == b.duplicate?.keptID && a.duplicate?.similarity == b.duplicate?.similarity)
    }
    #expect(direct.keptIDs == readBack.keptIDs && direct.keptIDs.count < texts.count)
    #expect(throws: CorpusDeduplicator.FingerprintError.self) { try deduplicator.fingerprint(serialized: [1, 0, 3]) }
  }
}
