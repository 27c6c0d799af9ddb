#ifndef CWINNOWKERNELS_H
#define CWINNOWKERNELS_H

// Winnow's byte-scanning kernels, classified 16 bytes at a time with SSE2 (a portable
// scalar loop elsewhere), pure functions of their arguments:
// - the tokenizer's hot loop over plain ASCII text. The Swift tokenizer calls it
//   wherever no token is in progress and takes over at the first byte the kernel does
//   not handle;
// - the scans of the command's JSON Lines reader and writer;
// - the mojibake repair's search for runs of non-ASCII characters.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Where the tokens found by `winnow_scan_ascii_words` go.
typedef struct {
  uint64_t *hashes;
  int32_t *starts;
  int32_t *ends;
  /// Tokens already stored; advanced by the kernel.
  int64_t count;
  /// Room in the three arrays; the kernel stops while 64 tokens of room remain.
  int64_t capacity;
} winnow_token_buffer;

/// Scans `bytes[position..<length]`, where no token is in progress, for words made
/// of ASCII letters and digits, separated by spaces, tabs and ASCII punctuation other
/// than the apostrophe. Each word is stored with the hash of its lower-cased bytes
/// (the same hash as Winnow's `KeyHasher`). Stops at the first word touching any
/// other byte (non-ASCII, a control or line break, an apostrophe, DEL), or at that
/// byte, or 72 bytes before `length`, or when the buffer is nearly full.
/// Returns the position it stopped at; sets `*sawContent` when it passed a word or
/// punctuation (anything but spaces and tabs).
int64_t winnow_scan_ascii_words(const uint8_t *bytes, int64_t length, int64_t position,
                                winnow_token_buffer *tokens, int32_t *sawContent);

/// The hash of a key of `count` bytes at `bytes`, each OR-ed with `setting` (0x20
/// lower-cases ASCII letters). Exposed for tests of the kernel against `KeyHasher`.
uint64_t winnow_key_hash(const uint8_t *bytes, int64_t count, uint8_t setting);

/// The number of bytes at the start of `bytes[0..<length]` that a JSON string can hold
/// as they are: everything but the quotation mark, the backslash and the controls
/// U+0000-U+001F. Used both to read string literals and to write them.
int64_t winnow_json_plain_prefix(const uint8_t *bytes, int64_t length);

/// The masks of the mojibake search, by code point: for U+0000-U+07FF (`twoByte`,
/// 2048 entries), U+2000-U+2FFF (`e2`, 4096 entries) and U+F000-U+FFFF (`ef`, 4096
/// entries); every other code point has none. Low 16 bits: the encodings in which the
/// character stands for a UTF-8 lead byte; high 16 bits: for a continuation byte.
typedef struct {
  const uint32_t *twoByte;
  const uint32_t *e2;
  const uint32_t *ef;
} winnow_mojibake_masks;

/// The first character at or after `start` (a character boundary) that stands for a
/// lead byte in an encoding in which the character right after it stands for a
/// continuation byte: where a chain of mojibake may start. Returns its position and
/// sets `*leads` to those encodings, or returns `length`. Ill-formed sequences are
/// stepped over as the normalizer's decoder does (one maximal subpart at a time).
int64_t winnow_find_mojibake_pair(const uint8_t *bytes, int64_t length, int64_t start,
                                  const winnow_mojibake_masks *masks, uint32_t *leads);

/// The first line break at or after `start`: LF, VT, FF, CR, or U+2028 / U+2029
/// (E2 80 A8 / A9). Returns its position, or `length`.
int64_t winnow_find_line_break(const uint8_t *bytes, int64_t length, int64_t start);

/// Where the line that holds `bytes[end]` starts, not before `lower`: the position
/// after the last line break (as `winnow_find_line_break` finds them) that ends at or
/// before `end`, or `lower`.
int64_t winnow_line_start(const uint8_t *bytes, int64_t lower, int64_t end);

/// The number of line feeds in `bytes[0..<length]`.
int64_t winnow_count_line_feeds(const uint8_t *bytes, int64_t length);

/// The position of the first ill-formed UTF-8 sequence or U+0085 (C2 85) in
/// `bytes[0..<length]`, or `length` when there is none.
int64_t winnow_utf8_check(const uint8_t *bytes, int64_t length);

/// Asks the processor to bring the cache line at `address` in, without waiting: hash
/// table lookups issue these for all their keys first, so that the misses overlap.
static inline void winnow_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(address);
#else
  (void)address;
#endif
}

#ifdef __cplusplus
}
#endif

#endif
