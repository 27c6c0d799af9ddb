#include "CWinnowCompression.h"

#if !__has_include(<zlib.h>)
#error "Winnow needs zlib's development files: sudo apt-get install zlib1g-dev"
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
#include <limits.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
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
    case WINNOW_FORMAT_GZIP: return 6;
    case WINNOW_FORMAT_ZSTD: return 3;
    case WINNOW_FORMAT_BZIP2: return 9;
    case WINNOW_FORMAT_XZ: return 6;
    default: return -1;
  }
}

int32_t winnow_compression_level_range(int32_t format, int32_t *minimum, int32_t *maximum) {
  switch (format) {
    case WINNOW_FORMAT_GZIP: *minimum = 0; *maximum = 9; return 0;
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

// zlib and libbz2 count in `unsigned int`: larger buffers are passed in pieces.
static unsigned int clamp_uint(size_t length) {
  return length > UINT_MAX ? UINT_MAX : (unsigned int)length;
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
    z_stream zlib;
    ZSTD_DStream *zstd;
    bz_stream bzip2;
    lzma_stream xz;
  } state;
  char message[256];
};

static int32_t decoder_fail(winnow_decoder *decoder, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int32_t decoder_fail(winnow_decoder *decoder, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(decoder->message, sizeof decoder->message, format, arguments);
  va_end(arguments);
  decoder->failed = 1;
  return WINNOW_CODEC_ERROR;
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
      // 15 + 16: a 32 KiB window, gzip wrapping only (no zlib or raw deflate).
      ok = inflateInit2(&decoder->state.zlib, 15 + 16) == Z_OK;
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
      case WINNOW_FORMAT_GZIP: inflateEnd(&decoder->state.zlib); break;
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
      case WINNOW_FORMAT_GZIP:
        if (inflateReset(&decoder->state.zlib) != Z_OK)
          return decoder_fail(decoder, "could not reset the gzip decoder");
        break;
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
      z_stream *z = &decoder->state.zlib;
      unsigned int in_size = clamp_uint(length - *in), out_size = clamp_uint(capacity - *out);
      z->next_in = (Bytef *)(input + *in);
      z->avail_in = in_size;
      z->next_out = output + *out;
      z->avail_out = out_size;
      int status = inflate(z, Z_NO_FLUSH);
      *in += in_size - z->avail_in;
      *out += out_size - z->avail_out;
      switch (status) {
        case Z_OK:
        case Z_BUF_ERROR:  // no progress possible now: not an error
          return 0;
        case Z_STREAM_END: return 1;
        case Z_DATA_ERROR:
          if (z->msg != NULL) return decoder_fail(decoder, "gzip data is corrupt (%s)", z->msg);
          return decoder_fail(decoder, "gzip data is corrupt");
        case Z_NEED_DICT: return decoder_fail(decoder, "gzip data is corrupt (it asks for a preset dictionary)");
        case Z_MEM_ERROR: return decoder_fail(decoder, "out of memory decoding gzip data");
        default: return decoder_fail(decoder, "zlib failed decoding gzip data (status %d)", status);
      }
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
  /// bzip2: input taken into the stream in progress (a flush of none writes nothing).
  uint64_t stream_in;
  int failed;
  int finished;
  union {
    z_stream zlib;
    ZSTD_CCtx *zstd;
    bz_stream bzip2;
    lzma_stream xz;
  } state;
  char message[256];
};

static int32_t encoder_fail(winnow_encoder *encoder, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int32_t encoder_fail(winnow_encoder *encoder, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(encoder->message, sizeof encoder->message, format, arguments);
  va_end(arguments);
  encoder->failed = 1;
  return WINNOW_CODEC_ERROR;
}

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
    case WINNOW_FORMAT_GZIP:
      // 15 + 16: a 32 KiB window and a gzip header and trailer; memLevel 8 as gzip uses.
      ok = deflateInit2(&encoder->state.zlib, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
      break;
    case WINNOW_FORMAT_ZSTD:
      encoder->state.zstd = ZSTD_createCCtx();
      ok = encoder->state.zstd != NULL
           && !ZSTD_isError(ZSTD_CCtx_setParameter(encoder->state.zstd, ZSTD_c_compressionLevel, level))
           && !ZSTD_isError(ZSTD_CCtx_setParameter(encoder->state.zstd, ZSTD_c_checksumFlag, 1));
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
    case WINNOW_FORMAT_GZIP: deflateEnd(&encoder->state.zlib); break;
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
      z_stream *z = &encoder->state.zlib;
      unsigned int in_size = clamp_uint(length - *in), out_size = clamp_uint(capacity - *out);
      z->next_in = (Bytef *)(input + *in);
      z->avail_in = in_size;
      z->next_out = output + *out;
      z->avail_out = out_size;
      // A piece of a larger input is never the last piece.
      int last = in_size == length - *in;
      int flush = !last ? Z_NO_FLUSH : mode == WINNOW_ENCODE_FINISH ? Z_FINISH
                                     : mode == WINNOW_ENCODE_FLUSH  ? Z_SYNC_FLUSH
                                                                    : Z_NO_FLUSH;
      int status = deflate(z, flush);
      *in += in_size - z->avail_in;
      *out += out_size - z->avail_out;
      if (status == Z_STREAM_END) return 1;
      if (status != Z_OK && status != Z_BUF_ERROR)
        return encoder_fail(encoder, "zlib failed encoding gzip data (status %d)", status);
      // A sync flush is complete when deflate left output room and took all the input.
      return flush == Z_SYNC_FLUSH && z->avail_in == 0 && z->avail_out != 0;
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
