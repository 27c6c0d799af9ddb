import Foundation
import Testing

/// Outputs that are not regular files are written to, never replaced; two outputs never
/// share a file.
@Suite struct SpecialOutputTests {
  typealias Command = CommandTests

  static let isRoot = getuid() == 0

  /// A folder with one small text input.
  static func folderWithInput() throws -> (URL, URL) {
    let directory = try Command.temporaryDirectory()
    let input = directory.appendingPathComponent("in.txt")
    try Data("Hello \u{201C}world\u{201D}\n".utf8).write(to: input)
    return (directory, input)
  }

  static func fileType(_ path: String) -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return info.st_mode & S_IFMT
  }

  /// mknod needs root (containers run as root): the device node must stay a device and
  /// receive the bytes (a copy of /dev/null's device numbers, so they are discarded).
  @Test(.enabled(if: isRoot, "mknod needs root"))
  func deviceNodeStaysADevice() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let device = directory.appendingPathComponent("null").path
    var null = stat()
    #expect(stat("/dev/null", &null) == 0)
    #expect(mknod(device, S_IFCHR | 0o666, null.st_rdev) == 0)
    for option in ["-o", "--explain"] {
      let run = try Command.run(
        ["clean", input.path, option, device, "--quiet"] + (option == "-o" ? [] : ["-o", "-"]))
      #expect(run.status == 0, "\(run.stderr)")
      #expect(Self.fileType(device) == S_IFCHR)
    }
    // The directory holds no temporary file left behind.
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(Set(names) == ["in.txt", "null"])
  }

  @Test func devNullStaysADevice() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Command.run(["clean", input.path, "-o", "/dev/null", "--explain", "/dev/null", "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType("/dev/null") == S_IFCHR)
  }

  @Test func fifoReaderGetsTheOutput() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let received = Received()
    let reader = Thread {
      let handle = FileHandle(forReadingAtPath: fifo)
      received.set(handle?.readDataToEndOfFile() ?? Data())
    }
    reader.start()
    let run = try Command.run(["clean", input.path, "-o", fifo, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(received.wait(seconds: 10) == Data("Hello \"world\"\n".utf8))
    #expect(Self.fileType(fifo) == S_IFIFO)
  }

  @Test func explainToStandardOutputByName() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("out.txt")
    let run = try Command.run(["clean", input.path, "-o", output.path, "--explain", "/dev/stdout", "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(String(decoding: run.stdout, as: UTF8.self).hasPrefix("{\"id\":"))
    #expect(try Data(contentsOf: output) == Data("Hello \"world\"\n".utf8))
  }

  @Test func twoOutputsNamingOneFileAreRefused() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let same = directory.appendingPathComponent("same.txt").path
    let cases: [[String]] = [
      ["clean", input.path, "-o", same, "--explain", same],
      ["clean", input.path, "-o", same, "--explain", directory.path + "/./same.txt"],
      ["clean", input.path, "--explain", "/dev/stdout"],
      ["normalize", input.path, "-o", same, "--edits", same],
      ["clean", input.path, "-o", same, "--index", same],
    ]
    for arguments in cases {
      let run = try Command.run(arguments + ["--quiet"])
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(run.stderr.contains("each needs a file of its own"), "\(arguments): \(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: same))
    }
  }

  @Test func twoInputsWithOneRelativePathAreRefusedWithOutputDir() throws {
    let directory = try Command.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for folder in ["a", "b"] {
      let sub = directory.appendingPathComponent(folder)
      try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
      try Data("Text of \(folder).\n".utf8).write(to: sub.appendingPathComponent("x.txt"))
    }
    let run = try Command.run([
      "clean", directory.path + "/a/x.txt", directory.path + "/b/x.txt", "--output-dir", directory.path + "/out",
      "--quiet",
    ])
    #expect(run.status == 64, "\(run.stderr)")
  }

  /// Foundation's NSString path methods trap on a one-character relative name: the
  /// command used them and crashed on `-o X`.
  @Test func oneCharacterOutputNames() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    for arguments in [["-o", "X"], ["-o", "X", "--explain", "X"], ["-o", "Y", "--explain", "Z"]] {
      let process = Process()
      process.executableURL = Command.executable
      process.arguments = ["clean", input.path, "--quiet"] + arguments
      process.currentDirectoryURL = directory
      process.standardError = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      #expect(
        process.terminationStatus == (arguments.count == 4 && arguments[1] == arguments[3] ? 64 : 0), "\(arguments)")
    }
    #expect(try Data(contentsOf: directory.appendingPathComponent("Y")) == Data("Hello \"world\"\n".utf8))
  }

  @Test func symbolicLinkOutputStaysALink() throws {
    let (directory, input) = try Self.folderWithInput()
    defer { try? FileManager.default.removeItem(at: directory) }
    let real = directory.appendingPathComponent("real.txt").path
    let link = directory.appendingPathComponent("link.txt").path
    try Data("old\n".utf8).write(to: URL(fileURLWithPath: real))
    #expect(symlink("real.txt", link) == 0)
    let run = try Command.run(["clean", input.path, "-o", link, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType(link) == S_IFLNK)
    #expect(try Data(contentsOf: URL(fileURLWithPath: real)) == Data("Hello \"world\"\n".utf8))
  }
}

/// Bytes handed from one thread to another.
final class Received: @unchecked Sendable {
  private let condition = NSCondition()
  private var data: Data?

  func set(_ value: Data) {
    condition.lock()
    data = value
    condition.broadcast()
    condition.unlock()
  }

  func wait(seconds: Double) -> Data? {
    condition.lock()
    defer { condition.unlock() }
    let deadline = Date(timeIntervalSinceNow: seconds)
    while data == nil && condition.wait(until: deadline) {}
    return data
  }
}
