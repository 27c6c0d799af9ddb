import Foundation
import Testing
import Winnow
import WinnowCorpus

@testable import WinnowCommand

/// Cutting WARC and WET streams into records, and the JSON Lines made of them.
@Suite struct WARCTests {
  /// One record as bytes: the version line, `fields`, a Content-Length of the block's
  /// size (unless `length` says otherwise), the block and two line ends.
  static func record(
    _ fields: [(String, String)], block: String, lineEnd: String = "\r\n", length: String? = nil
  ) -> [UInt8] {
    let body = Array(block.utf8)
    var text = "WARC/1.0" + lineEnd
    for (name, value) in fields { text += "\(name): \(value)\(lineEnd)" }
    text += "Content-Length: \(length ?? String(body.count))\(lineEnd)\(lineEnd)"
    return Array(text.utf8) + body + Array((lineEnd + lineEnd).utf8)
  }

  /// A small WET file: warcinfo and two conversion records.
  static func wet(lineEnd: String = "\r\n") -> [UInt8] {
    record(
      [
        ("WARC-Type", "warcinfo"), ("WARC-Date", "2024-05-18T12:00:00Z"),
        ("WARC-Filename", "CC-MAIN-20240518-00000.warc.wet.gz"),
        ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000000>"),
        ("Content-Type", "application/warc-fields"),
      ], block: "Software-Info: ia-web-commons\(lineEnd)Extracted-Date: Sat, 18 May 2024\(lineEnd)",
      lineEnd: lineEnd)
      + record(
        [
          ("WARC-Type", "conversion"), ("WARC-Target-URI", "http://example.com/a"),
          ("WARC-Date", "2024-05-18T12:30:05Z"),
          ("WARC-Record-ID", "<urn:uuid:11111111-1111-4111-8111-111111111111>"),
          ("WARC-Refers-To", "<urn:uuid:22222222-2222-4222-8222-222222222222>"),
          ("WARC-Block-Digest", "sha1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
          ("WARC-Identified-Content-Language", "deu,eng"), ("Content-Type", "text/plain"),
        ], block: "Grüße aus Köln\nA line\r\n\r\nWARC/1.0\r\nnot a record: inside the block", lineEnd: lineEnd)
      + record(
        [
          ("WARC-Type", "conversion"), ("WARC-Target-URI", "https://example.org/b?q=1"),
          ("WARC-Date", "2024-05-18T12:31:00Z"),
          ("WARC-Record-ID", "<urn:uuid:33333333-3333-4333-8333-333333333333>"),
          ("Content-Type", "text/plain"),
        ], block: "", lineEnd: lineEnd)
  }

  /// Every record of `bytes`, appended in pieces of the sizes `sizes` gives (cycled).
  static func records(_ bytes: [UInt8], pieces sizes: [Int]) throws(WARCError) -> [WARCRecord] {
    var reader = WARCReader()
    var records: [WARCRecord] = []
    var position = 0
    var turn = 0
    while position < bytes.count {
      let end = min(bytes.count, position + sizes[turn % sizes.count])
      turn += 1
      reader.append(bytes[position..<end])
      position = end
      while let record = try reader.next() { records.append(record) }
    }
    try reader.finish()
    return records
  }

  /// The error reading all of `bytes` at once throws.
  static func error(_ bytes: [UInt8]) -> WARCError? {
    do {
      _ = try records(bytes, pieces: [bytes.count + 1])
      return nil
    } catch {
      return error
    }
  }

  /// A WET stream gives the same records read whole, byte by byte and in uneven pieces.
  @Test func wetStreamWholeAndByteByByteGiveTheSameRecords() throws {
    let bytes = Self.wet()
    let whole = try Self.records(bytes, pieces: [bytes.count])
    #expect(whole.map(\.type) == ["warcinfo", "conversion", "conversion"])
    #expect(whole.allSatisfy { $0.version == "WARC/1.0" })
    #expect(whole[0].offset == 0)
    #expect(Array(bytes[whole[1].offset...].prefix(10)) == Array("WARC/1.0\r\n".utf8))
    #expect(whole[2].offset > whole[1].offset)
    #expect(whole[1].block == Array("Grüße aus Köln\nA line\r\n\r\nWARC/1.0\r\nnot a record: inside the block".utf8))
    #expect(whole[2].block.isEmpty)
    #expect(whole[1].header("warc-target-uri") == "http://example.com/a")
    #expect(whole[1].header("CONTENT-LENGTH") == String(whole[1].block.count))
    #expect(whole[1].headers.first?.name == "WARC-Type")
    #expect(whole[1].header("WARC-Truncated") == nil)
    #expect(try Self.records(bytes, pieces: [1]) == whole)
    #expect(try Self.records(bytes, pieces: [2, 7, 1, 300, 3]) == whole)
  }

  /// Lines may end in a bare LF.
  @Test func lineFeedOnlyLineEnds() throws {
    let crlf = try Self.records(Self.wet(), pieces: [Self.wet().count])
    let lf = try Self.records(Self.wet(lineEnd: "\n"), pieces: [1])
    #expect(lf.count == 3)
    #expect(lf.map(\.type) == crlf.map(\.type))
    #expect(lf[1].block == crlf[1].block)
    /// The fields as "NameValue", but for the length of the warcinfo block, whose
    /// lines end in LF.
    func fields(_ record: WARCRecord) -> [String] {
      record.headers.filter { $0.name != "Content-Length" || record.type != "warcinfo" }.map { $0.name + $0.value }
    }
    #expect(lf.map(fields) == crlf.map(fields))
    #expect(lf[0].block == Array("Software-Info: ia-web-commons\nExtracted-Date: Sat, 18 May 2024\n".utf8))
  }

  /// The blank lines after a block may be missing or more than two.
  @Test func missingAndExtraBlankLinesBetweenRecords() throws {
    let one = Self.record([("WARC-Type", "resource")], block: "one")
    let two = Self.record([("WARC-Type", "resource")], block: "two")
    let tight = Array(one.dropLast(4)) + two
    let loose = one + Array("\r\n\n\r\n".utf8) + two + Array("\n\n".utf8)
    for bytes in [tight, loose] {
      let records = try Self.records(bytes, pieces: [1])
      #expect(records.map(\.block) == [Array("one".utf8), Array("two".utf8)])
    }
  }

  /// Continuation lines are folded into the previous field, after one space.
  @Test func foldedHeaders() throws {
    let bytes = Array(
      "WARC/1.0\r\nWARC-Type: metadata\r\nWARC-Target-URI: http://example.com/\r\n  a/long\r\n\tpath  \r\nContent-Length:  2 \r\n\r\nok\r\n\r\n"
        .utf8)
    let records = try Self.records(bytes, pieces: [1])
    #expect(records.count == 1)
    #expect(records[0].header("WARC-Target-URI") == "http://example.com/ a/long path")
    #expect(records[0].headers.map(\.name) == ["WARC-Type", "WARC-Target-URI", "Content-Length"])
    #expect(records[0].block == Array("ok".utf8))
  }

  /// A record without a decimal Content-Length, or with a line that is not a field, is an error at its offset.
  @Test func missingOrMalformedContentLength() {
    let good = Self.record([("WARC-Type", "resource")], block: "fine")
    let missing = good + Array("WARC/1.0\r\nWARC-Type: resource\r\n\r\n\r\n\r\n".utf8)
    #expect(
      Self.error(missing) == WARCError(description: "a WARC record without Content-Length", offset: good.count))
    for length in ["12a", "-5", "", "1 2", "0x10", "99999999999999999999"] {
      let error = Self.error(good + Self.record([("WARC-Type", "resource")], block: "x", length: length))
      #expect(error?.offset == good.count, "Content-Length \(length)")
      #expect(error?.description.hasPrefix("Content-Length is not a decimal number") == true)
    }
    let noColon = Self.error(Array("WARC/1.0\r\nWARC-Type resource\r\nContent-Length: 0\r\n\r\n".utf8))
    #expect(noColon == WARCError(description: "a malformed header line: WARC-Type resource", offset: 10))
  }

