import Foundation
import Testing
import Winnow

/// The command when things go wrong around it: interrupted, unable to write.
@Suite struct FaultTests {
  /// About 1.5 MB of JSON Lines: several batches.
  static let lines: [UInt8] = {
    var text = ""
    for index in 0..<6000 {
      text +=
        "{\"id\": \(index), \"text\": \"Document \(index): a sentence about rivers, \(index % 7) bridges and more.\"}\n"
    }
    return Array(text.utf8)
  }()

  /// A run is interrupted while it waits for more of standard input: it exits with
  /// 128 + the signal, says how far it got, and leaves no file behind, neither the
  /// output nor the explanations nor their temporary files.
  @Test(arguments: [SIGINT, SIGTERM])
  func interruptedRunLeavesNothingPartial(_ number: Int32) throws {
    let directory = try CommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("out.jsonl")
    let explain = directory.appendingPathComponent("explain.jsonl")
    let process = Process()
    process.executableURL = CommandTests.executable
    process.arguments = ["clean", "--format", "jsonl", "-o", output.path, "--explain", explain.path]
    let input = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = error
    try process.run()
    try input.fileHandleForWriting.write(contentsOf: Self.lines)
    // Standard input stays open: the run waits for more. Signal once its temporary
    // files exist (the handlers are installed before they are created).
    let deadline = Date().addingTimeInterval(30)
    while try FileManager.default.contentsOfDirectory(atPath: directory.path).count < 2 && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    Thread.sleep(forTimeInterval: 0.3)
    kill(process.processIdentifier, number)
    process.waitUntilExit()
    try? input.fileHandleForWriting.close()
    let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 128 + number)
    #expect(message.contains("interrupted by \(number == SIGINT ? "SIGINT" : "SIGTERM") after"))
    #expect(message.contains("documents (") && message.contains("nothing partial left"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  /// A full disk: writing to /dev/full fails with ENOSPC; the run says so and exits 1.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
  func fullDiskIsAnError() throws {
    let process = Process()
    process.executableURL = CommandTests.executable
    process.arguments = ["clean", "--format", "jsonl", "--quiet"]
    let input = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
    process.standardError = error
    try process.run()
    try input.fileHandleForWriting.write(contentsOf: Self.lines)
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 1)
    #expect(message.contains("cannot write standard output"))
    #expect(message.contains("No space left on device"))
  }

  /// An input that disappears during the run: the run waits on a named pipe, the
  /// next input is deleted meanwhile; it is reported as unreadable (exit 2) and
  /// everything else is written.
  @Test func inputThatDisappearsIsReported() throws {
    let directory = try CommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = directory.appendingPathComponent("a.txt")
    let pipe = directory.appendingPathComponent("b.txt")
    let last = directory.appendingPathComponent("c.txt")
    try Data("first text\n".utf8).write(to: first)
    try Data("third text\n".utf8).write(to: last)
    #expect(mkfifo(pipe.path, 0o600) == 0)
    let output = directory.appendingPathComponent("out")
    let process = Process()
    process.executableURL = CommandTests.executable
    process.arguments = ["normalize", first.path, pipe.path, last.path, "--output-dir", output.path]
    let error = Pipe()
    process.standardError = error
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    // Once the first input is written, the run waits on the pipe: delete the last input.
    let written = output.appendingPathComponent("a.txt").path
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: written) && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    try FileManager.default.removeItem(at: last)
    let writer = try FileHandle(forWritingTo: pipe)
    try writer.write(contentsOf: Data("second text\n".utf8))
    try writer.close()
    process.waitUntilExit()
    let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 2)
    #expect(message.contains("cannot read \(last.path): No such file or directory"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == ["a.txt", "b.txt"])
  }

  /// Outputs that cannot be created: a folder under a regular file, and a folder where
  /// nobody may create one (/proc). Clear errors, exit 1, the input untouched.
  @Test func unwritableOutputIsAnError() throws {
    let directory = try CommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.txt")
    try Data("some text\n".utf8).write(to: input)
    let underFile = try CommandTests.run(["normalize", input.path, "-o", input.path + "/out.txt"])
    #expect(underFile.status == 1)
    #expect(underFile.stderr.contains("cannot write \(input.path)/out.txt"))
    if FileManager.default.fileExists(atPath: "/proc/self") {
      let proc = try CommandTests.run(["normalize", input.path, "--output-dir", "/proc/winnow-test"])
      #expect(proc.status != 0)
      #expect(proc.stderr.contains("/proc/winnow-test"))
    }
    #expect(try Data(contentsOf: input) == Data("some text\n".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.txt"])
  }
}

