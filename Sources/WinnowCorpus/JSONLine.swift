import CWinnowKernels

/// One line of a JSON Lines file, parsed just enough to take out one string field and
/// put a new value back: every other byte of the line is passed through unchanged.
///
/// The whole line is validated against the JSON grammar (RFC 8259), so a malformed
/// line is an error with a reason and a column, never a guess.
///
/// ```swift
/// let path = JSONLine.FieldPath("text")!
/// let line = Array(#"{"id": 7, "text": "caf\u00e9"}"#.utf8)
/// let record = try JSONLine.parse(line, path: path)
/// record.text                                   // "café" as UTF-8
/// record.replacingText(in: line, with: Array("tea".utf8))   // {"id": 7, "text": "tea"}
/// ```
public struct JSONLine: Sendable {
  /// The decoded value of the field (UTF-8 bytes; a lone surrogate escape becomes
  /// U+FFFD and is counted in ``replacedEscapes``).
  public var text: [UInt8]
  /// The byte range of the field's string literal (with its quotes) in the line,
  /// counted from the line's first byte (for a slice, not in the slice's indices).
  public var valueRange: Range<Int>
  /// The byte range of the `id` member's value (raw JSON), if the object has one,
  /// counted from the line's first byte.
  public var idRange: Range<Int>?
  /// Lone surrogate escapes (`\uD800` without its pair) replaced by U+FFFD.
  public var replacedEscapes = 0

  /// Why a line gave no text: malformed JSON (with a reason and a column), or a
  /// well-formed object without a string at the field's path (``missing``).
  public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public var reason: String
    /// One-based byte column.
    public var column: Int
    /// Why the line has no text: it is valid JSON, but the field is absent or not a
    /// string (nil for a malformed line).
    public var missing: Missing? = nil

    /// A well-formed object without a string at the field's path.
    public enum Missing: Hashable, Sendable {
      /// The object has no member at the path.
      case absent
      /// The member at the path is not a string.
      case notAString
    }

