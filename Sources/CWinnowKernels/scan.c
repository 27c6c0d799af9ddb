#include "CWinnowKernels.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline uint64_t load64(const uint8_t *p) {
  uint64_t value;
  memcpy(&value, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  value = __builtin_bswap64(value);
#endif
  return value;
}

static inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static inline uint64_t low_bytes(int64_t count) {
  return count >= 8 ? ~0ULL : (1ULL << (8 * count)) - 1;
}

// KeyHasher: keys of up to seven bytes are their own hash; longer keys absorb eight
// bytes at a time and are finished with the length and SplitMix64's finalizer.
uint64_t winnow_key_hash(const uint8_t *bytes, int64_t count, uint8_t setting) {
  uint64_t spread = (uint64_t)setting * 0x0101010101010101ULL;
  if (count < 8) {
    uint8_t tail[8] = {0};
    memcpy(tail, bytes, (size_t)count);
    return (load64(tail) | spread) & low_bytes(count);
  }
  uint64_t state = 0x243F6A8885A308D3ULL;
  int64_t position = 0;
  while (position + 8 <= count) {
    state = (state ^ (load64(bytes + position) | spread)) * 0x9E3779B97F4A7C15ULL;
    state = (state << 27) | (state >> 37);
    position += 8;
  }
  uint64_t pending = 0;
  if (position < count) {
    uint8_t tail[8] = {0};
    memcpy(tail, bytes + position, (size_t)(count - position));
    pending = (load64(tail) | spread) & low_bytes(count - position);
  }
  return mix64((state ^ pending) + (uint64_t)count * 0xD6E8FEB86659FD93ULL);
}

// Class masks of 64 bytes: bit i of `word` is set when byte i is an ASCII letter or
// digit, of `other` when the kernel does not handle it, of `space` for space and tab.
typedef struct {
  uint64_t word, other, space;
} masks64;

#if defined(__SSE2__)
static inline masks64 classify64(const uint8_t *p) {
  masks64 result = {0, 0, 0};
  const __m128i x20 = _mm_set1_epi8(0x20);
  for (int block = 0; block < 4; block++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * block));
    // Signed comparisons: bytes of 0x80 and above are negative, so they are neither
    // letters nor digits and count as controls below.
    __m128i lower = _mm_or_si128(x, x20);
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8(0x60)),
                                   _mm_cmplt_epi8(lower, _mm_set1_epi8(0x7B)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x2F)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8(0x3A)));
    __m128i tab = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x09));
    __m128i space = _mm_or_si128(_mm_cmpeq_epi8(x, x20), tab);
    __m128i control = _mm_andnot_si128(tab, _mm_cmplt_epi8(x, x20));
    __m128i other = _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x27)),
                                                       _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))));
    unsigned shift = 16 * (unsigned)block;
    result.word |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(letter, digit)) << shift;
    result.other |= (uint64_t)(uint16_t)_mm_movemask_epi8(other) << shift;
    result.space |= (uint64_t)(uint16_t)_mm_movemask_epi8(space) << shift;
  }
  return result;
}
#else
static inline masks64 classify64(const uint8_t *p) {
  masks64 result = {0, 0, 0};
  for (int i = 0; i < 64; i++) {
    uint8_t byte = p[i];
    uint8_t lower = byte | 0x20;
    uint64_t bit = 1ULL << i;
    if ((lower >= 0x61 && lower <= 0x7A) || (byte >= 0x30 && byte <= 0x39)) {
      result.word |= bit;
    } else if (byte == 0x20 || byte == 0x09) {
      result.space |= bit;
    } else if (byte < 0x20 || byte >= 0x7F || byte == 0x27) {
      result.other |= bit;
    }
  }
  return result;
}
#endif

