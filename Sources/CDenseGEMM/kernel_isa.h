// The per-instruction-set kernels behind dk_gemm_f32 / dk_gemm_f64: the same arguments minus
// the isa, plus scratch for packed row strips (192·DK_KBLOCK values, or null).
// Private to this target.
#ifndef DENSE_KERNEL_ISA_H
#define DENSE_KERNEL_ISA_H

void dk_avx512_gemm_f32(long m, long n, long k, const float *x, const float *packed, float *y, long p0, long p1, float *strips);
void dk_avx512_gemm_f64(long m, long n, long k, const double *x, const double *packed, double *y, long p0, long p1, double *strips);
void dk_avx2_gemm_f32(long m, long n, long k, const float *x, const float *packed, float *y, long p0, long p1, float *strips);
void dk_avx2_gemm_f64(long m, long n, long k, const double *x, const double *packed, double *y, long p0, long p1, double *strips);

#endif
