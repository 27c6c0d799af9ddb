/// Removes what a corpus repeats across documents: exact copies of documents, near
/// copies, and paragraphs already seen in an earlier document. Keep-first, in the
/// order documents are given.
///
/// Work is split in two so that it runs on every core and still gives the same result
/// for any thread count: ``fingerprint(utf8:)`` is pure and can run on many documents
/// at once; ``decide(_:id:)`` takes the fingerprints one by one, in input order, and
/// is the only step that reads or changes what has been seen.
///
/// ```swift
/// var deduplicator = CorpusDeduplicator()
/// for (id, text) in documents {
///   let (decision, cleaned) = deduplicator.add(utf8: Array(text.utf8), id: id)
///   if let duplicate = decision.duplicate {
///     print(id, "duplicates", duplicate.keptID, duplicate.similarity)
///   } else {
///     write(cleaned)   // the document without paragraphs seen in earlier documents
///   }
/// }
/// ```
///
/// ## Comparison form
///
/// Documents and paragraphs are compared through the same tokens as the repeat
/// finder: case, diacritics, Unicode normalization, punctuation and whitespace do not
/// count (see ``RepeatFinder``). Paragraphs are non-blank lines.
///
/// - **Exact documents**: two 64-bit hashes of the whole token sequence. A document
///   whose hashes equal a kept document's is dropped, with similarity 1.
/// - **Near duplicates**: a MinHash signature of the document's shingles (runs of
///   ``Options/shingleSize`` tokens), computed by one-permutation hashing with
///   densification, and locality-sensitive hashing: the signature is cut into
///   ``Options/bands`` bands, and every kept document sharing a whole band is a
///   candidate. A candidate whose signature agrees in at least
///   ``Options/similarityThreshold`` of the bins (the estimated Jaccard similarity of
///   the shingle sets) is then checked on content: the document is a near copy of it
///   only if no run of more than ``Options/maximumNewTokens`` consecutive tokens of
///   the document is left uncovered by the shingles the two share. A similarity
///   cannot tell the same text with scattered edits (every edit leaves a gap of a
///   token or two) from a text that adds a paragraph of its own to most of another
///   (one long gap); the check can. A document of fewer than `2 × maximumNewTokens`
///   tokens may lack no more than half of them in a row. The 8 most similar
///   candidates are checked (the earliest first on ties), and the first that passes
///   is named.
/// - **Repeated paragraphs**: each paragraph of at least
///   ``Options/minimumParagraphWords`` words that equals a paragraph of an earlier
///   kept document is removed from the later one, with the line break before it.
///
/// Memory: 12.5 to 16 bytes per distinct paragraph, and per kept document about
/// `4 × signatureSize + 20 × bands + 56` bytes plus its id (about 1.05 KB with the
/// defaults), plus 3 bytes per token for the content check.
public struct CorpusDeduplicator: Sendable {
  /// What is compared, and how similar is similar enough.
  public struct Options: Sendable, Hashable {
    /// Drop documents whose comparison form equals an earlier kept document's.
    public var exactDocuments: Bool
    /// Drop documents whose estimated similarity to an earlier kept document reaches
    /// ``similarityThreshold``.
    public var nearDuplicates: Bool
    /// Remove paragraphs seen in an earlier kept document.
    public var repeatedParagraphs: Bool
    /// Shorter paragraphs are never removed. Default 12 words, as for repeats inside
    /// a document: a line like "Photo: Reuters" or "Share this article" recurs in
    /// unrelated documents and says nothing about copying.
    public var minimumParagraphWords: Int
    /// The smallest estimated Jaccard similarity of shingle sets at which a kept
    /// document is checked as the original of a near copy. Default 0.4. With 3-token
    /// shingles, changing 5% of the words of a document leaves a Jaccard similarity
    /// near 0.77 and changing 10% near 0.6 (0.5 at the least, measured); the estimate
    /// has a standard deviation of at most 0.045, so 0.4 misses almost none of them.
    /// Documents that reach it without being copies (most of one article with a
    /// paragraph of another) fail the content check, ``maximumNewTokens``.
    public var similarityThreshold: Double
    /// The longest run of consecutive tokens of a document that a kept document may
    /// lack for the document to be its near copy. Default 12, the repeat finder's
    /// minimum: scattered edits leave gaps of a token or two (12 at most in copies with
    /// 10% of their words changed, measured), a sentence of text of its own leaves
    /// more. A document of fewer than twice as many tokens may lack at most half of
    /// them in a row. At most 65,535.
    public var maximumNewTokens: Int
    /// Tokens per shingle. Default 3: short enough that a few edited words leave most
    /// shingles intact (5-token shingles bring 5% of words changed down to a
    /// similarity near 0.6), long enough that unrelated texts share few.
    public var shingleSize: Int
    /// Bins in a MinHash signature. Default 128: the similarity estimate has a
    /// standard deviation of at most 0.045.
    public var signatureSize: Int
    /// LSH bands, of ``rows`` bins each, taken from the start of the signature.
    /// Default 24, with 4 rows: a document becomes the candidate of a kept one with
    /// probability 1 - (1 - J⁴)²⁴ for a similarity J: 0.79 at 0.5, 0.96 at 0.6 (copies
    /// with 10% of their words changed sit at 0.5 to 0.65), 0.9999 at 0.74 (5%
    /// changed), 0.18 at 0.3 and 0.04 at 0.2 (a candidate is then checked on the whole
    /// signature). More bands find a few more of the 10% copies (32: 0.989 of them
    /// against 0.977, measured) for more table entries and many more candidates to
    /// check in input order (20% slower `winnow clean` on 2 threads, measured).
    public var bands: Int
    /// Bins per LSH band. Default 4.
    public var rows: Int

