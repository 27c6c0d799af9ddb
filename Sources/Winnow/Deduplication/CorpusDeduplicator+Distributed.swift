/// What deduplication on a distributed engine needs of the library: a document's
/// fingerprint as bytes and the keys it is grouped by, decisions built from what the
/// engine found (see <doc:DistributedDeduplication>).
extension DocumentFingerprint {
  /// The keys of the paragraphs that may be removed as repeats of earlier documents:
  /// each with its index among the document's paragraphs (every non-blank line), in
  /// order. A paragraph is removed from a kept document when a kept document of a
  /// smaller input number holds a paragraph of the same key.
  public var paragraphKeys: [(paragraph: Int, key: UInt64)] {
    paragraphs.indices.compactMap { paragraphs[$0].isLongEnough ? ($0, paragraphs[$0].key) : nil }
  }

  /// The two hashes of the whole token sequence (nil for a text without tokens): two
  /// documents are exact copies when both are equal.
  public var exactHashes: (UInt64, UInt64)? { exact }

  /// The LSH key of each band of the signature (empty for a text without tokens, or
  /// without near-duplicate detection): documents sharing a key are candidates.
  public var lshKeys: [UInt64] { bandKeys }

  /// The MinHash signature (empty for a text without tokens, or without near-duplicate
  /// detection).
  public var minHashSignature: [UInt32] { signature }

  static let serializedVersion: UInt8 = 1

  /// What ``CorpusDeduplicator/decide(_:id:inputNumber:)`` needs of the document, as
  /// bytes: for an engine that moves fingerprints between machines. Paragraphs are
  /// left out (an engine groups them by ``paragraphKeys``).
  ///
  /// Little-endian: a version byte (1), a flag byte (1: exact hashes present), the
  /// UTF-8 count (8 bytes) and token count (4), the two exact hashes (8 each, when
  /// present), the number of signature bins (4) and the bins (4 each), the number of
  /// shingles (4) and their 24-bit values (3 each). 1,444 bytes for a document of 300
  /// tokens with the default options.
  public func serialized() -> [UInt8] {
    var bytes: [UInt8] = [Self.serializedVersion, exact == nil ? 0 : 1]
    bytes.reserveCapacity(30 + signature.count * 4 + shingles.count)
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    append(UInt64(utf8Count))
    append(UInt32(truncatingIfNeeded: tokenCount))
    if let exact {
      append(exact.0)
      append(exact.1)
    }
    append(UInt32(signature.count))
    for bin in signature { append(bin) }
    append(UInt32(shingles.count / 3))
    bytes += shingles
    return bytes
  }
}

extension CorpusDeduplicator {
  /// Why serialized fingerprint bytes were refused.
  public struct FingerprintError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What is wrong, in a sentence.
    public var description: String
  }

  /// The fingerprint in `bytes`, from ``DocumentFingerprint/serialized()``, with its
  /// LSH keys computed with this deduplicator's options; its signature must have
  /// ``Options/signatureSize`` bins (or none).
  public func fingerprint(serialized bytes: some Collection<UInt8>) throws(FingerprintError) -> DocumentFingerprint {
    let bytes = Array(bytes)
    var position = 0
    func read<T: FixedWidthInteger>(_: T.Type) throws(FingerprintError) -> T {
      let size = MemoryLayout<T>.size
      guard position + size <= bytes.count else { throw FingerprintError(description: "fingerprint cut short") }
      var value: T = 0
      for offset in (0..<size).reversed() { value = value << 8 | T(bytes[position + offset]) }
      position += size
      return value
    }
    guard try read(UInt8.self) == DocumentFingerprint.serializedVersion else {
      throw FingerprintError(description: "fingerprint of another format version")
    }
    let hasExact = try read(UInt8.self) == 1
    let utf8Count = try read(UInt64.self)
    let tokenCount = try read(UInt32.self)
    guard utf8Count <= UInt64(Int.max) else { throw FingerprintError(description: "fingerprint size out of range") }
    var result = DocumentFingerprint(utf8Count: Int(utf8Count), tokenCount: Int(tokenCount))
    if hasExact { result.exact = (try read(UInt64.self), try read(UInt64.self)) }
    let bins = Int(try read(UInt32.self))
    guard bins == 0 || bins == options.signatureSize, position + 4 * bins <= bytes.count else {
      throw FingerprintError(
        description: "fingerprint of \(bins) signature bins; the options give \(options.signatureSize)")
    }
    result.signature = (0..<bins).map { _ in 0 }
    for bin in 0..<bins { result.signature[bin] = try read(UInt32.self) }
    let shingles = Int(try read(UInt32.self))
    guard position + 3 * shingles == bytes.count else {
      throw FingerprintError(description: "fingerprint of \(bytes.count) bytes does not hold \(shingles) shingles")
    }
    result.shingles = Array(bytes[position...])
    if bins > 0 && options.nearDuplicates {
      result.bandKeys = (0..<options.bands).map { bandKey(result.signature, $0) }
    }
    return result
  }
}

extension CorpusDeduplicator {
  /// Keeps a document that was decided elsewhere (a kept document of an index, or of a
  /// distributed run), without comparing it: the deduplicator then holds it as one run
  /// that kept it would. Input numbers must grow from one call to the next.
  public mutating func keep(_ fingerprint: DocumentFingerprint, id: String, inputNumber: Int) {
    documentCount = max(documentCount, inputNumber + 1)
    _ = enter(
      exact: fingerprint.exact, signature: fingerprint.signature, bandKeys: fingerprint.bandKeys,
      shingles: fingerprint.shingles[...], tokenCount: fingerprint.tokenCount, id: id, inputNumber: inputNumber,
      known: true)
  }

