import Foundation

/// One input found on the command line or in a folder.
struct FoundInput: Equatable, Sendable {
  /// The path to open ("-" for standard input).
  var path: String
  /// The path under the folder it was found in, through the names of any links on the
  /// way (or, for a file named on the command line, its file name); "stdin" for "-".
  var relativePath: String
  /// Whether it was found by walking a folder rather than named on the command line.
  var foundInFolder: Bool
  /// Its size in bytes when it is a regular file; 0 otherwise (standard input, a named
  /// FIFO or device).
  var size: Int
}

/// The inputs named by the command line, in order: files as they are named, folders
/// walked recursively with POSIX calls, following symbolic links.
///
/// - A named file (or a named link to one) is an input whatever its type: naming a FIFO
///   or a device is the user's choice. Inside folders, only regular files are inputs;
///   anything else (FIFO, socket, device) is a problem and is never opened.
/// - A folder's files come in the byte order (UTF-8) of their relative paths; relative
///   paths go through the names of links (a link `docs -> /elsewhere/x` gives `docs/…`)
///   and paths are the argument, "/" and the relative path.
/// - Each file is read once (by device and inode) and each folder walked once across
///   the whole walk; later occurrences are dropped with a note. A link back to a folder
///   being walked (an ancestor) is a loop, reported and not followed, and so is a link
///   that `stat` cannot resolve (`ELOOP`).
/// - The walk never goes deeper than ``maximumDepth`` folders and never blocks: files
///   are only looked at with `lstat` and `stat`, folders read with `opendir`.
struct InputWalk {
  /// The inputs, in command-line order, each folder's files in byte order.
  var files: [FoundInput] = []
  /// Problems that make the run's exit status 2 (each is one counted failed input):
  /// unreadable paths and folders, dangling symlinks, symlink loops, special files
  /// (FIFO, socket, device) found inside folders, names that are not UTF-8, folders
  /// too deep.
  var problems: [String] = []
  /// Notes that do not change the exit status (e.g. "a/link.txt is the same file as
  /// a/b.txt: read once").
  var notes: [String] = []

  /// How many folders deep a walk goes, the named folder being the first.
  static let maximumDepth = 256

  /// Finds the inputs named by `arguments` ("-" is standard input; no arguments, no
  /// inputs). `excluding` names folders (or files) that are not inputs when they are
  /// found inside an input folder, such as the output folder: they are compared by
  /// device and inode, and those that do not exist are ignored. Entries named like
  /// Winnow's temporary files (".winnow-…", ".NAME.winnow-XXXXXX") are skipped too.
  init(arguments: [String], excluding: [String] = []) {
    var walker = Walker(excluding: excluding)
    for argument in arguments { walker.add(argument) }
    files = walker.files
    problems = walker.problems
    notes = walker.notes
  }

  /// Whether `name` is one of the temporary files Winnow writes before renaming them
  /// into place: it starts with ".winnow-" or matches `.*.winnow-??????`.
  static func isTemporaryName(_ name: some Collection<UInt8>) -> Bool {
    let marker = Array(".winnow-".utf8)
    let bytes = Array(name)
    if bytes.starts(with: marker) { return true }
    guard bytes.count >= 1 + marker.count + 6, bytes.first == UInt8(ascii: ".") else { return false }
    return bytes[(bytes.count - 6 - marker.count)..<(bytes.count - 6)].elementsEqual(marker)
  }
}

/// A file's identity: its device and inode numbers.
private struct FileIdentity: Hashable {
  /// `st_dev`.
  var device: UInt64
  /// `st_ino`.
  var inode: UInt64

  /// The identity of the file `info` describes.
  init(_ info: stat) {
    device = UInt64(truncatingIfNeeded: info.st_dev)
    inode = UInt64(truncatingIfNeeded: info.st_ino)
  }
}

