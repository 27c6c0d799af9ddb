/// Encodes `Encodable` values as compact JSON, members in the order they are encoded
/// (for synthesized conformances, the order the properties are declared in), absent
/// optionals left out, strings escaped as ``JSONLine`` writes them (only quotes,
/// backslashes and control characters), numbers as Swift prints them.
///
/// Foundation's `JSONEncoder` orders members by hash unless asked to sort them, and
/// spends about 30 microseconds on a small explanation here; this writes the same
/// value in one pass into a byte array, so that explanations cost little beside the
/// cleaning and read in a fixed order.
package struct CompactJSONEncoder {
  package init() {}

  /// Appends `value` as JSON to `output`.
  package func encode(_ value: some Encodable, into output: inout [UInt8]) throws {
    let writer = Writer()
    swap(&writer.output, &output)
    defer { swap(&writer.output, &output) }
    try writer.encodeValue(value)
  }

  /// `value` as JSON.
  package func encode(_ value: some Encodable) throws -> [UInt8] {
    var output: [UInt8] = []
    try encode(value, into: &output)
    return output
  }
}

/// The encoder's state: the bytes written and the containers open.
private final class Writer: Encoder {
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] = [:]
  var output: [UInt8] = []
  /// The open containers, innermost last: the byte that closes each, and whether it
  /// has an element yet.
  var open: [(close: UInt8, hasElements: Bool)] = []
  /// How many containers were open when the value being encoded began: a container it
  /// asks for is opened at this depth, once.
  var valueDepth = 0

  /// Encodes one value, closing the containers it opened.
  func encodeValue(_ value: some Encodable) throws {
    // An identifier is written as it was read (a cast to a concrete type, resolved
    // when this is specialized).
    if let id = value as? DocumentExplanation.RecordID {
      output.append(contentsOf: id.json.utf8)
      return
    }
    let saved = valueDepth
    let depth = open.count
    valueDepth = depth
    defer { valueDepth = saved }
    try value.encode(to: self)
    close(to: depth)
  }

  /// Closes the containers deeper than `depth`.
  func close(to depth: Int) {
    while open.count > depth { output.append(open.removeLast().close) }
  }

  func openContainer(_ opening: UInt8, _ closing: UInt8) -> Int {
    if open.count == valueDepth {
      output.append(opening)
      open.append((closing, false))
    }
    // The value's own container, even when one nested in it is still open.
    return valueDepth + 1
  }

  /// Writes the comma before an element of the container at `depth`, after closing
  /// what was opened inside it.
  func beginElement(at depth: Int) {
    close(to: depth)
    if open[depth - 1].hasElements { output.append(UInt8(ascii: ",")) } else { open[depth - 1].hasElements = true }
  }

  func writeKey(_ key: some CodingKey, at depth: Int) {
    beginElement(at: depth)
    writeString(key.stringValue)
    output.append(UInt8(ascii: ":"))
  }

  func writeString(_ string: String) {
    var string = string
    string.withUTF8 { JSONLine.appendString($0, to: &output) }
  }

  /// A number as Swift prints it (the shortest text that reads back the same);
  /// `null` for an infinity or a NaN, which JSON cannot hold.
  func writeDouble(_ value: Double) {
    output.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
  }

  func writeInteger(_ value: some BinaryInteger) { output.append(contentsOf: "\(value)".utf8) }

  func writeBool(_ value: Bool) { output.append(contentsOf: (value ? "true" : "false").utf8) }

  func writeNull() { output.append(contentsOf: "null".utf8) }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(Keyed<Key>(writer: self, depth: openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    Unkeyed(writer: self, depth: openContainer(UInt8(ascii: "["), UInt8(ascii: "]")))
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { Single(writer: self) }

  /// Opens a container as the value of an element just begun.
  func nestedContainer(_ opening: UInt8, _ closing: UInt8) -> Int {
    output.append(opening)
    open.append((closing, false))
    return open.count
  }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let writer: Writer
  let depth: Int
  var codingPath: [any CodingKey] { writer.codingPath }

  func encodeNil(forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeNull()
  }
  func encode(_ value: Bool, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeBool(value)
  }
  func encode(_ value: String, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeString(value)
  }
  func encode(_ value: Double, forKey key: Key) throws {
    writer.writeKey(key, at: depth)
    writer.writeDouble(value)
  }
  func encode(_ value: Float, forKey key: Key) throws {
    writer.writeKey(key, at: depth)
    writer.writeDouble(Double(value))
  }
  func encode(_ value: Int, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeInteger(value)
  }
  func encode(_ value: Int8, forKey key: Key) { encode(Int(value), forKey: key) }
  func encode(_ value: Int16, forKey key: Key) { encode(Int(value), forKey: key) }
  func encode(_ value: Int32, forKey key: Key) { encode(Int(value), forKey: key) }
  func encode(_ value: Int64, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeInteger(value)
  }
  func encode(_ value: UInt, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeInteger(value)
  }
  func encode(_ value: UInt8, forKey key: Key) { encode(UInt(value), forKey: key) }
  func encode(_ value: UInt16, forKey key: Key) { encode(UInt(value), forKey: key) }
  func encode(_ value: UInt32, forKey key: Key) { encode(UInt(value), forKey: key) }
  func encode(_ value: UInt64, forKey key: Key) {
    writer.writeKey(key, at: depth)
    writer.writeInteger(value)
  }
  func encode(_ value: some Encodable, forKey key: Key) throws {
    writer.writeKey(key, at: depth)
    try writer.encodeValue(value)
  }
  func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    writer.writeKey(key, at: depth)
    return KeyedEncodingContainer(
      Keyed<NestedKey>(writer: writer, depth: writer.nestedContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))))
  }
  func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    writer.writeKey(key, at: depth)
    return Unkeyed(writer: writer, depth: writer.nestedContainer(UInt8(ascii: "["), UInt8(ascii: "]")))
  }
  func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
  func superEncoder(forKey key: Key) -> any Encoder {
    writer.writeKey(key, at: depth)
    writer.valueDepth = writer.open.count
    return writer
  }
}

