// zlib for the HTTP transport (gzip request inflation, gzip responses).
// deflateInit2/inflateInit2 are macros Swift does not import: call
// deflateInit2_/inflateInit2_ with ZLIB_VERSION and MemoryLayout<z_stream>.size.
#include <zlib.h>
