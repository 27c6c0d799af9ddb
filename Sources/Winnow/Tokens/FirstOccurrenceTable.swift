import CWinnowKernels

/// An open-addressing map from 64-bit hashes to the first position they were seen at.
/// Grows at half load, so that adversarial inputs cannot fill it. Raw storage: the
/// lookups sit in the finder's innermost loop.
struct FirstOccurrenceTable: ~Copyable {
  private var keys: UnsafeMutablePointer<UInt64>
  private var values: UnsafeMutablePointer<Int32>
  private var mask: Int
  private var used = 0

  init(expected: Int) {
    var size = 16
    while size < expected * 2 { size <<= 1 }
    keys = .allocate(capacity: size)
    keys.initialize(repeating: 0, count: size)
    values = .allocate(capacity: size)
    mask = size - 1
  }

  deinit {
    keys.deallocate()
    values.deallocate()
  }

  /// Asks the processor for the slot where a lookup of `key` starts, without waiting:
  /// a caller that knows its next keys issues these ahead, so that the cache misses
  /// of a table larger than the caches overlap.
  @inline(__always)
  func prefetch(_ key: UInt64) {
    let slot = Int(truncatingIfNeeded: Self.stored(key)) & mask
    winnow_prefetch(keys + slot)
    winnow_prefetch(values + slot)
  }

  /// Returns the position `key` was first seen at, or records `position` for it and
  /// returns nil.
  @inline(__always)
  mutating func firstOrInsert(_ key: UInt64, _ position: Int) -> Int? {
    let (slot, found) = probe(key)
    if found { return Int(values[slot]) }
    keys[slot] = Self.stored(key)
    values[slot] = Int32(truncatingIfNeeded: position)
    used += 1
    if used * 2 > mask + 1 { grow() }
    return nil
  }

  /// The slot that holds `key`, or nil when it was never inserted.
  @inline(__always)
  func slot(of key: UInt64) -> Int? {
    let (slot, found) = probe(key)
    return found ? slot : nil
  }

  /// The slot that holds `key` (found), or the empty slot where it would go.
  @inline(__always)
  private func probe(_ key: UInt64) -> (slot: Int, found: Bool) {
    let key = Self.stored(key)
    var slot = Int(truncatingIfNeeded: key) & mask
    while true {
      let existing = keys[slot]
      if existing == key { return (slot, true) }
      if existing == 0 { return (slot, false) }
      slot = (slot + 1) & mask
    }
  }

  /// The key as stored: 0 marks an empty slot, so key 0 is stored as 1.
  @inline(__always)
  private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

  /// The position recorded at a slot that ``slot(of:)`` found.
  @inline(__always)
  func position(at slot: Int) -> Int { Int(values[slot]) }

  /// Records another position at a slot that ``slot(of:)`` found.
  @inline(__always)
  mutating func setPosition(_ position: Int, at slot: Int) {
    values[slot] = Int32(truncatingIfNeeded: position)
  }

  private mutating func grow() {
    let oldKeys = keys
    let oldValues = values
    let oldSize = mask + 1
    keys = .allocate(capacity: oldSize * 2)
    keys.initialize(repeating: 0, count: oldSize * 2)
    values = .allocate(capacity: oldSize * 2)
    mask = oldSize * 2 - 1
    for index in 0..<oldSize where oldKeys[index] != 0 {
      var slot = Int(truncatingIfNeeded: oldKeys[index]) & mask
      while keys[slot] != 0 { slot = (slot + 1) & mask }
      keys[slot] = oldKeys[index]
      values[slot] = oldValues[index]
    }
    oldKeys.deallocate()
    oldValues.deallocate()
  }
}
