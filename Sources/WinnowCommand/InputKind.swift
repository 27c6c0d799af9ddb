import Winnow
import WinnowCorpus

/// What an input holds, told from its first bytes (after decompression) and, for JSON
/// Lines, its name.
///
/// The rules, in order:
/// 1. A known container that is not text (zip, Parquet, PDF, images, executables, ...)
///    is binary, whatever `--format` says, unless `--encoding` names an encoding to
///    read it in.
/// 2. `WARC/1.0` or `WARC/1.1` at the start is a WARC file (a WET file is one): read
///    record by record.
/// 3. NUL bytes in the first 8,000 bytes are binary, unless the text is UTF-16 or
///    UTF-32 (a byte order mark, or the NUL pattern of such text) or `--encoding`
///    names its encoding.
/// 4. With `--format jsonl` or a name ending in `.jsonl` or `.ndjson` (before a
///    compression suffix), JSON Lines.
/// 5. Under `--format auto`, JSON Lines when the first non-blank line is a JSON object
///    and so is every other complete non-blank line among the first ``sniffBytes``
///    (at most ``linesChecked`` lines); a first line longer than that counts when it
///    starts with `{"`. A text whose first line happens to be a JSON object and whose
///    next line is prose is text; a text of one line that is one JSON object is JSON
///    Lines (`--format text` reads it as text).
/// 6. Otherwise text.
enum InputKind: Equatable {
  case text
  case jsonLines
  case warc
  /// Not text: what it looks like ("a zip archive", "binary (NUL bytes)").
  case binary(String)

  /// How much of an input is read to tell its kind.
  static let sniffBytes = 256 << 10
  /// Lines of a JSON Lines file checked to tell it from text.
  static let linesChecked = 16

  /// Magic bytes of containers that are not text, and what to call them.
  private static let containers: [(offset: Int, magic: [UInt8], name: String)] = [
    (0, Array("PK\u{03}\u{04}".utf8), "a zip archive (also .docx, .xlsx, .jar, .epub)"),
    (0, Array("PK\u{05}\u{06}".utf8), "an empty zip archive"),
    (0, Array("PAR1".utf8), "a Parquet file (read Parquet with a columnar engine, see the README)"),
    (0, Array("%PDF-".utf8), "a PDF document"),
    (0, [0x89] + Array("PNG".utf8), "a PNG image"),
    (0, [0xFF, 0xD8, 0xFF], "a JPEG image"),
    (0, Array("GIF8".utf8), "a GIF image"),
    (0, [0x7F] + Array("ELF".utf8), "an ELF executable"),
    (0, [0xCF, 0xFA, 0xED, 0xFE], "a Mach-O executable"),
    (0, [0xCE, 0xFA, 0xED, 0xFE], "a Mach-O executable"),
    (0, [0xCA, 0xFE, 0xBA, 0xBE], "a Java class file or Mach-O universal binary"),
    (0, Array("7z".utf8) + [0xBC, 0xAF, 0x27, 0x1C], "a 7-Zip archive"),
    (0, Array("Rar!".utf8) + [0x1A, 0x07], "a RAR archive"),
    (0, Array("SQLite format 3".utf8) + [0], "an SQLite database"),
    (0, Array("ORC".utf8), "an ORC file (read it with a columnar engine, see the README)"),
    (0, Array("ARROW1".utf8), "an Arrow file (read it with a columnar engine, see the README)"),
    (0, Array("Obj".utf8) + [0x01], "an Avro file"),
    (0, [0x00] + Array("asm".utf8), "a WebAssembly module"),
    (0, [0x04, 0x22, 0x4D, 0x18], "an LZ4 frame (decompress it first)"),
    (0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "an OLE document (.doc, .xls)"),
    (4, Array("ftyp".utf8), "an MP4 or QuickTime file"),
    (257, Array("ustar".utf8), "a tar archive (unpack it first)"),
  ]

  /// The container `prefix` starts with, if it is one that is not text.
  static func container(_ prefix: [UInt8]) -> String? {
    for container in containers where prefix.count >= container.offset + container.magic.count {
      if prefix[container.offset..<container.offset + container.magic.count].elementsEqual(container.magic) {
        return container.name
      }
    }
    if prefix.starts(with: Array("MZ".utf8)) && prefix.prefix(512).contains(0) { return "a Windows executable" }
    if prefix.starts(with: Array("RIFF".utf8)) && prefix.count >= 12 { return "a RIFF file (WAV, AVI or WebP)" }
    return nil
  }

  /// Whether `name` (without a compression suffix) says JSON Lines.
  static func isJSONLinesName(_ name: String) -> Bool {
    var name = name
    if let compression = Compression(fileName: name) { name.removeLast(compression.fileExtension.count + 1) }
    return name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson")
  }

  /// The kind of an input whose first (decompressed) bytes are `prefix` (at most
  /// ``sniffBytes``; `complete` when that is the whole input).
  static func of(
    _ prefix: [UInt8], complete: Bool, name: String, format: InputFormat, encodingGiven: Bool
  ) -> InputKind {
    if !encodingGiven, let container = container(prefix) { return .binary(container) }
    var body = prefix[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if body.starts(with: Array("WARC/1.".utf8)) { return .warc }
    if !encodingGiven && prefix.prefix(8000).contains(0) {
      // UTF-16 and UTF-32 text has NUL bytes: with a byte order mark, or in its pattern.
      let detected = TextEncoding.detect(prefix)
      guard detected.name.hasPrefix("UTF-16") || detected.name.hasPrefix("UTF-32") else {
        return .binary("binary (NUL bytes)")
      }
      return .text
    }
    switch format {
    case .jsonl: return .jsonLines
    case .text: return .text
    case .auto:
      return isJSONLinesName(name) || looksLikeJSONLines(Array(body), complete: complete) ? .jsonLines : .text
    }
  }

  /// The JSON Lines rule of ``InputKind`` (rule 5) on the first bytes of an input.
  static func looksLikeJSONLines(_ bytes: [UInt8], complete: Bool) -> Bool {
    bytes.withUnsafeBufferPointer { all in
      var start = 0
      var checked = 0
      while start < all.count && checked < linesChecked {
        var end = start
        while end < all.count && all[end] != 0x0A { end += 1 }
        let line = UnsafeBufferPointer(rebasing: all[start..<end])
        let isLast = end == all.count
        start = end + 1
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
        if isLast && !complete {
          // A line cut by the end of the sniffed bytes: a first line counts by its
          // start, a later one is not checked.
          guard checked == 0 else { return true }
          let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 }
          guard trimmed.first == UInt8(ascii: "{") else { return false }
          return trimmed.dropFirst().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }.first == UInt8(ascii: "\"")
        }
        guard JSONLine.isObject(line) else { return false }
        checked += 1
      }
      return checked > 0
    }
  }
}
