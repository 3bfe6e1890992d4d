#include "CZlibShim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int digits_gunzip(const uint8_t *input, size_t input_length, size_t max_output,
                  uint8_t **output, size_t *output_length, char *message, size_t message_capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* 15 + 32: a full window, and detect a gzip or a zlib header by itself. */
    if (inflateInit2(&stream, 15 + 32) != Z_OK) {
        snprintf(message, message_capacity, "zlib could not start: out of memory");
        return -1;
    }
    size_t capacity = input_length * 4 + 1024;
    if (capacity > max_output) capacity = max_output;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) {
        inflateEnd(&stream);
        snprintf(message, message_capacity, "out of memory");
        return -1;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)(input_length > UINT32_MAX ? UINT32_MAX : input_length);
    size_t produced = 0;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        if (produced == capacity) {
            if (capacity >= max_output) {
                snprintf(message, message_capacity, "it inflates to more than %zu bytes", max_output);
                free(buffer);
                inflateEnd(&stream);
                return -1;
            }
            size_t grown = capacity * 2 > max_output ? max_output : capacity * 2;
            uint8_t *larger = realloc(buffer, grown);
            if (larger == NULL) {
                snprintf(message, message_capacity, "out of memory");
                free(buffer);
                inflateEnd(&stream);
                return -1;
            }
            buffer = larger;
            capacity = grown;
        }
        size_t room = capacity - produced;
        stream.next_out = buffer + produced;
        stream.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        uInt before = stream.avail_out;
        status = inflate(&stream, Z_NO_FLUSH);
        produced += before - stream.avail_out;
        if (status == Z_BUF_ERROR && stream.avail_in == 0) {
            snprintf(message, message_capacity,
                     "the compressed data ends early (the file is truncated)");
            free(buffer);
            inflateEnd(&stream);
            return -1;
        }
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
            snprintf(message, message_capacity, "the compressed data is corrupt (zlib: %s)",
                     stream.msg ? stream.msg : "unknown error");
            free(buffer);
            inflateEnd(&stream);
            return -1;
        }
    }
    inflateEnd(&stream);
    *output = buffer;
    *output_length = produced;
    return 0;
}

int digits_gzip(const uint8_t *input, size_t input_length, uint8_t **output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* 15 + 16: a full window, with a gzip header. */
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t capacity = deflateBound(&stream, (uLong)input_length) + 64;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) {
        deflateEnd(&stream);
        return -1;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)capacity;
    int status = deflate(&stream, Z_FINISH);
    size_t produced = capacity - stream.avail_out;
    deflateEnd(&stream);
    if (status != Z_STREAM_END) {
        free(buffer);
        return -1;
    }
    *output = buffer;
    *output_length = produced;
    return 0;
}

void digits_zlib_free(void *pointer) { free(pointer); }

struct digits_gzip_stream {
    z_stream stream;
};

digits_gzip_stream *digits_gzip_stream_new(void) {
    digits_gzip_stream *compressor = calloc(1, sizeof *compressor);
    if (compressor == NULL) return NULL;
    if (deflateInit2(&compressor->stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(compressor);
        return NULL;
    }
    return compressor;
}

int digits_gzip_stream_write(digits_gzip_stream *compressor, const uint8_t *input, size_t input_length, int finish,
                             uint8_t *output, size_t output_capacity, size_t *consumed, size_t *produced) {
    z_stream *stream = &compressor->stream;
    stream->next_in = (Bytef *)input;
    stream->avail_in = (uInt)input_length;
    stream->next_out = output;
    stream->avail_out = (uInt)output_capacity;
    int status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH);
    *consumed = input_length - stream->avail_in;
    *produced = output_capacity - stream->avail_out;
    if (status == Z_STREAM_END) return 1;
    if (status == Z_OK || status == Z_BUF_ERROR) return 0;
    return -1;
}

void digits_gzip_stream_free(digits_gzip_stream *compressor) {
    if (compressor == NULL) return;
    deflateEnd(&compressor->stream);
    free(compressor);
}
