// The SIMD body of dk_gemm, written once and instantiated per element type and instruction
// set by kernel_avx512.c and kernel_avx2.c. The including file defines:
//   ELEM          float or double
//   VEC           the vector type; VLEN its lanes
//   VLOAD/VSTORE  unaligned load and store; VSET1 broadcast; VZERO; VADD; VFMA(a, b, c) = a·b + c fused
//   PANEL         columns per packed panel (128 bytes of ELEM)
//   MR            rows per register tile (MR × 2 vector accumulators fit the register file)
//   FN(name)      the name of a function of this instantiation
// and undefines them all at its end.
// Every path performs, per output element, exactly the operation sequence dense_gemm.h states.

// Columns a tile covers: two vectors. A panel holds PANEL / (2·VLEN) of them.
#define TILE_COLS (2 * VLEN)
#define TILES_PER_PANEL (PANEL / TILE_COLS)
// Vectors per panel row, and panels the single-row kernel streams at once (8 chains in all,
// enough to hide the FMA latency).
// Rows packed at a time on the many-rows path (16 strips: best of 4, 8, 16 at 1024³).
#define STRIP_ROWS (16 * MR)
#define ROW_VECS (PANEL / VLEN)
#define ROW_PANELS (8 / ROW_VECS)
// Panel rows the single-row kernel prefetches ahead in each stream (16 KB: measured best for
// 1×4096×4096 and 1×1024×1024 on an Ice Lake Xeon).
#define ROW_PREFETCH 128
// Panel rows a register tile prefetches ahead (measured best of 4, 8, 16 at 1024³).
#define TILE_PREFETCH 16

// Stores one vector of a K-block's sums to y: the first block's sums as they are, later ones
// added to what is there. `cols` < VLEN writes only the columns that exist.
static inline __attribute__((always_inline)) void FN(store)(ELEM *y, VEC sum, long cols, int first) {
    if (cols >= VLEN) {
        VSTORE(y, first ? sum : VADD(VLOAD(y), sum));
        return;
    }
    ELEM lanes[VLEN];
    VSTORE(lanes, sum);
    for (long j = 0; j < cols; j++) y[j] = first ? lanes[j] : y[j] + lanes[j];
}

// Shape: x [mr, kc] (row r's k-th value at x[r·rs + k·ks]: rows of the input, or a packed
// strip) · w [kc, TILE_COLS] (row stride PANEL) → y [mr, cols] (row stride ldy). One K-block
// of an mr×TILE_COLS tile, accumulators in registers.
static inline __attribute__((always_inline)) void FN(tile)(
    const int mr, long kc, const ELEM *xs, long rs, long ks, const ELEM *w, ELEM *y, long ldy, long cols, int first) {
    VEC acc[MR][2];
    for (int r = 0; r < mr; r++) acc[r][0] = acc[r][1] = VZERO();
    for (long k = 0; k < kc; k++) {
        VEC w0 = VLOAD(w + k * PANEL), w1 = VLOAD(w + k * PANEL + VLEN);
        _mm_prefetch((const char *)(w + (k + TILE_PREFETCH) * PANEL), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + (k + TILE_PREFETCH) * PANEL + VLEN), _MM_HINT_T0);
        for (int r = 0; r < mr; r++) {
            VEC xb = VSET1(xs[r * rs + k * ks]);
            acc[r][0] = VFMA(xb, w0, acc[r][0]);
            acc[r][1] = VFMA(xb, w1, acc[r][1]);
        }
    }
    for (int r = 0; r < mr; r++) {
        FN(store)(y + r * ldy, acc[r][0], cols, first);
        FN(store)(y + r * ldy + VLEN, acc[r][1], cols - VLEN, first);
    }
}

// The tile for a row count known only at run time, specialised for each count so the
// accumulators stay in registers.
static void FN(tile_any)(
    int mr, long kc, const ELEM *xs, long rs, long ks, const ELEM *w, ELEM *y, long ldy, long cols, int first) {
    switch (mr) {
#define TILE_CASE(R) \
    case R: if (R <= MR) FN(tile)(R, kc, xs, rs, ks, w, y, ldy, cols, first); break;
        TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5) TILE_CASE(6)
        TILE_CASE(7) TILE_CASE(8) TILE_CASE(9) TILE_CASE(10) TILE_CASE(11) TILE_CASE(12)
#undef TILE_CASE
    default: break;
    }
}

