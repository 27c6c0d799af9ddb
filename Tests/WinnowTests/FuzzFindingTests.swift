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
    let file = try Self.indexFile("index/finding-input-number-overflow")
    #expect(throws: CorpusDeduplicator.IndexError.self) { try CorpusDeduplicator(serialized: file) }
  }

  /// A fuzz input with a valid header and checksum added, as the index target makes it.
  static func indexFile(_ name: String) throws -> [UInt8] {
    let input = try [UInt8](Data(contentsOf: seeds.appendingPathComponent(name)))
    var file = Array("WINNOWDX".utf8) + [1, 0, 0, 0] + input
    let sum = checksum(file)
    file += (0..<8).map { UInt8(truncatingIfNeeded: sum >> (8 * $0)) } + Array("WINNOWDX".utf8)
    return file
  }

  /// Every index that loads saves to bytes that load to the same index.
  @Test func indexThatLoadsRoundTrips() throws {
    let file = try Self.indexFile("index/finding-round-trip")
    guard let index = try? CorpusDeduplicator(serialized: file) else { return }
    let saved = index.serialized()
    let loaded = try CorpusDeduplicator(serialized: saved)
    #expect(loaded.serialized() == saved)
  }
}
