// Writing the repaired text and its fixes.
extension MojibakeScanner {
  func write() -> MojibakeRepair.Result {
    var output: [UInt8] = []
    output.reserveCapacity(end)
    var fixes: [MojibakeRepair.Fix] = []
    fixes.reserveCapacity(accepted.count)
    var position = 0
    for piece in accepted {
      output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: piece.range.lowerBound - position))
      let outputStart = output.count
      output.append(contentsOf: piece.bytes)
      fixes.append(
        MojibakeRepair.Fix(
          input: piece.range, output: outputStart..<output.count,
          original: String(
            decoding: UnsafeBufferPointer(start: input + piece.range.lowerBound, count: piece.range.count),
            as: UTF8.self),
          replacement: String(decoding: piece.bytes, as: UTF8.self),
          encodings: piece.names.reversed(), score: piece.score))
      position = piece.range.upperBound
    }
    output.append(contentsOf: UnsafeBufferPointer(start: input + position, count: end - position))
    return MojibakeRepair.Result(utf8: output, fixes: fixes)
  }
}