    /// Creates options; the defaults are documented on each property.
    public init(
      exactDocuments: Bool = true, nearDuplicates: Bool = true, repeatedParagraphs: Bool = true,
      minimumParagraphWords: Int = 12, similarityThreshold: Double = 0.4, maximumNewTokens: Int = 12,
      shingleSize: Int = 3, signatureSize: Int = 128, bands: Int = 24, rows: Int = 4
    ) {
      self.exactDocuments = exactDocuments
      self.nearDuplicates = nearDuplicates
      self.repeatedParagraphs = repeatedParagraphs
      self.minimumParagraphWords = max(1, minimumParagraphWords)
      self.similarityThreshold = min(1, max(0, similarityThreshold))
      self.maximumNewTokens = min(max(0, maximumNewTokens), Int(UInt16.max))
      self.shingleSize = max(1, shingleSize)
      self.signatureSize = max(1, signatureSize)
      self.rows = min(max(1, rows), self.signatureSize)
      self.bands = min(max(1, bands), self.signatureSize / self.rows)
    }
  }

  /// The options of this deduplicator.
  public internal(set) var options: Options

  /// Documents given to ``decide(_:id:)`` so far.
  public internal(set) var documentCount = 0
  /// Identifiers of the kept documents, in order.
  public internal(set) var keptIDs: [String] = []
  /// UTF-8 bytes of the identifiers too long to be stored inside their strings.
  var identifierBytes = 0
  /// The input number (0-based, counting every document given) of each kept document.
  var keptInputNumbers: [Int] = []
  /// Second exact hash of each kept document (0: none).
  var exactCheck: [UInt64] = []
  var exactIndex = FingerprintIndex(compact: false)
  var paragraphIndex = FingerprintIndex()
  /// Signatures of the kept documents, `signatureSize` bins each (empty documents:
  /// zeros, never a candidate).
  var signatures: [UInt32] = []
  /// For each kept document and band, the previous kept document with the same band
  /// value (`UInt32.max`: none); `bandIndex` holds the latest.
  var bandChain: [UInt32] = []
  var bandIndex = FingerprintIndex(minimumCapacity: 1 << 16, compact: false)
  /// The shingles of the kept documents, for the content check of near duplicates
  /// (empty without near duplicates).
  var shingleStore = ShingleStore()

