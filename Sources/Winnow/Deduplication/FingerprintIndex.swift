import CWinnowKernels

/// A map from 64-bit fingerprints to 32-bit values (document numbers), compact enough
/// for tens of millions of paragraphs.
///
/// Bucketed cuckoo hashing: buckets of eight slots, and two candidate buckets per key
/// (chosen by two independent functions of the key). A key is in one of its two
/// buckets or absent, so a lookup reads at most two cache lines of keys. A new key goes
/// to the emptier of its buckets; when both are full, it takes the place of a
/// resident, which moves to its other bucket, and so on. Keys are never removed, so a
/// bucket's keys fill its first slots.
///
/// A compact table grows above 96% load (or when 500 moves find no room, which does
/// not happen below that load): it doubles up to 8 million slots (96 MB), and grows by
/// 15% from there on, so that with 12 bytes per slot, memory stays between 12.5 and
/// 14.4 bytes per key from about 8 million keys on (up to 25 below). Other tables
/// double above 90% load: fewer moves and fewer rebuilds, for twice the memory.
///
/// The key 0 marks an empty slot, so the fingerprint 0 is stored as 1.
///
/// Lookups of many keys go faster when ``prefetch(_:)`` is called for all of them
/// first: the table is larger than the caches, and each lookup would otherwise wait
/// for its own memory access.
struct FingerprintIndex: Sendable {
  static let bucketSize = 8
  private(set) var keys: [UInt64]
  private(set) var values: [UInt32]
  private(set) var count = 0
  private var bucketCount: Int
  /// Whether memory matters more than the time of insertions.
  private let compact: Bool

  init(minimumCapacity: Int = 0, compact: Bool = true) {
    self.compact = compact
    bucketCount = max(64, (minimumCapacity * 25 / 24 + Self.bucketSize - 1) / Self.bucketSize)
    keys = [UInt64](repeating: 0, count: bucketCount * Self.bucketSize)
    values = [UInt32](repeating: 0, count: bucketCount * Self.bucketSize)
  }

  /// Bytes held by the table.
  var memoryBytes: Int { keys.count * 8 + values.count * 4 }

  /// The number of keys in `bucket`: they fill its first slots. Counted on the cache
  /// line the lookup has just read, rather than kept apart (another cache miss).
  @inline(__always)
  private func filled(_ bucket: Int) -> Int {
    keys.withUnsafeBufferPointer { keys in
      let base = keys.baseAddress! + bucket * Self.bucketSize
      var count = 0
      for slot in 0..<Self.bucketSize where base[slot] != 0 { count += 1 }
      return count
    }
  }

  @inline(__always)
  private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

  /// The two buckets of `key` (always different).
  @inline(__always)
  private static func buckets(_ key: UInt64, _ bucketCount: Int) -> (Int, Int) {
    let n = UInt64(bucketCount)
    let first = Int(truncatingIfNeeded: key.multipliedFullWidth(by: n).high)
    var mixed = (key ^ (key &>> 31)) &* 0xBF58_476D_1CE4_E5B9
    mixed ^= mixed &>> 29
    var second = Int(truncatingIfNeeded: mixed.multipliedFullWidth(by: n).high)
    if second == first { second = second + 1 == bucketCount ? 0 : second + 1 }
    return (first, second)
  }

  /// The slot holding `key` in `bucket`, or nil.
  @inline(__always)
  private func slot(of key: UInt64, in bucket: Int) -> Int? {
    let base = bucket * Self.bucketSize
    for slot in base..<base + Self.bucketSize where keys[slot] == key { return slot }
    return nil
  }

  /// Starts loading the buckets of `key` into the cache.
  @inline(__always)
  func prefetch(_ key: UInt64) {
    let (first, second) = Self.buckets(Self.stored(key), bucketCount)
    keys.withUnsafeBufferPointer { keys in
      winnow_prefetch(keys.baseAddress! + first * Self.bucketSize)
      winnow_prefetch(keys.baseAddress! + second * Self.bucketSize)
    }
    values.withUnsafeBufferPointer { values in
      winnow_prefetch(values.baseAddress! + first * Self.bucketSize)
      winnow_prefetch(values.baseAddress! + second * Self.bucketSize)
    }
  }

