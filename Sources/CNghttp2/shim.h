// libnghttp2 (Debian 12: 1.52, the v1 API): HTTP/2 framing, HPACK, flow control and the
// protocol's own flood protections for the HTTP/2 connections of HTTPServer.
#include <nghttp2/nghttp2.h>
