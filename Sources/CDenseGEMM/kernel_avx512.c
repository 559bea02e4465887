// AVX-512 instantiations of the kernel (float: 12×32 tiles, double: 12×16), compiled for
// AVX-512F whatever the build's target; called only when dk_best_isa() says the CPU has it.
#if defined(__x86_64__)
#include "dense_gemm.h"
#include "kernel_isa.h"
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)

#define ELEM float
#define VEC __m512
#define VLEN 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps(a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define PANEL 32
#define MR 12
#define FN(name) dk_avx512_##name##_f32
#include "kernel_template.h"

#define ELEM double
#define VEC __m512d
#define VLEN 8
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd(p, v)
#define VSET1(x) _mm512_set1_pd(x)
#define VZERO() _mm512_setzero_pd()
#define VADD(a, b) _mm512_add_pd(a, b)
#define VFMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define PANEL 16
#define MR 12
#define FN(name) dk_avx512_##name##_f64
#include "kernel_template.h"

#pragma clang attribute pop

#endif
