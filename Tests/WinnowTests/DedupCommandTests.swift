import Foundation
import Testing

/// `winnow dedup` and `winnow clean` across documents: what is dropped and removed, the
/// explanations, and the same output on any thread count.
@Suite struct DedupCommandTests {
  typealias Command = CommandTests

  static func line(_ id: String, _ lines: [String]) -> String {
    "{\"id\": \"\(id)\", \"text\": \(CorpusCommandTests.jsonString(lines.joined(separator: "\n")))}"
  }

  /// A corpus of seeded articles with reposts, near copies and a shared notice, spread
  /// over many batches.
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
    #expect(keptIDs == Set((0..<600).map { "a\($0)" }))
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
    let second = try #require(records.first { $0["id"] as? String == "a1" })
    let removed = try #require(second["removedParagraphs"] as? [[String: Any]])
    #expect(removed.count == 1 && removed.first?["keptId"] as? String == "a0")
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
}
