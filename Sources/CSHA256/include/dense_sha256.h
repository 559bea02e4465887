// SHA-256 block compression (FIPS 180-4, §6.2.2) for DenseServe's weights digest: a portable C
// version and one on the x86 SHA extensions (SHA-NI), chosen at run time by CPUID.
//
// Only whole 64-byte blocks are compressed here; the caller keeps the partial block, the
// 64-bit message length and the padding (Sources/InferenceService/SHA256.swift).
#ifndef DENSE_SHA256_H
#define DENSE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The ways a block can be compressed; every one gives the same state.
typedef enum {
    DS_SHA256_PORTABLE = 0,
    /// SHA-NI (SHA256RNDS2/MSG1/MSG2) with SSSE3 and SSE4.1: x86-64 only.
    DS_SHA256_SHANI = 1,
} ds_sha256_impl;

/// The fastest implementation this CPU supports (CPUID, computed once).
ds_sha256_impl ds_sha256_best_impl(void);

/// Whether `impl` runs on this CPU.
int ds_sha256_impl_available(ds_sha256_impl impl);

/// A short name of the implementation ("sha-ni", "portable").
const char *ds_sha256_impl_name(ds_sha256_impl impl);

/// Compresses `blocks` 64-byte blocks of `data` into `state` (eight words, H0 first), with
/// `impl`; an implementation this CPU lacks falls back to the portable one.
void ds_sha256_blocks(ds_sha256_impl impl, uint32_t state[8], const uint8_t *data, size_t blocks);

#ifdef __cplusplus
}
#endif

#endif