/// The state of one walk over the command line's arguments.
private struct Walker {
  /// One entry of a folder, looked at but not yet handled.
  struct Entry {
    /// What the entry is.
    enum Kind {
      /// A regular file (or a link to one), with its status.
      case file(stat)
      /// A folder (or a link to one), with its status.
      case folder(stat)
      /// Something that is not an input, with the problem to report.
      case problem(String)
    }

    /// Its name in the folder.
    var name: String
    /// Its sort key: the name's bytes, with "/" after a folder's name so that a
    /// folder's files fall where their relative paths do in byte order.
    var key: [UInt8]
    /// What it is.
    var kind: Kind
  }

  /// A folder being walked: an ancestor of what is handled next.
  struct Frame {
    /// The folder's path.
    var path: String
    /// Its path under the named folder ("" for the named folder itself).
    var relative: String
    /// Its identity, to recognize loops.
    var identity: FileIdentity
    /// Its entries, in sort-key order.
    var entries: [Entry]
    /// The next entry to handle.
    var next = 0
  }

  /// The inputs found so far.
  var files: [FoundInput] = []
  /// The problems found so far, in the order they were found.
  var problems: [String] = []
  /// The notes so far.
  var notes: [String] = []
  /// The path each file was first found at.
  private var filesSeen: [FileIdentity: String] = [:]
  /// The path each folder was first walked at.
  private var foldersWalked: [FileIdentity: String] = [:]
  /// The identities of the excluded paths that exist.
  private let excluded: Set<FileIdentity>

  /// A walk that skips the paths of `excluding` inside folders.
  init(excluding: [String]) {
    excluded = Set(
      excluding.compactMap { path in
        var info = stat()
        return stat(path, &info) == 0 ? FileIdentity(info) : nil
      })
  }

  /// Adds the inputs named by one command-line argument.
  mutating func add(_ argument: String) {
    if argument == "-" {
      files.append(FoundInput(path: "-", relativePath: "stdin", foundInFolder: false, size: 0))
      return
    }
    switch Self.look(at: argument) {
    case .problem(let problem): problems.append(problem)
    case .folder(let info): walk(argument, info)
    case .file(let info):
      addFile(path: argument, relative: splitPath(argument).name, info: info, inFolder: false)
    }
  }

  /// Adds one file, unless it was found before.
  private mutating func addFile(path: String, relative: String, info: stat, inFolder: Bool) {
    let identity = FileIdentity(info)
    if let first = filesSeen[identity] {
      notes.append(
        first == path ? "\(path) is named again: read once" : "\(path) is the same file as \(first): read once")
      return
    }
    filesSeen[identity] = path
    let size = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    files.append(FoundInput(path: path, relativePath: relative, foundInFolder: inFolder, size: size))
  }

