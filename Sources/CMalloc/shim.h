// glibc's malloc tuning (mallopt), which Swift's Glibc module does not import: the
// executable fixes the mmap threshold at start-up (DenseServer/ServeCommand.swift).
#include <malloc.h>
