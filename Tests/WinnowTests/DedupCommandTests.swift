import Foundation
import Testing

/// `winnow dedup` and `winnow clean` across documents: what is dropped and removed, the
/// explanations, and the same output on any thread count.
@Suite struct DedupCommandTests {
  typealias Command = CommandTests

  static func line(_ id: String, _ lines: [String]) -> String {
    "{\"id\": \"\(id)\", \"text\": \(CorpusCommandTests.jsonString(lines.joined(separator: "\n")))}"
  }

  /// A corpus of seeded articles with reposts, near copies, mixed documents (an article
  /// with two paragraphs of text of their own, kept) and a shared notice, spread over
  /// many batches.
  static func corpus() -> (text: String, dropped: Set<String>) {
    let notice =
      "Cookies help us deliver our services and by using our services you agree to our use of cookies on this site."
    var lines: [String] = []
    var dropped: Set<String> = []
    for index in 0..<600 {
      var article = DeduplicationTests.article(UInt64(index), paragraphs: 8)
      article.append(notice)
      lines.append(line("a\(index)", article))
      if index % 3 == 0 {
        lines.append(line("a\(index)-repost", article.map { $0.uppercased() }))
        dropped.insert("a\(index)-repost")
      }
      if index % 5 == 0 {
        let words = article.joined(separator: " ").split(separator: " ").count
        var copy = DeduplicationTests.edited(article, words: words / 25, seed: UInt64(index))
        copy[0] = "A new headline \(index)"
        lines.append(line("a\(index)-near", copy))
        dropped.insert("a\(index)-near")
      }
      if index % 7 == 0 {
        let own = DeduplicationTests.article(UInt64(10_000 + index), paragraphs: 2).dropFirst()
        lines.append(line("a\(index)-mixed", index % 2 == 0 ? article + own : own + article))
      }
    }
    return (lines.joined(separator: "\n") + "\n", dropped)
  }

