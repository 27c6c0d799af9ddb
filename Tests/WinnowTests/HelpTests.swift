import Foundation
import Testing

/// What a person reads: the help of every command wraps at any width, and its examples
/// run from the repository root.
@Suite struct HelpTests {
  typealias Command = CommandTests

  static let commands: [[String]] = [
    ["clean"], ["normalize"], ["repeats"], ["dedup"], ["index", "merge"], ["index", "export"], ["index", "build"],
    ["explain-text"], ["fingerprint"], ["decide"],
    ["apply"], [],
  ]

  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Runs `command` with bash from the repository root, with the built `winnow` first
  /// on the PATH and COLUMNS set.
  static func shell(_ command: String, columns: Int = 80) throws -> CommandTests.Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = repositoryRoot
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = Command.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
    environment["COLUMNS"] = String(columns)
    process.environment = environment
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return .init(
      status: process.terminationStatus, stdout: [UInt8](stdout), stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// The part of a help text before its usage line: the overview and the discussion.
  static func discussion(_ help: String) -> [String] {
    let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    return Array(lines.prefix { !$0.hasPrefix("USAGE:") })
  }

  @Test(arguments: [60, 80, 120])
  func discussionsWrapWithoutOrphanedWords(columns: Int) throws {
    for command in Self.commands {
      let run = try Self.shell("winnow \(command.joined(separator: " ")) --help", columns: columns)
      #expect(run.status == 0)
      let lines = Self.discussion(String(decoding: run.stdout, as: UTF8.self))
      #expect(lines.count > 1, "\(command)")
      for (index, line) in lines.enumerated() where index > 0 {
        #expect(line.count <= columns, "\(command) at \(columns): \(line)")
        // A hard line break inside a paragraph that wraps leaves one word on a line of
        // its own in the middle of the paragraph.
        let previous = lines[index - 1]
        let next = index + 1 < lines.count ? lines[index + 1] : ""
        let isOrphan =
          !line.hasPrefix("  ") && line.split(separator: " ").count == 1 && !previous.isEmpty && !next.isEmpty
          && !next.hasPrefix("  ")
        #expect(
          !isOrphan,
          "\(command) at \(columns): orphaned \"\(line)\" after \"\(previous)\"")
      }
    }
  }

  @Test func examplesRunFromTheRepositoryRoot() throws {
    var ran = 0
    for command in Self.commands where !command.isEmpty {
      let help = try Self.shell("winnow \(command.joined(separator: " ")) --help")
      let lines = Self.discussion(String(decoding: help.stdout, as: UTF8.self))
      guard let start = lines.firstIndex(where: { $0.hasPrefix("Example") }) else { continue }
      // Examples fit 80 columns: none is wrapped onto a line of its own.
      #expect(lines[(start + 1)...].allSatisfy { $0.isEmpty || $0.hasPrefix("  ") }, "\(command)")
      for line in lines[(start + 1)...] where line.hasPrefix("  ") {
        let run = try Self.shell(line.trimmingCharacters(in: .whitespaces) + " > /dev/null")
        #expect(run.status == 0, "\(line): \(run.stderr)")
        ran += 1
      }
    }
    #expect(ran >= 15)
  }

  @Test func summaryFitsEightyColumnsAndShowsWhatApplies() throws {
    let clean = try Self.shell("winnow clean Examples/Corpus/pages.jsonl -o /dev/null")
    let normalize = try Self.shell("winnow normalize Examples/Corpus/pages.jsonl -o /dev/null")
    for run in [clean, normalize] {
      #expect(run.status == 0, "\(run.stderr)")
      for line in run.stderr.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
    }
    #expect(clean.stderr.contains("1 duplicate dropped (1 exact, 0 near)"))
    #expect(clean.stderr.contains("1 repeat removed"))
    #expect(!normalize.stderr.contains("repeat"))
    #expect(!normalize.stderr.contains("duplicate"))
    #expect(normalize.stderr.contains("4 documents; 1.1 kB in"))
  }
}
