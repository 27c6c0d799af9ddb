#include "CWinnowCompression.h"

#if !__has_include(<isa-l/igzip_lib.h>)
#error "Winnow needs ISA-L's development files: sudo apt-get install libisal-dev"
#endif
#if !__has_include(<zstd.h>)
#error "Winnow needs libzstd's development files: sudo apt-get install libzstd-dev"
#endif
#if !__has_include(<bzlib.h>)
#error "Winnow needs libbz2's development files: sudo apt-get install libbz2-dev"
#endif
#if !__has_include(<lzma.h>)
#error "Winnow needs liblzma's development files: sudo apt-get install liblzma-dev"
#endif

#include <bzlib.h>
#include <isa-l/igzip_lib.h>
#include <limits.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

// ---------------------------------------------------------------------------------------
// Formats

static const char *const format_names[] = {"gzip", "zstd", "bzip2", "xz"};

static int valid_format(int32_t format) {
  return format >= WINNOW_FORMAT_GZIP && format <= WINNOW_FORMAT_XZ;
}

int32_t winnow_compression_detect(const uint8_t *prefix, size_t length) {
  if (length >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B) return WINNOW_FORMAT_GZIP;
  if (length >= 4 && prefix[0] == 0x28 && prefix[1] == 0xB5 && prefix[2] == 0x2F && prefix[3] == 0xFD)
    return WINNOW_FORMAT_ZSTD;
  // A skippable frame (magic 0x184D2A50 to 0x184D2A5F, little-endian), as pzstd writes first.
  if (length >= 4 && (prefix[0] & 0xF0) == 0x50 && prefix[1] == 0x2A && prefix[2] == 0x4D && prefix[3] == 0x18)
    return WINNOW_FORMAT_ZSTD;
  if (length >= 4 && prefix[0] == 'B' && prefix[1] == 'Z' && prefix[2] == 'h' && prefix[3] >= '1' && prefix[3] <= '9')
    return WINNOW_FORMAT_BZIP2;
  static const uint8_t xz_magic[6] = {0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00};
  if (length >= 6 && memcmp(prefix, xz_magic, 6) == 0) return WINNOW_FORMAT_XZ;
  return -1;
}

int32_t winnow_compression_default_level(int32_t format) {
  switch (format) {
    case WINNOW_FORMAT_GZIP: return 1;
    case WINNOW_FORMAT_ZSTD: return 3;
    case WINNOW_FORMAT_BZIP2: return 9;
    case WINNOW_FORMAT_XZ: return 6;
    default: return -1;
  }
}

int32_t winnow_compression_level_range(int32_t format, int32_t *minimum, int32_t *maximum) {
  switch (format) {
    case WINNOW_FORMAT_GZIP: *minimum = ISAL_DEF_MIN_LEVEL; *maximum = ISAL_DEF_MAX_LEVEL; return 0;
    case WINNOW_FORMAT_ZSTD: *minimum = 1; *maximum = ZSTD_maxCLevel(); return 0;
    case WINNOW_FORMAT_BZIP2: *minimum = 1; *maximum = 9; return 0;
    case WINNOW_FORMAT_XZ: *minimum = 0; *maximum = 9; return 0;
    default: return -1;
  }
}

static void write_message(char *message, size_t capacity, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void write_message(char *message, size_t capacity, const char *format, ...) {
  if (message == NULL || capacity == 0) return;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, capacity, format, arguments);
  va_end(arguments);
}

// ISA-L counts in `uint32_t` and libbz2 in `unsigned int`: larger buffers are passed in
// pieces.
static uint32_t clamp_u32(size_t length) { return length > UINT32_MAX ? UINT32_MAX : (uint32_t)length; }

static unsigned int clamp_uint(size_t length) {
  return length > UINT_MAX ? UINT_MAX : (unsigned int)length;
}

// ISA-L's states are large (about 85 KiB each) and want cache-line alignment.
static void *allocate_aligned(size_t size) {
  size = (size + 63) & ~(size_t)63;  // aligned_alloc wants a multiple of the alignment
  void *pointer = aligned_alloc(64, size);
  if (pointer != NULL) memset(pointer, 0, size);
  return pointer;
}

// ---------------------------------------------------------------------------------------
// Decoding

