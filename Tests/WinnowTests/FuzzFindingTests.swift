import Foundation
import Testing
import Winnow

/// Inputs that the libFuzzer targets (Tests/Fuzz) found, kept as regression tests that
/// run with every `swift test`.
@Suite struct FuzzFindingTests {
  static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fuzz/Seeds")

  /// The index target wraps its input in a valid header and checksum; an index whose
  /// kept document had an input number beyond Int.max trapped when it was loaded.
  @Test func indexWithAnImpossibleDocumentNumberIsRefused() throws {
    let input = try [UInt8](Data(contentsOf: Self.seeds.appendingPathComponent("index/finding-input-number-overflow")))
    var file = Array("WINNOWDX".utf8) + [1, 0, 0, 0] + input
    let sum = checksum(file)
    file += (0..<8).map { UInt8(truncatingIfNeeded: sum >> (8 * $0)) } + Array("WINNOWDX".utf8)
    #expect(throws: CorpusDeduplicator.IndexError.self) { try CorpusDeduplicator(serialized: file) }
  }
}
