// libFuzzer target: the repeated-block finder. Removed spans lie in the input, keep
// the copy they repeat (which comes first), and are exactly what the output lacks;
// cleaning the output again removes nothing; and a text made of distinct words loses
// nothing. A failed precondition is a finding. See Tests/Fuzz/run.sh.
import Winnow

let finder = RepeatFinder()
let minimal = TextNormalizer(profile: .minimal)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRepeats(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = minimal.normalize(utf8Buffer: UnsafeBufferPointer(start: data, count: size)).utf8
  let removal = finder.removingRepeats(utf8: input)
  var kept: [UInt8] = []
  var position = 0
  for span in removal.removed where span.pass == 1 {
    precondition(span.utf8.lowerBound >= position && span.utf8.upperBound <= input.count, "spans out of order")
    precondition(span.repeats.upperBound <= span.utf8.lowerBound, "a removed span does not follow what it repeats")
    precondition((0...1).contains(span.similarity) && span.tokenCount > 0, "a span without tokens or similarity")
    kept += input[position..<span.utf8.lowerBound]
    position = span.utf8.upperBound
  }
  kept += input[position...]
  if removal.removed.allSatisfy({ $0.pass == 1 }) {
    precondition(kept == removal.utf8, "the output is not the input without the removed spans")
  }
  precondition(String(validating: removal.utf8, as: UTF8.self) != nil, "output is not valid UTF-8")
  precondition(finder.removingRepeats(utf8: removal.utf8).removed.isEmpty, "cleaning twice removes more")
  // The same layout of lines and spaces with every word distinct: nothing repeats.
  var distinct: [UInt8] = []
  for (index, byte) in input.enumerated() {
    switch byte {
    case 0x0A: distinct.append(0x0A)
    case 0x20: distinct.append(0x20)
    default: if index % 3 == 0 { distinct += Array("w\(index) ".utf8) }
    }
  }
  precondition(finder.removingRepeats(utf8: distinct).removed.isEmpty, "removed from text without repeats")
  return 0
}
