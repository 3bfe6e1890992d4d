#ifndef DIGITS_CZLIB_SHIM_H
#define DIGITS_CZLIB_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// Inflates a whole gzip (or zlib) stream held in memory with the system zlib.
///
/// On success returns 0 and sets *output (free it with digits_zlib_free) and *output_length.
/// On failure returns -1 and writes a sentence saying what was wrong into message.
/// Refuses to produce more than max_output bytes, so a hostile file cannot exhaust memory.
int digits_gunzip(const uint8_t *input, size_t input_length, size_t max_output,
                  uint8_t **output, size_t *output_length, char *message, size_t message_capacity);

/// Compresses bytes into a gzip stream (tests use it to write files in MNIST's form).
int digits_gzip(const uint8_t *input, size_t input_length, uint8_t **output, size_t *output_length);

/// A gzip stream compressed piece by piece, so that a large file never has to be held whole.
typedef struct digits_gzip_stream digits_gzip_stream;

/// A new stream, or NULL when zlib could not start one (out of memory).
digits_gzip_stream *digits_gzip_stream_new(void);

/// Compresses up to input_length bytes of input into output, finishing the stream when finish
/// is non-zero. Sets *consumed and *produced; returns 1 once the stream is finished, 0 when it
/// should be called again (more output room, or more input), -1 on a zlib error.
int digits_gzip_stream_write(digits_gzip_stream *compressor, const uint8_t *input, size_t input_length, int finish,
                             uint8_t *output, size_t output_capacity, size_t *consumed, size_t *produced);

void digits_gzip_stream_free(digits_gzip_stream *compressor);

void digits_zlib_free(void *pointer);

#endif
