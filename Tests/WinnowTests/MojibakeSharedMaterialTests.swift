import Foundation
import Testing
import Winnow

/// The repair on the real material in ../shared/data/mojibake (optional): a fixed,
/// seeded sample of its correct lines and of its misread lines, held to the rates that
/// issue 16 asks for. `Benchmarks/mojibake_real.py` measures all of it.
@Suite struct MojibakeSharedMaterialTests {
  static let directory: URL? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
      directory = directory.deletingLastPathComponent()
      let candidate = directory.appendingPathComponent("shared/data/mojibake")
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("negatives.txt").path) {
        return candidate
      }
    }
    return nil
  }()

  static var hasMaterial: Bool { directory != nil }

  /// The lines of a file of the material, split on line feeds only (lines may hold
  /// U+0085 and other breaks).
  static func lines(_ name: String) throws -> [Substring] {
    let url = try #require(directory).appendingPathComponent(name)
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  /// Every `step`-th index, from a seeded start in each block.
  static func sample(_ count: Int, step: Int, seed: UInt64) -> [Int] {
    var random = SeededRandom(seed: seed)
    return stride(from: 0, to: count, by: step).compactMap { block in
      let index = block + Int(random.next() % UInt64(step))
      return index < count ? index : nil
    }
  }

  @Test(.enabled(if: hasMaterial, "needs ../shared/data/mojibake"))
  func correctLinesStay() throws {
    let negatives = try Self.lines("negatives.txt")
    let sources = try Self.lines("negatives.meta.tsv").map { $0.split(separator: "\t").first.map(String.init) ?? "" }
    try #require(negatives.count == sources.count)
    let repair = MojibakeRepair()
    var real = 0
    var synthetic = 0
    var realFalse: [String] = []
    var syntheticFalse = 0
    for index in Self.sample(negatives.count, step: 8, seed: 16) {
      let line = String(negatives[index])
      let changed = !repair.repair(line).fixes.isEmpty
      if sources[index] == "synthetic" {
        synthetic += 1
        if changed { syntheticFalse += 1 }
      } else {
        real += 1
        if changed { realFalse.append(line) }
      }
    }
    #expect(real > 30_000)
    // At most 5 per million real lines, at most 0.5% of the synthetic brand-name lines.
    #expect(realFalse.count <= real * 5 / 1_000_000, "\(realFalse.count) of \(real): \(realFalse.prefix(5))")
    #expect(syntheticFalse * 200 <= synthetic, "\(syntheticFalse) of \(synthetic)")
  }

  @Test(.enabled(if: hasMaterial, "needs ../shared/data/mojibake"))
  func misreadLinesAreRepaired() throws {
    let rows = try Self.lines("positives.tsv")
    let meta = try Self.lines("positives.meta.tsv")
    try #require(rows.count == meta.count)
    let repair = MojibakeRepair()
    var repaired = 0
    var wrong: [String] = []
    let indices = Self.sample(rows.count, step: 4, seed: 16)
    for index in indices {
      let fields = rows[index].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      let marked = meta[index].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      try #require(fields.count == 2 && marked.count >= 4)
      let output = repair.repaired(fields[0])
      // String equality is canonical equivalence, as the benchmark's NFC comparison.
      if output == fields[1] || (marked[3] != "-" && output == marked[3]) {
        repaired += 1
      } else if output != fields[0] {
        wrong.append("\(fields[0]) -> \(output)")
      }
    }
    #expect(indices.count > 5_000)
    // At least 95% repaired, at most 1% made wrong.
    #expect(repaired * 100 >= indices.count * 95, "\(repaired) of \(indices.count)")
    #expect(wrong.count * 100 <= indices.count, "\(wrong.count) of \(indices.count): \(wrong.prefix(5))")
  }
}
