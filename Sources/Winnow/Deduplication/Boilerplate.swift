/// Lines that recur across many documents of a corpus (cookie notices, "Sign up for
/// our newsletter", navigation and share lines): found in a first pass over the corpus
/// and removed, every copy, in a second.
///
/// Lines are compared through their tokens, as ``CorpusDeduplicator`` compares
/// paragraphs: case, diacritics, punctuation and whitespace do not count. A line counts
/// once per document however often it occurs in it.
///
/// ```swift
/// var counter = BoilerplateCounter()
/// for document in corpus { counter.add(BoilerplateCounter.lineKeys(utf8: document)) }
/// let boilerplate = counter.boilerplate(minimumDocuments: 50)
/// for document in corpus {
///   let (text, removed) = boilerplate.removing(from: document)
/// }
/// ```
public struct BoilerplateCounter: Sendable {
  /// Number of distinct documents per line key.
  private var counts = FingerprintIndex()
  /// Documents added.
  public private(set) var documentCount = 0

  /// Creates an empty counter.
  public init() {}

  /// The distinct line keys of one document, sorted: what ``add(_:)`` takes. Pure:
  /// call it on many documents at once.
  ///
  /// - Complexity: O(*n* + *l* log *l*) for *n* bytes and *l* lines.
  public static func lineKeys(utf8 bytes: some Collection<UInt8>) -> [UInt64] {
    if let keys = bytes.withContiguousStorageIfAvailable({ lineKeys(utf8Buffer: $0) }) { return keys }
    return Array(bytes).withUnsafeBufferPointer { lineKeys(utf8Buffer: $0) }
  }

  static func lineKeys(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> [UInt64] {
    var keys = BoilerplateSet.lines(of: bytes).map(\.key)
    keys.sort()
    var unique: [UInt64] = []
    unique.reserveCapacity(keys.count)
    for key in keys where unique.last != key { unique.append(key) }
    return unique
  }

  /// Counts the lines of one document (from ``lineKeys(utf8:)``).
  public mutating func add(_ keys: [UInt64]) {
    documentCount += 1
    for key in keys {
      if let count = counts.valueOrInsert(key, 1) { _ = counts.exchange(key, count &+ 1) }
    }
  }

  /// The number of distinct lines counted.
  public var lineCount: Int { counts.count }

  /// Every line key counted, with the number of documents that hold the line, by key:
  /// what a part of a corpus counted, for an engine to add up by key with the other
  /// parts' counts (see ``BoilerplateSet/init(documentCounts:)``).
  public var lineCounts: [(key: UInt64, documents: Int)] {
    var result: [(key: UInt64, documents: Int)] = []
    result.reserveCapacity(counts.count)
    counts.forEach { key, count in result.append((key, Int(count))) }
    return result.sorted { $0.key < $1.key }
  }

  /// The lines found in at least `minimumDocuments` documents.
  public func boilerplate(minimumDocuments: Int) -> BoilerplateSet {
    var frequent: [UInt64: Int] = [:]
    counts.forEach { key, count in
      if Int(count) >= minimumDocuments { frequent[key] = Int(count) }
    }
    return BoilerplateSet(documentCounts: frequent)
  }
}

/// The boilerplate lines of a corpus, and how many documents hold each.
public struct BoilerplateSet: Sendable {
  /// Documents holding each boilerplate line, by line key.
  public let documentCounts: [UInt64: Int]

  /// The boilerplate lines of `documentCounts` (line keys from
  /// ``BoilerplateCounter/lineKeys(utf8:)``, each with the number of documents
  /// holding the line): the lines a distributed count found often enough.
  public init(documentCounts: [UInt64: Int]) {
    self.documentCounts = documentCounts
  }

  /// The number of distinct boilerplate lines.
  public var count: Int { documentCounts.count }

  /// A removed line: its bytes (with its line break) and how many documents hold it.
  public struct RemovedLine: Sendable, Hashable {
    /// The line's bytes, with its line break.
    public var utf8: Range<Int>
    /// The number of documents that hold the line.
    public var documents: Int
  }

  /// The lines of `bytes` with tokens: content range, next line start, key.
  static func lines(of bytes: UnsafeBufferPointer<UInt8>) -> [(content: Range<Int>, next: Int, key: UInt64)] {
    guard bytes.count < Int(Int32.max) else { return [] }
    let text = TokenizedText(bytes, blankLineSeparated: false)
    return text.paragraphs.compactMap { paragraph in
      guard !paragraph.tokens.isEmpty else { return nil }
      let line = text.lines[paragraph.lines.lowerBound]
      return (line.start..<line.contentEnd, line.next, paragraph.fingerprint ^ UInt64(paragraph.tokens.count))
    }
  }

  /// `bytes` without its boilerplate lines (each with its line break), and what was
  /// removed.
  public func removing(from bytes: [UInt8]) -> (utf8: [UInt8], removed: [RemovedLine]) {
    guard !documentCounts.isEmpty else { return (bytes, []) }
    var removed: [RemovedLine] = []
    bytes.withUnsafeBufferPointer { buffer in
      for line in Self.lines(of: buffer) {
        if let documents = documentCounts[line.key] {
          removed.append(RemovedLine(utf8: line.content.lowerBound..<line.next, documents: documents))
        }
      }
    }
    guard !removed.isEmpty else { return (bytes, []) }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var position = 0
    for line in removed {
      result.append(contentsOf: bytes[position..<line.utf8.lowerBound])
      position = line.utf8.upperBound
    }
    result.append(contentsOf: bytes[position...])
    return (result, removed)
  }
}
