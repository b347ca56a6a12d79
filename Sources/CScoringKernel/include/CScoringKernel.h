#ifndef CSCORINGKERNEL_H
#define CSCORINGKERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// `out[r] = query · rows[r * dimension ..< (r + 1) * dimension]` for each of the `row_count` rows of a
/// row-major matrix: any dimension, no alignment needed, `out` overlapping neither input. On x86-64, CPUs with
/// AVX2 and FMA (x86-64-v3) run a version compiled for them, chosen once when the binary loads; the others run
/// the baseline (SSE2) one.
void concierge_score_rows(const float *query, const float *rows, size_t row_count, size_t dimension, float *out);

/// `out[i] = query · factors of item first + i` for `i` < `count`, from item factors laid out in panels of eight
/// items: panel `p` holds items 8p ..< 8p + 8, factor by factor (`panels[p · 8 · dimension + 8f + lane]`), and the
/// panels cover items `first ..< first + count`. Chosen by the CPU as `concierge_score_rows` is; the sums run factor by
/// factor, so their last bits can differ from `concierge_score_rows`'.
void concierge_score_panels(
    const float *query, const float *panels, size_t dimension, size_t first, size_t count, float *out);

/// The panels of `item_count` items' row-major factors (`rows`) into `panels`, laid out as
/// `concierge_score_panels` reads them: room for ⌈`item_count` / 8⌉ panels of `8 · dimension` floats, the lanes
/// past the last item zero. Chosen by the CPU as `concierge_score_rows` is.
void concierge_make_panels(const float *rows, size_t item_count, size_t dimension, float *panels);

/// `out[c] = Σᵣ weights[r] · matrix[(rows[r] − row_offset) · columns + c]` for each of the `row_count` rows named
/// (all weights 1 when `weights` is NULL; zero when there are none), `c` < `columns`: EASE's scores of a guest's
/// history. Chosen by the CPU as `concierge_score_rows` is; the AVX2 clone fuses each multiply and add, so its last
/// bits can differ from the baseline's. False, with `out` partly written, when a row named is not one of the
/// matrix's `matrix_rows`: each is checked as its address is taken.
bool concierge_sum_rows(
    const float *matrix, size_t matrix_rows, size_t columns, const int *rows, int row_offset, const float *weights,
    size_t row_count, float *out);

/// EASE-ALS's blend of a block's scores: `scores[i] = scores[i] / sd(scores) + weight · others[i] / sd(others)`,
/// each `sd` the population standard deviation of the `count` values, or 1 when it is zero or not finite. Chosen by
/// the CPU as `concierge_score_rows` is.
void concierge_blend(float *scores, const float *others, size_t count, float weight);

/// The best `min(k, eligible)` of `count` scores, best first, as `TopK.select` defines them: writes their positions
/// plus `first_index` into `indices` and their scores into `best` (room for `k` each) and returns how many it
/// wrote. Higher scores first, equal scores by position, NaN never. `excluded` lists `excluded_count` indices (in
/// `first_index` terms) to leave out, ascending; those outside the block change nothing. `keys` is scratch for
/// `k + 1` keys. `count` and `first_index + count` must fit in an `int`.
size_t concierge_top_k(
    const float *scores, size_t count, size_t k, int first_index, const int *excluded, size_t excluded_count,
    uint64_t *keys, int *indices, float *best);

#endif
