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

void digits_zlib_free(void *pointer);

#endif