  @Test func dropsCopiesRemovesSeenParagraphsAndExplains() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("corpus.jsonl")
    let (text, dropped) = Self.corpus()
    try Data(text.utf8).write(to: input)
    var outputs: [[UInt8]] = []
    var explains: [[UInt8]] = []
    for command in ["dedup", "clean"] {
      for threads in ["1", "2", "5"] {
        let output = directory.appendingPathComponent("\(command)-\(threads).jsonl")
        let explain = directory.appendingPathComponent("\(command)-\(threads)-explain.jsonl")
        let run = try Command.run([
          command, input.path, "--threads", threads, "-o", output.path, "--explain", explain.path,
        ])
        #expect(run.status == 0)
        #expect(run.stderr.contains("\(dropped.count) duplicates dropped"))
        outputs.append(try [UInt8](Data(contentsOf: output)))
        explains.append(try [UInt8](Data(contentsOf: explain)))
      }
      #expect(outputs[outputs.count - 3] == outputs[outputs.count - 2])
      #expect(outputs[outputs.count - 2] == outputs[outputs.count - 1])
      #expect(explains[explains.count - 3] == explains[explains.count - 1])
    }
    let kept = try String(decoding: outputs[0], as: UTF8.self).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let keptIDs = Set(kept.map { $0["id"] as! String })
    #expect(keptIDs == Set((0..<600).map { "a\($0)" } + stride(from: 0, to: 600, by: 7).map { "a\($0)-mixed" }))
    // The notice stays in the first article only.
    let withNotice = kept.filter { ($0["text"] as! String).contains("Cookies help us") }
    #expect(withNotice.map { $0["id"] as! String } == ["a0"])
    let records = try String(decoding: explains[0], as: UTF8.self).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let near = try #require(records.first { $0["id"] as? String == "a5-near" })
    let duplicate = try #require(near["duplicateOf"] as? [String: Any])
    #expect(duplicate["id"] as? String == "a5" && duplicate["kind"] as? String == "near")
    #expect((duplicate["similarity"] as? Double ?? 0) > 0.6)
    #expect((duplicate["coveredShare"] as? Double ?? 0) > 0.9 && (duplicate["longestNewRun"] as? Int ?? 99) <= 12)
    // A mixed document is similar to its article, and holds two paragraphs of its own.
    let mixed = try #require(records.first { $0["id"] as? String == "a14-mixed" })
    #expect(mixed["duplicateOf"] == nil)
    let candidate = try #require(mixed["nearCandidate"] as? [String: Any])
    #expect(candidate["id"] as? String == "a14" && (candidate["similarity"] as? Double ?? 0) > 0.6)
    #expect((candidate["longestNewRun"] as? Int ?? 0) > 60)
    // The whole document goes: its span is all of its text.
    #expect((duplicate["span"] as? [Int])?.first == 0 && ((duplicate["span"] as? [Int])?.last ?? 0) > 500)
    let second = try #require(records.first { $0["id"] as? String == "a1" })
    let removed = try #require(second["removedParagraphs"] as? [[String: Any]])
    #expect(removed.count == 1 && removed.first?["keptId"] as? String == "a0")
    #expect(removed.first?["similarity"] as? Int == 1)
  }

  @Test func textDocumentsInAFolder() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let pages = directory.appendingPathComponent("pages")
    try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
    let article = DeduplicationTests.article(42).joined(separator: "\n") + "\n"
    try Data(article.utf8).write(to: pages.appendingPathComponent("a.txt"))
    try Data(article.uppercased().utf8).write(to: pages.appendingPathComponent("b.txt"))
    try Data("Something else.\n".utf8).write(to: pages.appendingPathComponent("c.txt"))
    let output = directory.appendingPathComponent("out")
    let run = try Command.run(["dedup", pages.path, "--output-dir", output.path, "-q"])
    #expect(run.status == 0)
    let written = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
    #expect(written == ["a.txt", "c.txt"])
    #expect(try Data(contentsOf: output.appendingPathComponent("a.txt")) == Data(article.utf8))
  }

  /// Writes a shard of `DeduplicationIndexTests` as JSON Lines.
  static func writeShard(_ shard: Int, to url: URL) throws {
    let lines = DeduplicationIndexTests.shard(shard).map {
      "{\"id\": \"\($0.id)\", \"text\": \(CorpusCommandTests.jsonString(String(decoding: $0.text, as: UTF8.self)))}"
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
  }

  @Test func indexCarriesWhatWasSeenToTheNextRunAndMerges() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    for shard in 0..<3 { try Self.writeShard(shard, to: directory.appendingPathComponent("shard\(shard).jsonl")) }
    // One run over shards 0 and 1 (in one file), then shard 2 against its index.
    let both =
      try Data(contentsOf: URL(fileURLWithPath: path("shard0.jsonl")))
      + Data(contentsOf: URL(fileURLWithPath: path("shard1.jsonl")))
    try both.write(to: URL(fileURLWithPath: path("both.jsonl")))
    #expect(
      try Command.run(["dedup", path("both.jsonl"), "--index", path("one.index"), "-q", "-o", path("o1")]).status == 0)
    let expected = try Command.run(["dedup", path("shard2.jsonl"), "--index", path("one.index"), "-q"])
    #expect(expected.status == 0)
    // The same, shard by shard, with the index carried from run to run.
    for shard in 0..<2 {
      let run = try Command.run([
        "dedup", path("shard\(shard).jsonl"), "--index", path("carried.index"), "-q", "-o", path("c\(shard)"),
      ])
      #expect(run.status == 0)
    }
    let carried = try Command.run(["dedup", path("shard2.jsonl"), "--index", path("carried.index"), "-q"])
    #expect(carried.stdout == expected.stdout)
    // Shards 0 and 1 on different machines, then merged.
    for shard in 0..<2 {
      let run = try Command.run([
        "dedup", path("shard\(shard).jsonl"), "--index", path("part\(shard).index"), "-q", "-o", path("p\(shard)"),
      ])
      #expect(run.status == 0)
    }
    let merge = try Command.run([
      "index", "merge", path("part0.index"), path("part1.index"), "-o", path("merged.index"),
    ])
    #expect(merge.status == 0, "\(merge.stderr)")
    let merged = try Command.run(["dedup", path("shard2.jsonl"), "--index", path("merged.index"), "-q"])
    #expect(merged.stdout == expected.stdout)
    #expect(merged.stdout.count < (try Data(contentsOf: URL(fileURLWithPath: path("shard2.jsonl")))).count)
    let info = try Command.run(["index", "info", path("merged.index")])
    // Shards 0 and 1, and shard 2 added by the run that read it.
    #expect(String(decoding: info.stdout, as: UTF8.self).contains("documents seen: 160"))

    // A damaged index, a foreign file and other options are refused with exit status 1.
    var damaged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("merged.index"))))
    damaged[damaged.count / 2] ^= 1
    try Data(damaged).write(to: URL(fileURLWithPath: path("damaged.index")))
    let refused = try Command.run(["dedup", path("shard2.jsonl"), "--index", path("damaged.index"), "-q"])
    #expect(refused.status == 1 && refused.stderr.contains("checksum"))
    let foreign = try Command.run(["dedup", path("shard2.jsonl"), "--index", path("shard0.jsonl"), "-q"])
    #expect(foreign.status != 0 && foreign.stderr.contains("shard0.jsonl"))
    let options = try Command.run([
      "dedup", path("shard2.jsonl"), "--index", path("merged.index"), "--near-shingle", "4",
    ])
    #expect(options.status == 1 && options.stderr.contains("other options"))
  }

  @Test func boilerplateLinesGoFromEveryDocumentInTwoPasses() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("site.jsonl")
    let navigation = "Home | News | Sport | Weather"
    let cookies = "We use cookies."
    var lines: [String] = []
    for index in 0..<6 {
      var article = DeduplicationTests.article(UInt64(500 + index), paragraphs: 3)
      article.insert(navigation, at: 0)
      if index < 4 { article.append(cookies) }
      if index == 5 { article.append("Home | News") }  // only part of the navigation: stays
      lines.append(Self.line("p\(index)", article))
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run(["clean", input.path, "--boilerplate", "4", "--explain", explain.path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("2 boilerplate lines (in 4 or more of 6 documents)"))
    #expect(run.stderr.contains("10 boilerplate lines removed"))
    let texts = try String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map {
      (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["text"] as! String
    }
    #expect(texts.count == 6)
    #expect(texts.allSatisfy { !$0.contains("Weather") && !$0.contains("cookies") })
    #expect(texts[5].hasSuffix("Home | News"))
    #expect(texts[0].hasPrefix(DeduplicationTests.article(500, paragraphs: 3)[0]))
    // Each removed line is explained with its span in the original text.
    let first = try JSONSerialization.jsonObject(with: Data(contentsOf: explain).split(separator: 0x0A)[0])
    let removed = (first as! [String: Any])["boilerplate"] as! [[String: Any]]
    #expect(removed.count == 2 && removed.allSatisfy { $0["documents"] as? Int == 6 || $0["documents"] as? Int == 4 })
    #expect(removed[0]["span"] as? [Int] == [0, navigation.utf8.count + 1])
    let piped = try Command.run(["dedup", "--boilerplate", "3"], stdin: Array(lines.joined(separator: "\n").utf8))
    #expect(piped.status == 64 && piped.stderr.contains("standard input"))
  }

  /// The first pass counts lines in the form the second removes them from: a line
  /// that holds mojibake is counted after its repair, and every copy goes.
  @Test func boilerplateLineWithMojibakeIsCountedAsItIsRemoved() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // "Sign up for our newsletter – it’s free" written as UTF-8 read as windows-1252.
    let misread = "Sign up for our newsletter \u{E2}\u{20AC}\u{201C} it\u{E2}\u{20AC}\u{2122}s free"
    for index in 0..<3 {
      let article = DeduplicationTests.article(UInt64(700 + index), paragraphs: 3) + [misread]
      try Data((article.joined(separator: "\n") + "\n").utf8).write(
        to: directory.appendingPathComponent("page\(index).txt"))
    }
    let explain = directory.appendingPathComponent("explain.jsonl")
    let run = try Command.run([
      "clean", directory.path, "--boilerplate", "3", "--output-dir", directory.appendingPathComponent("out").path,
      "--explain", explain.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("1 boilerplate line (in 3 or more of 3 documents)"))
    #expect(run.stderr.contains("3 boilerplate lines removed"))
    for index in 0..<3 {
      let input = try Data(contentsOf: directory.appendingPathComponent("page\(index).txt"))
      let output = try String(contentsOf: directory.appendingPathComponent("out/page\(index).txt"), encoding: .utf8)
      #expect(!output.contains("newsletter"))
      #expect(output.hasPrefix(DeduplicationTests.article(UInt64(700 + index), paragraphs: 3)[0]))
      // The span is the misread line as it is in the input, with its line break.
      let explanation = try JSONSerialization.jsonObject(with: Data(contentsOf: explain).split(separator: 0x0A)[index])
      let removed = try #require((explanation as? [String: Any])?["boilerplate"] as? [[String: Any]])
      let span = try #require(removed.first?["span"] as? [Int])
      #expect(removed.count == 1 && span.count == 2)
      #expect(String(decoding: input[span[0]..<span[1]], as: UTF8.self) == misread + "\n")
    }
  }
}