  /// Records that the kept document numbered `inputNumber` holds a paragraph of key
  /// `key`, unless a kept document already does; false when no kept document has
  /// that number.
  public mutating func holdParagraph(_ key: UInt64, keptInputNumber inputNumber: Int) -> Bool {
    var low = 0
    var high = keptInputNumbers.count
    while low < high {
      let middle = (low + high) / 2
      if keptInputNumbers[middle] < inputNumber { low = middle + 1 } else { high = middle }
    }
    guard low < keptInputNumbers.count, keptInputNumbers[low] == inputNumber else { return false }
    _ = paragraphIndex.valueOrInsert(key, UInt32(low))
    return true
  }

  /// Counts `count` documents seen in all (kept or not), when they are more than
  /// ``documentCount``: the documents a distributed run saw.
  public mutating func countDocuments(_ count: Int) {
    documentCount = max(documentCount, count)
  }

  /// The kept documents, in input order: each one's fingerprint as
  /// ``keep(_:id:inputNumber:)`` takes it back (no paragraphs, no UTF-8 count), its
  /// identifier and its input number.
  public var keptDocuments: [(fingerprint: DocumentFingerprint, id: String, inputNumber: Int)] {
    var firstHash = [UInt64?](repeating: nil, count: keptIDs.count)
    exactIndex.forEach { key, value in
      if value != .max { firstHash[Int(value)] = key }
    }
    let bins = options.signatureSize
    return keptIDs.indices.map { index in
      var fingerprint = DocumentFingerprint(utf8Count: 0, tokenCount: 0)
      if let first = firstHash[index], exactCheck[index] != 0 { fingerprint.exact = (first, exactCheck[index]) }
      if options.nearDuplicates {
        let signature = Array(signatures[index * bins..<(index + 1) * bins])
        if !signature.allSatisfy({ $0 == 0 }) {
          fingerprint = DocumentFingerprint(utf8Count: 0, tokenCount: shingleStore.tokenCount(of: index))
          if let first = firstHash[index], exactCheck[index] != 0 { fingerprint.exact = (first, exactCheck[index]) }
          fingerprint.signature = signature
          fingerprint.bandKeys = (0..<options.bands).map { bandKey(signature, $0) }
          fingerprint.shingles = Array(shingleStore.packed(index))
        }
      }
      return (fingerprint, keptIDs[index], keptInputNumbers[index])
    }
  }

  /// The paragraph keys held by kept documents, each with the input number and
  /// identifier of the kept document holding it first, sorted by key.
  public var paragraphHolders: [(key: UInt64, keptInputNumber: Int, keptID: String)] {
    var result: [(key: UInt64, keptInputNumber: Int, keptID: String)] = []
    paragraphIndex.forEach { key, value in
      if value != .max { result.append((key, keptInputNumbers[Int(value)], keptIDs[Int(value)])) }
    }
    return result.sorted { $0.key < $1.key }
  }
}

extension DeduplicationDecision {
  /// A decision found elsewhere (on a distributed engine): `duplicate` when the
  /// document is dropped, else the document kept without the paragraphs of
  /// `removedParagraphs` (indices into its paragraphs, every non-blank line, ascending,
  /// each with the kept document holding it first), with the byte ranges
  /// ``CorpusDeduplicator/decide(_:id:)`` would give for them.
  public init(
    duplicate: Duplicate?, nearestCandidate: NearCandidate?,
    removedParagraphs: [(paragraph: Int, keptID: String, keptInputNumber: Int)], in fingerprint: DocumentFingerprint
  ) {
    self.duplicate = duplicate
    self.nearestCandidate = nearestCandidate
    let known = removedParagraphs.filter { $0.paragraph >= 0 && $0.paragraph < fingerprint.paragraphs.count }
    self.removedParagraphs =
      duplicate == nil
      ? Self.removals(
        known.indices.map { (paragraph: known[$0].paragraph, kept: UInt32($0)) }, keptIDs: known.map(\.keptID),
        keptInputNumbers: known.map(\.keptInputNumber), in: fingerprint) : []
  }

  /// The bytes to remove for the paragraphs `removed` (indices into the fingerprint's
  /// paragraphs, ascending, each with the index of the kept document holding it in
  /// `keptIDs` and `keptInputNumbers`): each run of consecutive removed paragraphs goes
  /// with the line breaks before it, or, at the start of the document, with those
  /// after it.
  static func removals(
    _ removed: [(paragraph: Int, kept: UInt32)], keptIDs: [String], keptInputNumbers: [Int],
    in fingerprint: DocumentFingerprint
  ) -> [RemovedParagraph] {
    var result: [RemovedParagraph] = []
    let paragraphs = fingerprint.paragraphs
    var index = 0
    while index < removed.count {
      var last = index
      while last + 1 < removed.count && removed[last + 1].paragraph == removed[last].paragraph + 1 { last += 1 }
      let firstParagraph = removed[index].paragraph
      let lastParagraph = removed[last].paragraph
      let range: Range<Int>
      if firstParagraph > 0 {
        range = paragraphs[firstParagraph - 1].content.upperBound..<paragraphs[lastParagraph].content.upperBound
      } else if lastParagraph + 1 < paragraphs.count {
        range = 0..<paragraphs[lastParagraph + 1].content.lowerBound
      } else {
        range = 0..<fingerprint.utf8Count
      }
      for (paragraph, kept) in removed[index...last] {
        result.append(
          RemovedParagraph(
            utf8: paragraph == firstParagraph ? range : range.upperBound..<range.upperBound,
            paragraph: paragraphs[paragraph].content, keptID: keptIDs[Int(kept)],
            keptInputNumber: keptInputNumbers[Int(kept)]))
      }
      index = last + 1
    }
    return result
  }
}
