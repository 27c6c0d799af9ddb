#ifndef CWINNOWICU_H
#define CWINNOWICU_H

// Winnow's boundary to ICU. Only fixed-width C types cross it: ICU's headers are
// included by the implementation files alone, so Swift modules that also import
// Foundation (which bundles its own ICU) never see two definitions of UErrorCode.
// Every function is thread-safe.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Unicode normalization forms understood by `winnow_normalize_utf8`.
enum {
  WINNOW_NFC = 0,
  WINNOW_NFKC = 1,
  WINNOW_NFD = 2,
  WINNOW_NFKD = 3,
};

/// Writes ICU's version ("72.1") into `buffer` (NUL-terminated); returns its length.
int32_t winnow_icu_version(char *buffer, int32_t capacity);

/// Writes the Unicode version ICU implements ("15.0") into `buffer`.
int32_t winnow_unicode_version(char *buffer, int32_t capacity);

/// Evaluates a UnicodeSet pattern (for example "[[:White_Space:]-[\\n]]") and writes
/// its code point ranges as inclusive (start, end) pairs into `ranges`.
/// Returns the number of pairs (which may exceed `pairCapacity`: call again with a
/// larger buffer), or a negative ICU error code.
int32_t winnow_set_ranges(const char *pattern, uint32_t *ranges, int32_t pairCapacity);

/// Whether the normalization form `form` has a boundary before `codePoint`.
int32_t winnow_has_boundary_before(int32_t form, uint32_t codePoint);

/// Normalizes UTF-8 to UTF-8 in the given form through ICU's UTF-16 API.
/// Returns the output length (which may exceed `capacity`: call again with a larger
/// buffer), or a negative ICU error code. `source` must be valid UTF-8.
int32_t winnow_normalize_utf8(int32_t form, const uint8_t *source, int32_t length,
                              uint8_t *destination, int32_t capacity);

/// Full Unicode case folding of UTF-8 (ICU `ucasemap_utf8FoldCase`, default options).
/// Returns the output length (may exceed `capacity`), or a negative ICU error code.
int32_t winnow_fold_case_utf8(const uint8_t *source, int32_t length,
                              uint8_t *destination, int32_t capacity);

/// Converts bytes in `charset` to UTF-8 with ICU's converters (`ucnv_convert`).
/// Returns the output length (may exceed `capacity`), or a negative ICU error code.
int32_t winnow_convert_to_utf8(const char *charset, const uint8_t *source, int32_t length,
                               uint8_t *destination, int32_t capacity);

/// Converts UTF-8 to `charset` with ICU's converters (for producing test data).
/// Returns the output length (may exceed `capacity`), or a negative ICU error code.
int32_t winnow_convert_from_utf8(const char *charset, const uint8_t *source, int32_t length,
                                 uint8_t *destination, int32_t capacity);

/// Guesses the charset of `source` with ICU's detector (`ucsdet`): writes its name
/// ("windows-1252", "Shift_JIS", "UTF-16LE", ...) into `name` (NUL-terminated) and its
/// confidence (0 to 100) into `confidence`. Returns the name's length, 0 when nothing
/// matches, or a negative ICU error code.
int32_t winnow_detect_charset(const uint8_t *source, int32_t length, char *name, int32_t capacity,
                              int32_t *confidence);

/// Writes the Unicode name of `codePoint` ("LEFT SINGLE QUOTATION MARK"), NUL-terminated.
/// Returns the length, 0 when the code point has no name, or a negative ICU error code.
int32_t winnow_char_name(uint32_t codePoint, char *buffer, int32_t capacity);

/// The Unicode general category of `codePoint` as ICU's `UCharCategory` value.
int32_t winnow_general_category(uint32_t codePoint);

/// The canonical combining class of `codePoint`.
int32_t winnow_combining_class(uint32_t codePoint);

/// The comparison key of one code point, for fingerprinting: NFKC_Casefold, then NFD,
/// keeping only letters and numbers (marks, punctuation, symbols, spaces and format
/// characters dropped). Writes up to `capacity` code points into `keys`; returns
/// their number, or a negative ICU error code.
int32_t winnow_comparison_key(uint32_t codePoint, uint32_t *keys, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
