import ArgumentParser
import Foundation
import Winnow

struct Index: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Inspect and combine deduplication indexes (made with --index).",
    subcommands: [Merge.self, Info.self]
  )

  /// The index at `path`, or exit with status 1 and a clear message.
  static func load(_ path: String) throws -> CorpusDeduplicator {
    guard let data = FileManager.default.contents(atPath: path) else {
      Diagnostics.error("cannot read the index \(path): \(String(cString: strerror(errno)))")
      throw ExitCode.failure
    }
    do {
      return try CorpusDeduplicator(serialized: [UInt8](data))
    } catch {
      Diagnostics.error("cannot use the index \(path): \(error)")
      throw ExitCode.failure
    }
  }

  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Combine indexes of shards into one, as if the shards had been read in this order.",
      discussion: """
        Each index after the first is added as if its documents came after those of the indexes before it: its kept documents are decided again (a document that duplicates one of an earlier index is left out, and so are its paragraphs), and its paragraphs are added unless an earlier index has them. The indexes must have been made with the same options. The output is written under a temporary name and renamed when complete.

        Example (from the repository root):
          winnow dedup Examples/Corpus/pages.jsonl --index /tmp/a.index -o /dev/null
          winnow dedup Examples/Corpus/duplicated-body.txt --index /tmp/b.index
          winnow index merge /tmp/a.index /tmp/b.index -o /tmp/merged.index
        """
    )

    @Argument(help: "Indexes to merge, in order.")
    var indexes: [String]

    @Option(name: .shortAndLong, help: "The merged index (may be one of the inputs: it is replaced when complete).")
    var output: String

    func validate() throws {
      guard indexes.count >= 2 else { throw ValidationError("give at least two indexes to merge.") }
    }

    func run() throws {
      var merged = try Index.load(indexes[0])
      for path in indexes.dropFirst() {
        let next = try Index.load(path)
        do {
          try merged.merge(next)
        } catch {
          Diagnostics.error("cannot merge \(path) into \(indexes[0]): \(error)")
          throw ExitCode.failure
        }
      }
      do throws(OutputFile.Failure) {
        try OutputFile.write(merged.serialized(), to: output)
      } catch {
        Diagnostics.error(error.message)
        throw ExitCode.failure
      }
      Diagnostics.note(
        "\(output): \(merged.documentCount) documents seen, \(merged.keptIDs.count) kept, \(merged.paragraphCount) distinct paragraphs"
      )
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print what an index holds and the options it was made with.",
      discussion: "Example:\n  winnow index info crawl.index")

    @Argument(help: "The index.")
    var index: String

    func run() throws {
      let deduplicator = try Index.load(index)
      print("documents seen: \(deduplicator.documentCount)")
      print("documents kept: \(deduplicator.keptIDs.count)")
      print("distinct paragraphs: \(deduplicator.paragraphCount)")
      print("options: \(DedupFlags.describe(deduplicator.options))")
    }
  }
}