// The memory an xz stream may take to decode: every preset needs at most 65 MiB, but a
// stream may ask for a dictionary of up to 4 GiB. (zstd refuses windows over 128 MiB by
// default; gzip and bzip2 need at most a few MiB.)
static const uint64_t xz_memory_limit = 256 << 20;

struct winnow_decoder {
  int32_t format;
  /// A step failed: every later step fails the same way.
  int failed;
  /// The library state is initialized (bzip2 is set up per stream).
  int live;
  /// Inside a member, frame or stream (from its first byte to its end).
  int in_member;
  /// Complete members, frames or streams decoded.
  uint64_t members;
  /// gzip: trailing zero bytes seen after the last member (any count is a clean end).
  /// xz: stream padding seen after the last stream (a multiple of 4 is a clean end).
  uint64_t padding;
  uint64_t total_in;
  union {
    struct {
      struct inflate_state *inflate;
      /// The member's header as parsed so far, kept across steps. isal_inflate would
      /// parse the header itself, but into a fresh struct on each call: a header split
      /// across inputs after its flags byte resumes with flags read from uninitialized
      /// memory (a name followed by a comment then fails). isal_read_gzip_header
      /// resumes correctly from this copy.
      struct isal_gzip_header header;
      /// The header is parsed: deflate data and the trailer follow.
      int header_done;
    } gzip;
    ZSTD_DStream *zstd;
    bz_stream bzip2;
    lzma_stream xz;
  } state;
  char message[256];
};

