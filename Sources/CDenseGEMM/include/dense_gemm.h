// DenseServe's batch-invariant GEMM: y[m×n] = x[m×k] · W[k×n], row-major, on weights packed
// once at model load.
//
// The guarantee: element (i, j) of y is computed by the same sequence of IEEE operations
// whatever m, the row's position in x, the panel range, or the instruction set: for each
// K-block of DK_KBLOCK values, a sum that starts at zero and adds x[i][k]·W[k][j] with one
// fused multiply-add per k in increasing k; the first block's sum is stored, every later
// block's sum is added to it. Rows and columns never mix, so a row's bits depend only on
// that row and W. (For NaN results only NaN-ness is guaranteed: x86 propagates the payload of
// whichever NaN operand the instruction's operand order picks.)
//
// Packed layout: columns are grouped in panels of dk_panel_width(dtype) columns (32 floats or
// 16 doubles, 128 bytes), the last one zero-padded; panel p holds its k-th 128-byte row at
// packed[(p·k + kk)·width]. Buffers must be 64-byte aligned for speed (not for correctness).
#ifndef DENSE_GEMM_H
#define DENSE_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets a kernel can run on, best last.
typedef enum {
    DK_ISA_SCALAR = 0,
    DK_ISA_AVX2 = 1,
    DK_ISA_AVX512 = 2,
} dk_isa;

/// Values summed from zero before they are added to the running total.
#define DK_KBLOCK 256

/// The best instruction set this CPU and OS support (CPUID plus XGETBV), computed once.
dk_isa dk_best_isa(void);

/// The OpenBLAS core (OPENBLAS_CORETYPE) whose kernels fit this CPU's vector instructions:
/// "SkylakeX" with AVX-512 F/DQ/BW/VL, "Haswell" with AVX2 + FMA, null otherwise.
const char *dk_blas_core_for_cpu(void);

/// A short name of the instruction set ("avx512", "avx2", "scalar").
const char *dk_isa_name(dk_isa isa);

/// Columns per packed panel: 32 for float, 16 for double.
long dk_panel_width_f32(void);
long dk_panel_width_f64(void);

/// Elements a packed copy of a k×n kernel needs: k · n rounded up to whole panels.
long dk_packed_count_f32(long k, long n);
long dk_packed_count_f64(long k, long n);

/// Packs row-major w[k×n] into `packed` (dk_packed_count elements).
void dk_pack_f32(long k, long n, const float *w, float *packed);
void dk_pack_f64(long k, long n, const double *w, double *packed);

/// Recovers row-major w[k×n] from a packed copy.
void dk_unpack_f32(long k, long n, const float *packed, float *w);
void dk_unpack_f64(long k, long n, const double *packed, double *w);

/// Recovers rows [row_begin, row_end) of row-major w[k×n] from a packed copy into `w`
/// ((row_end − row_begin)·n elements), so a large kernel can be read out in pieces.
void dk_unpack_rows_f32(long k, long n, const float *packed, long row_begin, long row_end, float *w);
void dk_unpack_rows_f64(long k, long n, const double *packed, long row_begin, long row_end, double *w);

/// Whether two buffers hold the same `count` bytes (memcmp, for Swift code without libc).
int dk_bytes_equal(const void *a, const void *b, size_t count);

/// y[m×n] = x[m×k] · W for the columns of panels [panel_begin, panel_end) (all panels:
/// 0 and ceil(n / panel width)). x and y are row-major with row strides k and n. An `isa`
/// the CPU lacks falls back to dk_best_isa(); every isa gives the same bits.
void dk_gemm_f32(dk_isa isa, long m, long n, long k, const float *x, const float *packed, float *y,
                 long panel_begin, long panel_end);
void dk_gemm_f64(dk_isa isa, long m, long n, long k, const double *x, const double *packed, double *y,
                 long panel_begin, long panel_end);

#ifdef __cplusplus
}
#endif

#endif
