import Foundation
import Testing

@testable import WinnowCommand

/// Finding input files: folders walked with POSIX calls, links followed, problems
/// reported instead of skipped.
@Suite struct InputWalkTests {
  /// A fresh temporary folder, as a path.
  static func folder() throws -> String {
    try CommandTests.temporaryDirectory().path
  }

  /// Writes `text` to `path`, creating the folders on the way.
  static func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  /// Makes a symbolic link at `path` to `target` (as written).
  static func link(_ path: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
  }

  /// Removes `path` and everything under it.
  static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// A link to a folder is walked, its files named through the link; a trailing slash adds no double slash.
  @Test func symlinkedInputFolder() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try Self.write("one", to: root + "/real/a.txt")
    try Self.write("three", to: root + "/real/sub/b.txt")
    try Self.link(root + "/link", to: "real")
    let walk = InputWalk(arguments: [root + "/link"])
    #expect(walk.problems.isEmpty)
    #expect(walk.notes.isEmpty)
    #expect(
      walk.files == [
        FoundInput(path: root + "/link/a.txt", relativePath: "a.txt", foundInFolder: true, size: 3),
        FoundInput(path: root + "/link/sub/b.txt", relativePath: "sub/b.txt", foundInFolder: true, size: 5),
      ])
    // A trailing slash gives no double slash.
    let slashed = InputWalk(arguments: [root + "/link/"])
    #expect(slashed.files.map(\.path) == [root + "/link/a.txt", root + "/link/sub/b.txt"])
  }

  /// A folder named with `..` in its path is walked, and its files' paths keep the `..`.
  @Test func dotDotRelativeInputFolder() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try FileManager.default.createDirectory(atPath: root + "/x", withIntermediateDirectories: true)
    try Self.write("text", to: root + "/y/f.txt")
    let walk = InputWalk(arguments: [root + "/x/../y"])
    #expect(walk.problems.isEmpty)
    #expect(
      walk.files == [FoundInput(path: root + "/x/../y/f.txt", relativePath: "f.txt", foundInFolder: true, size: 4)])
  }

  /// Links to files are followed; a file or folder reached twice (by links, or named again) is read once, with a note.
  @Test func linksToFilesAndFilesFoundTwiceAreReadOnce() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    let a = root + "/a"
    try Self.write("bee", to: a + "/b.txt")
    try Self.link(a + "/link.txt", to: "b.txt")
    try Self.write("elsewhere", to: root + "/e.txt")
    try Self.link(a + "/out.txt", to: "../e.txt")
    // One folder reached by two links: walked once.
    try Self.write("shared", to: root + "/shared/s.txt")
    try Self.link(a + "/docs", to: "../shared")
    try Self.link(a + "/more", to: root + "/shared")
    let walk = InputWalk(arguments: [a, a + "/b.txt", root + "/e.txt", a])
    #expect(walk.problems.isEmpty)
    #expect(
      walk.files == [
        FoundInput(path: a + "/b.txt", relativePath: "b.txt", foundInFolder: true, size: 3),
        FoundInput(path: a + "/docs/s.txt", relativePath: "docs/s.txt", foundInFolder: true, size: 6),
        FoundInput(path: a + "/out.txt", relativePath: "out.txt", foundInFolder: true, size: 9),
      ])
    #expect(
      walk.notes == [
        "\(a)/link.txt is the same file as \(a)/b.txt: read once",
        "\(a)/more is the same folder as \(a)/docs: walked once",
        "\(a)/b.txt is named again: read once",
        "\(root)/e.txt is the same file as \(a)/out.txt: read once",
        "\(a) is the same folder as \(a): walked once",
      ])
  }

  /// Links back to an ancestor, and links that cannot be resolved (ELOOP), are loops: problems, not "no such file".
  @Test func symlinkLoopsAreReportedAndNotFollowed() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    let a = root + "/a"
    try Self.write("f", to: a + "/f.txt")
    try FileManager.default.createDirectory(atPath: a + "/sub", withIntermediateDirectories: true)
    try Self.link(a + "/sub/up", to: "..")
    try Self.link(a + "/self", to: ".")
    // Two links to each other: stat fails with ELOOP.
    try Self.link(a + "/l1", to: "l2")
    try Self.link(a + "/l2", to: "l1")
    let walk = InputWalk(arguments: [a, a + "/l1"])
    #expect(walk.files.map(\.path) == [a + "/f.txt"])
    let reason = String(cString: strerror(ELOOP))
    #expect(
      walk.problems == [
        "symlink loop: \(a)/l1 cannot be resolved (\(reason)), not followed",
        "symlink loop: \(a)/l2 cannot be resolved (\(reason)), not followed",
        "symlink loop: \(a)/self leads back to \(a), not followed",
        "symlink loop: \(a)/sub/up leads back to \(a), not followed",
        "symlink loop: \(a)/l1 cannot be resolved (\(reason)), not followed",
      ])
    #expect(walk.problems.allSatisfy { !$0.contains("No such file") })
  }

  /// A link to nothing is a problem that names its target, inside a folder and on the command line.
  @Test func danglingSymlinksAreProblems() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try Self.write("ok", to: root + "/a/ok.txt")
    try Self.link(root + "/a/gone.txt", to: "nowhere.txt")
    let walk = InputWalk(arguments: [root + "/a", root + "/a/gone.txt"])
    #expect(walk.files.map(\.relativePath) == ["ok.txt"])
    #expect(
      walk.problems == [
        "dangling symlink \(root)/a/gone.txt -> nowhere.txt", "dangling symlink \(root)/a/gone.txt -> nowhere.txt",
      ])
  }

  /// A FIFO or a device inside a folder is a problem and is never opened (the test would hang); named, it is an input.
  @Test(.timeLimit(.minutes(1))) func specialFilesInFoldersAreNeverOpened() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try Self.write("ok", to: root + "/a/ok.txt")
    // Opening a FIFO for reading would wait for a writer forever.
    #expect(mkfifo(root + "/a/pipe", 0o644) == 0)
    try Self.link(root + "/a/null", to: "/dev/null")
    let walk = InputWalk(arguments: [root + "/a"])
    #expect(walk.files.map(\.relativePath) == ["ok.txt"])
    #expect(
      walk.problems == [
        "\(root)/a/null: not a regular file (character device), skipped",
        "\(root)/a/pipe: not a regular file (FIFO), skipped",
      ])
    // Named on the command line, a FIFO is the user's choice: an input of size 0.
    let named = InputWalk(arguments: [root + "/a/pipe"])
    #expect(named.problems.isEmpty)
    #expect(named.files == [FoundInput(path: root + "/a/pipe", relativePath: "pipe", foundInFolder: false, size: 0)])
  }

  /// A subfolder that cannot be opened is a problem with the reason, and the rest is walked.
  // As root, permission bits do not apply and a folder of mode 000 can be read: see
  // the next test for an unreadable folder that works for root too.
  @Test(.enabled(if: getuid() != 0, "root reads folders of mode 000")) func unreadableSubfolderIsAProblem() throws {
    let root = try Self.folder()
    defer {
      chmod(root + "/a/locked", 0o755)
      Self.remove(root)
    }
    try Self.write("ok", to: root + "/a/ok.txt")
    try Self.write("secret", to: root + "/a/locked/s.txt")
    #expect(chmod(root + "/a/locked", 0) == 0)
    let walk = InputWalk(arguments: [root + "/a"])
    #expect(walk.files.map(\.relativePath) == ["ok.txt"])
    #expect(walk.problems == ["cannot read folder \(root)/a/locked: \(String(cString: strerror(EACCES)))"])
  }

  /// A folder whose path is too long to stat is a problem with the reason: an unreadable folder that root cannot read either.
  @Test func folderBeyondPathMaxIsAProblemEvenForRoot() throws {
    let root = try Self.folder()
    try Self.write("ok", to: root + "/a/ok.txt")
    // Folders nested past PATH_MAX, made relative to open folders (a path cannot name
    // them): the walk cannot stat the first one whose path is too long.
    let name = String(repeating: "d", count: 200)
    var descriptors = [open(root + "/a", O_RDONLY | O_DIRECTORY)]
    defer {
      _ = unlinkat(descriptors.last!, "deep.txt", 0)
      for level in stride(from: descriptors.count - 1, to: 0, by: -1) {
        _ = unlinkat(descriptors[level - 1], name, AT_REMOVEDIR)
        close(descriptors[level])
      }
      close(descriptors[0])
      Self.remove(root)
    }
    for _ in 0..<24 {
      #expect(mkdirat(descriptors.last!, name, 0o755) == 0)
      descriptors.append(openat(descriptors.last!, name, O_RDONLY | O_DIRECTORY))
    }
    let file = openat(descriptors.last!, "deep.txt", O_WRONLY | O_CREAT, 0o644)
    #expect(file >= 0)
    close(file)
    let walk = InputWalk(arguments: [root + "/a"])
    #expect(walk.files.map(\.relativePath) == ["ok.txt"])
    #expect(walk.problems.count == 1)
    let problem = try #require(walk.problems.first)
    #expect(problem.hasPrefix("cannot read \(root)/a/\(name)/"))
    #expect(problem.hasSuffix(": \(String(cString: strerror(ENAMETOOLONG)))"))
  }

  /// The walk stops at ``InputWalk/maximumDepth`` folders, with a problem.
  @Test func foldersDeeperThanTheLimitAreNotWalked() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    let levels = Array(repeating: "d", count: InputWalk.maximumDepth)
    try Self.write("ok", to: root + "/" + levels.dropLast().joined(separator: "/") + "/ok.txt")
    try Self.write("deep", to: root + "/" + levels.joined(separator: "/") + "/deep.txt")
    // The named folder is the first level: its 255 nested folders are walked, the
    // 256th is not.
    let walk = InputWalk(arguments: [root])
    #expect(walk.files.map(\.relativePath) == [levels.dropLast().joined(separator: "/") + "/ok.txt"])
    #expect(
      walk.problems == [
        "\(root)/\(levels.joined(separator: "/")): more than \(InputWalk.maximumDepth) folders deep, not walked"
      ])
  }

  /// The output folder (by device and inode) and Winnow's temporary files are not inputs.
  @Test func excludedOutputFolderAndTemporaryFilesAreSkipped() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    let a = root + "/a"
    try Self.write("doc", to: a + "/doc.txt")
    try Self.write("old output", to: a + "/out/doc.txt")
    try Self.write("partial", to: a + "/.doc.txt.winnow-Ab12Cd")
    try Self.write("partial", to: a + "/sub/..winnow-XYZ123")
    try Self.write("index", to: a + "/.winnow-index")
    try Self.write("kept", to: a + "/.doc.txt.winnow-toolong")
    // Spelled another way, and one that does not exist yet: compared by device and inode.
    let walk = InputWalk(arguments: [a], excluding: [a + "/sub/../out", root + "/not-yet"])
    #expect(walk.problems.isEmpty)
    #expect(walk.files.map(\.relativePath) == [".doc.txt.winnow-toolong", "doc.txt"])
    #expect(walk.notes == ["\(a)/out is an output folder: not read"])
    #expect(InputWalk.isTemporaryName(Array(".x.jsonl.winnow-a1B2c3".utf8)))
    #expect(!InputWalk.isTemporaryName(Array("x.jsonl.winnow-a1B2c3".utf8)))
    #expect(!InputWalk.isTemporaryName(Array(".winnow".utf8)))
  }

  /// A folder's files come in the UTF-8 byte order of their relative paths, whatever the nesting.
  @Test func filesComeInByteOrderOfTheirRelativePaths() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    let names = ["b.txt", "a-b.txt", "a/b.txt", "a/c/d.txt", "Z.txt", "é.txt", "e.txt", "日本.txt", "a.txt", "ab/x.txt"]
    for name in names { try Self.write(name, to: root + "/" + name) }
    let walk = InputWalk(arguments: [root])
    let expected = [
      "Z.txt", "a-b.txt", "a.txt", "a/b.txt", "a/c/d.txt", "ab/x.txt", "b.txt", "e.txt", "é.txt", "日本.txt",
    ]
    #expect(walk.files.map(\.relativePath) == expected)
    #expect(expected == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    #expect(walk.files.allSatisfy { $0.foundInFolder && $0.path == root + "/" + $0.relativePath })
  }

  /// A name that is not UTF-8 cannot be given as a path: a problem, not a file that fails to open.
  @Test func namesThatAreNotUTF8AreProblems() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try Self.write("ok", to: root + "/ok.txt")
    var path = Array((root + "/bad").utf8CString.dropLast())
    path += [CChar(bitPattern: 0xFF), 0]
    let file = open(path, O_WRONLY | O_CREAT, 0o644)
    #expect(file >= 0)
    close(file)
    let walk = InputWalk(arguments: [root])
    #expect(walk.files.map(\.relativePath) == ["ok.txt"])
    #expect(walk.problems == ["\(root)/bad\u{FFFD}: a name that is not valid UTF-8, skipped"])
  }

  /// Arguments keep their order, "-" is standard input, and a missing one is a problem.
  @Test func argumentsKeepTheirOrderAndMissingOnesAreProblems() throws {
    let root = try Self.folder()
    defer { Self.remove(root) }
    try Self.write("hello", to: root + "/f.jsonl")
    let walk = InputWalk(arguments: [root + "/missing.txt", "-", root + "/f.jsonl"])
    #expect(
      walk.files == [
        FoundInput(path: "-", relativePath: "stdin", foundInFolder: false, size: 0),
        FoundInput(path: root + "/f.jsonl", relativePath: "f.jsonl", foundInFolder: false, size: 5),
      ])
    #expect(walk.problems == ["cannot read \(root)/missing.txt: No such file or directory"])
    #expect(InputWalk(arguments: []).files.isEmpty)
  }
}
