#include "CPNGShim.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int digits_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                      uint8_t **rgba, uint32_t *width, uint32_t *height,
                      char *message, size_t message_capacity) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, length)) {
        snprintf(message, message_capacity, "%s", image.message);
        png_image_free(&image);
        return -1;
    }
    if (image.width == 0 || image.height == 0 ||
        (uint64_t)image.width * (uint64_t)image.height > max_pixels) {
        snprintf(message, message_capacity, "too large: %ux%u pixels (at most %llu pixels)",
                 image.width, image.height, (unsigned long long)max_pixels);
        *width = image.width;
        *height = image.height;
        png_image_free(&image);
        return -2;
    }
    image.format = PNG_FORMAT_RGBA;
    size_t size = PNG_IMAGE_SIZE(image);
    uint8_t *buffer = malloc(size);
    if (buffer == NULL) {
        snprintf(message, message_capacity, "out of memory for %ux%u pixels", image.width, image.height);
        png_image_free(&image);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
        snprintf(message, message_capacity, "%s", image.message);
        free(buffer);
        png_image_free(&image);
        return -1;
    }
    *rgba = buffer;
    *width = image.width;
    *height = image.height;
    return 0;
}

int digits_png_encode(const void *pixels, uint32_t width, uint32_t height, int layout,
                      const uint8_t *colormap, int colormap_entries,
                      uint8_t **png, size_t *png_length) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    switch (layout) {
    case DIGITS_PNG_GREY: image.format = PNG_FORMAT_GRAY; break;
    case DIGITS_PNG_GREY_ALPHA: image.format = PNG_FORMAT_GA; break;
    case DIGITS_PNG_RGB: image.format = PNG_FORMAT_RGB; break;
    case DIGITS_PNG_RGBA: image.format = PNG_FORMAT_RGBA; break;
    case DIGITS_PNG_GREY16: image.format = PNG_FORMAT_LINEAR_Y; break;
    case DIGITS_PNG_PALETTE:
        image.format = PNG_FORMAT_RGB_COLORMAP;
        image.colormap_entries = (png_uint_32)colormap_entries;
        break;
    default: return -1;
    }
    const void *map = layout == DIGITS_PNG_PALETTE ? colormap : NULL;
    // One pass into a buffer of the largest size the image can take (libpng's bound), rather
    // than compressing once to learn the size and again to write: the server encodes a
    // 28x28 PNG for every guess.
    png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX(image);
    uint8_t *buffer = malloc(size);
    if (buffer == NULL) return -1;
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, map)) {
        free(buffer);
        png_image_free(&image);
        return -1;
    }
    *png = buffer;
    *png_length = size;
    return 0;
}

void digits_png_free(void *pointer) { free(pointer); }
