// C headers the HTTP transport needs that Swift's Glibc module does not import.
//
// zlib: gzip request inflation and gzip responses. deflateInit2/inflateInit2
// are macros Swift does not import: call deflateInit2_/inflateInit2_ with
// ZLIB_VERSION and MemoryLayout<z_stream>.size.
#include <zlib.h>

// epoll: each I/O queue's connections live in one epoll set watched by a
// single DispatchSourceRead (see HTTPServer/IOLoop.swift). Linux only.
#include <sys/epoll.h>
