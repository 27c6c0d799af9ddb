/// One WARC record: its headers and its content block.
///
/// Common Crawl's WET files (`.warc.wet.gz`, once decompressed) are WARC/1.0 files: a
/// `warcinfo` record, then one `conversion` record per page whose block is the page's
/// text. WARC files also have `request`, `response`, `metadata`, `resource` and
/// `revisit` records.
package struct WARCRecord: Sendable, Equatable {
  /// The version line, such as "WARC/1.0".
  package var version: String
  /// The named fields, in order, names as written, values without the spaces around
  /// them (continuation lines folded in, after one space).
  package var headers: [(name: String, value: String)]
  /// The content block: the `Content-Length` bytes after the headers.
  package var block: [UInt8]
  /// The byte offset of the record's first byte in the stream, for messages.
  package var offset: Int

  package init(version: String, headers: [(name: String, value: String)], block: [UInt8], offset: Int) {
    self.version = version
    self.headers = headers
    self.block = block
    self.offset = offset
  }

  /// The value of the first field named `name`, compared without regard to ASCII case.
  package func header(_ name: String) -> String? {
    headers.first { Self.sameName($0.name, name) }?.value
  }

  /// The `WARC-Type` field ("warcinfo", "conversion", "response"…); "" without one.
  package var type: String { header("WARC-Type") ?? "" }

  /// Whether two records have the same version, fields (in order), block and offset.
  package static func == (left: WARCRecord, right: WARCRecord) -> Bool {
    left.version == right.version && left.block == right.block && left.offset == right.offset
      && left.headers.count == right.headers.count
      && zip(left.headers, right.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
  }

  /// Whether two field names are the same, ignoring the case of ASCII letters.
  package static func sameName(_ left: String, _ right: String) -> Bool {
    /// `byte`, an ASCII capital made small.
    func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
    return left.utf8.count == right.utf8.count && zip(left.utf8, right.utf8).allSatisfy { folded($0) == folded($1) }
  }

  /// The JSON Lines record (without its line feed) for this record's page, with `text`
  /// (valid UTF-8: the cleaned text of the block) as its text. Its members, in order:
  ///
  /// - `id`: the `WARC-Record-ID` field as written (`"<urn:uuid:…>"`), null without one;
  /// - `url`: the `WARC-Target-URI` field, without angle brackets around it (some WARC
  ///   1.1 writers add them), null without one;
  /// - `date`: the `WARC-Date` field, such as "2024-05-18T12:30:05Z";
  /// - `text`: `text`;
  /// - `language`: the `WARC-Identified-Content-Language` field (Common Crawl's guess,
  ///   such as "eng" or "deu,eng");
  /// - `refersTo`: the `WARC-Refers-To` field: the id of the record the text came from;
  /// - `digest`: the `WARC-Block-Digest` field (of the original block, such as
  ///   "sha1:…").
  ///
  /// Members other than `id`, `url` and `text` are left out when their field is
  /// absent. Strings are escaped as in every other JSON output of the tool.
  package func jsonLine(text: [UInt8]) -> [UInt8] { jsonRecord(text: text).line }

  /// ``jsonLine(text:)``, and the byte range of the `text` member's string literal in
  /// it (to write the line again with another text).
  package func jsonRecord(text: [UInt8]) -> (line: [UInt8], text: Range<Int>) {
    var output: [UInt8] = []
    var textRange = 0..<0
    output.reserveCapacity(text.count + text.count / 16 + 256)
    /// Appends `literal`, JSON as it is.
    func append(_ literal: String) { output.append(contentsOf: literal.utf8) }
    /// Appends `string` as a JSON string.
    func append(string: [UInt8]) { string.withUnsafeBufferPointer { JSONLine.appendString($0, to: &output) } }
    /// Appends `,"name":value`; without a value, `null` if `orNull`, else nothing.
    func member(_ name: String, _ value: String?, orNull: Bool = false) {
      guard let value else {
        if orNull { append(",\"\(name)\":null") }
        return
      }
      append(",\"\(name)\":")
      append(string: Array(value.utf8))
    }
    append("{\"id\":")
    if let id = header("WARC-Record-ID") { append(string: Array(id.utf8)) } else { append("null") }
    var url = header("WARC-Target-URI")
    if let bracketed = url, bracketed.hasPrefix("<"), bracketed.hasSuffix(">"), bracketed.utf8.count >= 2 {
      url = String(bracketed.dropFirst().dropLast())
    }
    member("url", url, orNull: true)
    member("date", header("WARC-Date"))
    append(",\"text\":")
    let textStart = output.count
    append(string: text)
    textRange = textStart..<output.count
    member("language", header("WARC-Identified-Content-Language"))
    member("refersTo", header("WARC-Refers-To"))
    member("digest", header("WARC-Block-Digest"))
    append("}")
    return (output, textRange)
  }
}

/// A malformed WARC stream.
package struct WARCError: Error, CustomStringConvertible, Equatable {
  /// What is wrong, without the offset.
  package var description: String
  /// The byte offset in the stream where it is wrong (usually the record's start).
  package var offset: Int

  package init(description: String, offset: Int) {
    self.description = description
    self.offset = offset
  }
}

/// Cuts a byte stream, appended in pieces of any size, into WARC records.
///
/// A record is a version line ("WARC/1.0"), header fields, an empty line, a block of
/// `Content-Length` bytes and two line ends. Lines end in CRLF or a bare LF; lines
/// that start with a space or a tab continue the previous field; blank lines between
/// records, missing or extra, are skipped.
///
/// Each byte is looked at a bounded number of times however small the pieces, and the
/// bytes before the current record are dropped from time to time, so memory stays
/// about the largest record plus the largest piece. After an error the reader throws
/// the same error again: a WARC stream has no way to resynchronize.
package struct WARCReader {
  /// The largest header block accepted: beyond, the input is not WARC.
  package static let maximumHeaderBytes = 64 << 10

  /// Bytes appended and not yet dropped.
  private var buffer: [UInt8] = []
  /// The index in `buffer` of the first byte not yet handed out in a record.
  private var start = 0
  /// The stream offset of `buffer[0]`.
  private var base = 0
  /// The index in `buffer` up to which the end of the current header block has been
  /// looked for.
  private var searched = 0
  /// The current record once its headers are parsed: its block starts at index
  /// `blockStart` in `buffer` and has `length` bytes.
  private var pending: (record: WARCRecord, blockStart: Int, length: Int)?
  /// The error met, thrown again by every later call.
  private var failure: WARCError?

  /// An empty reader.
  package init() {}

  /// The bytes held: those of the current record and after, and some handed out that
  /// were not yet dropped (for tests of memory use).
  package var heldBytes: Int { buffer.count }

  /// Adds the next bytes of the stream.
  package mutating func append(_ bytes: some Collection<UInt8>) {
    // Dropping the handed-out bytes moves no more bytes than were handed out.
    if start > 0 && start >= buffer.count - start {
      buffer.removeSubrange(0..<start)
      base += start
      searched -= start
      if pending != nil { pending!.blockStart -= start }
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// The next complete record, or nil when more bytes are needed.
  package mutating func next() throws(WARCError) -> WARCRecord? {
    if let failure { throw failure }
    do throws(WARCError) {
      return try parseNext()
    } catch {
      failure = error
      throw error
    }
  }

  /// At the end of the stream, after ``next()`` returned nil: throws if a partial
  /// record (anything but line ends) is left.
  package func finish() throws(WARCError) {
    if let failure { throw failure }
    if let pending {
      throw WARCError(
        description:
          "a WARC record cut short: \(buffer.count - pending.blockStart) of its \(pending.length) block bytes",
        offset: pending.record.offset)
    }
    var position = start
    while position < buffer.count && (buffer[position] == 0x0A || buffer[position] == 0x0D) { position += 1 }
    guard position == buffer.count else {
      throw WARCError(
        description: "a WARC record cut short: \(buffer.count - position) bytes at the end are not a whole record",
        offset: base + position)
    }
  }

  /// Whether `prefix`, the first bytes of a stream, looks like the start of a WARC
  /// file: "WARC/1.0" or "WARC/1.1" and a line end (CRLF or LF).
  package static func looksLikeWARC(_ prefix: some Collection<UInt8>) -> Bool {
    let bytes = Array(prefix.prefix(10))
    return ["WARC/1.0\r\n", "WARC/1.1\r\n", "WARC/1.0\n", "WARC/1.1\n"].contains { bytes.starts(with: $0.utf8) }
  }

  /// The work of ``next()``.
  private mutating func parseNext() throws(WARCError) -> WARCRecord? {
    if pending == nil {
      guard let found = try findHeaders() else { return nil }
      let (record, length) = try parseHeaders(start..<found.headerEnd)
      pending = (record, found.blockStart, length)
    }
    guard let current = pending, buffer.count - current.blockStart >= current.length else { return nil }
    let end = current.blockStart + current.length
    var complete = current.record
    complete.block = Array(buffer[current.blockStart..<end])
    pending = nil
    start = end
    searched = start
    return complete
  }

  /// Skips the line ends before the next record and finds the end of its header
  /// block: the index after its last header line and the index of its block; nil
  /// when more bytes are needed.
  private mutating func findHeaders() throws(WARCError) -> (headerEnd: Int, blockStart: Int)? {
    while start < buffer.count {
      if buffer[start] == 0x0A {
        start += 1
      } else if buffer[start] == 0x0D {
        guard start + 1 < buffer.count else { return nil }
        guard buffer[start + 1] == 0x0A else { break }
        start += 2
      } else {
        break
      }
    }
    guard start < buffer.count else { return nil }
    let magic = Array("WARC/".utf8)
    let seen = min(buffer.count - start, magic.count)
    guard buffer[start..<(start + seen)].elementsEqual(magic[..<seen]) else {
      throw WARCError(description: "not a WARC record header", offset: base + start)
    }
    // The header block ends with an empty line: a line feed, then a line feed or CRLF.
    var position = max(searched, start)
    while true {
      guard let feed = buffer[position...].firstIndex(of: 0x0A) else {
        position = buffer.count
        break
      }
      if feed + 1 == buffer.count {
        position = feed
        break
      }
      if buffer[feed + 1] == 0x0A { return try checked(headerEnd: feed + 1, blockStart: feed + 2) }
      if buffer[feed + 1] == 0x0D {
        if feed + 2 == buffer.count {
          position = feed
          break
        }
        if buffer[feed + 2] == 0x0A { return try checked(headerEnd: feed + 1, blockStart: feed + 3) }
      }
      position = feed + 1
    }
    searched = position
    if buffer.count - start > Self.maximumHeaderBytes {
      throw WARCError(
        description: "not a WARC record header: no end of the headers within \(Self.maximumHeaderBytes) bytes",
        offset: base + start)
    }
    return nil
  }

  /// `headerEnd` and `blockStart`, unless the header block is over the maximum.
  private func checked(headerEnd: Int, blockStart: Int) throws(WARCError) -> (headerEnd: Int, blockStart: Int) {
    guard headerEnd - start <= Self.maximumHeaderBytes else {
      throw WARCError(
        description: "not a WARC record header: no end of the headers within \(Self.maximumHeaderBytes) bytes",
        offset: base + start)
    }
    return (headerEnd, blockStart)
  }

  /// Parses the version line and header fields in `range` (whole lines) and finds the
  /// block's length.
  private func parseHeaders(_ range: Range<Int>) throws(WARCError) -> (WARCRecord, length: Int) {
    let recordOffset = base + range.lowerBound
    var version = ""
    var headers: [(name: String, value: String)] = []
    var lineStart = range.lowerBound
    while lineStart < range.upperBound {
      let feed = buffer[lineStart..<range.upperBound].firstIndex(of: 0x0A) ?? range.upperBound
      var lineEnd = feed
      if lineEnd > lineStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      let line = buffer[lineStart..<lineEnd]
      defer { lineStart = feed + 1 }
      if lineStart == range.lowerBound {
        guard line.count > 5, line.starts(with: "WARC/".utf8) else {
          throw WARCError(description: "not a WARC record header", offset: recordOffset)
        }
        version = String(decoding: line, as: UTF8.self)
      } else if line.first == 0x20 || line.first == 0x09 {
        guard !headers.isEmpty else {
          throw WARCError(description: "a continuation line before any header field", offset: base + lineStart)
        }
        let more = Self.trimmed(line)
        if !more.isEmpty { headers[headers.count - 1].value += " " + String(decoding: more, as: UTF8.self) }
      } else {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
          throw WARCError(
            description: "a malformed header line: \(String(decoding: line.prefix(80), as: UTF8.self))",
            offset: base + lineStart)
        }
        headers.append(
          (
            String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self),
            String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
          ))
      }
    }
    let record = WARCRecord(version: version, headers: headers, block: [], offset: recordOffset)
    guard let field = record.header("Content-Length") else {
      throw WARCError(description: "a WARC record without Content-Length", offset: recordOffset)
    }
    let digits = field.utf8
    guard (1...18).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(field)
    else {
      throw WARCError(
        description: "Content-Length is not a decimal number: \"\(field.prefix(40))\"", offset: recordOffset)
    }
    return (record, length)
  }

  /// `bytes` without the spaces and tabs at either end.
  private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var slice = bytes
    while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
    while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
    return slice
  }
}
