#ifndef DIGITS_CPNG_SHIM_H
#define DIGITS_CPNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// Pixel layouts for digits_png_encode, matching libpng's simplified-API formats.
enum digits_png_layout {
    DIGITS_PNG_GREY = 0,        /* 8-bit grey */
    DIGITS_PNG_GREY_ALPHA = 1,  /* 8-bit grey + alpha */
    DIGITS_PNG_RGB = 2,         /* 8-bit RGB */
    DIGITS_PNG_RGBA = 3,        /* 8-bit RGBA */
    DIGITS_PNG_GREY16 = 4,      /* 16-bit grey (linear), native-endian uint16 samples */
    DIGITS_PNG_PALETTE = 5      /* 8-bit indices into an RGB colormap */
};

/// Decodes a PNG held in memory into 8-bit RGBA (alpha not premultiplied), whatever its
/// colour type and bit depth, through libpng's simplified API (which never longjmps into
/// the caller). Refuses images of more than max_pixels pixels before allocating them.
/// On success returns 0 and sets *rgba (free with digits_png_free), *width and *height;
/// on failure returns -1 and writes a sentence into message, or -2 when the image is
/// empty or too large, with *width and *height set to its size.
int digits_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                      uint8_t **rgba, uint32_t *width, uint32_t *height,
                      char *message, size_t message_capacity);

/// Encodes pixels in one of the layouts above as a PNG in memory. colormap holds
/// colormap_entries RGB triples for DIGITS_PNG_PALETTE and is ignored otherwise.
/// Returns 0 and sets *png (free with digits_png_free) and *png_length, or -1.
int digits_png_encode(const void *pixels, uint32_t width, uint32_t height, int layout,
                      const uint8_t *colormap, int colormap_entries,
                      uint8_t **png, size_t *png_length);

void digits_png_free(void *pointer);

#endif
