// libFuzzer target: the normalizer on raw bytes, in every profile and with the
// mojibake repair. A failed precondition is a finding. See Tests/Fuzz/run.sh.
import Winnow

let normalizers =
  NormalizationOptions.Profile.allCases.map { TextNormalizer(profile: $0) }
  + [TextNormalizer(NormalizationOptions(mojibakeMinimumScore: 1))]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNormalizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  for normalizer in normalizers {
    let result = normalizer.normalize(utf8Buffer: bytes, recordingEdits: true)
    precondition(String(validating: result.utf8, as: UTF8.self) != nil, "output is not valid UTF-8")
    precondition(result.applyingEdits(to: bytes) == result.utf8, "the edits do not reproduce the output")
    precondition(result.isUnchanged == result.utf8.elementsEqual(bytes), "isUnchanged is wrong")
    precondition(normalizer.normalize(utf8Buffer: bytes).utf8 == result.utf8, "recording edits changed the output")
    let again = normalizer.normalize(utf8: result.utf8)
    precondition(again.utf8 == result.utf8 && again.isUnchanged, "not idempotent")
    for fix in result.repairs {
      precondition(fix.input.upperBound <= size && !fix.replacement.isEmpty, "a repair outside the input")
    }
  }
  return 0
}