  /// The most candidates followed per band: bounds the work on degenerate input
  /// (thousands of kept documents sharing a band value).
  static let candidatesPerBand = 64

  /// The most candidates checked on content per document, from the most similar:
  /// bounds the work when many kept documents resemble one (a templated site) and
  /// none holds it.
  static let candidatesChecked = 8

  /// How many keys ahead table accesses are prefetched: enough to overlap several
  /// cache misses, few enough for the processor's line-fill buffers.
  static let prefetchDistance = 4

  /// Creates an empty deduplicator.
  public init(_ options: Options = Options()) {
    self.options = options
  }

  /// Bytes held by the paragraph index.
  public var paragraphIndexBytes: Int { paragraphIndex.memoryBytes }

  /// Bytes held by everything this deduplicator remembers: the three fingerprint
  /// tables, the signatures and band chains, the kept documents' numbers, hashes and
  /// identifiers (their UTF-8 and a string's 16 bytes each), and their shingles for
  /// the content check. An estimate from the
  /// arrays' capacities, within a few percent of what the allocator holds.
  public var memoryBytes: Int {
    exactIndex.memoryBytes + bandIndex.memoryBytes + paragraphIndex.memoryBytes
      + signatures.capacity * 4 + bandChain.capacity * 4 + keptInputNumbers.capacity * 8
      + exactCheck.capacity * 8 + keptIDs.capacity * 16 + identifierBytes + shingleStore.memoryBytes
  }
  /// Distinct paragraphs in the paragraph index.
  public var paragraphCount: Int { paragraphIndex.count }

  /// Adds `count` distinct random paragraph fingerprints to the paragraph index, as
  /// kept documents' paragraphs would be: for measuring its memory and speed.
  package mutating func _addRandomParagraphs(_ count: Int, seed: UInt64) {
    // Keys prefetched a few ahead, as decide(_:id:) does.
    func key(_ index: Int) -> UInt64 { TokenizedText.mix(seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15) }
    for index in 0..<count {
      if index + Self.prefetchDistance < count { paragraphIndex.prefetch(key(index + Self.prefetchDistance)) }
      _ = paragraphIndex.valueOrInsert(key(index), UInt32(truncatingIfNeeded: index))
    }
  }

  /// Keeps `count` random documents of `tokens` tokens each (random hashes,
  /// signatures and shingles, so none is a duplicate), as `decide(_:id:)` would: for
  /// measuring the memory and time per kept document.
  package mutating func _addRandomDocuments(_ count: Int, tokens: Int, seed: UInt64) {
    var random = SplitMix64(seed: seed)
    func next() -> UInt64 { random.next() }
    let shingleCount = max(1, tokens - options.shingleSize + 1)
    for _ in 0..<count {
      let signature = (0..<options.signatureSize).map { _ in UInt32(truncatingIfNeeded: next()) & 0x7FFF_FFFF }
      let shingles = (0..<3 * shingleCount).map { _ in UInt8(truncatingIfNeeded: next()) }
      _ = enter(
        exact: (next(), next() | 1), signature: signature, bandKeys: (0..<options.bands).map { bandKey(signature, $0) },
        shingles: shingles[...], tokenCount: tokens, id: String(documentCount),
        inputNumber: documentCount)
      documentCount += 1
    }
  }

  /// Bytes held for the content check of near duplicates: the kept documents'
  /// shingles.
  public var shingleStoreBytes: Int { shingleStore.memoryBytes }

  // MARK: Fingerprints

