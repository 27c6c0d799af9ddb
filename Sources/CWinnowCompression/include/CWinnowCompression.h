#ifndef CWINNOWCOMPRESSION_H
#define CWINNOWCOMPRESSION_H

// Winnow's boundary to ISA-L (gzip), libzstd (zstd), libbz2 (bzip2) and liblzma (xz).
// Only fixed-width C types and opaque handles cross it: the libraries' headers are
// included by the implementation file alone. A handle is used by one thread at a time;
// distinct handles are independent.
//
// Decoding is streaming with an output bounded by the caller: a step returns when its
// input is used up or its output is full, so a decompression bomb never makes memory
// grow. The decoders' own memory is bounded too: zstd frames that ask for a window over
// 128 MiB and xz streams that need over 256 MiB (a huge dictionary) are refused. Concatenated members (gzip), frames (zstd) and streams (bzip2, xz) decode to the
// concatenation of their contents.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The compressed containers.
enum {
  WINNOW_FORMAT_GZIP = 0,
  WINNOW_FORMAT_ZSTD = 1,
  WINNOW_FORMAT_BZIP2 = 2,
  WINNOW_FORMAT_XZ = 3,
};

/// What a step returns.
enum {
  /// Progress (or none possible without more input or more output room).
  WINNOW_CODEC_OK = 0,
  /// Decoder: the input consumed so far ends at a member or frame boundary.
  /// Encoder: the flush or finish asked for is complete.
  WINNOW_CODEC_END = 1,
  /// The data is unusable (decoder) or a library call failed: see the message.
  /// Every later step returns this again.
  WINNOW_CODEC_ERROR = -1,
};

/// What an encoder step does with the input it is given.
enum {
  /// Compress; the encoder may hold data back.
  WINNOW_ENCODE_RUN = 0,
  /// Also emit everything held back, so that the output so far decodes to all the
  /// input so far (ISA-L's SYNC_FLUSH, zstd's flush, xz's LZMA_SYNC_FLUSH). bzip2's own
  /// flush leaves bits unwritten, so there a flush ends the stream and later input
  /// begins another. For gzip and bzip2 a flush with no input since the stream began or
  /// the last flush writes nothing.
  WINNOW_ENCODE_FLUSH = 1,
  /// Also end the stream: no input may follow.
  WINNOW_ENCODE_FINISH = 2,
};

/// Which format `prefix` starts with: gzip 1F 8B, zstd 28 B5 2F FD (or a skippable
/// frame, 5? 2A 4D 18), bzip2 "BZh" and a digit 1 to 9, xz FD 37 7A 58 5A 00.
/// Returns a `WINNOW_FORMAT_` value, or -1 when none matches (at most 6 bytes are read;
/// a prefix shorter than a format's magic bytes never matches that format).
int32_t winnow_compression_detect(const uint8_t *prefix, size_t length);

/// The default compression level of `format` (gzip 1, zstd 3, bzip2 9, xz 6), or -1
/// for an unknown format. gzip levels are ISA-L's: on text, 1 compresses about as well
/// as zlib's 1 (a fifth larger than zlib's 6) some 15 times faster than zlib's 6, and 3
/// (a tenth larger than zlib's 6) about half as fast as 1.
int32_t winnow_compression_default_level(int32_t format);

/// The levels `format` accepts, from `*minimum` to `*maximum` (gzip 0 to 3, zstd 1 to
/// its maximum, 22 today, bzip2 1 to 9, xz 0 to 9). Returns 0, or -1 for an unknown
/// format.
int32_t winnow_compression_level_range(int32_t format, int32_t *minimum, int32_t *maximum);

typedef struct winnow_decoder winnow_decoder;

/// A decoder of `format`, or NULL with a message in `message` (NUL-terminated,
/// truncated to `message_capacity`) when the format is unknown or memory runs out.
winnow_decoder *winnow_decoder_create(int32_t format, char *message, size_t message_capacity);

/// Decodes from `input[0..<input_length]` into `output[0..<output_capacity]`, storing
/// how many bytes of each were used in `*consumed` and `*produced`. Returns when the
/// input is used up or the output is full: when `*produced < output_capacity` and all
/// the input was consumed, nothing is held back. Input left over when the output is
/// full is passed again (its unconsumed part) in the next step. Returns
/// WINNOW_CODEC_END when the decoder is then at a boundary (see
/// `winnow_decoder_at_boundary`), WINNOW_CODEC_OK, or WINNOW_CODEC_ERROR.
int32_t winnow_decoder_step(winnow_decoder *decoder, const uint8_t *input, size_t input_length,
                            size_t *consumed, uint8_t *output, size_t output_capacity,
                            size_t *produced);

/// 1 when the input consumed so far ends just after a complete member, frame or stream
/// (after gzip's trailing zero bytes or xz's stream padding too), so that its end here
/// is clean; 0 otherwise: before any complete member, inside one, or after an error.
int32_t winnow_decoder_at_boundary(const winnow_decoder *decoder);

/// The total number of input bytes consumed so far.
uint64_t winnow_decoder_total_in(const winnow_decoder *decoder);

/// Why the last step failed ("gzip data is corrupt (invalid block type)"), or "".
const char *winnow_decoder_message(const winnow_decoder *decoder);

/// Frees the decoder (NULL is ignored).
void winnow_decoder_destroy(winnow_decoder *decoder);

typedef struct winnow_encoder winnow_encoder;

/// An encoder of `format` at `level` (a negative level means the format's default),
/// or NULL with a message when the format or the level is not accepted or memory
/// runs out. gzip output is a real gzip member (a 32 KiB window, a header without a
/// name or time, a CRC-32 trailer); zstd frames carry a checksum; xz streams a CRC64.
winnow_encoder *winnow_encoder_create(int32_t format, int32_t level, char *message,
                                      size_t message_capacity);

/// Encodes from `input` into `output` as `mode` (a `WINNOW_ENCODE_` value) says,
/// storing the bytes used in `*consumed` and `*produced`. Returns when the input is
/// used up or the output is full. With WINNOW_ENCODE_FLUSH or WINNOW_ENCODE_FINISH it
/// returns WINNOW_CODEC_END once everything is written; until then call it again with
/// the same mode, the unconsumed input and more output room. After a finish only
/// WINNOW_CODEC_ERROR is returned.
int32_t winnow_encoder_step(winnow_encoder *encoder, const uint8_t *input, size_t input_length,
                            size_t *consumed, uint8_t *output, size_t output_capacity,
                            size_t *produced, int32_t mode);

/// Why the last step failed, or "".
const char *winnow_encoder_message(const winnow_encoder *encoder);

/// Frees the encoder (NULL is ignored).
void winnow_encoder_destroy(winnow_encoder *encoder);

#ifdef __cplusplus
}
#endif

#endif
