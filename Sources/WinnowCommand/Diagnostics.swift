import Foundation

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
