import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

enum InputFormat: String, ExpressibleByArgument, CaseIterable {
  /// JSON Lines for `.jsonl` and `.ndjson` files, plain text otherwise.
  case auto
  /// A file is one document.
  case text
  /// One JSON object per line; the document is one string field.
  case jsonl
}

/// Options shared by the commands that process many documents.
struct CorpusFlags: ParsableArguments {
  @Argument(help: "Files and folders to read (folders recursively); '-' or nothing reads standard input.")
  var inputs: [String] = []

  @Option(name: .shortAndLong, help: "Write all output here (atomically) instead of standard output.")
  var output: String?

  @Option(help: "Write one output file per input file into this folder, under the input's relative path.")
  var outputDir: String?

  @Option(help: "Input format: auto (JSON Lines for .jsonl and .ndjson), text or jsonl.")
  var format: InputFormat = .auto

  @Option(
    help: ArgumentHelp(
      "The JSON Lines member that holds the text.",
      discussion:
        "A dotted path names a member of nested objects: meta.content is the member content of the object in meta. A dot inside a name is written \\. (and a backslash \\\\)."
    ))
  var field: String = "text"

  @Option(
    help: "The JSON Lines member that holds each document's id, reported in --explain (a dotted path like --field).")
  var idField: String = "id"

  @Option(
    help: ArgumentHelp(
      "Encoding of text files: auto, or a name such as windows-1252, ISO-8859-2, Shift_JIS, GBK, UTF-16LE.",
      discussion:
        "auto: a byte order mark, else UTF-8 (also with a few invalid sequences, which are replaced and counted), else ICU's charset detector. JSON Lines are UTF-8 by definition."
    ))
  var encoding: String = "auto"

  @Option(
    help: ArgumentHelp(
      "How documents are written: auto (text files as text, JSON Lines and WARC records as JSON Lines) or jsonl.",
      discussion:
        "jsonl writes every text file as a JSON Lines record too, {\"id\": its path relative to the input, \"text\": ...}, so that a folder of text files becomes one corpus: winnow clean articles/ -o corpus.jsonl.zst"
    ))
  var outputFormat: OutputFormat = .auto

  @Option(
    help: ArgumentHelp(
      "Compression of the outputs: auto, none, gzip, zstd, bzip2 or xz.",
      discussion:
        "auto compresses an output whose name ends in .gz, .zst, .bz2 or .xz, and each file of --output-dir as its input was compressed. Compressed inputs are recognized by their first bytes, whatever their name."
    ))
  var compress: CompressionChoice = .auto

  @Option(help: "Threads that process documents (default: every core). With 1, one thread also reads and writes.")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Stop at the first input that cannot be read or parsed (exit status 2).")
  var strict = false

  @Option(help: "Documents of more bytes than this are reported and not processed: see --oversize.")
  var maxDocumentBytes: Int?

  @Option(help: "What happens to a document over --max-document-bytes: pass (written unchanged) or skip.")
  var oversize: Oversize = .pass

  @Flag(name: .shortAndLong, help: "Print no progress and no summary on standard error.")
  var quiet = false

  @Option(
    help: ArgumentHelp(
      "Read only the lines that start in this byte range of one JSON Lines file: START:END (END excluded).",
      discussion:
        "A bound inside a line moves to the start of the next line, so that ranges that meet read every line once: how an engine splits a file between machines without decoding it (see Integrations/spark). An uncompressed file only."
    ))
  var range: ByteRange?

  @Option(help: "The number of the first line read, for messages and ids (with --range: its line in the whole file).")
  var firstLine: Int = 1

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1.") }
    if let maxDocumentBytes, maxDocumentBytes < 1 {
      throw ValidationError("--max-document-bytes must be at least 1.")
    }
    guard output == nil || outputDir == nil else {
      throw ValidationError("--output and --output-dir cannot be used together.")
    }
    guard JSONLine.FieldPath(field) != nil else {
      throw ValidationError("--field must name a member: no empty names between dots.")
    }
    guard JSONLine.FieldPath(idField) != nil else {
      throw ValidationError("--id-field must name a member: no empty names between dots.")
    }
    guard firstLine >= 1 else { throw ValidationError("--first-line must be at least 1.") }
    if range != nil && inputs.count != 1 { throw ValidationError("--range reads one file: give exactly one input.") }
    guard encoding == "auto" || TextEncoding.isAvailable(encoding) else {
      throw ValidationError("unknown encoding \(encoding): ICU has no converter by that name.")
    }
  }
}

/// How documents are written.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  /// Text files as text, JSON Lines and WARC records as JSON Lines.
  case auto
  /// Every document as a JSON Lines record.
  case jsonl
}

/// The compression of outputs.
enum CompressionChoice: String, ExpressibleByArgument, CaseIterable {
  case auto, none, gzip, zstd, bzip2, xz

  /// The compression of an output named `name` ("-": standard output).
  func compression(forName name: String) -> Compression? {
    switch self {
    case .auto: Compression(fileName: name)
    case .none: nil
    default: Compression(rawValue: rawValue)
    }
  }

  /// The compression of the --output-dir file of an input compressed with `input`.
  func compression(forInput input: Compression?) -> Compression? {
    self == .auto ? input : compression(forName: "")
  }
}

/// What happens to a document over --max-document-bytes.
enum Oversize: String, ExpressibleByArgument, CaseIterable {
  case pass, skip
}

/// A byte range of a file, given as START:END.
struct ByteRange: ExpressibleByArgument {
  var range: Range<Int>

  init?(argument: String) {
    let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let start = Int(parts[0]), let end = Int(parts[1]), start >= 0, end >= start else {
      return nil
    }
    range = start..<end
  }
}
