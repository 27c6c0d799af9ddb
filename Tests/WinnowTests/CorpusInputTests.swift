import Foundation
import Testing
import Winnow

@testable import WinnowCommand

/// What corpora ship as, read by the built command: compressed files, WET files,
/// JSON Lines under any name, binary and doubtful input, folders with links.
@Suite struct CorpusInputTests {
  typealias Command = CommandTests

  /// Twenty words of made-up text, different for each `seed`.
  static func sentence(_ seed: Int) -> String {
    var random = SeededRandom(seed: UInt64(seed))
    let syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vo", "ne", "pri", "dal", "os", "em", "ur", "zi"]
    return (0..<20).map { _ in
      (0..<Int.random(in: 1...3, using: &random)).map { _ in syllables.randomElement(using: &random)! }.joined()
    }.joined(separator: " ")
  }

  /// JSON Lines records with curly quotes and escapes: 250 distinct texts, then 50
  /// exact copies of earlier ones.
  static let corpus: [UInt8] = {
    var lines: [String] = []
    for index in 0..<300 {
      let seed = index < 250 ? index : index - 250
      let body = "\\u201cQuoted\\u201d \(sentence(seed)).\\nSecond line of \(seed)."
      lines.append("{\"id\":\(index),\"text\":\"\(body)\",\"meta\":{\"source\":\"test\"}}")
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }()

  static func write(_ bytes: [UInt8], to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  static func compressed(_ bytes: [UInt8], _ format: Compression) throws -> [UInt8] {
    try CompressionSupport.compress(bytes, format)
  }

  /// A WET file: a warcinfo record, then 40 conversion records of which 10 are exact
  /// copies of earlier ones.
  static func wet() -> [UInt8] {
    var bytes = WARCTests.record(
      [("WARC-Type", "warcinfo"), ("WARC-Record-ID", "<urn:uuid:info>")], block: "software: test\r\n")
    for index in 0..<40 {
      bytes += WARCTests.record(
        [
          ("WARC-Type", "conversion"), ("WARC-Target-URI", "http://example.com/\(index)"),
          ("WARC-Record-ID", "<urn:uuid:\(index)>"), ("WARC-Date", "2024-05-18T12:30:05Z"),
        ],
        block: "\u{201C}Page\u{201D} \(index % 30) \(sentence(index % 30)).\nLine two.")
    }
    return bytes
  }

  @Test func compressedContainersGiveTheSameRecordsOnOneAndTwoThreads() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let plain = directory.appendingPathComponent("corpus.jsonl")
    try Self.write(Self.corpus, to: plain)
    var inputs: [URL] = [plain]
    for format in Compression.allCases {
      let url = directory.appendingPathComponent("corpus.jsonl.\(format.fileExtension)")
      try Self.write(try Self.compressed(Self.corpus, format), to: url)
      inputs.append(url)
    }
    // Multi-member gzip: the corpus cut in two, each half its own member; and a
    // compressed file whose name says nothing.
    let half = Self.corpus.count / 2
    let cut = Self.corpus[..<half].lastIndex(of: 0x0A)! + 1
    let members =
      try Self.compressed(Array(Self.corpus[..<cut]), .gzip) + Self.compressed(Array(Self.corpus[cut...]), .gzip)
    inputs.append(directory.appendingPathComponent("members.jsonl.gz"))
    try Self.write(members, to: inputs.last!)
    inputs.append(directory.appendingPathComponent("unnamed"))
    try Self.write(try Self.compressed(Self.corpus, .zstd), to: inputs.last!)

    let expected = try Command.run(["clean", plain.path, "--threads", "1", "--quiet"])
    #expect(expected.status == 0, "\(expected.stderr)")
    #expect(expected.stdout.split(separator: 0x0A).count == 250)  // 50 exact duplicates dropped
    for input in inputs {
      for threads in ["1", "2"] {
        let run = try Command.run(["clean", input.path, "--threads", threads, "--quiet"])
        #expect(run.status == 0, "\(input.lastPathComponent): \(run.stderr)")
        #expect(run.stdout == expected.stdout, "\(input.lastPathComponent) on \(threads) threads")
      }
      // On standard input too.
      let piped = try Command.run(["clean", "--quiet"], stdin: Array(try Data(contentsOf: input)))
      #expect(piped.stdout == expected.stdout, "\(input.lastPathComponent) on standard input")
    }
    // In a folder, compressed files are read, not skipped as binary.
    let folder = try Command.run(["clean", directory.path, "--output-dir", directory.path + "/out", "--no-dedup"])
    #expect(folder.status == 0, "\(folder.stderr)")
    #expect(!folder.stderr.contains("binary"))
    // --output-dir keeps each input's compression, by content.
    let kept = try Array(Data(contentsOf: URL(fileURLWithPath: directory.path + "/out/corpus.jsonl.zst")))
    #expect(Compression.detect(kept) == .zstd)
    #expect(
      Compression.detect(try Array(Data(contentsOf: URL(fileURLWithPath: directory.path + "/out/unnamed")))) == .zstd)
  }