private struct Unkeyed: UnkeyedEncodingContainer {
  let writer: Writer
  let depth: Int
  var count = 0
  var codingPath: [any CodingKey] { writer.codingPath }

  mutating func begin() {
    writer.beginElement(at: depth)
    count += 1
  }
  mutating func encodeNil() {
    begin()
    writer.writeNull()
  }
  mutating func encode(_ value: Bool) {
    begin()
    writer.writeBool(value)
  }
  mutating func encode(_ value: String) {
    begin()
    writer.writeString(value)
  }
  mutating func encode(_ value: Double) throws {
    begin()
    writer.writeDouble(value)
  }
  mutating func encode(_ value: Int) {
    begin()
    writer.writeInteger(value)
  }
  mutating func encode(_ value: some Encodable) throws {
    begin()
    try writer.encodeValue(value)
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    begin()
    return KeyedEncodingContainer(
      Keyed<NestedKey>(writer: writer, depth: writer.nestedContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))))
  }
  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    begin()
    return Unkeyed(writer: writer, depth: writer.nestedContainer(UInt8(ascii: "["), UInt8(ascii: "]")))
  }
  mutating func superEncoder() -> any Encoder {
    begin()
    writer.valueDepth = writer.open.count
    return writer
  }
}

private struct Single: SingleValueEncodingContainer {
  let writer: Writer
  var codingPath: [any CodingKey] { writer.codingPath }

  func encodeNil() { writer.writeNull() }
  func encode(_ value: Bool) { writer.writeBool(value) }
  func encode(_ value: String) { writer.writeString(value) }
  func encode(_ value: Double) throws { writer.writeDouble(value) }
  func encode(_ value: Float) throws { writer.writeDouble(Double(value)) }
  func encode(_ value: Int) { writer.writeInteger(value) }
  func encode(_ value: Int8) { writer.writeInteger(value) }
  func encode(_ value: Int16) { writer.writeInteger(value) }
  func encode(_ value: Int32) { writer.writeInteger(value) }
  func encode(_ value: Int64) { writer.writeInteger(value) }
  func encode(_ value: UInt) { writer.writeInteger(value) }
  func encode(_ value: UInt8) { writer.writeInteger(value) }
  func encode(_ value: UInt16) { writer.writeInteger(value) }
  func encode(_ value: UInt32) { writer.writeInteger(value) }
  func encode(_ value: UInt64) { writer.writeInteger(value) }
  func encode(_ value: some Encodable) throws { try writer.encodeValue(value) }
}