    /// "column N: reason".
    public var description: String { "column \(column): \(reason)" }
  }

  /// A member named by a path into nested objects: `meta.content` is the member
  /// `content` of the object in the member `meta`. A dot that belongs to a name is
  /// written `\.`, a backslash `\\`.
  public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    /// The member names, outermost first (UTF-8).
    public var components: [[UInt8]]

    /// Parses `text` (dots separate names, `\.` is a dot inside a name); nil when a
    /// name is empty.
    public init?(_ text: String) {
      var components: [[UInt8]] = [[]]
      var escaped = false
      for byte in text.utf8 {
        if escaped {
          components[components.count - 1].append(byte)
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: ".") {
          components.append([])
        } else {
          components[components.count - 1].append(byte)
        }
      }
      if escaped { components[components.count - 1].append(UInt8(ascii: "\\")) }
      guard !components.contains(where: \.isEmpty) else { return nil }
      self.components = components
    }

    /// The path of one member of the top-level object.
    public init(member: [UInt8]) { components = [member] }

    /// `id`, the default id member.
    public static let id = FieldPath(member: Array("id".utf8))

    /// The path as it is written on the command line.
    public var description: String {
      components.map { String(decoding: $0, as: UTF8.self).escapingDots() }.joined(separator: ".")
    }
  }

  /// Parses `line` (without its line feed; a trailing carriage return is allowed) and
  /// finds the string member named `field`. When the object has the member more than
  /// once, the last one counts, as in most JSON parsers. (Makes a ``FieldPath`` each
  /// time: a loop over many lines makes it once and calls ``parse(_:path:id:)``.)
  package static func parse(_ line: UnsafeBufferPointer<UInt8>, field: [UInt8]) throws(Failure) -> JSONLine {
    try parse(line, path: FieldPath(member: field))
  }

  /// Parses `line` (without its line feed; a trailing carriage return is allowed),
  /// finds the string at `path` and the value at `id` (any JSON value). When an object
  /// has a member more than once, the last one counts, as in most JSON parsers.
  ///
  /// - Complexity: O(*n*) in the length of the line; nesting is limited to 512 levels.
  public static func parse(
    _ line: some Collection<UInt8>, path: FieldPath, id: FieldPath = FieldPath.id
  ) throws(Failure) -> JSONLine {
    let result = line.withContiguousStorageIfAvailable { buffer in
      Result { () throws(Failure) in try parse(buffer, path: path, id: id) }
    }
    return try
      (result
      ?? Array(line).withUnsafeBufferPointer { buffer in
        Result { () throws(Failure) in try parse(buffer, path: path, id: id) }
      }).get()
  }

  /// ``parse(_:path:id:)`` on contiguous bytes.
  package static func parse(
    _ line: UnsafeBufferPointer<UInt8>, path: FieldPath, id: FieldPath = FieldPath.id
  ) throws(Failure) -> JSONLine {
    var parser = Parser(bytes: line)
    var found = Found()
    parser.skipSpace()
    guard parser.peek() == UInt8(ascii: "{") else {
      throw parser.failure(parser.atEnd ? "empty line" : "not a JSON object")
    }
    try parser.object(text: path.components[...], id: id.components[...], found: &found, depth: 0)
    parser.skipSpace()
    guard parser.atEnd else { throw parser.failure("unexpected data after the object") }
    guard let text = found.text else {
      var failure = Failure(
        reason: found.textIsNotAString ? "the field \"\(path)\" is not a string" : "no field \"\(path)\"",
        column: 1)
      failure.missing = found.textIsNotAString ? .notAString : .absent
      throw failure
    }
    return JSONLine(text: text.text, valueRange: text.range, idRange: found.id, replacedEscapes: text.replaced)
  }

  /// The names of the members of the object on `line` (nil when it is not one), for
  /// messages about a missing field.
  package static func memberNames(_ line: UnsafeBufferPointer<UInt8>) -> [String]? {
    var parser = Parser(bytes: line)
    parser.skipSpace()
    guard parser.peek() == UInt8(ascii: "{") else { return nil }
    var names: [String] = []
    do throws(Failure) {
      try parser.members(depth: 0) { name, parser throws(Failure) in
        names.append(String(decoding: name, as: UTF8.self))
        try parser.skipValue(depth: 1)
      }
    } catch {
      return nil
    }
    return names
  }

  /// Whether `line` is one JSON object and nothing else (spaces aside).
  package static func isObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    var parser = Parser(bytes: line)
    parser.skipSpace()
    guard parser.peek() == UInt8(ascii: "{") else { return false }
    do throws(Failure) {
      try parser.skipValue(depth: 0)
    } catch {
      return false
    }
    parser.skipSpace()
    return parser.atEnd
  }

  /// `line` (the line this was parsed from) with the field's value replaced by
  /// `text` (valid UTF-8), as a JSON string; every other byte as it was.
  public func replacingText(in line: some Collection<UInt8>, with text: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    let line = Array(line)
    line.withUnsafeBufferPointer { appendReplacingText(in: $0, with: text, to: &output) }
    return output
  }

  /// `text` (valid UTF-8) as a JSON string literal, quotes included: quotes,
  /// backslashes and control characters escaped, everything else as it is.
  public static func quoted(_ text: some Collection<UInt8>) -> [UInt8] {
    var output: [UInt8] = []
    Array(text).withUnsafeBufferPointer { appendString($0, to: &output) }
    return output
  }

  /// Appends `line` with the field's value replaced by `text`, as a JSON string.
  package func appendReplacingText(in line: UnsafeBufferPointer<UInt8>, with text: [UInt8], to output: inout [UInt8]) {
    Self.append(line, replacing: valueRange, with: text, to: &output)
  }

  /// Appends `line` with the JSON string at `valueRange` replaced by `text`.
  package static func append(
    _ line: UnsafeBufferPointer<UInt8>, replacing valueRange: Range<Int>, with text: [UInt8], to output: inout [UInt8]
  ) {
    output.reserveCapacity(output.count + line.count + text.count / 8 + 16)
    output.append(contentsOf: UnsafeBufferPointer(rebasing: line[..<valueRange.lowerBound]))
    text.withUnsafeBufferPointer { JSONLine.appendString($0, to: &output) }
    output.append(contentsOf: UnsafeBufferPointer(rebasing: line[valueRange.upperBound...]))
  }

  /// Appends `text` (valid UTF-8) as a JSON string literal: quotes, backslashes and
  /// control characters escaped, everything else as it is.
  package static func appendString(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var position = 0
    while position < text.count {
      let plain = Int(winnow_json_plain_prefix(text.baseAddress! + position, Int64(text.count - position)))
      output.append(contentsOf: UnsafeBufferPointer(rebasing: text[position..<position + plain]))
      position += plain
      guard position < text.count else { break }
      let byte = text[position]
      position += 1
      // Byte by byte for the common escapes: an array literal is allocated each time.
      output.append(0x5C)
      switch byte {
      case 0x22, 0x5C: output.append(byte)
      case 0x0A: output.append(UInt8(ascii: "n"))
      case 0x0D: output.append(UInt8(ascii: "r"))
      case 0x09: output.append(UInt8(ascii: "t"))
      default:
        let hex = Array("0123456789abcdef".utf8)
        output.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}

/// What a parse found at the paths it was given.
struct Found {
  var text: (range: Range<Int>, text: [UInt8], replaced: Int)?
  var textIsNotAString = false
  var id: Range<Int>?
}

extension String {
  /// The name with its dots and backslashes escaped, as a field path writes it.
  fileprivate func escapingDots() -> String {
    var result = ""
    for character in self {
      if character == "." || character == "\\" { result.append("\\") }
      result.append(character)
    }
    return result
  }
}

/// A cursor over the bytes of one line.
private struct Parser {
  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0

  var atEnd: Bool { position >= bytes.count }

  func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

  func failure(_ reason: String, back: Int = 0) -> JSONLine.Failure {
    JSONLine.Failure(reason: reason, column: max(position - back, 0) + 1)
  }

  mutating func skipSpace() {
    while position < bytes.count {
      let byte = bytes[position]
      guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return }
      position += 1
    }
  }

  /// Reads an object at the cursor, calling `member` with each name and the cursor on
  /// its value; `member` must consume the value.
  mutating func members(
    depth: Int, _ member: (_ name: [UInt8], _ parser: inout Parser) throws(JSONLine.Failure) -> Void
  ) throws(JSONLine.Failure) {
    guard depth < 512 else { throw failure("nested more than 512 levels deep") }
    position += 1  // the opening brace
    skipSpace()
    if peek() == UInt8(ascii: "}") {
      position += 1
      return
    }
    var name: [UInt8] = []
    while true {
      skipSpace()
      guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
      name.removeAll(keepingCapacity: true)
      _ = try string(into: &name)
      skipSpace()
      guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
      position += 1
      skipSpace()
      try member(name, &self)
      skipSpace()
      guard let next = peek() else { throw failure("unterminated object") }
      position += 1
      if next == UInt8(ascii: "}") { return }
      guard next == UInt8(ascii: ",") else { throw failure("expected ',' or '}' after a value", back: 1) }
    }
  }

  /// Reads an object at the cursor, recording in `found` the string at the `text` path
  /// and the value at the `id` path (both relative to this object; empty when they
  /// lead elsewhere).
  mutating func object(
    text: ArraySlice<[UInt8]>, id: ArraySlice<[UInt8]>, found: inout Found, depth: Int
  ) throws(JSONLine.Failure) {
    try members(depth: depth) { name, parser throws(JSONLine.Failure) in
      let textHere = text.first == name
      let idHere = id.first == name
      let valueStart = parser.position
      if textHere && text.count == 1 {
        if parser.peek() == UInt8(ascii: "\"") {
          var decoded: [UInt8] = []
          decoded.reserveCapacity(64)
          let replaced = try parser.string(into: &decoded)
          found.text = (valueStart..<parser.position, decoded, replaced)
          found.textIsNotAString = false
        } else {
          try parser.skipValue(depth: depth + 1)
          found.text = nil
          found.textIsNotAString = true
        }
      } else if (textHere && text.count > 1) || (idHere && id.count > 1), parser.peek() == UInt8(ascii: "{") {
        try parser.object(
          text: textHere ? text.dropFirst() : [], id: idHere ? id.dropFirst() : [], found: &found, depth: depth + 1)
      } else {
        try parser.skipValue(depth: depth + 1)
      }
      if idHere && id.count == 1 { found.id = valueStart..<parser.position }
    }
  }

  /// Skips one value, checking its grammar. Nesting is limited to 512 levels.
  mutating func skipValue(depth: Int) throws(JSONLine.Failure) {
    guard depth < 512 else { throw failure("nested more than 512 levels deep") }
    guard let byte = peek() else { throw failure("expected a value") }
    switch byte {
    case UInt8(ascii: "\""):
      var nothing: [UInt8] = []
      _ = try string(into: &nothing, keep: false)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
      position += 1
      skipSpace()
      if peek() == close {
        position += 1
        return
      }
      while true {
        skipSpace()
        if close == UInt8(ascii: "}") {
          guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
          var nothing: [UInt8] = []
          _ = try string(into: &nothing, keep: false)
          skipSpace()
          guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
          position += 1
          skipSpace()
        }
        try skipValue(depth: depth + 1)
        skipSpace()
        guard let next = peek() else {
          throw failure(close == UInt8(ascii: "}") ? "unterminated object" : "unterminated array")
        }
        position += 1
        if next == close { return }
        guard next == UInt8(ascii: ",") else { throw failure("expected ',' or a closing bracket", back: 1) }
      }
    case UInt8(ascii: "t"): try literal("true")
    case UInt8(ascii: "f"): try literal("false")
    case UInt8(ascii: "n"): try literal("null")
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    default: throw failure("unexpected character where a value should be")
    }
  }

  private mutating func literal(_ word: StaticString) throws(JSONLine.Failure) {
    let count = word.utf8CodeUnitCount
    guard position + count <= bytes.count,
      UnsafeBufferPointer(rebasing: bytes[position..<position + count]).elementsEqual(
        UnsafeBufferPointer(start: word.utf8Start, count: count))
    else { throw failure("unexpected character where a value should be") }
    position += count
  }

  private mutating func digits() -> Int {
    let start = position
    while let byte = peek(), byte >= 0x30 && byte <= 0x39 { position += 1 }
    return position - start
  }

  private mutating func number() throws(JSONLine.Failure) {
    if peek() == UInt8(ascii: "-") { position += 1 }
    if peek() == UInt8(ascii: "0") {
      position += 1
    } else {
      guard digits() > 0 else { throw failure("malformed number") }
    }
    if peek() == UInt8(ascii: ".") {
      position += 1
      guard digits() > 0 else { throw failure("malformed number") }
    }
    if let byte = peek(), byte | 0x20 == UInt8(ascii: "e") {
      position += 1
      if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
      guard digits() > 0 else { throw failure("malformed number") }
    }
  }

  private func hexValue(_ offset: Int) -> UInt32? {
    guard offset + 4 <= bytes.count else { return nil }
    var value: UInt32 = 0
    for index in offset..<offset + 4 {
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case 0x30...0x39: digit = byte - 0x30
      case 0x41...0x46: digit = byte - 0x37
      case 0x61...0x66: digit = byte - 0x57
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  /// Reads a string literal at the cursor, appending its decoded UTF-8 to `output`
  /// (or, with `keep` false, only checking it). Returns the number of lone surrogates
  /// replaced by U+FFFD.
  mutating func string(into output: inout [UInt8], keep: Bool = true) throws(JSONLine.Failure) -> Int {
    position += 1  // the opening quote
    var replaced = 0
    var runStart = position
    while position < bytes.count {
      position += Int(winnow_json_plain_prefix(bytes.baseAddress! + position, Int64(bytes.count - position)))
      guard position < bytes.count else { break }
      let byte = bytes[position]
      if keep { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
      if byte == 0x22 {
        position += 1
        return replaced
      }
      guard byte == 0x5C else { throw failure("control character in a string (must be escaped)") }
      guard position + 1 < bytes.count else { throw failure("unterminated string") }
      let escape = bytes[position + 1]
      position += 2
      switch escape {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): if keep { output.append(escape) }
      case UInt8(ascii: "b"): if keep { output.append(0x08) }
      case UInt8(ascii: "f"): if keep { output.append(0x0C) }
      case UInt8(ascii: "n"): if keep { output.append(0x0A) }
      case UInt8(ascii: "r"): if keep { output.append(0x0D) }
      case UInt8(ascii: "t"): if keep { output.append(0x09) }
      case UInt8(ascii: "u"):
        guard var scalar = hexValue(position) else { throw failure("malformed \\u escape", back: 2) }
        position += 4
        if (0xD800...0xDBFF).contains(scalar) {
          if position + 6 <= bytes.count, bytes[position] == 0x5C, bytes[position + 1] == UInt8(ascii: "u"),
            let low = hexValue(position + 2), (0xDC00...0xDFFF).contains(low)
          {
            scalar = 0x1_0000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            position += 6
          } else {
            scalar = 0xFFFD
            replaced += 1
          }
        } else if (0xDC00...0xDFFF).contains(scalar) {
          scalar = 0xFFFD
          replaced += 1
        }
        if keep { output.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!) }
      default:
        throw failure("unknown escape \\\(Character(Unicode.Scalar(escape)))", back: 2)
      }
      runStart = position
    }
    throw failure("unterminated string")
  }
}
