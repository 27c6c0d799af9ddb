import Foundation
import Winnow
import WinnowCorpus

// clean-corpus IN.jsonl OUT.jsonl [THREADS]: what `winnow clean IN.jsonl -o OUT.jsonl`
// writes, the same bytes, cleaned and deduplicated on THREADS threads (default: all).
func report(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
let arguments = CommandLine.arguments
guard arguments.count >= 3, FileManager.default.createFile(atPath: arguments[2], contents: nil),
  let output = FileHandle(forWritingAtPath: arguments[2])
else {
  report("usage: clean-corpus IN.jsonl OUT.jsonl [THREADS] (OUT must be writable)")
  exit(64)
}
let threads = arguments.count > 3 ? Int(arguments[3]) : nil
var pipeline = CorpusPipeline(
  cleaner: DocumentCleaner(), options: .init(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount))
do {
  let summary = try pipeline.run(JSONLinesFile(path: arguments[1])) {
    output.write(Data($0))
  } problems: {
    report("skipped: \($0)")
  }
  let dropped = summary.exactDuplicates + summary.nearDuplicates
  report("\(summary.documents) documents; duplicates dropped: \(dropped); repeats removed: \(summary.repeatsRemoved)")
} catch {
  report("clean-corpus: \(error)")
  exit(1)
}