int64_t winnow_scan_ascii_words(const uint8_t *bytes, int64_t length, int64_t position,
                                winnow_token_buffer *tokens, int32_t *sawContent) {
  uint64_t *hashes = tokens->hashes;
  int32_t *starts = tokens->starts;
  int32_t *ends = tokens->ends;
  int64_t count = tokens->count;
  int32_t content = 0;
  while (position + 72 <= length && count + 64 <= tokens->capacity) {
    const uint8_t *p = bytes + position;
    masks64 m = classify64(p);
    // Bytes before the first unhandled one; words must end before it.
    int limit = m.other ? __builtin_ctzll(m.other) : 64;
    uint64_t inside = limit == 64 ? ~0ULL : (1ULL << limit) - 1;
    uint64_t word = m.word & inside;
    uint64_t wordStarts = word & ~(word << 1);
    int stop = limit;  // where this block's scan ends
    while (wordStarts) {
      int start = __builtin_ctzll(wordStarts);
      wordStarts &= wordStarts - 1;
      uint64_t rest = ~(m.word >> start);
      int run = rest ? __builtin_ctzll(rest) : 64 - start;
      if (start + run >= limit) {
        // The word runs into an unhandled byte or past the block: leave it whole
        // to the next block or to the caller.
        stop = start;
        break;
      }
      hashes[count] = run < 8 ? (load64(p + start) | 0x2020202020202020ULL) & low_bytes(run)
                              : winnow_key_hash(p + start, run, 0x20);
      starts[count] = (int32_t)(position + start);
      ends[count] = (int32_t)(position + start + run);
      count++;
    }
    uint64_t passed = stop == 64 ? ~0ULL : (1ULL << stop) - 1;
    if (passed & ~m.space) content = 1;
    position += stop;
    // Go on with the next block unless an unhandled byte stopped the scan, or a word
    // of 64 bytes or more fills this one.
    if (limit < 64 || stop == 0) break;
  }
  tokens->count = count;
  if (content) *sawContent = 1;
  return position;
}

int64_t winnow_json_plain_prefix(const uint8_t *bytes, int64_t length) {
  int64_t position = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  for (; position + 16 <= length; position += 16) {
    __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + position));
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                   _mm_cmpeq_epi8(_mm_max_epu8(chunk, control), control));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return position + __builtin_ctz((unsigned)mask);
  }
#else
  // Eight bytes at a time: a chunk with no special byte is skipped whole; the bytes of
  // a chunk that may hold one are looked at one by one below.
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  for (; position + 8 <= length; position += 8) {
    uint64_t word;
    memcpy(&word, bytes + position, 8);
    uint64_t q = word ^ (ones * '"'), b = word ^ (ones * '\\');
    uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((word - ones * 0x20) & ~word);
    if ((hit & highs) != 0) break;
  }
#endif
  for (; position < length; position++) {
    uint8_t byte = bytes[position];
    if (byte == '"' || byte == '\\' || byte < 0x20) return position;
  }
  return length;
}

int64_t winnow_count_line_feeds(const uint8_t *bytes, int64_t length) {
  int64_t count = 0, position = 0;
#if defined(__SSE2__)
  const __m128i feed = _mm_set1_epi8('\n');
  for (; position + 16 <= length; position += 16) {
    __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + position));
    count += __builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, feed)));
  }
#endif
  for (; position < length; position++) count += bytes[position] == '\n';
  return count;
}

/// Decodes one character as Winnow's Swift decoder does: its length (the maximal
/// subpart for an ill-formed sequence) and, for a well-formed one, its mask.
static inline __attribute__((always_inline)) int32_t mojibake_character(const uint8_t *bytes, int64_t index, int64_t length,
                                         const winnow_mojibake_masks *masks, uint32_t *mask) {
  uint8_t lead = bytes[index];
  *mask = 0;
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 1;
  if (lead < 0xE0) {
    if (index + 1 >= length || (bytes[index + 1] & 0xC0) != 0x80) return 1;
    *mask = masks->twoByte[(uint32_t)(lead & 0x1F) << 6 | (bytes[index + 1] & 0x3F)];
    return 2;
  }
  if (lead < 0xF0) {
    if (index + 1 >= length) return 1;
    uint8_t second = bytes[index + 1];
    uint8_t low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
    if (second < low || second > high) return 1;
    if (index + 2 >= length || (bytes[index + 2] & 0xC0) != 0x80) return 2;
    if (lead == 0xE2) *mask = masks->e2[(uint32_t)(second & 0x3F) << 6 | (bytes[index + 2] & 0x3F)];
    else if (lead == 0xEF) *mask = masks->ef[(uint32_t)(second & 0x3F) << 6 | (bytes[index + 2] & 0x3F)];
    return 3;
  }
  if (lead < 0xF5) {
    if (index + 1 >= length) return 1;
    uint8_t second = bytes[index + 1];
    uint8_t low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
    if (second < low || second > high) return 1;
    if (index + 2 >= length || (bytes[index + 2] & 0xC0) != 0x80) return 2;
    if (index + 3 >= length || (bytes[index + 3] & 0xC0) != 0x80) return 3;
    return 4;
  }
  return 1;
}

