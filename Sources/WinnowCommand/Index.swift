import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

struct Index: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Inspect and combine deduplication indexes (made with --index).",
    subcommands: [Merge.self, Info.self, Export.self, Build.self]
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
      let memory = deduplicator.memoryBytes
      let paragraphs = deduplicator.paragraphIndexBytes
      let shingles = deduplicator.shingleStoreBytes
      print(
        "memory when loaded: \(memory) bytes (paragraph table \(paragraphs), shingles \(shingles), "
          + "the rest \(memory - paragraphs - shingles))")
      print("options: \(DedupFlags.describe(deduplicator.options))")
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write an index's kept documents and paragraph holders as records, for a distributed run.",
      discussion: """
        Writes the kept documents as 'winnow fingerprint' records with "n" (their input numbers) and "kept": true, and each paragraph key with the kept document holding it first, {"k": key, "n": number, "id": id}, then prints {"documents": N}, the documents the index has seen: a distributed run numbers its documents from N, as if they came after the index's (see Integrations/spark/README.md).

        Example (from the repository root):
          winnow dedup Examples/Corpus/pages.jsonl --index /tmp/p.idx -o /dev/null
          winnow index export /tmp/p.idx --documents /tmp/k --paragraphs /tmp/h
        """
    )

    @Argument(help: "The index.")
    var index: String

    @Option(help: "Write the kept documents' records here.")
    var documents: String

    @Option(help: "Write the paragraph holders here.")
    var paragraphs: String

    func run() throws {
      let deduplicator = try Index.load(index)
      var records: [UInt8] = []
      for (ordinal, kept) in deduplicator.keptDocuments.enumerated() {
        var record = FingerprintRecord(kept.fingerprint, ordinal: ordinal, id: kept.id)
        record.inputNumber = kept.inputNumber
        record.kept = true
        record.encodedLine(into: &records)
      }
      var holders: [UInt8] = []
      for holder in deduplicator.paragraphHolders {
        holders += Array(
          "{\"k\":\"\(FingerprintRecord.hexKey(holder.key))\",\"n\":\(holder.keptInputNumber),\"id\":\(JSONLine.quoted(holder.keptID))}\n"
            .utf8)
      }
      do throws(OutputFile.Failure) {
        try OutputFile.write(records, to: documents)
        try OutputFile.write(holders, to: paragraphs)
      } catch {
        Diagnostics.error(error.message)
        throw ExitCode.failure
      }
      print("{\"documents\":\(deduplicator.documentCount)}")
    }
  }

  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Make an index from the kept documents and paragraph holders of a distributed run.",
      discussion: """
        Reads kept documents as 'winnow fingerprint' records with "n", in input-number order, and paragraph holders {"k": key, "n": the number of the kept document holding it first}, and writes the index that one run keeping those documents would leave: the same decisions for what comes next (the tables may hold fewer keys than the run's, which also kept keys of documents it dropped).

        Example (from the repository root):
          winnow dedup Examples/Corpus/pages.jsonl --index /tmp/p.idx -o /dev/null
          winnow index export /tmp/p.idx --documents /tmp/k --paragraphs /tmp/h
          winnow index build --documents /tmp/k --paragraphs /tmp/h --seen 6 -o /tmp/b
        """
    )

    @Option(help: "The kept documents' records, in input-number order.")
    var documents: String

    @Option(help: "The paragraph holders.")
    var paragraphs: String

    @Option(help: "The documents the run saw, kept or not (the next input number).")
    var seen: Int

    @Option(name: .shortAndLong, help: "The index to write (atomically).")
    var output: String

    @OptionGroup var dedup: DedupFlags

    func run() throws {
      var deduplicator = CorpusDeduplicator(dedup.options)
      let decoder = JSONDecoder()
      var last = -1
      try InputReader.eachLine(documents) { line, _ in
        guard let record = try? decoder.decode(FingerprintRecord.self, from: line), let n = record.inputNumber,
          n > last, let bytes = Data(base64Encoded: record.fingerprint),
          let fingerprint = try? deduplicator.fingerprint(serialized: bytes)
        else {
          return "not a kept document's record with a growing \"n\" (made with these options?)"
        }
        last = n
        deduplicator.keep(fingerprint, id: record.id, inputNumber: n)
        return nil
      }
      struct Holder: Decodable {
        var k: String
        var n: Int
      }
      try InputReader.eachLine(paragraphs) { line, _ in
        guard let holder = try? decoder.decode(Holder.self, from: line), let key = UInt64(holder.k, radix: 16),
          deduplicator.holdParagraph(key, keptInputNumber: holder.n)
        else { return "not a paragraph holder of a kept document {\"k\": KEY, \"n\": number}" }
        return nil
      }
      deduplicator.countDocuments(seen)
      do throws(OutputFile.Failure) {
        try OutputFile.write(deduplicator.serialized(), to: output)
      } catch {
        Diagnostics.error(error.message)
        throw ExitCode.failure
      }
    }
  }
}
