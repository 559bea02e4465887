#include <cblas.h>
// Declared by OpenBLAS but not by every cblas.h; we pin one BLAS thread per worker.
void openblas_set_num_threads(int num_threads);
// The core OpenBLAS picked at load time (`SkylakeX`, `Haswell`, `Prescott`, ...).
char *openblas_get_corename(void);