#if defined(__SSE2__)
/// Each byte of `chunk` in `low...high`, as 0xFF, else 0.
static inline __attribute__((always_inline)) __m128i bytes_in_range(__m128i chunk, uint8_t low, uint8_t high) {
  __m128i shifted = _mm_sub_epi8(chunk, _mm_set1_epi8((char)low));
  return _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8((char)(uint8_t)(high - low))), shifted);
}

static inline __attribute__((always_inline)) __m128i bytes_equal(__m128i chunk, uint8_t byte) {
  return _mm_cmpeq_epi8(chunk, _mm_set1_epi8((char)byte));
}
#endif

/// The first index from `start` where four bytes of 0x80 or above begin (two non-ASCII
/// characters in a row take at least four) with a byte that may lead a character of a
/// legacy encoding's table: C2-D3 (U+0080-U+04FF), E2 (U+2000-U+2FFF) or EF
/// (U+F000-U+FFFF). Every character of the tables starts so (the Swift tables check
/// it); CJK, Thai, Arabic, Hebrew and Indic text do not, and are skipped 16 bytes at a
/// time.
static inline __attribute__((always_inline)) int64_t find_pair_start(const uint8_t *bytes, int64_t length,
                                                                     int64_t start) {
  int64_t position = start;
#if defined(__SSE2__)
  // 16 positions at a time: a position starts a run when its byte and the next three
  // have the high bit set (the masks of two chunks give the bytes that follow).
  while (position + 32 <= length) {
    __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + position));
    uint32_t low = (uint32_t)_mm_movemask_epi8(chunk);
    if (low == 0) {
      position += 16;
      continue;
    }
    uint32_t high = (uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(bytes + position + 16)));
    uint32_t mask = low | high << 16;
    uint32_t runs = mask & mask >> 1 & mask >> 2 & mask >> 3 & 0xFFFF;
    if (runs != 0) {
      __m128i leads = _mm_or_si128(bytes_in_range(chunk, 0xC2, 0xD3),
                                   _mm_or_si128(bytes_equal(chunk, 0xE2), bytes_equal(chunk, 0xEF)));
      // A two-byte character followed by a basic Cyrillic letter (U+0410-U+044F, which
      // no encoding has as a continuation byte) starts no pair: runs of Russian text
      // are skipped too.
      __m128i third = _mm_loadu_si128((const __m128i *)(bytes + position + 2));
      __m128i fourth = _mm_loadu_si128((const __m128i *)(bytes + position + 3));
      __m128i cyrillic = _mm_or_si128(_mm_and_si128(bytes_equal(third, 0xD0), bytes_in_range(fourth, 0x90, 0xBF)),
                                      _mm_and_si128(bytes_equal(third, 0xD1), bytes_in_range(fourth, 0x80, 0x8F)));
      __m128i quiet = _mm_and_si128(bytes_in_range(chunk, 0xC2, 0xDF), cyrillic);
      runs &= (uint32_t)_mm_movemask_epi8(_mm_andnot_si128(quiet, leads));
      if (runs != 0) return position + __builtin_ctz(runs);
    }
    position += 16;
  }
#endif
  int32_t run = 0;
  for (int64_t index = position; index < length; index++) {
    if (bytes[index] < 0x80) {
      run = 0;
      continue;
    }
    if (++run >= 4) {
      uint8_t byte = bytes[index - 3];
      if ((byte >= 0xC2 && byte <= 0xD3) || byte == 0xE2 || byte == 0xEF) return index - 3;
    }
  }
  return length;
}

