import CWinnowICU

/// Swift names for the C shim over the system ICU. C names become Swift names here,
/// once; the rest of the library never calls `winnow_*` directly.
enum ICU {
  /// A Unicode normalization form, as the shim numbers them.
  enum Form: Int32 {
    case nfc = 0
    case nfkc = 1
    case nfd = 2
    case nfkd = 3
  }

  /// An error reported by ICU, with its `UErrorCode` value.
  struct Failure: Error, CustomStringConvertible {
    var code: Int32
    var operation: String
    var description: String { "ICU \(operation) failed with error code \(code)" }
  }

  /// The version of the ICU library Winnow is linked against, for example "72.1".
  static var version: String { cString { winnow_icu_version($0, $1) } }

  /// The Unicode version ICU implements, for example "15.0".
  static var unicodeVersion: String { cString { winnow_unicode_version($0, $1) } }

  /// The code point ranges of a UnicodeSet pattern such as `[[:Dash:]&[:gc=Pd:]]`.
  static func ranges(of pattern: String) throws(Failure) -> [ClosedRange<UInt32>] {
    var capacity: Int32 = 256
    while true {
      var pairs = [UInt32](repeating: 0, count: Int(capacity) * 2)
      let count = pattern.withCString { winnow_set_ranges($0, &pairs, capacity) }
      if count < 0 { throw Failure(code: -count, operation: "UnicodeSet \(pattern)") }
      if count <= capacity {
        return (0..<Int(count)).map { pairs[2 * $0]...pairs[2 * $0 + 1] }
      }
      capacity = count
    }
  }

  /// Whether `form` has a normalization boundary before `scalar`.
  static func hasBoundaryBefore(_ form: Form, _ scalar: UInt32) -> Bool {
    winnow_has_boundary_before(form.rawValue, scalar) != 0
  }

  /// Normalizes valid UTF-8 into `form` (through ICU's UTF-16 API).
  static func normalize(_ form: Form, _ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    transform(bytes, sizeHint: bytes.count + bytes.count / 2 + 16) {
      winnow_normalize_utf8(form.rawValue, $0, $1, $2, $3)
    }
  }

  /// Full case folding of valid UTF-8.
  static func foldCase(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    transform(bytes, sizeHint: bytes.count + bytes.count / 2 + 16) {
      winnow_fold_case_utf8($0, $1, $2, $3)
    }
  }

  /// Decodes bytes in a legacy `charset` ("windows-1252") into UTF-8.
  static func convertToUTF8(from charset: String, _ bytes: [UInt8]) -> [UInt8] {
    bytes.withUnsafeBufferPointer { source in
      charset.withCString { name in
        transform(source, sizeHint: source.count * 3 + 16) {
          winnow_convert_to_utf8(name, $0, $1, $2, $3)
        }
      }
    }
  }

  /// Decodes bytes in `charset` into UTF-8; nil when ICU has no such converter or
  /// fails (bytes it cannot map become U+FFFD, as ICU's converters do by default).
  static func decode(from charset: String, _ bytes: [UInt8]) -> [UInt8]? {
    var capacity = bytes.count * 3 + 16
    return bytes.withUnsafeBufferPointer { source in
      charset.withCString { name in
        while true {
          var needed: Int32 = 0
          let result = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            needed = winnow_convert_to_utf8(
              name, source.baseAddress, Int32(source.count), buffer.baseAddress, Int32(capacity))
            count = needed >= 0 && Int(needed) <= capacity ? Int(needed) : 0
          }
          if needed < 0 { return nil }
          if Int(needed) <= capacity { return result }
          capacity = Int(needed)
        }
      }
    }
  }

  /// Encodes UTF-8 into a legacy `charset` (for test data).
  static func convertFromUTF8(to charset: String, _ bytes: [UInt8]) -> [UInt8] {
    bytes.withUnsafeBufferPointer { source in
      charset.withCString { name in
        transform(source, sizeHint: source.count * 2 + 16) {
          winnow_convert_from_utf8(name, $0, $1, $2, $3)
        }
      }
    }
  }

  /// ICU's best guess at the charset of `bytes`, with its confidence (0 to 100).
  static func detectCharset(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: String, confidence: Int)? {
    var confidence: Int32 = 0
    var buffer = [CChar](repeating: 0, count: 64)
    let length = winnow_detect_charset(
      bytes.baseAddress, Int32(clamping: bytes.count), &buffer, Int32(buffer.count), &confidence)
    guard length > 0 else { return nil }
    return (String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self), Int(confidence))
  }

  /// The Unicode name of a code point, or an empty string.
  static func name(of scalar: UInt32) -> String {
    cString { winnow_char_name(scalar, $0, $1) }
  }

  /// ICU's `UCharCategory` for a code point.
  static func generalCategory(of scalar: UInt32) -> Int32 { winnow_general_category(scalar) }

  /// The canonical combining class of a code point.
  static func combiningClass(of scalar: UInt32) -> Int32 { winnow_combining_class(scalar) }

  /// Calls a shim transform that reports the length it needs, growing the buffer once
  /// when the first guess was too small. Transforms fail only on invalid input, which
  /// the callers never pass; a failure leaves the input unchanged rather than losing it.
  private static func transform(
    _ bytes: UnsafeBufferPointer<UInt8>,
    sizeHint: Int,
    _ call: (UnsafePointer<UInt8>?, Int32, UnsafeMutablePointer<UInt8>?, Int32) -> Int32
  ) -> [UInt8] {
    var capacity = max(sizeHint, 16)
    while true {
      var needed: Int32 = 0
      let result = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
        needed = call(bytes.baseAddress, Int32(bytes.count), buffer.baseAddress, Int32(capacity))
        count = needed >= 0 && Int(needed) <= capacity ? Int(needed) : 0
      }
      if needed < 0 { return Array(bytes) }
      if Int(needed) <= capacity { return result }
      capacity = Int(needed)
    }
  }

  private static func cString(_ call: (UnsafeMutablePointer<CChar>, Int32) -> Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    let length = call(&buffer, 128)
    guard length > 0 else { return "" }
    return String(decoding: buffer.prefix(Int(min(length, 127))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
