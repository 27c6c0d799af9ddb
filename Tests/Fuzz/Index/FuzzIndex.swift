// libFuzzer target: the deduplication index loader. Any bytes load or are refused
// with an error; an index that loads saves to bytes that load to the same index. A
// crash or a failed precondition is a finding. See Tests/Fuzz/run.sh.
import Winnow

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  check(input)
  // The input as the body of a file with a valid header and checksum, so that the
  // loader's reading of the body is reached, not only the checksum's refusal.
  var file = Array("WINNOWDX".utf8) + [1, 0, 0, 0] + input
  let sum = checksum(file)
  file += (0..<8).map { UInt8(truncatingIfNeeded: sum >> (8 * $0)) } + Array("WINNOWDX".utf8)
  check(file)
  return 0
}

func check(_ bytes: [UInt8]) {
  guard let index = try? CorpusDeduplicator(serialized: bytes) else { return }
  let saved = index.serialized()
  let loaded = try? CorpusDeduplicator(serialized: saved)
  precondition(loaded?.serialized() == saved, "a loaded index does not save and load the same")
}