/// --max-document-bytes: a document over the limit is reported and either written
/// unchanged or skipped; the others are processed as usual, deduplication included.
@Suite struct DocumentLimitTests {
  static let jsonl = Array(
    """
    {"id":1,"text":"short  text"}
    {"id":2,"text":"a much longer text than the limit allows  here"}
    {"id":3,"text":"short  text"}

    """.utf8)

  @Test func oversizeDocumentsPassThroughUnchanged() throws {
    let run = try CommandTests.run(["clean", "--format", "jsonl", "--max-document-bytes", "20"], stdin: Self.jsonl)
    #expect(run.status == 0)
    // The first is cleaned, the second written as it came, the third dropped as an
    // exact duplicate of the first.
    #expect(
      String(decoding: run.stdout, as: UTF8.self)
        == "{\"id\":1,\"text\":\"short text\"}\n{\"id\":2,\"text\":\"a much longer text than the limit allows  here\"}\n"
    )
    #expect(
      run.stderr.contains("<stdin>:2: a document of 46 bytes, over --max-document-bytes 20: passed through unchanged"))
    #expect(run.stderr.contains("1 over --max-document-bytes (passed through)"))
  }

  @Test func oversizeDocumentsCanBeSkipped() throws {
    let run = try CommandTests.run(
      ["clean", "--format", "jsonl", "--max-document-bytes", "20", "--oversize", "skip"], stdin: Self.jsonl)
    #expect(run.status == 0)
    #expect(String(decoding: run.stdout, as: UTF8.self) == "{\"id\":1,\"text\":\"short text\"}\n")
    #expect(run.stderr.contains("over --max-document-bytes 20: skipped"))
    let text = try CommandTests.run(
      ["normalize", "--max-document-bytes", "5", "--oversize", "skip", "--quiet"], stdin: Array("long text\n".utf8))
    #expect(text.stdout.isEmpty)
    let refused = try CommandTests.run(["normalize", "--max-document-bytes", "0"], stdin: [])
    #expect(refused.status == 64)
  }
}

/// --max-index-memory: when the deduplication index outgrows the limit, the run stops
/// with a clear error and writes nothing, neither the output nor the index.
@Suite struct IndexMemoryLimitTests {
  @Test func runStopsBeforeTheIndexOutgrowsTheLimit() throws {
    let directory = try CommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var random = SeededRandom(seed: 8)
    var lines = ""
    for index in 0..<800 {
      let words = (0..<60).map { _ in "w\(random.next() % 50_000)" }.joined(separator: " ")
      lines += "{\"id\": \(index), \"text\": \"\(words)\"}\n"
    }
    let input = directory.appendingPathComponent("in.jsonl")
    try Data(lines.utf8).write(to: input)
    let output = directory.appendingPathComponent("out.jsonl").path
    let index = directory.appendingPathComponent("seen.winnowdx").path
    let run = try CommandTests.run(["dedup", input.path, "-o", output, "--index", index, "--max-index-memory", "1"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("over --max-index-memory 1: stopped; nothing written, the index not saved"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.jsonl"])
    let roomy = try CommandTests.run(["dedup", input.path, "-o", output, "--max-index-memory", "64", "--quiet"])
    #expect(roomy.status == 0)
  }
}