  @Test func outputsAreCompressedByTheirName() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let plain = directory.appendingPathComponent("corpus.jsonl")
    try Self.write(Self.corpus, to: plain)
    let expected = try Command.run(["clean", plain.path, "--quiet"]).stdout
    for format in Compression.allCases {
      let output = directory.appendingPathComponent("out.jsonl.\(format.fileExtension)")
      let explain = directory.appendingPathComponent("explain.\(format.fileExtension)")
      let run = try Command.run(["clean", plain.path, "-o", output.path, "--explain", explain.path, "--quiet"])
      #expect(run.status == 0, "\(run.stderr)")
      let bytes = try Array(Data(contentsOf: output))
      #expect(Compression.detect(bytes) == format)
      #expect(try CompressionSupport.decompress(bytes, format) == expected)
      #expect(Compression.detect(try Array(Data(contentsOf: explain))) == format)
    }
    let forced = try Command.run(["clean", plain.path, "--compress", "gzip", "--quiet"])
    #expect(try CompressionSupport.decompress(forced.stdout, .gzip) == expected)
  }

  @Test func damagedCompressedInputIsAnError() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let whole = try Self.compressed(Self.corpus, .gzip)
    let cut = directory.appendingPathComponent("cut.jsonl.gz")
    try Self.write(Array(whole.prefix(whole.count / 2)), to: cut)
    let run = try Command.run(["clean", cut.path, "--quiet"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("cut short"), "\(run.stderr)")
    var damaged = whole
    damaged[damaged.count / 2] ^= 0xFF
    let corrupt = directory.appendingPathComponent("corrupt.jsonl.gz")
    try Self.write(damaged, to: corrupt)
    let bad = try Command.run(["clean", corrupt.path, "-o", directory.path + "/out.jsonl", "--strict", "--quiet"])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("gzip"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: directory.path + "/out.jsonl"))
  }

  @Test func wetFilesAreReadRecordByRecord() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let wet = Self.wet()
    let plain = directory.appendingPathComponent("crawl.warc.wet")
    try Self.write(wet, to: plain)
    // Multi-member gzip, one member per record, as Common Crawl ships them.
    var members: [UInt8] = []
    var start = 0
    while let next = wet[(start + 1)...].firstRange(of: Array("WARC/1.0\r\n".utf8))?.lowerBound {
      members += try Self.compressed(Array(wet[start..<next]), .gzip)
      start = next
    }
    members += try Self.compressed(Array(wet[start...]), .gzip)
    let packed = directory.appendingPathComponent("crawl.warc.wet.gz")
    try Self.write(members, to: packed)

    let expected = try Command.run(["clean", plain.path, "--threads", "1"])
    #expect(expected.status == 0, "\(expected.stderr)")
    #expect(expected.stderr.contains("1 record without text skipped (1 warcinfo)"))
    let records = try expected.stdout.split(separator: 0x0A).map {
      try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
    }
    #expect(records.count == 30)  // ten exact duplicates dropped
    #expect(records[0]["id"] as? String == "<urn:uuid:0>")
    #expect(records[0]["url"] as? String == "http://example.com/0")
    #expect(records[0]["date"] as? String == "2024-05-18T12:30:05Z")
    #expect((records[0]["text"] as? String)?.hasPrefix("\"Page\" 0 \(Self.sentence(0))") == true)
    for threads in ["1", "2"] {
      let run = try Command.run(["clean", packed.path, "--threads", threads, "--quiet"])
      #expect(run.stdout == expected.stdout, "\(threads) threads")
    }
    // With --output-dir a WET file becomes a JSON Lines file, compressed as it was.
    let out = directory.appendingPathComponent("out")
    let folder = try Command.run(["clean", packed.path, "--output-dir", out.path, "--quiet"])
    #expect(folder.status == 0, "\(folder.stderr)")
    let written = try Array(Data(contentsOf: out.appendingPathComponent("crawl.jsonl.gz")))
    #expect(try CompressionSupport.decompress(written, .gzip) == expected.stdout)
  }

  @Test func jsonLinesAreRecognizedUnderAnyName() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let named = directory.appendingPathComponent("corpus.jsonl")
    try Self.write(Self.corpus, to: named)
    let expected = try Command.run(["clean", named.path, "--quiet"]).stdout
    let json = directory.appendingPathComponent("corpus.json")
    try Self.write(Self.corpus, to: json)
    #expect(try Command.run(["clean", json.path, "--quiet"]).stdout == expected)
    let piped = try Command.run(["clean", "--quiet"], stdin: Self.corpus)
    #expect(piped.stdout == expected)
    // Every output line is a JSON object with its other members intact.
    for line in piped.stdout.split(separator: 0x0A) {
      let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
      #expect((object?["meta"] as? [String: Any])?["source"] as? String == "test")
    }
  }

  @Test func aTextWhoseFirstLineIsAJSONObjectIsText() throws {
    let text = "{\"title\": \"Notes\"}\nThis is prose \u{201C}quoted\u{201D}, not a record.\nAnother line.\n"
    let run = try Command.run(["clean", "--quiet"], stdin: Array(text.utf8))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      String(decoding: run.stdout, as: UTF8.self)
        == "{\"title\": \"Notes\"}\nThis is prose \"quoted\", not a record.\nAnother line.\n")
    // The same first line followed by records is JSON Lines.
    let records = "{\"text\": \"one  two\"}\n{\"text\": \"three\"}\n"
    let jsonl = try Command.run(["clean", "--quiet"], stdin: Array(records.utf8))
    #expect(String(decoding: jsonl.stdout, as: UTF8.self) == "{\"text\": \"one two\"}\n{\"text\": \"three\"}\n")
    // --format text reads records as text.
    let forced = try Command.run(
      ["normalize", "--format", "text", "--profile", "minimal", "--quiet"], stdin: Array(records.utf8))
    #expect(forced.stdout == Array(records.utf8))
  }

  @Test func binaryInputIsRefusedWithWhatItLooksLike() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let executable = Command.executable.path
    let parquet = directory.appendingPathComponent("table.parquet")
    try Self.write(Array("PAR1".utf8) + [0x15, 0x04, 0x15, 0x10] + Array(repeating: 0x41, count: 100), to: parquet)
    let zip = directory.appendingPathComponent("docs.zip")
    try Self.write(Array("PK".utf8) + [0x03, 0x04] + Array(repeating: 0x20, count: 60), to: zip)
    let gzippedBinary = directory.appendingPathComponent("data.gz")
    try Self.write(try Self.compressed([0x7F] + Array("ELF".utf8) + [0, 1, 2, 0, 0, 0], .gzip), to: gzippedBinary)
    let cases: [(String, String)] = [
      (executable, "an ELF executable"), (parquet.path, "a Parquet file"), (zip.path, "a zip archive"),
      (gzippedBinary.path, "an ELF executable (inside gzip)"),
    ]
    for (path, looks) in cases {
      let run = try Command.run(["clean", path, "-o", directory.path + "/out.txt"])
      #expect(run.status == 2, "\(path)")
      #expect(run.stderr.contains("\(path): \(looks)"), "\(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: directory.path + "/out.txt"))
    }
    // On standard input too; --encoding forces a reading.
    let piped = try Command.run(["clean"], stdin: [0x00, 0x01, 0x02, 0x41, 0x42])
    #expect(piped.status == 2 && piped.stderr.contains("<stdin>: binary (NUL bytes)"), "\(piped.stderr)")
    let forced = try Command.run(["clean", parquet.path, "--encoding", "windows-1252", "--quiet"])
    #expect(forced.status == 0, "\(forced.stderr)")
  }

  @Test func aDoubtfulEncodingIsAWarningNotAnError() throws {
    // Random bytes: ICU's detector guesses, with a confidence below the threshold.
    var state: UInt64 = 7
    let bytes = (0..<4000).map { _ -> UInt8 in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 56)
    }
    let run = try Command.run(["clean", "-o", "/dev/null"], stdin: bytes)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("winnow: warning: <stdin>: the encoding is a guess"), "\(run.stderr)")
    #expect(!run.stderr.contains("error"), "\(run.stderr)")
  }

  @Test func utf16WithoutAByteOrderMarkIsRecognized() throws {
    let text = "Caf\u{00E9} \u{201C}ok\u{201D}\nЗдравствуйте, мир.\n"
    for (name, encoding) in [("UTF-16LE", String.Encoding.utf16LittleEndian), ("UTF-16BE", .utf16BigEndian)] {
      let bytes = Array(text.data(using: encoding)!)
      let run = try Command.run(["clean", "--quiet"], stdin: bytes)
      #expect(run.status == 0, "\(name): \(run.stderr)")
      #expect(String(decoding: run.stdout, as: UTF8.self) == "Caf\u{00E9} \"ok\"\nЗдравствуйте, мир.\n", "\(name)")
    }
    // Cyrillic alone: NUL bytes only in its spaces and punctuation.
    let russian = Array("Здравствуйте, мир. Как дела у вас сегодня?\n".data(using: .utf16LittleEndian)!)
    let run = try Command.run(["normalize", "--quiet"], stdin: russian)
    #expect(String(decoding: run.stdout, as: UTF8.self) == "Здравствуйте, мир. Как дела у вас сегодня?\n")
  }

  @Test func foldersFollowLinksAndReportLoops() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let real = directory.appendingPathComponent("real")
    try Self.write(Array("First page.\n".utf8), to: real.appendingPathComponent("a.txt"))
    try Self.write(Array("Second page.\n".utf8), to: directory.appendingPathComponent("elsewhere/b.txt"))
    #expect(symlink(directory.path + "/elsewhere/b.txt", real.path + "/b.txt") == 0)
    #expect(symlink(directory.path + "/real", directory.path + "/linked") == 0)
    // A symlinked input folder, given as a link and with "..".
    for input in [directory.path + "/linked", directory.path + "/elsewhere/../linked/"] {
      let run = try Command.run(["clean", input, "--output-dir", directory.path + "/out", "--no-dedup"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stderr.contains("2 documents"), "\(run.stderr)")
    }
    // A loop and a dangling link are reported, counted, and the rest is read.
    #expect(symlink(real.path, real.path + "/loop") == 0)
    #expect(symlink(directory.path + "/missing.txt", real.path + "/dangling.txt") == 0)
    let run = try Command.run(["clean", real.path, "--output-dir", directory.path + "/out2", "--no-dedup"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("symlink loop"), "\(run.stderr)")
    #expect(run.stderr.contains("dangling symlink"), "\(run.stderr)")
    #expect(run.stderr.contains("2 documents"), "\(run.stderr)")
    // An output folder inside the input folder is not read on the next run.
    let inside = try Command.run(["clean", real.path, "--output-dir", real.path + "/cleaned", "--no-dedup"])
    #expect(inside.stderr.contains("2 documents"), "\(inside.stderr)")
    let again = try Command.run(["clean", real.path, "--output-dir", real.path + "/cleaned", "--no-dedup"])
    #expect(again.stderr.contains("2 documents"), "\(again.stderr)")
  }

  @Test func aFolderOfTextFilesBecomesOneCorpus() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.write(Array("First  page.\n".utf8), to: directory.appendingPathComponent("pages/a.txt"))
    try Self.write(
      Array("Second \u{201C}page\u{201D}.\n".utf8), to: directory.appendingPathComponent("pages/sub/b.txt"))
    let output = directory.appendingPathComponent("corpus.jsonl.zst")
    let run = try Command.run([
      "clean", directory.path + "/pages", "--output-format", "jsonl", "-o", output.path, "--quiet",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = try CompressionSupport.decompress(Array(Data(contentsOf: output)), .zstd)
    #expect(
      String(decoding: lines, as: UTF8.self)
        == "{\"id\":\"a.txt\",\"text\":\"First page.\\n\"}\n{\"id\":\"sub/b.txt\",\"text\":\"Second \\\"page\\\".\\n\"}\n"
    )
  }

  @Test func indexCanBeReadWithoutBeingChanged() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let heldOut = directory.appendingPathComponent("held-out.jsonl")
    try Self.write(Array(Self.corpus.prefix(through: Self.corpus.firstIndex(of: 0x0A)!)), to: heldOut)
    let index = directory.appendingPathComponent("held-out.index").path
    #expect(try Command.run(["dedup", heldOut.path, "--index", index, "--quiet"]).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: index))
    let corpus = directory.appendingPathComponent("corpus.jsonl")
    try Self.write(Self.corpus, to: corpus)
    let run = try Command.run(["dedup", corpus.path, "--index", index, "--index-mode", "read"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("51 duplicates dropped"), "\(run.stderr)")  // record 0 and 50 in-run copies
    #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == before)
    let missing = try Command.run(["dedup", corpus.path, "--index", index + ".none", "--index-mode", "read"])
    #expect(missing.status == 1 && missing.stderr.contains("does not exist"))
  }
}