  /// A record cut short waits for more bytes, and ``WARCReader/finish()`` throws; line ends alone are no record.
  @Test func recordCutShortFailsAtTheEnd() throws {
    let whole = Self.record([("WARC-Type", "resource")], block: String(repeating: "x", count: 100))
    var reader = WARCReader()
    reader.append(whole.prefix(whole.count - 60))
    #expect(try reader.next() == nil)
    #expect(throws: WARCError.self) { try reader.finish() }
    do {
      try reader.finish()
    } catch {
      #expect(error.offset == 0)
      #expect(error.description.contains("cut short"))
    }
    // Headers cut short.
    var headers = WARCReader()
    headers.append(Array("WARC/1.0\r\nWARC-Type: resou".utf8))
    #expect(try headers.next() == nil)
    #expect(throws: WARCError.self) { try headers.finish() }
    // Only line ends left: nothing is cut short.
    var complete = WARCReader()
    complete.append(whole + Array("\r\n\n".utf8))
    #expect(try complete.next() != nil)
    #expect(try complete.next() == nil)
    try complete.finish()
  }

  /// Bytes that are not WARC are an error, soon, and the error stays.
  @Test(.timeLimit(.minutes(1))) func garbageIsAnErrorNotAHang() throws {
    #expect(Self.error(Array("<html><body>not WARC</body></html>".utf8))?.offset == 0)
    #expect(Self.error([0x1F, 0x8B, 0x08, 0x00])?.description == "not a WARC record header")
    // A version line and no end of the headers, in small pieces: stops at the maximum.
    var reader = WARCReader()
    reader.append(Array("WARC/1.0\r\n".utf8))
    var thrown: WARCError?
    for _ in 0..<100_000 {
      reader.append(Array("Field: value\r\n".utf8))
      do {
        _ = try reader.next()
      } catch {
        thrown = error
        break
      }
    }
    #expect(thrown?.description.hasPrefix("not a WARC record header") == true)
    #expect(reader.heldBytes < WARCReader.maximumHeaderBytes + 100)
    // Errors stay.
    #expect(throws: WARCError.self) { try reader.next() }
    #expect(throws: WARCError.self) { try reader.finish() }
    // Garbage after a good record is an error at its offset.
    let good = Self.record([("WARC-Type", "resource")], block: "fine")
    #expect(Self.error(good + Array("junk\r\n".utf8))?.offset == good.count)
    // Random bytes.
    var random = SeededRandom(seed: 7)
    let noise = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &random) }
    #expect(Self.error(noise) != nil)
  }

  /// A 3 MB block, in pieces of 64 KB and of a few bytes (which must not be quadratic).
  @Test func largeBlockInSmallPieces() throws {
    var random = SeededRandom(seed: 3)
    let block = String(
      decoding: (0..<3_000_000).map { _ in UInt8.random(in: 0x20...0x7E, using: &random) }, as: UTF8.self)
    let bytes = Self.record([("WARC-Type", "conversion")], block: block) + Self.record([], block: "next")
    let big = try Self.records(bytes, pieces: [65_536])
    #expect(big.count == 2)
    #expect(big[0].block == Array(block.utf8))
    #expect(big[1].block == Array("next".utf8))
    #expect(try Self.records(bytes, pieces: [7, 13]) == big)
  }

  /// Records handed out are dropped: memory stays about one record and one piece.
  @Test func memoryStaysAboutOneRecord() throws {
    let one = Self.record([("WARC-Type", "conversion")], block: String(repeating: "text ", count: 20_000))
    var reader = WARCReader()
    var most = 0
    var count = 0
    for _ in 0..<50 {
      for start in stride(from: 0, to: one.count, by: 1000) {
        reader.append(one[start..<min(one.count, start + 1000)])
        while try reader.next() != nil { count += 1 }
        most = max(most, reader.heldBytes)
      }
    }
    try reader.finish()
    #expect(count == 50)
    #expect(most < 2 * one.count + 2000)
  }

  /// The start of a WARC file is recognized, and other starts are not.
  @Test func looksLikeWARC() {
    for yes in ["WARC/1.0\r\nWARC-Type: warcinfo\r\n", "WARC/1.1\r\n", "WARC/1.0\n", "WARC/1.1\nWARC-Type"] {
      #expect(WARCReader.looksLikeWARC(Array(yes.utf8)), "\(yes)")
    }
    for no in ["WARC/1.0", "WARC/2.0\r\n", "warc/1.0\r\n", "{\"text\":\"WARC/1.0\"}", "", "\u{FEFF}WARC/1.0\r\n"] {
      #expect(!WARCReader.looksLikeWARC(Array(no.utf8)), "\(no)")
    }
  }

  /// `text` as the JSON string `JSONLine.appendString` writes.
  static func quoted(_ text: String) -> String {
    var bytes: [UInt8] = []
    Array(text.utf8).withUnsafeBufferPointer { JSONLine.appendString($0, to: &bytes) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The JSON Lines record escapes as `JSONLine.appendString` does, is valid JSON, and leaves out absent fields.
  @Test func jsonLineEscapesLikeTheRestOfTheTool() throws {
    let records = try Self.records(Self.wet(), pieces: [100])
    let text = "He said \"hi\"\\ then\nleft\ttoday\r\u{01} — Grüße 日本 🎉"
    let line = records[1].jsonLine(text: Array(text.utf8))
    let expected =
      "{\"id\":\(Self.quoted("<urn:uuid:11111111-1111-4111-8111-111111111111>")),"
      + "\"url\":\(Self.quoted("http://example.com/a")),\"date\":\(Self.quoted("2024-05-18T12:30:05Z")),"
      + "\"text\":\(Self.quoted(text)),\"language\":\(Self.quoted("deu,eng")),"
      + "\"refersTo\":\(Self.quoted("<urn:uuid:22222222-2222-4222-8222-222222222222>")),"
      + "\"digest\":\(Self.quoted("sha1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))}"
    #expect(String(decoding: line, as: UTF8.self) == expected)
    #expect(!line.contains(0x0A))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    #expect(object["text"] as? String == text)
    #expect(object["url"] as? String == "http://example.com/a")
    #expect(object["language"] as? String == "deu,eng")
    #expect(Set(object.keys) == ["id", "url", "date", "text", "language", "refersTo", "digest"])
    // Absent fields: id and url are null, the others left out.
    let bare = WARCRecord(
      version: "WARC/1.0", headers: [("WARC-Type", "conversion"), ("Content-Length", "0")], block: [], offset: 0)
    #expect(
      String(decoding: bare.jsonLine(text: Array("x".utf8)), as: UTF8.self)
        == "{\"id\":null,\"url\":null,\"text\":\"x\"}")
    let plain = try #require(
      try JSONSerialization.jsonObject(with: Data(records[2].jsonLine(text: []))) as? [String: Any])
    #expect(Set(plain.keys) == ["id", "url", "date", "text"])
    // A URL written in angle brackets loses them.
    let bracketed = WARCRecord(
      version: "WARC/1.1", headers: [("WARC-Target-URI", "<http://example.com/>")], block: [], offset: 0)
    #expect(String(decoding: bracketed.jsonLine(text: []), as: UTF8.self).contains("\"url\":\"http://example.com/\","))
  }
}