static int32_t decoder_fail(winnow_decoder *decoder, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// Both codecs fail the same way: the message kept, the codec failed for good.
#define CODEC_FAIL(codec, format)                                    \
  do {                                                               \
    va_list arguments;                                               \
    va_start(arguments, format);                                     \
    vsnprintf((codec)->message, sizeof (codec)->message, format, arguments); \
    va_end(arguments);                                               \
    (codec)->failed = 1;                                             \
    return WINNOW_CODEC_ERROR;                                       \
  } while (0)

static int32_t decoder_fail(winnow_decoder *decoder, const char *format, ...) { CODEC_FAIL(decoder, format); }

/// Sets up ISA-L for a new gzip member: the header is parsed here, then isal_inflate
/// decodes the deflate data and checks the trailer's CRC-32 and length.
static void gzip_begin_member(winnow_decoder *decoder) {
  struct inflate_state *inflate = decoder->state.gzip.inflate;
  isal_inflate_init(inflate);
  inflate->crc_flag = ISAL_GZIP;
  isal_gzip_header_init(&decoder->state.gzip.header);
  decoder->state.gzip.header.flags = 0;  // not set by isal_gzip_header_init
  decoder->state.gzip.header_done = 0;
}

/// The message for an ISA-L status, in zlib's words where they exist.
static int32_t gzip_fail(winnow_decoder *decoder, int status) {
  const char *what;
  switch (status) {
    case ISAL_INVALID_WRAPPER: what = "not a gzip header"; break;
    case ISAL_UNSUPPORTED_METHOD: what = "unknown compression method"; break;
    case ISAL_INCORRECT_CHECKSUM:
      what = decoder->state.gzip.header_done ? "incorrect data check" : "header crc mismatch";
      break;
    case ISAL_INVALID_BLOCK: what = "invalid block header"; break;
    case ISAL_INVALID_SYMBOL: what = "invalid code"; break;
    case ISAL_INVALID_LOOKBACK: what = "invalid distance too far back"; break;
    case ISAL_NEED_DICT: what = "it asks for a preset dictionary"; break;
    default: return decoder_fail(decoder, "ISA-L failed decoding gzip data (status %d)", status);
  }
  return decoder_fail(decoder, "gzip data is corrupt (%s)", what);
}

winnow_decoder *winnow_decoder_create(int32_t format, char *message, size_t message_capacity) {
  write_message(message, message_capacity, "%s", "");
  if (!valid_format(format)) {
    write_message(message, message_capacity, "unknown compression format %d", (int)format);
    return NULL;
  }
  winnow_decoder *decoder = calloc(1, sizeof *decoder);
  if (decoder == NULL) {
    write_message(message, message_capacity, "out of memory creating a %s decoder", format_names[format]);
    return NULL;
  }
  decoder->format = format;
  int ok = 1;
  switch (format) {
    case WINNOW_FORMAT_GZIP:
      decoder->state.gzip.inflate = allocate_aligned(sizeof(struct inflate_state));
      ok = decoder->state.gzip.inflate != NULL;
      if (ok) gzip_begin_member(decoder);
      break;
    case WINNOW_FORMAT_ZSTD:
      decoder->state.zstd = ZSTD_createDStream();
      ok = decoder->state.zstd != NULL;
      break;
    case WINNOW_FORMAT_BZIP2:
      ok = BZ2_bzDecompressInit(&decoder->state.bzip2, 0, 0) == BZ_OK;
      break;
    case WINNOW_FORMAT_XZ: {
      lzma_stream initial = LZMA_STREAM_INIT;
      decoder->state.xz = initial;
      ok = lzma_stream_decoder(&decoder->state.xz, xz_memory_limit, 0) == LZMA_OK;
      break;
    }
  }
  if (!ok) {
    write_message(message, message_capacity, "could not create a %s decoder (out of memory)", format_names[format]);
    free(decoder);
    return NULL;
  }
  decoder->live = 1;
  return decoder;
}

void winnow_decoder_destroy(winnow_decoder *decoder) {
  if (decoder == NULL) return;
  if (decoder->live) {
    switch (decoder->format) {
      case WINNOW_FORMAT_GZIP: free(decoder->state.gzip.inflate); break;
      case WINNOW_FORMAT_ZSTD: ZSTD_freeDStream(decoder->state.zstd); break;
      case WINNOW_FORMAT_BZIP2: BZ2_bzDecompressEnd(&decoder->state.bzip2); break;
      case WINNOW_FORMAT_XZ: lzma_end(&decoder->state.xz); break;
    }
  }
  free(decoder);
}

int32_t winnow_decoder_at_boundary(const winnow_decoder *decoder) {
  if (decoder->failed || decoder->in_member || decoder->members == 0) return 0;
  if (decoder->format == WINNOW_FORMAT_XZ && decoder->padding % 4 != 0) return 0;
  return 1;
}

uint64_t winnow_decoder_total_in(const winnow_decoder *decoder) { return decoder->total_in; }

const char *winnow_decoder_message(const winnow_decoder *decoder) { return decoder->message; }

/// Whether `byte` can begin a member of the decoder's format.
static int starts_member(int32_t format, uint8_t byte) {
  switch (format) {
    case WINNOW_FORMAT_GZIP: return byte == 0x1F;
    case WINNOW_FORMAT_ZSTD: return byte == 0x28 || (byte & 0xF0) == 0x50;
    case WINNOW_FORMAT_BZIP2: return byte == 'B';
    case WINNOW_FORMAT_XZ: return byte == 0xFD;
    default: return 0;
  }
}

/// Between members: skips what may lie there and sets up the next member. Returns 1
/// when a member begins at `input[*position]`, 0 when the input ran out first, or
/// WINNOW_CODEC_ERROR.
static int32_t decoder_begin_member(winnow_decoder *decoder, const uint8_t *input, size_t length,
                                    size_t *position) {
  const char *name = format_names[decoder->format];
  if (decoder->members > 0) {
    // gzip: trailing zero bytes (as some tools pad with); xz: stream padding.
    if (decoder->format == WINNOW_FORMAT_GZIP || decoder->format == WINNOW_FORMAT_XZ) {
      while (*position < length && input[*position] == 0) {
        (*position)++;
        decoder->padding++;
      }
      if (*position == length) return 0;
      if (decoder->format == WINNOW_FORMAT_GZIP && decoder->padding > 0)
        return decoder_fail(decoder, "data after the end of the gzip stream (after %llu zero bytes)",
                            (unsigned long long)decoder->padding);
      if (decoder->format == WINNOW_FORMAT_XZ && decoder->padding % 4 != 0)
        return decoder_fail(decoder, "xz data is corrupt (stream padding of %llu bytes, not a multiple of 4)",
                            (unsigned long long)decoder->padding);
    }
    if (*position == length) return 0;
    if (!starts_member(decoder->format, input[*position]))
      return decoder_fail(decoder, "data after the end of the %s stream", name);
  }
  decoder->padding = 0;
  if (decoder->members > 0) {
    switch (decoder->format) {
      case WINNOW_FORMAT_GZIP: gzip_begin_member(decoder); break;
      case WINNOW_FORMAT_ZSTD: break;  // a finished frame leaves the decoder ready for the next
      case WINNOW_FORMAT_BZIP2:
        BZ2_bzDecompressEnd(&decoder->state.bzip2);
        decoder->live = 0;
        memset(&decoder->state.bzip2, 0, sizeof decoder->state.bzip2);
        if (BZ2_bzDecompressInit(&decoder->state.bzip2, 0, 0) != BZ_OK)
          return decoder_fail(decoder, "could not create a bzip2 decoder (out of memory)");
        decoder->live = 1;
        break;
      case WINNOW_FORMAT_XZ:
        // lzma_stream_decoder re-initializes a stream in place.
        if (lzma_stream_decoder(&decoder->state.xz, xz_memory_limit, 0) != LZMA_OK)
          return decoder_fail(decoder, "could not create an xz decoder (out of memory)");
        break;
    }
  }
  decoder->in_member = 1;
  return 1;
}

/// One library call on the member in progress, from `input[*in]` to `output[*out]`.
/// Returns 1 when the member ended, 0 otherwise, or WINNOW_CODEC_ERROR.
static int32_t decoder_call(winnow_decoder *decoder, const uint8_t *input, size_t length, size_t *in,
                            uint8_t *output, size_t capacity, size_t *out) {
  switch (decoder->format) {
    case WINNOW_FORMAT_GZIP: {
      struct inflate_state *inflate = decoder->state.gzip.inflate;
      uint32_t in_size = clamp_u32(length - *in), out_size = clamp_u32(capacity - *out);
      inflate->next_in = (uint8_t *)(input + *in);
      inflate->avail_in = in_size;
      if (!decoder->state.gzip.header_done) {
        // Resumable: a header split across inputs goes on where it stopped.
        int status = isal_read_gzip_header(inflate, &decoder->state.gzip.header);
        *in += in_size - inflate->avail_in;
        in_size = inflate->avail_in;
        if (status == ISAL_END_INPUT) return 0;
        if (status != ISAL_DECOMP_OK) return gzip_fail(decoder, status);
        // FLG bits 5 to 7 are reserved (zlib refuses them too).
        if (decoder->state.gzip.header.flags & 0xE0)
          return decoder_fail(decoder, "gzip data is corrupt (unknown header flags set)");
        decoder->state.gzip.header_done = 1;
      }
      inflate->next_out = output + *out;
      inflate->avail_out = out_size;
      int status = isal_inflate(inflate);
      *in += in_size - inflate->avail_in;
      *out += out_size - inflate->avail_out;
      if (status != ISAL_DECOMP_OK) return gzip_fail(decoder, status);
      // Finished: the deflate data, flushed to the output, and a correct trailer. ISA-L
      // reads the trailer exactly, never past it, so what follows is left unconsumed.
      return inflate->block_state == ISAL_BLOCK_FINISH;
    }
    case WINNOW_FORMAT_ZSTD: {
      ZSTD_inBuffer source = {input + *in, length - *in, 0};
      ZSTD_outBuffer destination = {output + *out, capacity - *out, 0};
      size_t result = ZSTD_decompressStream(decoder->state.zstd, &destination, &source);
      *in += source.pos;
      *out += destination.pos;
      if (ZSTD_isError(result)) {
        if (ZSTD_getErrorCode(result) == ZSTD_error_frameParameter_windowTooLarge)
          return decoder_fail(decoder,
                              "zstd data needs a window larger than the 128 MiB allowed "
                              "(it was compressed with --long or at a high level)");
        if (ZSTD_getErrorCode(result) == ZSTD_error_memory_allocation)
          return decoder_fail(decoder, "out of memory decoding zstd data");
        return decoder_fail(decoder, "zstd data is corrupt (%s)", ZSTD_getErrorName(result));
      }
      // 0: a frame is complete and all of it flushed.
      return result == 0;
    }
    case WINNOW_FORMAT_BZIP2: {
      bz_stream *bz = &decoder->state.bzip2;
      unsigned int in_size = clamp_uint(length - *in), out_size = clamp_uint(capacity - *out);
      bz->next_in = (char *)(input + *in);
      bz->avail_in = in_size;
      bz->next_out = (char *)(output + *out);
      bz->avail_out = out_size;
      int status = BZ2_bzDecompress(bz);
      *in += in_size - bz->avail_in;
      *out += out_size - bz->avail_out;
      switch (status) {
        case BZ_OK: return 0;
        case BZ_STREAM_END: return 1;
        case BZ_DATA_ERROR_MAGIC:
          return decoder_fail(decoder, "bzip2 data is corrupt (no bzip2 stream header)");
        case BZ_DATA_ERROR:
          return decoder_fail(decoder, "bzip2 data is corrupt (a block or a checksum is damaged)");
        case BZ_MEM_ERROR: return decoder_fail(decoder, "out of memory decoding bzip2 data");
        default: return decoder_fail(decoder, "libbz2 failed decoding bzip2 data (status %d)", status);
      }
    }
    case WINNOW_FORMAT_XZ: {
      lzma_stream *xz = &decoder->state.xz;
      xz->next_in = input + *in;
      xz->avail_in = length - *in;
      xz->next_out = output + *out;
      xz->avail_out = capacity - *out;
      lzma_ret status = lzma_code(xz, LZMA_RUN);
      *in = length - xz->avail_in;
      *out = capacity - xz->avail_out;
      switch (status) {
        case LZMA_OK:
        case LZMA_BUF_ERROR:  // no progress possible now: not an error
          return 0;
        case LZMA_STREAM_END: return 1;
        case LZMA_FORMAT_ERROR: return decoder_fail(decoder, "xz data is corrupt (no xz stream header)");
        case LZMA_OPTIONS_ERROR:
          return decoder_fail(decoder, "xz data is corrupt or uses options this liblzma does not support");
        case LZMA_DATA_ERROR: return decoder_fail(decoder, "xz data is corrupt (the compressed data is damaged)");
        case LZMA_MEM_ERROR: return decoder_fail(decoder, "out of memory decoding xz data");
        case LZMA_MEMLIMIT_ERROR:
          return decoder_fail(decoder,
                              "xz data needs %llu MiB of memory to decode, more than the %llu MiB allowed "
                              "(it was compressed with a very large dictionary)",
                              (unsigned long long)((lzma_memusage(xz) + (1 << 20) - 1) >> 20),
                              (unsigned long long)(xz_memory_limit >> 20));
        default: return decoder_fail(decoder, "liblzma failed decoding xz data (status %d)", (int)status);
      }
    }
    default: return decoder_fail(decoder, "unknown compression format %d", (int)decoder->format);
  }
}

int32_t winnow_decoder_step(winnow_decoder *decoder, const uint8_t *input, size_t input_length,
                            size_t *consumed, uint8_t *output, size_t output_capacity,
                            size_t *produced) {
  *consumed = 0;
  *produced = 0;
  if (decoder->failed) return WINNOW_CODEC_ERROR;
  // The libraries want real pointers even for empty buffers.
  uint8_t empty[1];
  if (input == NULL) input_length = 0;
  if (input_length == 0) input = empty;
  if (output == NULL || output_capacity == 0) {
    output = empty;
    output_capacity = 0;
  }
  size_t in = 0, out = 0;
  int32_t result = WINNOW_CODEC_OK;
  for (;;) {
    if (!decoder->in_member) {
      size_t before = in;
      result = decoder_begin_member(decoder, input, input_length, &in);
      decoder->total_in += in - before;
      if (result != 1) break;
    }
    size_t in_before = in, out_before = out;
    result = decoder_call(decoder, input, input_length, &in, output, output_capacity, &out);
    decoder->total_in += in - in_before;
    if (result == WINNOW_CODEC_ERROR) break;
    if (result == 1) {
      decoder->in_member = 0;
      decoder->members++;
      continue;
    }
    // Until neither input nor output moves: the output is full, or the input used up.
    if (in == in_before && out == out_before) break;
  }
  *consumed = in;
  *produced = out;
  if (result == WINNOW_CODEC_ERROR) return WINNOW_CODEC_ERROR;
  return winnow_decoder_at_boundary(decoder) ? WINNOW_CODEC_END : WINNOW_CODEC_OK;
}

// ---------------------------------------------------------------------------------------
// Encoding

struct winnow_encoder {
  int32_t format;
  int32_t level;
  /// gzip and bzip2: input taken since the stream began or the last flush (a flush of
  /// none writes nothing: ISA-L would write another empty block).
  uint64_t stream_in;
  int failed;
  int finished;
  union {
    struct {
      struct isal_zstream *stream;
      /// The working memory levels 1 to 3 need.
      uint8_t *level_buffer;
    } gzip;
    ZSTD_CCtx *zstd;
    bz_stream bzip2;
    lzma_stream xz;
  } state;
  char message[256];
};

static int32_t encoder_fail(winnow_encoder *encoder, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int32_t encoder_fail(winnow_encoder *encoder, const char *format, ...) { CODEC_FAIL(encoder, format); }

winnow_encoder *winnow_encoder_create(int32_t format, int32_t level, char *message,
                                      size_t message_capacity) {
  write_message(message, message_capacity, "%s", "");
  if (!valid_format(format)) {
    write_message(message, message_capacity, "unknown compression format %d", (int)format);
    return NULL;
  }
  const char *name = format_names[format];
  int32_t minimum = 0, maximum = 0;
  winnow_compression_level_range(format, &minimum, &maximum);
  if (level < 0) level = winnow_compression_default_level(format);
  if (level < minimum || level > maximum) {
    write_message(message, message_capacity, "%s compression levels are %d to %d, not %d", name, (int)minimum,
                  (int)maximum, (int)level);
    return NULL;
  }
  winnow_encoder *encoder = calloc(1, sizeof *encoder);
  if (encoder == NULL) {
    write_message(message, message_capacity, "out of memory creating a %s encoder", name);
    return NULL;
  }
  encoder->format = format;
  encoder->level = level;
  int ok = 1;
  switch (format) {
    case WINNOW_FORMAT_GZIP: {
      // A 32 KiB window, and ISA-L's own gzip header (no name, no time) and trailer.
      static const uint32_t level_buffer_sizes[] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                                    ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};
      struct isal_zstream *stream = allocate_aligned(sizeof *stream);
      uint32_t level_buffer_size = level_buffer_sizes[level];
      uint8_t *level_buffer = level_buffer_size > 0 ? malloc(level_buffer_size) : NULL;
      ok = stream != NULL && (level_buffer_size == 0 || level_buffer != NULL);
      if (!ok) {
        free(stream);
        free(level_buffer);
        break;
      }
      isal_deflate_init(stream);
      stream->level = (uint32_t)level;
      stream->level_buf = level_buffer;
      stream->level_buf_size = level_buffer_size;
      stream->gzip_flag = IGZIP_GZIP;
      encoder->state.gzip.stream = stream;
      encoder->state.gzip.level_buffer = level_buffer;
      break;
    }
    case WINNOW_FORMAT_ZSTD:
      encoder->state.zstd = ZSTD_createCCtx();
      ok = encoder->state.zstd != NULL
           && !ZSTD_isError(ZSTD_CCtx_setParameter(encoder->state.zstd, ZSTD_c_compressionLevel, level))
           && !ZSTD_isError(ZSTD_CCtx_setParameter(encoder->state.zstd, ZSTD_c_checksumFlag, 1));
      // One worker thread of libzstd's own compresses while the caller goes on (the
      // command's writer): the output depends on the parameters only, not on timing.
      // A libzstd built without threads refuses it and compresses in the caller.
      if (ok) (void)ZSTD_CCtx_setParameter(encoder->state.zstd, ZSTD_c_nbWorkers, 1);
      if (!ok && encoder->state.zstd != NULL) ZSTD_freeCCtx(encoder->state.zstd);
      break;
    case WINNOW_FORMAT_BZIP2:
      // The level is the block size in units of 100 kB; workFactor 0 is the default.
      ok = BZ2_bzCompressInit(&encoder->state.bzip2, level, 0, 0) == BZ_OK;
      break;
    case WINNOW_FORMAT_XZ: {
      lzma_stream initial = LZMA_STREAM_INIT;
      encoder->state.xz = initial;
      ok = lzma_easy_encoder(&encoder->state.xz, (uint32_t)level, LZMA_CHECK_CRC64) == LZMA_OK;
      break;
    }
  }
  if (!ok) {
    write_message(message, message_capacity, "could not create a %s encoder (out of memory)", name);
    free(encoder);
    return NULL;
  }
  return encoder;
}

void winnow_encoder_destroy(winnow_encoder *encoder) {
  if (encoder == NULL) return;
  switch (encoder->format) {
    case WINNOW_FORMAT_GZIP:
      free(encoder->state.gzip.stream);
      free(encoder->state.gzip.level_buffer);
      break;
    case WINNOW_FORMAT_ZSTD: ZSTD_freeCCtx(encoder->state.zstd); break;
    case WINNOW_FORMAT_BZIP2: BZ2_bzCompressEnd(&encoder->state.bzip2); break;
    case WINNOW_FORMAT_XZ: lzma_end(&encoder->state.xz); break;
  }
  free(encoder);
}

const char *winnow_encoder_message(const winnow_encoder *encoder) { return encoder->message; }

/// One library call. Returns 1 when the flush or finish asked for is complete, 0
/// otherwise, or WINNOW_CODEC_ERROR.
static int32_t encoder_call(winnow_encoder *encoder, const uint8_t *input, size_t length, size_t *in,
                            uint8_t *output, size_t capacity, size_t *out, int32_t mode) {
  const char *name = format_names[encoder->format];
  switch (encoder->format) {
    case WINNOW_FORMAT_GZIP: {
      struct isal_zstream *stream = encoder->state.gzip.stream;
      uint32_t in_size = clamp_u32(length - *in), out_size = clamp_u32(capacity - *out);
      stream->next_in = (uint8_t *)(input + *in);
      stream->avail_in = in_size;
      stream->next_out = output + *out;
      stream->avail_out = out_size;
      // A piece of a larger input is never the last piece.
      int last = in_size == length - *in;
      const struct isal_zstate *state = &stream->internal_state;
      int all_in = in_size == 0 && state->b_bytes_processed == state->b_bytes_valid;
      if (mode == WINNOW_ENCODE_FLUSH && last) {
        if (encoder->stream_in == 0 && all_in && state->state == ZSTATE_NEW_HDR) return 1;
        // The flushed blocks are complete but their last bytes wait in ISA-L's small
        // temporary output (it used it for lack of room): take just those. Given more
        // room, ISA-L would go on to write another empty flushed block, and with little
        // room never end.
        if (all_in && state->state == ZSTATE_TMP_NEW_HDR) {
          uint32_t waiting = state->tmp_out_end - state->tmp_out_start;
          if (out_size > waiting) stream->avail_out = out_size = waiting;
        }
      }
      stream->end_of_stream = last && mode == WINNOW_ENCODE_FINISH;
      stream->flush = last && mode == WINNOW_ENCODE_FLUSH ? SYNC_FLUSH : NO_FLUSH;
      int status = isal_deflate(stream);
      encoder->stream_in += in_size - stream->avail_in;
      *in += in_size - stream->avail_in;
      *out += out_size - stream->avail_out;
      if (status != COMP_OK) return encoder_fail(encoder, "ISA-L failed encoding gzip data (status %d)", status);
      if (stream->end_of_stream) return state->state == ZSTATE_END;
      // A sync flush is complete when all the input, the buffered part too, went out in
      // blocks that end on a byte boundary: the state is back to a new block header.
      if (stream->flush == SYNC_FLUSH && stream->avail_in == 0 && state->b_bytes_processed == state->b_bytes_valid
          && state->state == ZSTATE_NEW_HDR) {
        encoder->stream_in = 0;
        return 1;
      }
      return 0;
    }
    case WINNOW_FORMAT_ZSTD: {
      ZSTD_inBuffer source = {input + *in, length - *in, 0};
      ZSTD_outBuffer destination = {output + *out, capacity - *out, 0};
      ZSTD_EndDirective directive = mode == WINNOW_ENCODE_FINISH  ? ZSTD_e_end
                                    : mode == WINNOW_ENCODE_FLUSH ? ZSTD_e_flush
                                                                  : ZSTD_e_continue;
      size_t result = ZSTD_compressStream2(encoder->state.zstd, &destination, &source, directive);
      *in += source.pos;
      *out += destination.pos;
      if (ZSTD_isError(result)) return encoder_fail(encoder, "zstd encoding failed (%s)", ZSTD_getErrorName(result));
      return directive != ZSTD_e_continue && result == 0;
    }
    case WINNOW_FORMAT_BZIP2: {
      bz_stream *bz = &encoder->state.bzip2;
      unsigned int in_size = clamp_uint(length - *in), out_size = clamp_uint(capacity - *out);
      bz->next_in = (char *)(input + *in);
      bz->avail_in = in_size;
      bz->next_out = (char *)(output + *out);
      bz->avail_out = out_size;
      // bzip2's own flush (BZ_FLUSH) ends a block but leaves its last bits unwritten, so a
      // flush ends the stream instead and the next input begins another one (the
      // decoders, ours and bzip2's, read concatenated streams as one).
      int last = in_size == length - *in;
      if (mode == WINNOW_ENCODE_FLUSH && encoder->stream_in == 0 && in_size == 0) return 1;
      int action = last && mode != WINNOW_ENCODE_RUN ? BZ_FINISH : BZ_RUN;
      int status = BZ2_bzCompress(bz, action);
      encoder->stream_in += in_size - bz->avail_in;
      *in += in_size - bz->avail_in;
      *out += out_size - bz->avail_out;
      switch (status) {
        case BZ_STREAM_END:
          if (mode == WINNOW_ENCODE_FLUSH) {
            encoder->stream_in = 0;
            BZ2_bzCompressEnd(bz);
            memset(bz, 0, sizeof *bz);
            if (BZ2_bzCompressInit(bz, encoder->level, 0, 0) != BZ_OK)
              return encoder_fail(encoder, "could not create a bzip2 encoder (out of memory)");
          }
          return 1;
        case BZ_RUN_OK:
        case BZ_FINISH_OK: return 0;
        case BZ_PARAM_ERROR:
          // What BZ_RUN returns when it can make no progress (no input, no pending output).
          if (action == BZ_RUN && bz->avail_in == in_size && bz->avail_out == out_size) return 0;
          return encoder_fail(encoder, "libbz2 failed encoding bzip2 data (status %d)", status);
        default: return encoder_fail(encoder, "libbz2 failed encoding bzip2 data (status %d)", status);
      }
    }
    case WINNOW_FORMAT_XZ: {
      lzma_stream *xz = &encoder->state.xz;
      xz->next_in = input + *in;
      xz->avail_in = length - *in;
      xz->next_out = output + *out;
      xz->avail_out = capacity - *out;
      lzma_action action = mode == WINNOW_ENCODE_FINISH  ? LZMA_FINISH
                           : mode == WINNOW_ENCODE_FLUSH ? LZMA_SYNC_FLUSH
                                                         : LZMA_RUN;
      lzma_ret status = lzma_code(xz, action);
      *in = length - xz->avail_in;
      *out = capacity - xz->avail_out;
      switch (status) {
        case LZMA_STREAM_END: return 1;
        case LZMA_OK:
        case LZMA_BUF_ERROR: return 0;
        case LZMA_MEM_ERROR: return encoder_fail(encoder, "out of memory encoding xz data");
        default: return encoder_fail(encoder, "liblzma failed encoding xz data (status %d)", (int)status);
      }
    }
    default: return encoder_fail(encoder, "unknown %s encoder", name);
  }
}

int32_t winnow_encoder_step(winnow_encoder *encoder, const uint8_t *input, size_t input_length,
                            size_t *consumed, uint8_t *output, size_t output_capacity,
                            size_t *produced, int32_t mode) {
  *consumed = 0;
  *produced = 0;
  if (encoder->failed) return WINNOW_CODEC_ERROR;
  if (encoder->finished)
    return encoder_fail(encoder, "the %s stream is already finished", format_names[encoder->format]);
  if (mode != WINNOW_ENCODE_RUN && mode != WINNOW_ENCODE_FLUSH && mode != WINNOW_ENCODE_FINISH)
    return encoder_fail(encoder, "unknown encoding mode %d", (int)mode);
  uint8_t empty[1];
  if (input == NULL) input_length = 0;
  if (input_length == 0) input = empty;
  if (output == NULL || output_capacity == 0) {
    output = empty;
    output_capacity = 0;
  }
  size_t in = 0, out = 0;
  int32_t result = 0;
  // Until the output is full (libbz2 refuses a finishing call without room), the input
  // used up, or the flush or finish complete.
  while (out < output_capacity) {
    size_t in_before = in, out_before = out;
    result = encoder_call(encoder, input, input_length, &in, output, output_capacity, &out, mode);
    if (result != 0) break;
    if (in == in_before && out == out_before) break;
  }
  *consumed = in;
  *produced = out;
  if (result == WINNOW_CODEC_ERROR) return WINNOW_CODEC_ERROR;
  if (result == 1) {
    if (mode == WINNOW_ENCODE_FINISH) encoder->finished = 1;
    return WINNOW_CODEC_END;
  }
  return WINNOW_CODEC_OK;
}
