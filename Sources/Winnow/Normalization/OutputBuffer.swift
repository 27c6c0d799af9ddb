/// A growable byte buffer for the output, without the per-append checks of `Array`.
struct OutputBuffer {
  static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

  private(set) var base: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private(set) var count = 0

  /// Drops the bytes from `newCount` on.
  mutating func truncate(to newCount: Int) {
    precondition(newCount <= count)
    count = newCount
  }

  init(capacity: Int) {
    self.capacity = max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  var last: UInt8? { count > 0 ? base[count - 1] : nil }

  @inline(__always)
  mutating func append(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
    if count + length > capacity { grow(to: count + length) }
    (base + count).update(from: bytes, count: length)
    count += length
  }

  @inline(__always)
  mutating func append(_ byte: UInt8) {
    if count == capacity { grow(to: count + 1) }
    base[count] = byte
    count += 1
  }

  private mutating func grow(to needed: Int) {
    let newCapacity = max(needed, capacity * 2)
    let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  /// The bytes as an array; frees the buffer.
  consuming func takeArray() -> [UInt8] {
    let result = [UInt8](UnsafeBufferPointer(start: base, count: count))
    base.deallocate()
    return result
  }

  /// The bytes as a string; frees the buffer.
  consuming func takeString() -> String {
    let result = String(unsafeUninitializedCapacity: count) { buffer in
      _ = buffer.initialize(from: UnsafeBufferPointer(start: base, count: count))
      return count
    }
    base.deallocate()
    return result
  }

  /// Frees the buffer without reading it.
  consuming func discard() { base.deallocate() }
}
