#ifndef CSCORINGKERNEL_H
#define CSCORINGKERNEL_H

#include <stddef.h>

/// `out[r] = query · rows[r * dimension ..< (r + 1) * dimension]` for each of the `row_count` rows of a
/// row-major matrix: any dimension, no alignment needed, `out` overlapping neither input. On x86-64, CPUs with
/// AVX2 and FMA (x86-64-v3) run a version compiled for them, chosen once when the binary loads; the others run
/// the baseline (SSE2) one.
void concierge_score_rows(const float *query, const float *rows, size_t row_count, size_t dimension, float *out);

#endif
