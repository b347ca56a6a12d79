// OpenBLAS's header (cblas.h) declares its thread control; its LAPACK routines have no header in Debian's
// libopenblas-dev (built without LAPACKE), so the two that EASE calls are declared here, with the reference
// LAPACK signature: Fortran arguments by address, and the length of the character argument last (gfortran's
// convention, which OpenBLAS's own C implementations of these two routines ignore).
#include <cblas.h>
#include <stddef.h>

/// Cholesky factorisation of a symmetric positive-definite matrix (column-major): A = UᵀU for uplo 'U'.
void dpotrf_(const char *uplo, const blasint *n, double *a, const blasint *lda, blasint *info, size_t uplo_length);

/// The inverse of a symmetric positive-definite matrix from dpotrf's factor, into the same triangle.
void dpotri_(const char *uplo, const blasint *n, double *a, const blasint *lda, blasint *info, size_t uplo_length);
