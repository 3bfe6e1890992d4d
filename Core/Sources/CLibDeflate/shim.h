// libdeflate (Debian: libdeflate-dev): whole-buffer DEFLATE/zlib and CRC-32, about ten times
// faster than zlib at inflating the long runs of a canvas PNG.
#include <libdeflate.h>