  /// The value of `key`, if present.
  func value(for key: UInt64) -> UInt32? {
    let key = Self.stored(key)
    let (first, second) = Self.buckets(key, bucketCount)
    if let slot = slot(of: key, in: first) ?? slot(of: key, in: second) { return values[slot] }
    return nil
  }

  /// The value already stored for `key`; if there is none, stores `value` and returns nil.
  mutating func valueOrInsert(_ key: UInt64, _ value: UInt32) -> UInt32? {
    let key = Self.stored(key)
    let (first, second) = Self.buckets(key, bucketCount)
    if let slot = slot(of: key, in: first) ?? slot(of: key, in: second) { return values[slot] }
    insertNew(key, value, first, second)
    return nil
  }

  /// Stores `value` for `key` and returns the value it replaces, if any.
  mutating func exchange(_ key: UInt64, _ value: UInt32) -> UInt32? {
    let key = Self.stored(key)
    let (first, second) = Self.buckets(key, bucketCount)
    if let slot = slot(of: key, in: first) ?? slot(of: key, in: second) {
      defer { values[slot] = value }
      return values[slot]
    }
    insertNew(key, value, first, second)
    return nil
  }

  /// Every key and value, in slot order.
  func forEach(_ body: (UInt64, UInt32) -> Void) {
    for slot in keys.indices where keys[slot] != 0 { body(keys[slot], values[slot]) }
  }

  private mutating func insertNew(_ key: UInt64, _ value: UInt32, _ first: Int, _ second: Int) {
    count += 1
    if count > keys.count * (compact ? 24 : 22) / (compact ? 25 : 24) { grow() }
    var (key, value) = (key, value)
    // Until it has a place: if it cannot be placed, the key in hand is the one that
    // was moved out last; the table grows and takes it.
    while !place(&key, &value) { grow() }
  }

  /// Puts `key` in one of its buckets, or, when both are full, moves residents
  /// to their other buckets (cuckoo hashing, at most 500 moves). False if no place was
  /// found: `key` and `value` are then the resident left without a slot.
  private mutating func place(_ key: inout UInt64, _ value: inout UInt32) -> Bool {
    var (first, second) = Self.buckets(key, bucketCount)
    for step in 0..<500 {
      let (firstCount, secondCount) = (filled(first), filled(second))
      let (target, count) = firstCount <= secondCount ? (first, firstCount) : (second, secondCount)
      if count < Self.bucketSize {
        let slot = target * Self.bucketSize + count
        keys[slot] = key
        values[slot] = value
        return true
      }
      // Both full: take the place of a resident of one of them (chosen by the step
      // and the key, so that walks do not cycle), and carry it to its other bucket.
      let bucket = (Int(truncatingIfNeeded: key >> 7) ^ step) & 1 == 0 ? first : second
      let slot = bucket * Self.bucketSize + Int(truncatingIfNeeded: (key >> 3) &+ UInt64(step)) % Self.bucketSize
      swap(&keys[slot], &key)
      swap(&values[slot], &value)
      let (a, b) = Self.buckets(key, bucketCount)
      (first, second) = a == bucket ? (b, b) : (a, a)
    }
    return false
  }

  private mutating func grow() {
    let oldKeys = keys
    let oldValues = values
    bucketCount += !compact || bucketCount * Self.bucketSize < 1 << 23 ? bucketCount : bucketCount * 3 / 20
    keys = [UInt64](repeating: 0, count: bucketCount * Self.bucketSize)
    values = [UInt32](repeating: 0, count: bucketCount * Self.bucketSize)
    // The old slots are read in order; the new buckets of the key eight slots ahead are
    // prefetched, so that the random accesses of the rebuild overlap.
    let ahead = 8 * Self.bucketSize / 2
    for slot in oldKeys.indices {
      if slot + ahead < oldKeys.count && oldKeys[slot + ahead] != 0 { prefetch(oldKeys[slot + ahead]) }
      guard oldKeys[slot] != 0 else { continue }
      var (key, value) = (oldKeys[slot], oldValues[slot])
      // Rare: a key that finds no place makes the table grow again, from the start.
      guard place(&key, &value) else {
        keys = oldKeys
        values = oldValues
        return grow()
      }
    }
  }
}
