// Instruction-set detection, packing, the scalar kernel and the dispatch of dense_gemm.h.
#include "dense_gemm.h"
#include "kernel_isa.h"
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_F32 32
#define PANEL_F64 16
// Rows the many-rows path packs at a time, at most (16 strips of the largest tile, 12 rows).
#define DK_STRIP_ROWS 192
// Up to these rows the kernels read rows in place (4 register tiles: 4·12 and 4·6 rows).
#define DK_IN_PLACE_ROWS_AVX512 48
#define DK_IN_PLACE_ROWS_AVX2 24

#if defined(__x86_64__)
// XCR0 read with XGETBV, compiled without needing the xsave target.
static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

// The CPU must report the instructions and the OS must save their registers (XCR0): a
// hypervisor can hide AVX-512 state even where CPUID lists the instructions.
static dk_isa detect_isa(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return DK_ISA_SCALAR;
    int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!(fma && osxsave && avx)) return DK_ISA_SCALAR;
    uint64_t xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return DK_ISA_SCALAR;  // SSE and AVX state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return DK_ISA_SCALAR;
    int avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1;
    if (avx512f && (xcr0 & 0xE0) == 0xE0) return DK_ISA_AVX512;  // opmask, ZMM0-15 upper, ZMM16-31
    return avx2 ? DK_ISA_AVX2 : DK_ISA_SCALAR;
}
#else
// Not x86-64: only the portable scalar kernel.
static dk_isa detect_isa(void) { return DK_ISA_SCALAR; }
#endif

const char *dk_blas_core_for_cpu(void) {
    dk_isa isa = dk_best_isa();
#if defined(__x86_64__)
    if (isa == DK_ISA_AVX512) {
        unsigned eax, ebx, ecx, edx;
        __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
        unsigned dq = 1u << 17, bw = 1u << 30, vl = 1u << 31;  // what OpenBLAS's SkylakeX kernels use
        if ((ebx & (dq | bw | vl)) == (dq | bw | vl)) return "SkylakeX";
    }
#endif
    return isa >= DK_ISA_AVX2 ? "Haswell" : 0;
}

dk_isa dk_best_isa(void) {
    // Racing first calls compute the same value; relaxed atomics make that race benign.
    static _Atomic int cached = -1;
    int isa = atomic_load_explicit(&cached, memory_order_relaxed);
    if (isa < 0) {
        isa = (int)detect_isa();
        atomic_store_explicit(&cached, isa, memory_order_relaxed);
    }
    return (dk_isa)isa;
}

const char *dk_isa_name(dk_isa isa) {
    switch (isa) {
    case DK_ISA_AVX512: return "avx512";
    case DK_ISA_AVX2: return "avx2";
    default: return "scalar";
    }
}

long dk_panel_width_f32(void) { return PANEL_F32; }
long dk_panel_width_f64(void) { return PANEL_F64; }

#define PANELS(n, width) (((n) + (width) - 1) / (width))

long dk_packed_count_f32(long k, long n) { return k * PANELS(n, PANEL_F32) * PANEL_F32; }
long dk_packed_count_f64(long k, long n) { return k * PANELS(n, PANEL_F64) * PANEL_F64; }

