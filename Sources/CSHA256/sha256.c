// SHA-256 block compression: portable C and SHA-NI, dispatched by CPUID (dense_sha256.h).
#include "dense_sha256.h"
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif
#include <stdatomic.h>

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes. 16-byte aligned: the SHA-NI path loads four at a time.
static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// --- portable ---------------------------------------------------------------------------------

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

static inline uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

// One round t on the working variables, named so that the eight rotate through the macro's
// arguments instead of being moved: round t+1 passes (h, a, b, …, g).
#define ROUND(a, b, c, d, e, f, g, h, t)                                                            \
    do {                                                                                            \
        uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + K[t] + w[(t) & 15];                              \
        d += t1;                                                                                    \
        h = t1 + BSIG0(a) + MAJ(a, b, c);                                                           \
    } while (0)

// W[t] for t ≥ 16 in a 16-word ring: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16].
#define SCHEDULE(t) (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + SSIG0(w[((t) - 15) & 15]))

#define EIGHT_ROUNDS(t)                                                                             \
    ROUND(a, b, c, d, e, f, g, h, (t) + 0);                                                         \
    ROUND(h, a, b, c, d, e, f, g, (t) + 1);                                                         \
    ROUND(g, h, a, b, c, d, e, f, (t) + 2);                                                         \
    ROUND(f, g, h, a, b, c, d, e, (t) + 3);                                                         \
    ROUND(e, f, g, h, a, b, c, d, (t) + 4);                                                         \
    ROUND(d, e, f, g, h, a, b, c, (t) + 5);                                                         \
    ROUND(c, d, e, f, g, h, a, b, (t) + 6);                                                         \
    ROUND(b, c, d, e, f, g, h, a, (t) + 7)

#define EIGHT_SCHEDULED(t)                                                                          \
    SCHEDULE((t) + 0); SCHEDULE((t) + 1); SCHEDULE((t) + 2); SCHEDULE((t) + 3);                     \
    SCHEDULE((t) + 4); SCHEDULE((t) + 5); SCHEDULE((t) + 6); SCHEDULE((t) + 7);                     \
    EIGHT_ROUNDS(t)

static void blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks) {
    for (; blocks > 0; blocks--, data += 64) {
        uint32_t w[16];
        for (int t = 0; t < 16; t++) w[t] = load_be32(data + 4 * t);
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        EIGHT_ROUNDS(0);
        EIGHT_ROUNDS(8);
        // Each SCHEDULE overwrites W[t-16], which no later round reads.
        EIGHT_SCHEDULED(16);
        EIGHT_SCHEDULED(24);
        EIGHT_SCHEDULED(32);
        EIGHT_SCHEDULED(40);
        EIGHT_SCHEDULED(48);
        EIGHT_SCHEDULED(56);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

// --- SHA-NI -----------------------------------------------------------------------------------

#if defined(__x86_64__)
#define SHANI_TARGET __attribute__((target("sha,ssse3,sse4.1")))

// Four rounds 4g..4g+3 on message words `msg` (W[4g..4g+3], lane 0 first): SHA256RNDS2 does
// two rounds on the low two lanes of msg+K, then two on the high ones. The state lives as
// ABEF and CDGH (lane 3 first), the instruction's operand order; each call swaps their roles.
#define SHANI_ROUNDS4(abef, cdgh, msg, g)                                                           \
    do {                                                                                            \
        __m128i mk = _mm_add_epi32(msg, _mm_load_si128((const __m128i *)&K[4 * (g)]));              \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, mk);                                               \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(mk, 0x0E));                      \
    } while (0)

// W[4g+16..4g+19] from the four groups before it, in place of W[4g..4g+3] (m0):
// MSG1 adds σ0 of the next words, ALIGNR supplies W[t-7], MSG2 adds σ1 of W[t-2].
#define SHANI_SCHEDULE(m0, m1, m2, m3)                                                              \
    m0 = _mm_sha256msg2_epu32(                                                                      \
        _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3)

SHANI_TARGET static void blocks_shani(uint32_t state[8], const uint8_t *data, size_t blocks) {
    // Big-endian words: reverse the bytes of each 32-bit lane.
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);                 // lanes B A D C
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);                 // lanes H G F E
    __m128i s0 = _mm_alignr_epi8(badc, efgh, 8);                  // lanes F E B A: ABEF
    __m128i s1 = _mm_blend_epi16(efgh, badc, 0xF0);               // lanes H G D C: CDGH
    for (; blocks > 0; blocks--, data += 64) {
        __m128i save0 = s0, save1 = s1;
        // The message schedule as a ring of four groups: group g sits in slot g mod 4 and,
        // while g < 12, its slot is refilled with group g + 4 once its rounds are done. Both
        // loops are unrolled in full, so the ring lives in registers (left to its heuristics,
        // clang kept the rolled loop: 30 % slower measured).
        __m128i m[4];
#pragma clang loop unroll(full)
        for (int i = 0; i < 4; i++) m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byteswap);
#pragma clang loop unroll(full)
        for (int g = 0; g < 16; g++) {
            SHANI_ROUNDS4(s0, s1, m[g % 4], g);
            if (g < 12) SHANI_SCHEDULE(m[g % 4], m[(g + 1) % 4], m[(g + 2) % 4], m[(g + 3) % 4]);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    __m128i abef = _mm_shuffle_epi32(s0, 0x1B);                   // lanes A B E F
    __m128i dchg = _mm_shuffle_epi32(s1, 0xB1);                   // lanes G H C D
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(abef, dchg, 0xF0));  // A B C D
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, abef, 8));     // E F G H
}

// SHA (CPUID.7.0:EBX bit 29), SSSE3 (CPUID.1:ECX bit 9) and SSE4.1 (bit 19); XMM state is
// always saved on x86-64.
static int detect_shani(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!((ecx >> 9) & 1) || !((ecx >> 19) & 1)) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx >> 29) & 1;
}
#else
static int detect_shani(void) { return 0; }
#endif

// --- dispatch ---------------------------------------------------------------------------------

ds_sha256_impl ds_sha256_best_impl(void) {
    // Racing first calls compute the same value; relaxed atomics make that race benign.
    static _Atomic int cached = -1;
    int impl = atomic_load_explicit(&cached, memory_order_relaxed);
    if (impl < 0) {
        impl = detect_shani() ? DS_SHA256_SHANI : DS_SHA256_PORTABLE;
        atomic_store_explicit(&cached, impl, memory_order_relaxed);
    }
    return (ds_sha256_impl)impl;
}

int ds_sha256_impl_available(ds_sha256_impl impl) {
    return impl == DS_SHA256_PORTABLE || (impl == DS_SHA256_SHANI && ds_sha256_best_impl() == DS_SHA256_SHANI);
}

const char *ds_sha256_impl_name(ds_sha256_impl impl) { return impl == DS_SHA256_SHANI ? "sha-ni" : "portable"; }

void ds_sha256_blocks(ds_sha256_impl impl, uint32_t state[8], const uint8_t *data, size_t blocks) {
#if defined(__x86_64__)
    if (impl == DS_SHA256_SHANI && ds_sha256_impl_available(DS_SHA256_SHANI)) {
        blocks_shani(state, data, blocks);
        return;
    }
#endif
    blocks_portable(state, data, blocks);
}
