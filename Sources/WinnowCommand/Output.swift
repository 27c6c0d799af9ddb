import Foundation

/// Writing results: standard output, or a file replaced atomically.
enum Output {
  /// Writes `bytes` to `path` atomically (temporary file, then rename), or to
  /// standard output when `path` is nil or "-".
  static func write(_ bytes: [UInt8], to path: String?) throws {
    guard let path, path != "-" else {
      try FileHandle.standardOutput.write(contentsOf: bytes)
      return
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}

extension Output {
  /// `value` as one line of JSON with sorted keys.
  static func jsonLine(_ value: some Encodable) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(value)) + [0x0A]
  }
}

/// Messages on standard error.
enum Diagnostics {
  static func error(_ message: String) { write("winnow: error: \(message)\n") }
  static func note(_ message: String) { write("winnow: \(message)\n") }

  /// A short reason for a Foundation or POSIX error.
  static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
      return String(cString: strerror(code.rawValue))
    }
    return nsError.localizedDescription
  }

  private static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