int64_t winnow_find_line_break(const uint8_t *bytes, int64_t length, int64_t start) {
  int64_t position = start;
  for (;;) {
#if defined(__SSE2__)
    while (position + 16 <= length) {
      __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + position));
      uint32_t mask = (uint32_t)_mm_movemask_epi8(_mm_or_si128(bytes_in_range(chunk, 0x0A, 0x0D), bytes_equal(chunk, 0xE2)));
      if (mask != 0) {
        position += __builtin_ctz(mask);
        break;
      }
      position += 16;
    }
#endif
    while (position < length && !(bytes[position] >= 0x0A && bytes[position] <= 0x0D) && bytes[position] != 0xE2) {
      position++;
    }
    if (position >= length) return length;
    if (bytes[position] != 0xE2) return position;
    if (position + 2 < length && bytes[position + 1] == 0x80 && (bytes[position + 2] & 0xFE) == 0xA8) return position;
    position++;
  }
}

/// Whether a line break ends just before `index` (not reaching before `lower`).
static inline int ends_line_break(const uint8_t *bytes, int64_t lower, int64_t index) {
  uint8_t byte = bytes[index - 1];
  if (byte >= 0x0A && byte <= 0x0D) return 1;
  return (byte & 0xFE) == 0xA8 && index - 3 >= lower && bytes[index - 3] == 0xE2 && bytes[index - 2] == 0x80;
}

int64_t winnow_line_start(const uint8_t *bytes, int64_t lower, int64_t end) {
  int64_t position = end;
#if defined(__SSE2__)
  // 16 bytes at a time, backwards: a chunk with no byte 0x0A-0x0D and none 0xA8/0xA9
  // (the last byte of U+2028 / U+2029) holds no line's end.
  while (position - 16 >= lower) {
    __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + position - 16));
    __m128i hits = _mm_or_si128(bytes_in_range(chunk, 0x0A, 0x0D), bytes_in_range(chunk, 0xA8, 0xA9));
    if (_mm_movemask_epi8(hits) != 0) break;
    position -= 16;
  }
#endif
  while (position > lower && !ends_line_break(bytes, lower, position)) position--;
  return position;
}

int64_t winnow_find_mojibake_pair(const uint8_t *bytes, int64_t length, int64_t start,
                                  const winnow_mojibake_masks *masks, uint32_t *leads) {
  int64_t position = start;
  while (position < length) {
    int64_t index = find_pair_start(bytes, length, position);
    if (index >= length) return length;
    uint32_t first;
    int32_t firstLength = mojibake_character(bytes, index, length, masks, &first);
    if ((first & 0xFFFF) == 0) {
      position = index + firstLength;
      continue;
    }
    int64_t next = index + firstLength;
    if (next >= length) return length;
    if (bytes[next] < 0x80) {
      position = next + 1;
      continue;
    }
    uint32_t second;
    mojibake_character(bytes, next, length, masks, &second);
    if ((first & (second >> 16) & 0xFFFF) != 0) {
      *leads = first & 0xFFFF;
      return index;
    }
    // The second may start a pair: the search goes on from it.
    position = next;
  }
  return length;
}

int64_t winnow_utf8_check(const uint8_t *bytes, int64_t length) {
  int64_t position = 0;
  while (position < length) {
    // ASCII, sixteen bytes at a time.
#if defined(__SSE2__)
    while (position + 16 <= length &&
           _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(bytes + position))) == 0)
      position += 16;
#endif
    if (position >= length) break;
    uint8_t lead = bytes[position];
    if (lead < 0x80) {
      position++;
      continue;
    }
    // Table 3-7 of the Unicode Standard: the well-formed byte sequences.
    if (lead < 0xC2) return position;
    if (lead < 0xE0) {
      if (position + 1 >= length || (bytes[position + 1] & 0xC0) != 0x80) return position;
      if (lead == 0xC2 && bytes[position + 1] == 0x85) return position;
      position += 2;
      continue;
    }
    if (lead < 0xF5) {
      // Three or four bytes: the second within the lead's range, the rest continuations.
      int64_t count = lead < 0xF0 ? 3 : 4;
      if (position + count > length) return position;
      uint8_t second = bytes[position + 1];
      uint8_t low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
      uint8_t high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
      if (second < low || second > high || (bytes[position + 2] & 0xC0) != 0x80 ||
          (count == 4 && (bytes[position + 3] & 0xC0) != 0x80))
        return position;
      position += count;
      continue;
    }
    return position;
  }
  return length;
}
