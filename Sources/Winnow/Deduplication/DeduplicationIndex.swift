/// Saving, loading and merging what a ``CorpusDeduplicator`` has seen, so that
/// tomorrow's crawl is deduplicated against today's, and shards processed apart can be
/// combined.
///
/// The file format is described in <doc:IndexFileFormat>; a file that does not hold
/// together is refused with an ``IndexError``.
extension CorpusDeduplicator {
  /// Why an index could not be loaded or merged: a ``Code`` to match on, and a
  /// sentence.
  public struct IndexError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The kinds of failure.
    public enum Code: Sendable, Hashable {
      /// The bytes do not start with the index file's magic.
      case notAnIndex
      /// The index is of a format version this Winnow does not read: rebuild it.
      case unsupportedVersion
      /// The file ends before its trailer.
      case truncated
      /// The checksum or the structure does not hold: the file is damaged.
      case damaged
      /// The two indexes of a merge were made with different options.
      case incompatibleOptions
    }

    /// What kind of failure this is.
    public var code: Code
    /// What is wrong, in a sentence.
    public var description: String
  }

  static let magic = Array("WINNOWDX".utf8)
  static let formatVersion: UInt32 = 2

  /// Everything this deduplicator has seen, in the index file format.
  public func serialized() -> [UInt8] {
    var writer = IndexWriter()
    writer.bytes(Self.magic)
    writer.u32(Self.formatVersion)
    writer.u32(
      (options.exactDocuments ? 1 : 0) | (options.nearDuplicates ? 2 : 0) | (options.repeatedParagraphs ? 4 : 0))
    for value in [
      options.minimumParagraphWords, options.shingleSize, options.signatureSize, options.bands, options.rows,
    ] {
      writer.u32(UInt32(value))
    }
    writer.u64(options.similarityThreshold.bitPattern)
    writer.u32(UInt32(options.maximumNewTokens))
    for count in [documentCount, keptIDs.count, exactIndex.count, bandIndex.count, paragraphIndex.count] {
      writer.u64(UInt64(count))
    }
    for (index, id) in keptIDs.enumerated() {
      writer.u64(UInt64(keptInputNumbers[index]))
      writer.u64(exactCheck[index])
      let bytes = Array(id.utf8)
      writer.u32(UInt32(bytes.count))
      writer.bytes(bytes)
    }
    for value in signatures { writer.u32(value) }
    for value in bandChain { writer.u32(value) }
    if options.nearDuplicates {
      for index in 0..<shingleStore.count {
        writer.u32(UInt32(shingleStore.tokenCount(of: index)))
        let packed = shingleStore.packed(index)
        writer.u32(UInt32(packed.count / 3))
        writer.data += packed
      }
    }
    for table in [exactIndex, bandIndex, paragraphIndex] {
      // Sorted by key: the same entries give the same file, whatever order they were
      // inserted in (a loaded index lays its table out anew).
      var entries: [(key: UInt64, value: UInt32)] = []
      entries.reserveCapacity(table.count)
      table.forEach { key, value in entries.append((key, value)) }
      entries.sort { $0.key < $1.key }
      for (key, value) in entries {
        writer.u64(key)
        writer.u32(value)
      }
    }
    writer.u64(checksum(writer.data))
    writer.bytes(Self.magic)
    return writer.data
  }

  /// A deduplicator that has seen what the index in `bytes` records. `options` are
  /// those it was made with, except the similarity threshold and the maximum new
  /// tokens of a near copy, which are taken from `threshold` and `maximumNewTokens`
  /// when given.
  public init(
    serialized bytes: [UInt8], similarityThreshold threshold: Double? = nil, maximumNewTokens: Int? = nil
  ) throws(IndexError) {
    var reader = IndexReader(bytes: bytes)
    guard bytes.count >= 16, Array(bytes.prefix(8)) == Self.magic else {
      throw IndexError(code: .notAnIndex, description: "not a Winnow index (no WINNOWDX header)")
    }
    reader.position = 8
    let version = try reader.u32()
    guard version == Self.formatVersion else {
      throw IndexError(
        code: .unsupportedVersion,
        description:
          "index format version \(version); this Winnow reads version \(Self.formatVersion) (rebuild the index from its inputs)"
      )
    }
    guard bytes.count >= 24 + 8, Array(bytes.suffix(8)) == Self.magic else {
      throw IndexError(code: .truncated, description: "the index is cut short (no trailer)")
    }
    let body = bytes.count - 16
    let stored = bytes[body..<body + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard stored == checksum(bytes[..<body]) else {
      throw IndexError(code: .damaged, description: "the index is damaged (checksum mismatch)")
    }
    let flags = try reader.u32()
    var numbers: [Int] = []
    for _ in 0..<5 { numbers.append(Int(try reader.u32())) }
    guard numbers.allSatisfy({ (1...65536).contains($0) }) else {
      throw IndexError(code: .damaged, description: "the index is damaged (options out of range)")
    }
    let savedThreshold = Double(bitPattern: try reader.u64())
    let savedNewTokens = Int(try reader.u32())
    self.init(
      Options(
        exactDocuments: flags & 1 != 0, nearDuplicates: flags & 2 != 0, repeatedParagraphs: flags & 4 != 0,
        minimumParagraphWords: numbers[0], similarityThreshold: threshold ?? savedThreshold,
        maximumNewTokens: maximumNewTokens ?? savedNewTokens, shingleSize: numbers[1],
        signatureSize: numbers[2], bands: numbers[3], rows: numbers[4]))
    var counts: [Int] = []
    for _ in 0..<5 { counts.append(try reader.count(limit: bytes.count)) }
    documentCount = counts[0]
    let kept = counts[1]
    keptIDs.reserveCapacity(kept)
    for _ in 0..<kept {
      // An input number counts documents seen: anything else is damage (and must not
      // trap converting to Int, or overflow when indexes merge).
      let inputNumber = try reader.u64()
      guard inputNumber < UInt64(documentCount) else {
        throw IndexError(
          code: .damaged, description: "the index is damaged (document number \(inputNumber) of \(documentCount))")
      }
      keptInputNumbers.append(Int(inputNumber))
      exactCheck.append(try reader.u64())
      let length = Int(try reader.u32())
      keptIDs.append(String(decoding: try reader.bytes(length), as: UTF8.self))
      identifierBytes += length > 15 ? length : 0
    }
    signatures = try reader.u32s(kept * options.signatureSize)
    bandChain = try reader.u32s(kept * options.bands)
    if options.nearDuplicates {
      for _ in 0..<kept {
        let tokenCount = Int(try reader.u32())
        let count = Int(try reader.u32())
        guard count <= max(tokenCount, 1) else {
          throw IndexError(code: .damaged, description: "the index is damaged (shingle count)")
        }
        shingleStore.append(packed: try reader.bytes(3 * count), tokenCount: tokenCount)
      }
    }
    exactIndex = FingerprintIndex(minimumCapacity: counts[2], compact: false)
    bandIndex = FingerprintIndex(minimumCapacity: max(counts[3], 1 << 16), compact: false)
    paragraphIndex = FingerprintIndex(minimumCapacity: counts[4])
    for (table, count) in [(0, counts[2]), (1, counts[3]), (2, counts[4])] {
      for _ in 0..<count {
        let key = try reader.u64()
        let value = try reader.u32()
        guard value == .max || Int(value) < kept else {
          throw IndexError(
            code: .damaged, description: "the index is damaged (an entry names document \(value) of \(kept))")
        }
        switch table {
        case 0: _ = exactIndex.valueOrInsert(key, value)
        case 1: _ = bandIndex.valueOrInsert(key, value)
        default: _ = paragraphIndex.valueOrInsert(key, value)
        }
      }
    }
    guard reader.position == body else {
      throw IndexError(code: .damaged, description: "the index is damaged (unexpected length)")
    }
  }

  /// Adds what `other` has seen, as if its documents had come after this one's: each
  /// of its kept documents is decided again against this index (exact and near
  /// duplicates of documents here are left out), and its paragraphs are added unless
  /// this index has them or they belong to a document left out. Decisions made with
  /// the result are those of one run over both inputs, except that a paragraph first
  /// held by a document of `other` that is left out is not remembered even if a later
  /// document of `other` holds it too (nothing more is removed than that run would).
  public mutating func merge(_ other: CorpusDeduplicator) throws(IndexError) {
    let mine = options
    let theirs = other.options
    guard
      mine.shingleSize == theirs.shingleSize && mine.signatureSize == theirs.signatureSize
        && mine.bands == theirs.bands && mine.rows == theirs.rows
        && mine.minimumParagraphWords == theirs.minimumParagraphWords
        && mine.exactDocuments == theirs.exactDocuments && mine.nearDuplicates == theirs.nearDuplicates
        && mine.repeatedParagraphs == theirs.repeatedParagraphs
    else {
      throw IndexError(
        code: .incompatibleOptions,
        description:
          "the indexes were made with different options (shingle size, signature size, bands, rows, minimum paragraph words or steps)"
      )
    }
    // The first exact hash of each of other's kept documents.
    var firstHash = [UInt64?](repeating: nil, count: other.keptIDs.count)
    other.exactIndex.forEach { key, value in
      if value != .max { firstHash[Int(value)] = key }
    }
    let offset = documentCount
    var newOrdinal = [UInt32?](repeating: nil, count: other.keptIDs.count)
    let bins = options.signatureSize
    for index in other.keptIDs.indices {
      let exact = firstHash[index].map { ($0, other.exactCheck[index]) }
      let signature = options.nearDuplicates ? Array(other.signatures[index * bins..<(index + 1) * bins]) : []
      let bandKeys = options.nearDuplicates ? (0..<options.bands).map { bandKey(signature, $0) } : []
      let ordinal = UInt32(keptIDs.count)
      let emptyText = options.nearDuplicates && signature.allSatisfy { $0 == 0 }
      let shingles = options.nearDuplicates ? other.shingleStore.packed(index) : []
      let tokenCount = options.nearDuplicates ? other.shingleStore.tokenCount(of: index) : 0
      if enter(
        exact: exact, signature: emptyText ? [] : signature, bandKeys: emptyText ? [] : bandKeys,
        shingles: shingles, tokenCount: tokenCount, id: other.keptIDs[index],
        inputNumber: offset + other.keptInputNumbers[index]
      ).0 == nil {
        newOrdinal[index] = ordinal
      }
    }
    other.paragraphIndex.forEach { key, value in
      guard value != .max, let ordinal = newOrdinal[Int(value)] else { return }
      _ = paragraphIndex.valueOrInsert(key, ordinal)
    }
    documentCount += other.documentCount
  }
}