  /// Walks the folder `argument` (whose status is `info`) depth first, in byte order.
  private mutating func walk(_ argument: String, _ info: stat) {
    let identity = FileIdentity(info)
    if let first = foldersWalked[identity] {
      notes.append("\(argument) is the same folder as \(first): walked once")
      return
    }
    foldersWalked[identity] = argument
    guard let root = frame(path: argument, relative: "", identity: identity) else { return }
    var stack = [root]
    while let top = stack.indices.last {
      guard stack[top].next < stack[top].entries.count else {
        stack.removeLast()
        continue
      }
      let entry = stack[top].entries[stack[top].next]
      stack[top].next += 1
      let parent = stack[top]
      let path = Self.join(parent.path, entry.name)
      let relative = parent.relative.isEmpty ? entry.name : parent.relative + "/" + entry.name
      switch entry.kind {
      case .problem(let problem):
        problems.append(problem)
      case .file(let info):
        if excluded.contains(FileIdentity(info)) {
          notes.append("\(path) is one of the outputs: not read")
        } else {
          addFile(path: path, relative: relative, info: info, inFolder: true)
        }
      case .folder(let info):
        let identity = FileIdentity(info)
        if excluded.contains(identity) {
          notes.append("\(path) is an output folder: not read")
        } else if let ancestor = stack.first(where: { $0.identity == identity }) {
          var link = stat()
          if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) != S_IFLNK {
            problems.append("folder loop: \(path) is \(ancestor.path) again, not followed")
          } else {
            problems.append("symlink loop: \(path) leads back to \(ancestor.path), not followed")
          }
        } else if let first = foldersWalked[identity] {
          notes.append("\(path) is the same folder as \(first): walked once")
        } else if stack.count >= InputWalk.maximumDepth {
          problems.append("\(path): more than \(InputWalk.maximumDepth) folders deep, not walked")
        } else {
          foldersWalked[identity] = path
          if let child = frame(path: path, relative: relative, identity: identity) { stack.append(child) }
        }
      }
    }
  }

  /// Reads the folder at `path` and looks at each of its entries; nil (and a problem)
  /// when it cannot be opened.
  private mutating func frame(path: String, relative: String, identity: FileIdentity) -> Frame? {
    guard let folder = opendir(path) else {
      problems.append("cannot read folder \(path): \(Self.reason(errno))")
      return nil
    }
    defer { closedir(folder) }
    var entries: [Entry] = []
    while true {
      errno = 0
      guard let item = readdir(folder) else {
        if errno != 0 { problems.append("cannot read folder \(path): \(Self.reason(errno))") }
        break
      }
      let namePointer = UnsafeRawPointer(item) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
      let bytes = Array(
        UnsafeRawBufferPointer(start: namePointer, count: strlen(namePointer.assumingMemoryBound(to: CChar.self))))
      if bytes == [0x2E] || bytes == [0x2E, 0x2E] || InputWalk.isTemporaryName(bytes) { continue }
      guard let name = String(validating: bytes, as: UTF8.self) else {
        let shown = Self.join(path, String(decoding: bytes, as: UTF8.self))
        entries.append(
          Entry(
            name: "", key: bytes, kind: .problem("\(shown): a name that is not valid UTF-8, skipped")))
        continue
      }
      let child = Self.join(path, name)
      switch Self.look(at: child) {
      case .folder(let info):
        entries.append(Entry(name: name, key: bytes + [0x2F], kind: .folder(info)))
      case .file(let info) where (info.st_mode & S_IFMT) != S_IFREG:
        entries.append(
          Entry(
            name: name, key: bytes,
            kind: .problem("\(child): not a regular file (\(Self.typeName(info.st_mode))), skipped")))
      case let kind:
        entries.append(Entry(name: name, key: bytes, kind: kind))
      }
    }
    entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
    return Frame(path: path, relative: relative, identity: identity, entries: entries)
  }

  /// What is at `path`, following links: a folder, something else, or a problem (a
  /// dangling link, a loop, an error).
  private static func look(at path: String) -> Entry.Kind {
    var info = stat()
    if stat(path, &info) == 0 {
      return (info.st_mode & S_IFMT) == S_IFDIR ? .folder(info) : .file(info)
    }
    let error = errno
    var link = stat()
    if error == ELOOP {
      return .problem("symlink loop: \(path) cannot be resolved (\(reason(error))), not followed")
    }
    if error == ENOENT && lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
      return .problem("dangling symlink \(path) -> \(target(of: path))")
    }
    return .problem("cannot read \(path): \(reason(error))")
  }

  /// What the link at `path` points to, as it is written.
  private static func target(of path: String) -> String {
    var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = buffer.withUnsafeMutableBufferPointer { pointer in
      pointer.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count - 1) }
    }
    return count < 0 ? "?" : String(decoding: buffer[..<count], as: UTF8.self)
  }

  /// `folder` + "/" + `name`, without a double slash.
  private static func join(_ folder: String, _ name: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  /// The kind of a file that is neither regular nor a folder, for messages.
  private static func typeName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: "FIFO"
    case S_IFSOCK: "socket"
    case S_IFCHR: "character device"
    case S_IFBLK: "block device"
    default: "unknown type"
    }
  }

  /// The text of `errno` value `code`.
  private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
