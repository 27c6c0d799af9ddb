import Testing
import WinnowCorpus

/// The public JSON Lines API of the corpus module, as a library user calls it.
@Suite struct JSONLineAPITests {
  @Test func parseReplaceAndQuote() throws {
    let path = try #require(JSONLine.FieldPath("meta.body"))
    let line = Array(#"{"id": "a-1", "meta": {"body": "caf\u00e9 \"noir\""}, "n": [1, 2]}"#.utf8)
    let record = try JSONLine.parse(line, path: path)
    #expect(String(decoding: record.text, as: UTF8.self) == "café \"noir\"")
    #expect(record.idRange.map { String(decoding: line[$0], as: UTF8.self) } == "\"a-1\"")
    let replaced = record.replacingText(in: line, with: Array("tea\n".utf8))
    #expect(String(decoding: replaced, as: UTF8.self) == #"{"id": "a-1", "meta": {"body": "tea\n"}, "n": [1, 2]}"#)
    #expect(JSONLine.quoted(Array("a\u{1}\"b".utf8)) == Array(#""a\u0001\"b""#.utf8))
    // The same parse from a slice (not an array) of the bytes.
    #expect(try JSONLine.parse(line[...], path: path).text == record.text)
  }

  @Test func failuresSayWhereAndWhy() {
    let path = JSONLine.FieldPath.id
    #expect {
      try JSONLine.parse(Array(#"{"id": 1,}"#.utf8), path: JSONLine.FieldPath("text")!)
    } throws: { error in
      guard let failure = error as? JSONLine.Failure else { return false }
      return failure.missing == nil && failure.column == 10 && failure.description.hasPrefix("column 10: ")
    }
    #expect {
      try JSONLine.parse(Array(#"{"text": 3}"#.utf8), path: JSONLine.FieldPath("text")!, id: path)
    } throws: { error in
      (error as? JSONLine.Failure)?.missing == .notAString
    }
  }
}