  /// The fingerprint of one document's UTF-8 text: what ``decide(_:id:)`` needs.
  /// Pure: call it on many documents at once.
  ///
  /// - Complexity: O(*n*) in the number of bytes.
  public func fingerprint(utf8 bytes: some Collection<UInt8>) -> DocumentFingerprint {
    if let result = bytes.withContiguousStorageIfAvailable({ fingerprint(utf8Buffer: $0) }) { return result }
    return Array(bytes).withUnsafeBufferPointer { fingerprint(utf8Buffer: $0) }
  }

  func fingerprint(utf8Buffer bytes: UnsafeBufferPointer<UInt8>) -> DocumentFingerprint {
    let searched = bytes.count < Int(Int32.max) ? bytes : UnsafeBufferPointer(start: nil, count: 0)
    return fingerprint(of: TokenizedText(searched, blankLineSeparated: false), utf8Count: bytes.count)
  }

  /// The fingerprint of an already tokenized text (lines are its paragraphs, whatever
  /// its own paragraph mode).
  func fingerprint(of text: TokenizedText, utf8Count: Int) -> DocumentFingerprint {
    var result = DocumentFingerprint(utf8Count: utf8Count, tokenCount: text.count)
    guard text.count > 0 else { return result }
    let hashes = text.hashes
    // Two independent, order-sensitive hashes of the token sequence: sums of a mix of
    // each token hash with its position, without a chain from one token to the next.
    var first: UInt64 = 0
    var second: UInt64 = 0
    hashes.withUnsafeBufferPointer { hashes in
      for index in 0..<hashes.count {
        let position = UInt64(truncatingIfNeeded: index)
        first &+= (hashes[index] ^ (position &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        second &+= (hashes[index] &+ (position &* 0xC2B2_AE3D_27D4_EB4F)) &* 0x94D0_49BB_1331_11EB
      }
    }
    result.exact = (TokenizedText.mix(first ^ UInt64(hashes.count)), TokenizedText.mix(second) | 1)
    if options.nearDuplicates {
      var shingles: [UInt8]? = []
      result.signature = hashes.withUnsafeBufferPointer {
        MinHash.signature($0, shingleSize: options.shingleSize, bins: options.signatureSize, shingles: &shingles)
      }
      result.shingles = shingles ?? []
      result.bandKeys = (0..<options.bands).map { bandKey(result.signature, $0) }
    }
    // Paragraphs: every non-blank line, with its tokens' fingerprint (the text's own
    // paragraphs when those are lines).
    let minimumWords = Double(options.minimumParagraphWords)
    if !text.blankLineSeparated {
      result.paragraphs = text.paragraphs.map { paragraph in
        DocumentFingerprint.Paragraph(
          content: text.lines[paragraph.lines.lowerBound].start..<text.lines[paragraph.lines.upperBound].contentEnd,
          key: paragraph.fingerprint ^ UInt64(paragraph.tokens.count),
          isLongEnough: !paragraph.tokens.isEmpty && text.words(paragraph.tokens) >= minimumWords)
      }
      return result
    }
    var token = 0
    for line in text.lines where !line.isBlank {
      let firstToken = token
      var fingerprint: UInt64 = 0x9E37_79B9_7F4A_7C15
      while token < hashes.count && Int(text.starts[token]) < line.contentEnd {
        fingerprint = (fingerprint ^ hashes[token]) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
        token += 1
      }
      result.paragraphs.append(
        DocumentFingerprint.Paragraph(
          content: line.start..<line.contentEnd,
          key: TokenizedText.mix(fingerprint) ^ UInt64(token - firstToken),
          isLongEnough: token > firstToken && text.words(firstToken..<token) >= minimumWords))
    }
    return result
  }

  /// Removes the blocks repeated inside the document with `finder` (see
  /// ``RepeatFinder/removingRepeats(utf8:)``) and fingerprints the result, cutting it
  /// into tokens once for both.
  public func removingRepeats(utf8 bytes: consuming [UInt8], with finder: RepeatFinder) -> (
    removal: RepeatRemoval, fingerprint: DocumentFingerprint
  ) {
    let (removal, tokens) = finder.removingRepeatsKeepingTokens(utf8: consume bytes)
    guard let tokens else { return (removal, fingerprint(utf8: removal.utf8)) }
    return (removal, fingerprint(of: tokens, utf8Count: removal.utf8.count))
  }

  // MARK: Decisions

  /// Decides what to do with the next document, given its fingerprint, and remembers
  /// it if it is kept. `id` names it in later decisions.
  public mutating func decide(_ fingerprint: DocumentFingerprint, id: String) -> DeduplicationDecision {
    decide(fingerprint, id: id, inputNumber: documentCount)
  }

  /// Decides as ``decide(_:id:)`` does, for a document whose input number is given:
  /// the number it has in the whole corpus (0-based, counting every document
  /// fingerprinted), when this deduplicator sees only some of the corpus's documents,
  /// such as one connected component of the candidate graph (see
  /// <doc:DistributedDeduplication>). Input numbers must grow from one call to the
  /// next; ``documentCount`` becomes `inputNumber + 1`.
  public mutating func decide(_ fingerprint: DocumentFingerprint, id: String, inputNumber: Int)
    -> DeduplicationDecision
  {
    documentCount = max(documentCount, inputNumber + 1)
    // Table accesses are started a few keys ahead of their use (see FingerprintIndex):
    // the first ones here, the others in the loops.
    if let exact = fingerprint.exact { exactIndex.prefetch(exact.0) }
    for key in fingerprint.bandKeys.prefix(Self.prefetchDistance) { bandIndex.prefetch(key) }

    var decision = DeduplicationDecision()
    let ordinal = UInt32(keptIDs.count)
    (decision.duplicate, decision.nearestCandidate) = enter(
      exact: fingerprint.exact, signature: fingerprint.signature, bandKeys: fingerprint.bandKeys,
      shingles: fingerprint.shingles[...], tokenCount: fingerprint.tokenCount, id: id,
      inputNumber: inputNumber)
    guard decision.duplicate == nil, options.repeatedParagraphs else { return decision }
    // A paragraph held by an earlier kept document goes, every time it occurs here.
    var removed: [(paragraph: Int, kept: UInt32)] = []
    let long = fingerprint.paragraphs.indices.filter { fingerprint.paragraphs[$0].isLongEnough }
    for index in long.prefix(Self.prefetchDistance) { paragraphIndex.prefetch(fingerprint.paragraphs[index].key) }
    for (position, index) in long.enumerated() {
      if position + Self.prefetchDistance < long.count {
        paragraphIndex.prefetch(fingerprint.paragraphs[long[position + Self.prefetchDistance]].key)
      }
      if let earlier = paragraphIndex.valueOrInsert(fingerprint.paragraphs[index].key, ordinal), earlier != ordinal {
        removed.append((index, earlier))
      }
    }
    decision.removedParagraphs = DeduplicationDecision.removals(
      removed, keptIDs: keptIDs, keptInputNumbers: keptInputNumbers, in: fingerprint)
    return decision
  }

  /// Decides whether a document is an exact or near duplicate of a kept one, and if it
  /// is not, keeps it: enters its hashes, signature, band keys and shingles (not its
  /// paragraphs). For a kept document, also the most similar candidate that failed the
  /// content check, if any.
  ///
  /// `known`: the document is known to be kept (decided elsewhere): it is entered
  /// without being compared.
  mutating func enter(
    exact: (UInt64, UInt64)?, signature: [UInt32], bandKeys: [UInt64], shingles: ArraySlice<UInt8>, tokenCount: Int,
    id: String, inputNumber: Int, known: Bool = false
  ) -> (DeduplicationDecision.Duplicate?, DeduplicationDecision.NearCandidate?) {
    let bins = options.signatureSize
    // The document is entered as kept (one search per key), and taken out again if it
    // turns out to be a duplicate: most documents are kept. A key entered and taken
    // out stays with the value `UInt32.max`, "no document".
    let ordinal = UInt32(keptIDs.count)
    var enteredExact = false
    if options.exactDocuments, let exact {
      let kept = exactIndex.exchange(exact.0, ordinal) ?? .max
      if !known && kept != .max && exactCheck[Int(kept)] == exact.1 {
        _ = exactIndex.exchange(exact.0, kept)
        return (duplicate(of: Int(kept), kind: .exact, similarity: 1, coveredShare: 1, longestNewRun: 0), nil)
      }
      // A different document whose first hash is the same (about one chance in 2⁶⁴)
      // stays the one the key names.
      if kept != .max { _ = exactIndex.exchange(exact.0, kept) } else { enteredExact = true }
    }
    let hasSignature = signature.count == bins && bandKeys.count == options.bands
    var previous: [UInt32] = []
    var rejected: DeduplicationDecision.NearCandidate?
    if options.nearDuplicates && hasSignature {
      previous.reserveCapacity(bandKeys.count)
      for (band, key) in bandKeys.enumerated() {
        if band + Self.prefetchDistance < bandKeys.count { bandIndex.prefetch(bandKeys[band + Self.prefetchDistance]) }
        previous.append(bandIndex.exchange(key, ordinal) ?? .max)
      }
      var matcher: ShingleMatcher?
      let candidates = known ? [] : similarCandidates(signature, latest: previous).prefix(Self.candidatesChecked)
      for (kept, similarity) in candidates {
        if matcher == nil { matcher = ShingleMatcher(packed: shingles) }
        let coverage = matcher!.coverage(
          by: kept, of: shingleStore, tokenCount: tokenCount, shingleSize: options.shingleSize)
        let share = tokenCount > 0 ? Double(coverage.coveredTokens) / Double(tokenCount) : 1
        // A short document may lack at most half of its tokens in a row: otherwise one
        // of up to twelve tokens would pass whatever it shares.
        guard coverage.longestUncoveredRun <= min(options.maximumNewTokens, tokenCount / 2) else {
          if rejected == nil {
            rejected = DeduplicationDecision.NearCandidate(
              keptID: keptIDs[kept], keptInputNumber: keptInputNumbers[kept], similarity: similarity,
              coveredShare: share, longestNewRun: coverage.longestUncoveredRun)
          }
          continue
        }
        for (band, key) in bandKeys.enumerated() { _ = bandIndex.exchange(key, previous[band]) }
        if enteredExact, let exact { _ = exactIndex.exchange(exact.0, .max) }
        return (
          duplicate(
            of: kept, kind: .near, similarity: similarity, coveredShare: share,
            longestNewRun: coverage.longestUncoveredRun), nil
        )
      }
    }
    keptIDs.append(id)
    identifierBytes += id.utf8.count > 15 ? id.utf8.count : 0
    keptInputNumbers.append(inputNumber)
    exactCheck.append(enteredExact ? exact!.1 : 0)
    if options.nearDuplicates {
      if hasSignature {
        signatures.append(contentsOf: signature)
        bandChain.append(contentsOf: previous)
        shingleStore.append(packed: shingles, tokenCount: tokenCount)
      } else {
        signatures.append(contentsOf: repeatElement(0, count: bins))
        bandChain.append(contentsOf: repeatElement(.max, count: options.bands))
        shingleStore.append(packed: [], tokenCount: 0)
      }
    }
    return (nil, rejected)
  }

  /// Fingerprints and decides in one step, and returns the document without its
  /// removed paragraphs (empty when it is dropped).
  public mutating func add(utf8 bytes: [UInt8], id: String) -> (decision: DeduplicationDecision, text: [UInt8]) {
    let decision = decide(fingerprint(utf8: bytes), id: id)
    guard decision.isKept else { return (decision, []) }
    return (decision, decision.applied(to: bytes))
  }

  private func duplicate(
    of kept: Int, kind: DeduplicationDecision.Kind, similarity: Double, coveredShare: Double, longestNewRun: Int
  ) -> DeduplicationDecision.Duplicate {
    DeduplicationDecision.Duplicate(
      keptID: keptIDs[kept], keptInputNumber: keptInputNumbers[kept], kind: kind, similarity: similarity,
      coveredShare: coveredShare, longestNewRun: longestNewRun)
  }

  func bandKey(_ signature: [UInt32], _ band: Int) -> UInt64 {
    let rows = options.rows
    var key = UInt64(band) &* 0x9E37_79B9_7F4A_7C15 ^ 0x5851_F42D_4C95_7F2D
    for bin in band * rows..<(band + 1) * rows {
      key = (key ^ UInt64(signature[bin])) &* 0xBF58_476D_1CE4_E5B9
      key ^= key &>> 31
    }
    return key
  }

  /// The kept documents sharing a band with `signature` whose estimated similarity
  /// reaches the threshold, the most similar first, the earliest on ties.
  /// `latest`: for each band, the last kept document with the same band value.
  private func similarCandidates(_ signature: [UInt32], latest: [UInt32]) -> [(Int, Double)] {
    var candidates: [UInt32] = []
    for band in 0..<options.bands {
      var next = latest[band]
      var followed = 0
      while next != .max, followed < Self.candidatesPerBand {
        let candidate = next
        candidates.append(candidate)
        next = bandChain[Int(candidate) * options.bands + band]
        followed += 1
      }
    }
    guard !candidates.isEmpty else { return [] }
    candidates.sort()
    var similar: [(Int, Double)] = []
    let bins = options.signatureSize
    var previous: UInt32 = .max
    signature.withUnsafeBufferPointer { mine in
      signatures.withUnsafeBufferPointer { all in
        for candidate in candidates where candidate != previous {
          previous = candidate
          let theirs = UnsafeBufferPointer(rebasing: all[Int(candidate) * bins..<(Int(candidate) + 1) * bins])
          let similarity = MinHash.similarity(mine, theirs)
          if similarity >= options.similarityThreshold { similar.append((Int(candidate), similarity)) }
        }
      }
    }
    // Stable: candidates are in kept order, so the earliest comes first on ties.
    return similar.enumerated().sorted { ($0.element.1, $1.offset) > ($1.element.1, $0.offset) }.map(\.element)
  }
}

/// What ``CorpusDeduplicator/decide(_:id:)`` needs to know about a document.
public struct DocumentFingerprint: Sendable {
  /// The length of the text in UTF-8 bytes.
  public let utf8Count: Int
  /// The number of tokens (words, and characters of scripts written without spaces).
  public let tokenCount: Int
  /// Two hashes of the whole token sequence; nil for a text without tokens.
  var exact: (UInt64, UInt64)?
  /// The MinHash signature; empty for a text without tokens.
  var signature: [UInt32] = []
  /// The LSH key of each band of the signature.
  var bandKeys: [UInt64] = []
  /// A 24-bit value of each shingle, in order, 3 bytes each, for the content check.
  var shingles: [UInt8] = []
  /// Every non-blank line.
  var paragraphs: [Paragraph] = []

  /// The paragraphs long enough to be removed as repeats of earlier documents (their
  /// bytes, without line breaks), in order.
  public var removableParagraphs: [Range<Int>] { paragraphs.filter(\.isLongEnough).map(\.content) }

  struct Paragraph: Sendable {
    /// The line without its line break.
    var content: Range<Int>
    var key: UInt64
    var isLongEnough: Bool
  }

  init(utf8Count: Int, tokenCount: Int) {
    self.utf8Count = utf8Count
    self.tokenCount = tokenCount
  }
}

/// What to do with one document: drop it as a duplicate of a kept document, or keep
/// it without the paragraphs already seen.
public struct DeduplicationDecision: Sendable {
  /// How a dropped document was found.
  public enum Kind: String, Sendable {
    /// Its comparison form equals the kept document's.
    case exact
    /// Its estimated similarity to the kept document reaches the threshold.
    case near
  }

  /// The kept document a dropped document duplicates.
  public struct Duplicate: Sendable {
    /// The kept document's identifier.
    public var keptID: String
    /// The kept document's input number (0-based, counting every document).
    public var keptInputNumber: Int
    /// How it was found.
    public var kind: Kind
    /// The estimated Jaccard similarity of the shingle sets (1 for exact copies).
    public var similarity: Double
    /// The share of the document's tokens covered by shingles the kept document holds
    /// (1 for exact copies).
    public var coveredShare: Double
    /// The longest run of consecutive tokens of the document that the kept document
    /// lacks (0 for exact copies): at most ``CorpusDeduplicator/Options/maximumNewTokens``.
    public var longestNewRun: Int

    /// A duplicate found elsewhere; the members are documented on each property.
    public init(
      keptID: String, keptInputNumber: Int, kind: DeduplicationDecision.Kind, similarity: Double, coveredShare: Double,
      longestNewRun: Int
    ) {
      self.keptID = keptID
      self.keptInputNumber = keptInputNumber
      self.kind = kind
      self.similarity = similarity
      self.coveredShare = coveredShare
      self.longestNewRun = longestNewRun
    }
  }

  /// A kept document similar enough to be checked as the original of a kept one, which
  /// lacks a run of its text: why a similar document was not dropped.
  public struct NearCandidate: Sendable {
    /// The kept document's identifier.
    public var keptID: String
    /// The kept document's input number.
    public var keptInputNumber: Int
    /// The estimated Jaccard similarity of the shingle sets.
    public var similarity: Double
    /// The share of the document's tokens covered by shingles the kept document holds.
    public var coveredShare: Double
    /// The longest run of consecutive tokens of the document that the kept document
    /// lacks: more than ``CorpusDeduplicator/Options/maximumNewTokens`` allows.
    public var longestNewRun: Int

    /// A near candidate found elsewhere; the members are documented on each property.
    public init(keptID: String, keptInputNumber: Int, similarity: Double, coveredShare: Double, longestNewRun: Int) {
      self.keptID = keptID
      self.keptInputNumber = keptInputNumber
      self.similarity = similarity
      self.coveredShare = coveredShare
      self.longestNewRun = longestNewRun
    }
  }

  /// A paragraph removed from a kept document because an earlier kept document holds it.
  public struct RemovedParagraph: Sendable {
    /// The bytes removed: the paragraph with the line breaks before it (after it at
    /// the start of the document). Consecutive removed paragraphs are removed as one
    /// range, given with the first; the others have an empty range at its end.
    public var utf8: Range<Int>
    /// The paragraph's own bytes, without line breaks.
    public var paragraph: Range<Int>
    /// The identifier of the kept document that holds it first.
    public var keptID: String
    /// That document's input number.
    public var keptInputNumber: Int
  }

  /// Non-nil when the document is dropped.
  public var duplicate: Duplicate?
  /// For a kept document, the most similar kept document it was checked against as a
  /// near copy, and why it is not one; nil when no candidate reached the threshold.
  public var nearestCandidate: NearCandidate?
  /// The paragraphs removed from a kept document, in order.
  public var removedParagraphs: [RemovedParagraph] = []

  /// Whether the document is kept (possibly without some paragraphs).
  public var isKept: Bool { duplicate == nil }

  /// `bytes` (the fingerprinted text) without the removed paragraphs.
  public func applied(to bytes: [UInt8]) -> [UInt8] {
    guard !removedParagraphs.isEmpty else { return bytes }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var position = 0
    for removal in removedParagraphs where !removal.utf8.isEmpty {
      result.append(contentsOf: bytes[position..<removal.utf8.lowerBound])
      position = removal.utf8.upperBound
    }
    result.append(contentsOf: bytes[position...])
    return result
  }
}
