#include "CWinnowICU.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ucasemap.h>
#include <unicode/utf16.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

static int32_t winnow_version_string(const UVersionInfo info, char *buffer, int32_t capacity) {
  char text[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(info, text);
  int32_t length = (int32_t)strlen(text);
  if (capacity > 0) {
    int32_t n = length < capacity - 1 ? length : capacity - 1;
    memcpy(buffer, text, (size_t)n);
    buffer[n] = 0;
  }
  return length;
}

int32_t winnow_icu_version(char *buffer, int32_t capacity) {
  UVersionInfo info;
  u_getVersion(info);
  return winnow_version_string(info, buffer, capacity);
}

int32_t winnow_unicode_version(char *buffer, int32_t capacity) {
  UVersionInfo info;
  u_getUnicodeVersion(info);
  return winnow_version_string(info, buffer, capacity);
}

int32_t winnow_set_ranges(const char *pattern, uint32_t *ranges, int32_t pairCapacity) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t patternLength = 0;
  u_strFromUTF8(NULL, 0, &patternLength, pattern, -1, &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return -(int32_t)status;
  status = U_ZERO_ERROR;
  UChar *text = (UChar *)malloc(sizeof(UChar) * (size_t)(patternLength + 1));
  if (text == NULL) return -(int32_t)U_MEMORY_ALLOCATION_ERROR;
  u_strFromUTF8(text, patternLength + 1, NULL, pattern, -1, &status);
  if (U_FAILURE(status)) {
    free(text);
    return -(int32_t)status;
  }
  USet *set = uset_openPattern(text, patternLength, &status);
  free(text);
  if (U_FAILURE(status)) return -(int32_t)status;
  int32_t count = uset_getItemCount(set);
  int32_t pairs = 0;
  for (int32_t i = 0; i < count; i++) {
    UChar32 start, end;
    int32_t stringLength = uset_getItem(set, i, &start, &end, NULL, 0, &status);
    if (stringLength != 0) {  // strings in the set are not code point ranges
      status = U_ZERO_ERROR;
      continue;
    }
    if (pairs < pairCapacity) {
      ranges[2 * pairs] = (uint32_t)start;
      ranges[2 * pairs + 1] = (uint32_t)end;
    }
    pairs++;
  }
  uset_close(set);
  return pairs;
}

static const UNormalizer2 *winnow_normalizer(int32_t form, UErrorCode *status) {
  switch (form) {
    case WINNOW_NFC: return unorm2_getNFCInstance(status);
    case WINNOW_NFKC: return unorm2_getNFKCInstance(status);
    case WINNOW_NFD: return unorm2_getNFDInstance(status);
    case WINNOW_NFKD: return unorm2_getNFKDInstance(status);
    default: *status = U_ILLEGAL_ARGUMENT_ERROR; return NULL;
  }
}

int32_t winnow_has_boundary_before(int32_t form, uint32_t codePoint) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *normalizer = winnow_normalizer(form, &status);
  if (U_FAILURE(status)) return 1;
  return unorm2_hasBoundaryBefore(normalizer, (UChar32)codePoint) ? 1 : 0;
}

enum { STACK_UNITS = 512 };

int32_t winnow_normalize_utf8(int32_t form, const uint8_t *source, int32_t length,
                              uint8_t *destination, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *normalizer = winnow_normalizer(form, &status);
  if (U_FAILURE(status)) return -(int32_t)status;

  UChar stackIn[STACK_UNITS], stackOut[STACK_UNITS * 2];
  UChar *in = stackIn, *out = stackOut;
  int32_t inLength = 0;
  u_strFromUTF8(in, STACK_UNITS, &inLength, (const char *)source, length, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    status = U_ZERO_ERROR;
    in = (UChar *)malloc(sizeof(UChar) * (size_t)(inLength + 1));
    if (in == NULL) return -(int32_t)U_MEMORY_ALLOCATION_ERROR;
    u_strFromUTF8(in, inLength + 1, &inLength, (const char *)source, length, &status);
  }
  if (U_FAILURE(status)) goto done;

  int32_t outCapacity = STACK_UNITS * 2;
  int32_t outLength = unorm2_normalize(normalizer, in, inLength, out, outCapacity, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    status = U_ZERO_ERROR;
    outCapacity = outLength + 1;
    out = (UChar *)malloc(sizeof(UChar) * (size_t)outCapacity);
    if (out == NULL) {
      status = U_MEMORY_ALLOCATION_ERROR;
      goto done;
    }
    outLength = unorm2_normalize(normalizer, in, inLength, out, outCapacity, &status);
  }
  if (U_FAILURE(status)) goto done;

  int32_t result = 0;
  u_strToUTF8((char *)destination, capacity, &result, out, outLength, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    status = U_ZERO_ERROR;
  }
  if (in != stackIn) free(in);
  if (out != stackOut) free(out);
  return U_FAILURE(status) ? -(int32_t)status : result;

done:
  if (in != stackIn) free(in);
  if (out != stackOut) free(out);
  return -(int32_t)status;
}