// Shape: x [k] · panels [p, p + np) of W → y [cols of those panels]. One row, streaming np
// panels side by side (np ≤ ROW_PANELS), one K-block at a time.
static inline __attribute__((always_inline)) void FN(row_panels)(
    const int np, long n, long k, const ELEM *x, const ELEM *packed, ELEM *y, long p) {
    for (long kb = 0; kb < k; kb += DK_KBLOCK) {
        long kc = k - kb < DK_KBLOCK ? k - kb : DK_KBLOCK;
        VEC acc[ROW_PANELS][ROW_VECS];
        for (int q = 0; q < np; q++)
            for (int v = 0; v < ROW_VECS; v++) acc[q][v] = VZERO();
        for (long kk = 0; kk < kc; kk++) {
            VEC xb = VSET1(x[kb + kk]);
            for (int q = 0; q < np; q++) {
                const ELEM *w = packed + ((p + q) * k + kb + kk) * PANEL;
                // One 128-byte panel row per k: fetch the row ROW_PREFETCH ahead (2 lines).
                _mm_prefetch((const char *)(w + ROW_PREFETCH * PANEL), _MM_HINT_T0);
                _mm_prefetch((const char *)(w + ROW_PREFETCH * PANEL) + 64, _MM_HINT_T0);
                for (int v = 0; v < ROW_VECS; v++) acc[q][v] = VFMA(xb, VLOAD(w + v * VLEN), acc[q][v]);
            }
        }
        for (int q = 0; q < np; q++) {
            for (int v = 0; v < ROW_VECS; v++) {
                long col = (p + q) * PANEL + v * VLEN;
                if (col < n) FN(store)(y + col, acc[q][v], n - col, kb == 0);
            }
        }
    }
}

// `strips`: scratch of STRIP_ROWS·DK_KBLOCK values, or null (then rows are read in place: slower for
// many rows, same bits).
void FN(gemm)(long m, long n, long k, const ELEM *x, const ELEM *packed, ELEM *y, long p0, long p1, ELEM *strips) {
    if (m == 1) {
        long p = p0;
        for (; p + ROW_PANELS <= p1; p += ROW_PANELS) FN(row_panels)(ROW_PANELS, n, k, x, packed, y, p);
        for (; p < p1; p++) FN(row_panels)(1, n, k, x, packed, y, p);
        return;
    }
    // Few rows: the rows are read in place and each K-block of a panel (32 KB) stays in L1
    // while every row strip runs over it.
    if (m <= 4 * MR || strips == 0) {
        for (long kb = 0; kb < k; kb += DK_KBLOCK) {
            long kc = k - kb < DK_KBLOCK ? k - kb : DK_KBLOCK;
            for (long p = p0; p < p1; p++) {
                for (long t = 0; t < TILES_PER_PANEL; t++) {
                    long col = p * PANEL + t * TILE_COLS;
                    if (col >= n) break;
                    const ELEM *w = packed + (p * k + kb) * PANEL + t * TILE_COLS;
                    long i = 0;
                    for (; i + MR <= m; i += MR) FN(tile)(MR, kc, x + i * k + kb, k, 1, w, y + i * n + col, n, n - col, kb == 0);
                    if (i < m) FN(tile_any)((int)(m - i), kc, x + i * k + kb, k, 1, w, y + i * n + col, n, n - col, kb == 0);
                }
            }
        }
        return;
    }
    // Many rows (GotoBLAS-style blocking), in blocks of STRIP_ROWS rows: for each K-block,
    // the block's rows are packed into strips (strip s holds row r's k-th value at
    // [s·MR·DK_KBLOCK + kk·MR + r]) that stay in L2; each panel's K-block (32 KB) stays in L1
    // while every strip runs over it; the block's output rows stay in L2 across K-blocks.
    // `strips` is scratch of STRIP_ROWS·DK_KBLOCK values.
    for (long i0 = 0; i0 < m; i0 += STRIP_ROWS) {
        long rows = m - i0 < STRIP_ROWS ? m - i0 : STRIP_ROWS;
        for (long kb = 0; kb < k; kb += DK_KBLOCK) {
            long kc = k - kb < DK_KBLOCK ? k - kb : DK_KBLOCK;
            for (long i = 0; i < rows; i += MR) {
                int mr = rows - i < MR ? (int)(rows - i) : MR;
                ELEM *strip = strips + i * DK_KBLOCK;
                for (int r = 0; r < mr; r++)
                    for (long kk = 0; kk < kc; kk++) strip[kk * MR + r] = x[(i0 + i + r) * k + kb + kk];
            }
            for (long p = p0; p < p1; p++) {
                for (long t = 0; t < TILES_PER_PANEL; t++) {
                    long col = p * PANEL + t * TILE_COLS;
                    if (col >= n) break;
                    const ELEM *w = packed + (p * k + kb) * PANEL + t * TILE_COLS;
                    for (long i = 0; i < rows; i += MR) {
                        int mr = rows - i < MR ? (int)(rows - i) : MR;
                        const ELEM *xs = strips + i * DK_KBLOCK;
                        ELEM *out = y + (i0 + i) * n + col;
                        if (mr == MR) FN(tile)(MR, kc, xs, 1, MR, w, out, n, n - col, kb == 0);
                        else FN(tile_any)(mr, kc, xs, 1, MR, w, out, n, n - col, kb == 0);
                    }
                }
            }
        }
    }
}

// The instantiation's parameters, so the next one defines its own.
#undef ELEM
#undef VEC
#undef VLEN
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VADD
#undef VFMA
#undef PANEL
#undef MR
#undef FN
#undef TILE_COLS
#undef STRIP_ROWS
#undef ROW_PREFETCH
#undef TILE_PREFETCH
#undef TILES_PER_PANEL
#undef ROW_VECS
#undef ROW_PANELS
