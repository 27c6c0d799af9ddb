/// One normalization pass over one UTF-8 input.
///
/// The engine copies runs of characters that need no work straight to the output and
/// handles everything else one scalar at a time:
///
/// - **Gaps.** Whitespace, line breaks and removed characters never reach the output
///   directly. They collect in a pending *gap*, which is resolved when the next
///   content character (or the end) arrives: into nothing, one space, or a number of
///   LFs. This is what makes space collapsing, line trimming and blank-line limits
///   one decision per gap instead of look-behind edits.
/// - **Segments.** A character whose normalization quick check is not "yes" (or that
///   changes under case folding) is normalized together with its neighbours up to
///   the surrounding normalization boundaries, through ICU. The normalized text is
///   fed back through the same character handling, so mappings and normalization
///   commute and the output is a fixed point.
/// - **Edits.** When recording, every input byte is either copied verbatim or
///   consumed inside an open *dirty region*; a region closes into a ``TextEdit`` at
///   the next verbatim copy. That makes the edit list exact by construction.
struct NormalizerEngine {
  let table: CharacterTable
  let input: UnsafePointer<UInt8>
  let end: Int
  let recording: Bool
  let spaceIsGap: Bool
  let trims: Bool
  /// Whether trimmed non-empty output always ends with a LF (else only when the input
  /// ends with a line break).
  let addsFinalLineFeed: Bool
  let maximumNewlines: Int?

  var output: OutputBuffer
  var position = 0

  // The pending gap.
  var gapPending = true  // the start of the text behaves like a gap
  var gapStart = 0
  var gapNewlines = 0
  var gapSpace = false
  var gapReasons: TextEdit.Reason = []
  var gapSynthetic = false

  // Edit recording.
  var edits: [TextEdit] = []
  var regionOpen = false
  var regionInput = 0
  var regionOutput = 0
  var regionReasons: TextEdit.Reason = []
  var refeeding = false

  var counts = EditCounts()
  var changed = false
  var nelEvidence: (windows1252: Bool, lineFeeds: Bool)?

  init(
    table: CharacterTable, options: NormalizationOptions, input: UnsafeBufferPointer<UInt8>, recording: Bool
  ) {
    self.table = table
    self.input = input.baseAddress ?? UnsafePointer(bitPattern: 1)!
    self.end = input.count
    self.recording = recording
    self.spaceIsGap = options.normalizesWhitespace
    self.trims = options.maximumBlankLines != nil
    self.addsFinalLineFeed = options.finalLineFeed == .added
    self.maximumNewlines = options.maximumBlankLines.map { min(max(0, $0), Int.max - 1) + 1 }
    self.output = OutputBuffer(capacity: input.count + input.count / 16 + 16)
  }

  // MARK: - Main loop

  mutating func run() {
    while position < end {
      if !gapPending {
        let runEnd = scanPlainRun(from: position)
        if runEnd > position {
          if recording { markClean(position, output.count) }
          output.append(input + position, runEnd - position)
          position = runEnd
          continue
        }
      }
      step()
    }
    if !gapPending && trims && output.count > 0 {
      // Content runs to the end: an empty final gap adds the closing LF.
      gapPending = true
      gapStart = end
      gapNewlines = 0
      gapSpace = false
      gapReasons = []
      gapSynthetic = false
    }
    resolveGap(final: true)
    if recording { markClean(end, output.count) }
  }

  /// The end of the run from `start` of characters that are copied unchanged. A
  /// single ASCII space followed by such a character belongs to the run too.
  @inline(__always)
  func scanPlainRun(from start: Int) -> Int {
    let bytes = input
    let end = self.end
    let classes = table.classes
    let wordScan = table.asciiPrintableIsPass
    let spaceIsGap = self.spaceIsGap
    let pass = CharacterTable.Class.pass
    let nonStarter = CharacterTable.Class.nonStarter
    // The previous character when it was a non-starter (else 0), for the canonical
    // ordering check that NFC's quick check makes besides per-character properties.
    // Combining classes are looked up only for two non-starters in a row.
    var previousNonStarter: UInt32 = 0
    @inline(__always) func classOf(_ scalar: UInt32) -> UInt8 {
      classes[scalar]
    }
    var index = start
    while index < end {
      let byte = bytes[index]
      if byte < 0x80 {
        previousNonStarter = 0
        if wordScan {
          // Eight bytes at a time: printable ASCII other than space, and a space when
          // spaces are copied or when a printable character follows it. Word
          // arithmetic without carries between bytes.
          while index + 9 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self))
            let next = UInt64(littleEndian: UnsafeRawPointer(bytes + index + 1).loadUnaligned(as: UInt64.self))
            let good =
              Self.printable(word) | (spaceIsGap ? Self.spaces(word) & Self.printable(next) : Self.spaces(word))
            let bad = ~good & 0x8080_8080_8080_8080
            if bad != 0 {
              index += bad.trailingZeroBitCount &>> 3
              break
            }
            index += 8
          }
          if index >= end { break }
          if bytes[index] >= 0x80 { continue }
        }
        let ascii = bytes[index]
        let asciiClass = classOf(UInt32(ascii))
        if asciiClass == pass {
          index += 1
          continue
        }
        if ascii == 0x20, spaceIsGap, index + 1 < end {
          let (scalar, length) = UTF8Decoding.decode(bytes, index + 1, end)
          if length > 0, scalar != 0x20, classOf(scalar) == pass {
            index += 1 + length
            continue
          }
        }
        break
      }
      let (scalar, length) = UTF8Decoding.decode(bytes, index, end)
      guard length > 0 else { break }
      let kind = classOf(scalar)
      if kind == pass {
        previousNonStarter = 0
      } else if kind == nonStarter && index > start {
        if previousNonStarter != 0,
          ICU.combiningClass(of: scalar) < ICU.combiningClass(of: previousNonStarter)
        {
          break
        }
        previousNonStarter = scalar
      } else {
        break
      }
      index += length
    }
    return index
  }

  /// 0x80 in each byte of `word` that is printable ASCII other than space (0x21-0x7E).
  @inline(__always)
  static func printable(_ word: UInt64) -> UInt64 {
    let low = word & 0x7F7F_7F7F_7F7F_7F7F
    let atLeast21 = low &+ 0x5F5F_5F5F_5F5F_5F5F
    let atLeast7F = low &+ 0x0101_0101_0101_0101
    return atLeast21 & ~atLeast7F & ~word & 0x8080_8080_8080_8080
  }

  /// 0x80 in each byte of `word` that is an ASCII space.
  @inline(__always)
  static func spaces(_ word: UInt64) -> UInt64 {
    let flipped = word ^ 0x2020_2020_2020_2020
    return ~(((flipped & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | flipped | 0x7F7F_7F7F_7F7F_7F7F)
  }
}