int32_t winnow_fold_case_utf8(const uint8_t *source, int32_t length,
                              uint8_t *destination, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  UCaseMap *map = ucasemap_open(NULL, U_FOLD_CASE_DEFAULT, &status);
  if (U_FAILURE(status)) return -(int32_t)status;
  int32_t result = ucasemap_utf8FoldCase(map, (char *)destination, capacity,
                                         (const char *)source, length, &status);
  ucasemap_close(map);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    return result;
  }
  return U_FAILURE(status) ? -(int32_t)status : result;
}

int32_t winnow_convert_to_utf8(const char *charset, const uint8_t *source, int32_t length,
                               uint8_t *destination, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t result = ucnv_convert("UTF-8", charset, (char *)destination, capacity,
                                (const char *)source, length, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    return result;
  }
  return U_FAILURE(status) ? -(int32_t)status : result;
}

int32_t winnow_convert_from_utf8(const char *charset, const uint8_t *source, int32_t length,
                                 uint8_t *destination, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t result = ucnv_convert(charset, "UTF-8", (char *)destination, capacity,
                                (const char *)source, length, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    return result;
  }
  return U_FAILURE(status) ? -(int32_t)status : result;
}

int32_t winnow_detect_charset(const uint8_t *source, int32_t length, char *name, int32_t capacity,
                              int32_t *confidence) {
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector *detector = ucsdet_open(&status);
  if (U_FAILURE(status)) return -(int32_t)status;
  ucsdet_setText(detector, (const char *)source, length, &status);
  const UCharsetMatch *match = ucsdet_detect(detector, &status);
  int32_t written = 0;
  *confidence = 0;
  if (U_SUCCESS(status) && match != NULL) {
    const char *found = ucsdet_getName(match, &status);
    *confidence = ucsdet_getConfidence(match, &status);
    if (U_SUCCESS(status) && found != NULL) {
      written = (int32_t)strlen(found);
      if (written >= capacity) written = capacity - 1;
      memcpy(name, found, (size_t)written);
      name[written] = 0;
    }
  }
  ucsdet_close(detector);
  return U_FAILURE(status) ? -(int32_t)status : written;
}

int32_t winnow_char_name(uint32_t codePoint, char *buffer, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = u_charName((UChar32)codePoint, U_UNICODE_CHAR_NAME, buffer, capacity, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) {
    return length;
  }
  return U_FAILURE(status) ? -(int32_t)status : length;
}

int32_t winnow_general_category(uint32_t codePoint) {
  return (int32_t)u_charType((UChar32)codePoint);
}

int32_t winnow_combining_class(uint32_t codePoint) {
  return (int32_t)u_getCombiningClass((UChar32)codePoint);
}

int32_t winnow_comparison_key(uint32_t codePoint, uint32_t *keys, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *fold = unorm2_getNFKCCasefoldInstance(&status);
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&status);
  if (U_FAILURE(status)) return -(int32_t)status;
  UChar source[2], folded[64], decomposed[128];
  int32_t sourceLength = 0;
  U16_APPEND_UNSAFE(source, sourceLength, (UChar32)codePoint);
  int32_t foldedLength = unorm2_normalize(fold, source, sourceLength, folded, 64, &status);
  int32_t decomposedLength = unorm2_normalize(nfd, folded, foldedLength, decomposed, 128, &status);
  if (U_FAILURE(status)) return -(int32_t)status;
  int32_t count = 0;
  for (int32_t i = 0; i < decomposedLength;) {
    UChar32 c;
    U16_NEXT(decomposed, i, decomposedLength, c);
    int32_t mask = U_GET_GC_MASK(c);
    if ((mask & (U_GC_L_MASK | U_GC_N_MASK | U_GC_MC_MASK)) == 0) continue;
    if (count < capacity) keys[count] = (uint32_t)c;
    count++;
  }
  return count;
}