/// A 64-bit checksum (FNV-1a over 8-byte words, then mixed).
package func checksum(_ bytes: some Collection<UInt8>) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
  return TokenizedText.mix(hash)
}

private struct IndexWriter {
  var data: [UInt8] = []
  mutating func bytes(_ bytes: [UInt8]) { data += bytes }
  mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data += $0 } }
  mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { data += $0 } }
}

private struct IndexReader {
  let bytes: [UInt8]
  var position = 0

  mutating func bytes(_ count: Int) throws(CorpusDeduplicator.IndexError) -> ArraySlice<UInt8> {
    guard count >= 0, position + count <= bytes.count - 16 else {
      throw CorpusDeduplicator.IndexError(code: .truncated, description: "the index is damaged (cut short)")
    }
    defer { position += count }
    return bytes[position..<position + count]
  }

  mutating func u32() throws(CorpusDeduplicator.IndexError) -> UInt32 {
    let slice = try bytes(4)
    return slice.reversed().reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func u64() throws(CorpusDeduplicator.IndexError) -> UInt64 {
    let slice = try bytes(8)
    return slice.reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// A count that cannot exceed what the file could hold.
  mutating func count(limit: Int) throws(CorpusDeduplicator.IndexError) -> Int {
    let value = try u64()
    guard value <= UInt64(limit) else {
      throw CorpusDeduplicator.IndexError(code: .damaged, description: "the index is damaged (a count of \(value))")
    }
    return Int(value)
  }

  mutating func u32s(_ count: Int) throws(CorpusDeduplicator.IndexError) -> [UInt32] {
    let slice = try bytes(count * 4)
    return slice.withUnsafeBytes { raw in
      (0..<count).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
    }
  }
}
