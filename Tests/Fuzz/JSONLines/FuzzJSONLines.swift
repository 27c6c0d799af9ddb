// libFuzzer target: the JSON Lines reader. Every line parses or fails with a reason
// and a column inside the line; a parsed line's text can be written back and read
// again. A crash or a failed precondition is a finding. See Tests/Fuzz/run.sh.
import WinnowCorpus

let field = Array("text".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLines(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
    let copy = Array(line)
    copy.withUnsafeBufferPointer { buffer in
      do throws(JSONLine.Failure) {
        let record = try JSONLine.parse(buffer, field: field)
        precondition(record.valueRange.upperBound <= buffer.count, "the value lies outside the line")
        var output: [UInt8] = []
        record.appendReplacingText(in: buffer, with: record.text, to: &output)
        let again = output.withUnsafeBufferPointer { try? JSONLine.parse($0, field: field) }
        precondition(again?.text == record.text, "a line written back does not read the same")
      } catch {
        precondition(!error.reason.isEmpty && error.column >= 0 && error.column <= buffer.count + 1, "a bad failure")
      }
    }
  }
  return 0
}