// Packing, unpacking and the scalar kernel, once per element type.
#define DEFINE_PORTABLE(ELEM, SUFFIX, PANEL, FMA)                                                          \
    void dk_pack_##SUFFIX(long k, long n, const ELEM *w, ELEM *packed) {                                   \
        for (long p = 0; p < PANELS(n, PANEL); p++)                                                        \
            for (long kk = 0; kk < k; kk++)                                                                \
                for (long j = 0; j < PANEL; j++) {                                                         \
                    long col = p * PANEL + j;                                                              \
                    packed[(p * k + kk) * PANEL + j] = col < n ? w[kk * n + col] : (ELEM)0;                \
                }                                                                                          \
    }                                                                                                      \
    void dk_unpack_##SUFFIX(long k, long n, const ELEM *packed, ELEM *w) {                                 \
        dk_unpack_rows_##SUFFIX(k, n, packed, 0, k, w);                                                    \
    }                                                                                                      \
    void dk_unpack_rows_##SUFFIX(long k, long n, const ELEM *packed, long row_begin, long row_end, ELEM *w) { \
        for (long kk = row_begin; kk < row_end; kk++, w += n)                                              \
            for (long p = 0; p < PANELS(n, PANEL); p++) {                                                  \
                const ELEM *panel_row = packed + (p * k + kk) * PANEL;                                     \
                long width = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;                                \
                memcpy(w + p * PANEL, panel_row, (size_t)width * sizeof(ELEM));                            \
            }                                                                                              \
    }                                                                                                      \
    /* The oracle of the operation order: one element at a time, as dense_gemm.h states it. */          \
    static void scalar_gemm_##SUFFIX(long m, long n, long k, const ELEM *x, const ELEM *packed, ELEM *y,   \
                                     long p0, long p1) {                                                   \
        for (long i = 0; i < m; i++)                                                                       \
            for (long col = p0 * PANEL; col < p1 * PANEL && col < n; col++) {                              \
                const ELEM *w = packed + (col / PANEL) * k * PANEL + col % PANEL;                          \
                ELEM total = 0;                                                                            \
                for (long kb = 0; kb < k; kb += DK_KBLOCK) {                                               \
                    long end = k - kb < DK_KBLOCK ? k : kb + DK_KBLOCK;                                    \
                    ELEM sum = 0;                                                                          \
                    for (long kk = kb; kk < end; kk++) sum = FMA(x[i * k + kk], w[kk * PANEL], sum);       \
                    total = kb == 0 ? sum : total + sum;                                                   \
                }                                                                                          \
                y[i * n + col] = total;                                                                    \
            }                                                                                              \
    }

DEFINE_PORTABLE(float, f32, PANEL_F32, fmaf)
DEFINE_PORTABLE(double, f64, PANEL_F64, fma)

// Scratch for packed row strips (DK_STRIP_ROWS·DK_KBLOCK values of the widest type, 384 KB),
// one per thread, allocated on first use and freed when the thread exits: a fresh buffer per
// call cost a page fault per 4 KB, 4 % of a 256×1024×1024 pass. dk_gemm never runs twice at
// once on one thread, so one buffer per thread is enough.
#define SCRATCH_BYTES ((size_t)DK_STRIP_ROWS * DK_KBLOCK * sizeof(double))
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void make_scratch_key(void) { scratch_key_ok = pthread_key_create(&scratch_key, free) == 0; }

static void *scratch(void) {
    pthread_once(&scratch_once, make_scratch_key);
    if (!scratch_key_ok) return NULL;
    void *buffer = pthread_getspecific(scratch_key);
    if (buffer) return buffer;
    buffer = aligned_alloc(64, SCRATCH_BYTES);
    if (buffer && pthread_setspecific(scratch_key, buffer) != 0) {
        free(buffer);
        return NULL;
    }
    return buffer;
}

int dk_bytes_equal(const void *a, const void *b, size_t count) { return memcmp(a, b, count) == 0; }

static dk_isa usable(dk_isa isa) {
    dk_isa best = dk_best_isa();
    return isa > best ? best : isa;
}

// The public entry points: the scalar path, or an instruction set's kernel with the per-thread
// strip scratch when the row count is past its in-place limit.
#define DEFINE_GEMM(ELEM, SUFFIX)                                                                          \
    void dk_gemm_##SUFFIX(dk_isa isa, long m, long n, long k, const ELEM *x, const ELEM *packed, ELEM *y,  \
                          long panel_begin, long panel_end) {                                              \
        dk_isa chosen = usable(isa);                                                                       \
        if (chosen == DK_ISA_SCALAR) {                                                                     \
            scalar_gemm_##SUFFIX(m, n, k, x, packed, y, panel_begin, panel_end);                           \
            return;                                                                                        \
        }                                                                                                  \
        long in_place = chosen == DK_ISA_AVX512 ? DK_IN_PLACE_ROWS_AVX512 : DK_IN_PLACE_ROWS_AVX2;         \
        ELEM *strips = m > in_place ? scratch() : NULL; /* null: rows read in place, same bits */         \
        DISPATCH_SIMD(SUFFIX)                                                                              \
    }

#if defined(__x86_64__)
#define DISPATCH_SIMD(SUFFIX)                                                                              \
    if (chosen == DK_ISA_AVX512) dk_avx512_gemm_##SUFFIX(m, n, k, x, packed, y, panel_begin, panel_end, strips); \
    else dk_avx2_gemm_##SUFFIX(m, n, k, x, packed, y, panel_begin, panel_end, strips);
#else
#define DISPATCH_SIMD(SUFFIX) (void)strips;
#endif

DEFINE_GEMM(float, f32)
DEFINE_GEMM(double, f64)
