// ScoringKernel.scores' inner loop, in C because Swift cannot compile one function for AVX2 and FMA while the
// rest of the binary stays on baseline x86-64: a whole-module -target-cpu would also carry AVX into the generic
// specialisations it shares with other modules, and the binary would then fault on older CPUs. clang's
// target_clones compiles the function twice and glibc picks the clone for the CPU when it loads the binary (an
// ifunc). At 64 factors the AVX2 clone spends eight fused multiply-adds (memory operands) and a quarter of a
// reduction on a row, about 16 instructions; the baseline one (SSE2) runs out of xmm registers and spends 64.
#include "CScoringKernel.h"
#include "ChosenByCPU.h"

typedef float Float4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));
typedef float UnalignedFloat8 __attribute__((vector_size(32), aligned(4), may_alias));


// Macros rather than functions: clang refuses a 32-byte vector argument or result in the baseline clone, even
// inlined.
#define LOAD8(pointer) (*(const UnalignedFloat8 *)(pointer))
#define LOW(vector) __builtin_shufflevector(vector, vector, 0, 1, 2, 3)
#define HIGH(vector) __builtin_shufflevector(vector, vector, 4, 5, 6, 7)
// Lanes 0, 1 and 4, 5 add pairs of lanes of `a`, lanes 2, 3 and 6, 7 pairs of `b`, as vhaddps does.
#define ADD_PAIRS(a, b) \
    (__builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14) + __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15))

static inline float sum_lanes(Float4 vector) { return (vector[0] + vector[2]) + (vector[1] + vector[3]); }

// `concierge_score_rows` for a query of `chunks` eight-float vectors and then `dimension % 8` floats. With
// `chunks` a constant the loops over them unroll and the query stays in registers from row to row.
static inline __attribute__((always_inline)) void score_rows(
    size_t chunks, const float *restrict query, const float *restrict rows, size_t row_count, size_t dimension,
    float *restrict out) {
    size_t vectorized = 8 * chunks;
    size_t row = 0;
    // Four rows at a time share each load of the query and one reduction.
    for (; row + 4 <= row_count; row += 4) {
        const float *r0 = rows + row * dimension, *r1 = r0 + dimension, *r2 = r1 + dimension, *r3 = r2 + dimension;
        Float8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        for (size_t i = 0; i < vectorized; i += 8) {
            Float8 q = LOAD8(query + i);
            s0 += q * LOAD8(r0 + i);
            s1 += q * LOAD8(r1 + i);
            s2 += q * LOAD8(r2 + i);
            s3 += q * LOAD8(r3 + i);
        }
        // Lane r of `sums` is row r's: [s0, s1, s2, s3] summed across in one go.
        Float8 pairs = ADD_PAIRS(ADD_PAIRS(s0, s1), ADD_PAIRS(s2, s3));
        Float4 sums = LOW(pairs) + HIGH(pairs);
        for (size_t i = vectorized; i < dimension; i++) {
            sums[0] += query[i] * r0[i];
            sums[1] += query[i] * r1[i];
            sums[2] += query[i] * r2[i];
            sums[3] += query[i] * r3[i];
        }
        for (size_t r = 0; r < 4; r++) out[row + r] = sums[r];
    }
    for (; row < row_count; row++) {
        const float *r = rows + row * dimension;
        Float8 s = {0};
        for (size_t i = 0; i < vectorized; i += 8) s += LOAD8(query + i) * LOAD8(r + i);
        float sum = sum_lanes(LOW(s) + HIGH(s));
        for (size_t i = vectorized; i < dimension; i++) sum += query[i] * r[i];
        out[row] = sum;
    }
}

CHOSEN_BY_CPU
void concierge_score_rows(const float *query, const float *rows, size_t row_count, size_t dimension, float *out) {
    // A loop of its own for each number of chunks up to 64 factors: a third fewer instructions at 16 and 64.
    switch (dimension / 8) {
    case 0: score_rows(0, query, rows, row_count, dimension, out); break;
    case 1: score_rows(1, query, rows, row_count, dimension, out); break;
    case 2: score_rows(2, query, rows, row_count, dimension, out); break;
    case 3: score_rows(3, query, rows, row_count, dimension, out); break;
    case 4: score_rows(4, query, rows, row_count, dimension, out); break;
    case 5: score_rows(5, query, rows, row_count, dimension, out); break;
    case 6: score_rows(6, query, rows, row_count, dimension, out); break;
    case 7: score_rows(7, query, rows, row_count, dimension, out); break;
    case 8: score_rows(8, query, rows, row_count, dimension, out); break;
    default: score_rows(dimension / 8, query, rows, row_count, dimension, out); break;
    }
}

// Row `rows[r]` less `row_offset` of the matrix, or NULL when the matrix has no such row.
static inline __attribute__((always_inline)) const float *row_at(
    const float *matrix, size_t matrix_rows, size_t columns, const int *rows, size_t r, int row_offset) {
    long long row = (long long)rows[r] - row_offset;
    return (unsigned long long)row < matrix_rows ? matrix + (size_t)row * columns : NULL;
}

// Rows `r` to `r + group - 1` of a history (`group` at most eight, a constant where this is inlined, so that the
// loops over the group unroll), weighted, added into `out`, or stored there when `fresh`; false, with nothing
// written, when one is not a row of the matrix.
static inline __attribute__((always_inline)) bool sum_row_group(
    const float *matrix, size_t matrix_rows, size_t columns, const int *rows, int row_offset, const float *weights,
    size_t r, size_t group, int fresh, float *out) {
    const float *row[8];
    float weight[8];
    for (size_t member = 0; member < group; member++) {
        row[member] = row_at(matrix, matrix_rows, columns, rows, r + member, row_offset);
        if (!row[member]) return false;
        weight[member] = weights ? weights[r + member] : 1;
    }
    size_t vectorized = columns & ~(size_t)7;
    for (size_t i = 0; i < vectorized; i += 8) {
        Float8 sum = weight[0] * LOAD8(row[0] + i);
        if (!fresh) sum += LOAD8(out + i);
        for (size_t member = 1; member < group; member++) sum += weight[member] * LOAD8(row[member] + i);
        *(UnalignedFloat8 *)(out + i) = sum;
    }
    #pragma clang loop vectorize(disable) unroll(disable)
    for (size_t i = vectorized; i < columns; i++) {
        float sum = fresh ? 0 : out[i];
        for (size_t member = 0; member < group; member++) sum += weight[member] * row[member][i];
        out[i] = sum;
    }
    return true;
}

// EASE's scores of a history: eight rows of B at a time (then four, then the last one to three) are added into
// each chunk of the output, so the output is loaded and stored once per group rather than once per row, and the
// AVX2 clone adds eight floats with one fused multiply-add a row. The first group is stored rather than added, so
// the output needs no zeroing first. Groups of eight rather than four: on a hotel's menu of about a hundred items,
// a group's setup and its scalar columns past the last whole vector cost about as much as its vectors (a 13-item
// history over 123 items: 826 instructions in groups of four, 696 in eights; the five after the first eight as one
// group of five cost 48 more than as four and one). The scalar loops stay scalar: vectorised, their setup cost more
// than the two or three columns they cover.
CHOSEN_BY_CPU
bool concierge_sum_rows(
    const float *matrix, size_t matrix_rows, size_t columns, const int *rows, int row_offset, const float *weights,
    size_t row_count, float *out) {
    if (row_count == 0) {
        for (size_t i = 0; i < columns; i++) out[i] = 0;
        return true;
    }
    size_t r = row_count >= 8 ? 8 : row_count >= 4 ? 4 : 1;
    bool within = r == 8   ? sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, 0, 8, 1, out)
                  : r == 4 ? sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, 0, 4, 1, out)
                           : sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, 0, 1, 1, out);
    for (; within && r + 8 <= row_count; r += 8) {
        within = sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, r, 8, 0, out);
    }
    if (within && r + 4 <= row_count) {
        within = sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, r, 4, 0, out);
        r += 4;
    }
    if (!within) return false;
    switch (row_count - r) {
    case 3: return sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, r, 3, 0, out);
    case 2: return sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, r, 2, 0, out);
    case 1: return sum_row_group(matrix, matrix_rows, columns, rows, row_offset, weights, r, 1, 0, out);
    default: return true;
    }
}

// The eight lanes summed, halves first: a macro for the reason LOAD8 is one.
#define SUM8(lanes) sum_lanes(LOW(lanes) + HIGH(lanes))

// A population standard deviation from the sums of `count` values less a shift and of their squares, or 1 when it
// is zero or not finite.
static inline float deviation_of(float sum, float square, size_t count) {
    float mean = sum / (float)count;
    float variance = square / (float)count - mean * mean;
    float result = variance > 0 ? __builtin_sqrtf(variance) : 0;
    return result > 0 && result < __builtin_inff() ? result : 1;
}

// EASE-ALS's blend. Both deviations come from one pass over both score arrays, each less its first score (a shift
// that keeps the squares from cancelling, since the first is within a few deviations of the mean), in eight float
// lanes; then the blend is a second pass. In Swift the two deviations and the blend were three passes in SSE
// halves, about three instructions a score more.
CHOSEN_BY_CPU
void concierge_blend(float *scores, const float *others, size_t count, float weight) {
    if (count == 0) return;
    float shift = scores[0], other_shift = others[0];
    Float8 shifts = {shift, shift, shift, shift, shift, shift, shift, shift};
    Float8 other_shifts = {other_shift, other_shift, other_shift, other_shift,
                           other_shift, other_shift, other_shift, other_shift};
    Float8 sums = {0}, squares = {0}, other_sums = {0}, other_squares = {0};
    // Bounded by the last whole vector rather than by `i + 8 <= count`: two instructions less a step.
    size_t vectorized = count & ~(size_t)7;
    size_t i = 0;
    for (; i < vectorized; i += 8) {
        Float8 shifted = LOAD8(scores + i) - shifts;
        Float8 other_shifted = LOAD8(others + i) - other_shifts;
        sums += shifted;
        squares += shifted * shifted;
        other_sums += other_shifted;
        other_squares += other_shifted * other_shifted;
    }
    float sum = SUM8(sums), square = SUM8(squares), other_sum = SUM8(other_sums), other_square = SUM8(other_squares);
    #pragma clang loop vectorize(disable) unroll(disable)
    for (; i < count; i++) {
        float shifted = scores[i] - shift, other_shifted = others[i] - other_shift;
        sum += shifted;
        square += shifted * shifted;
        other_sum += other_shifted;
        other_square += other_shifted * other_shifted;
    }
    float scale = 1 / deviation_of(sum, square, count);
    float other_scale = weight / deviation_of(other_sum, other_square, count);
    Float8 scales = {scale, scale, scale, scale, scale, scale, scale, scale};
    Float8 other_scales = {other_scale, other_scale, other_scale, other_scale,
                           other_scale, other_scale, other_scale, other_scale};
    for (i = 0; i < vectorized; i += 8) {
        *(UnalignedFloat8 *)(scores + i) = LOAD8(scores + i) * scales + LOAD8(others + i) * other_scales;
    }
    #pragma clang loop vectorize(disable) unroll(disable)
    for (; i < count; i++) scores[i] = scores[i] * scale + others[i] * other_scale;
}

// Eight rows' eight floats from `column` on, transposed: `out[8j + i]` is row i's float `column + j`. Three rounds of
// shuffles (pairs, then quads, then the two halves), as a vector transpose goes, rather than 64 scalar copies.
static inline __attribute__((always_inline)) void transpose_eight(
    const float *row, size_t stride, size_t column, float *out) {
    Float8 a = LOAD8(row + column), b = LOAD8(row + stride + column);
    Float8 c = LOAD8(row + 2 * stride + column), d = LOAD8(row + 3 * stride + column);
    Float8 e = LOAD8(row + 4 * stride + column), f = LOAD8(row + 5 * stride + column);
    Float8 g = LOAD8(row + 6 * stride + column), h = LOAD8(row + 7 * stride + column);
    Float8 ab_low = __builtin_shufflevector(a, b, 0, 8, 1, 9, 4, 12, 5, 13);
    Float8 ab_high = __builtin_shufflevector(a, b, 2, 10, 3, 11, 6, 14, 7, 15);
    Float8 cd_low = __builtin_shufflevector(c, d, 0, 8, 1, 9, 4, 12, 5, 13);
    Float8 cd_high = __builtin_shufflevector(c, d, 2, 10, 3, 11, 6, 14, 7, 15);
    Float8 ef_low = __builtin_shufflevector(e, f, 0, 8, 1, 9, 4, 12, 5, 13);
    Float8 ef_high = __builtin_shufflevector(e, f, 2, 10, 3, 11, 6, 14, 7, 15);
    Float8 gh_low = __builtin_shufflevector(g, h, 0, 8, 1, 9, 4, 12, 5, 13);
    Float8 gh_high = __builtin_shufflevector(g, h, 2, 10, 3, 11, 6, 14, 7, 15);
    // Lanes 0–3 of each hold columns 0 to 3 of rows a–d (or e–h), lanes 4–7 columns 4 to 7.
    Float8 ad0 = __builtin_shufflevector(ab_low, cd_low, 0, 1, 8, 9, 4, 5, 12, 13);
    Float8 ad1 = __builtin_shufflevector(ab_low, cd_low, 2, 3, 10, 11, 6, 7, 14, 15);
    Float8 ad2 = __builtin_shufflevector(ab_high, cd_high, 0, 1, 8, 9, 4, 5, 12, 13);
    Float8 ad3 = __builtin_shufflevector(ab_high, cd_high, 2, 3, 10, 11, 6, 7, 14, 15);
    Float8 eh0 = __builtin_shufflevector(ef_low, gh_low, 0, 1, 8, 9, 4, 5, 12, 13);
    Float8 eh1 = __builtin_shufflevector(ef_low, gh_low, 2, 3, 10, 11, 6, 7, 14, 15);
    Float8 eh2 = __builtin_shufflevector(ef_high, gh_high, 0, 1, 8, 9, 4, 5, 12, 13);
    Float8 eh3 = __builtin_shufflevector(ef_high, gh_high, 2, 3, 10, 11, 6, 7, 14, 15);
    *(UnalignedFloat8 *)(out) = __builtin_shufflevector(ad0, eh0, 0, 1, 2, 3, 8, 9, 10, 11);
    *(UnalignedFloat8 *)(out + 8) = __builtin_shufflevector(ad1, eh1, 0, 1, 2, 3, 8, 9, 10, 11);
    *(UnalignedFloat8 *)(out + 16) = __builtin_shufflevector(ad2, eh2, 0, 1, 2, 3, 8, 9, 10, 11);
    *(UnalignedFloat8 *)(out + 24) = __builtin_shufflevector(ad3, eh3, 0, 1, 2, 3, 8, 9, 10, 11);
    *(UnalignedFloat8 *)(out + 32) = __builtin_shufflevector(ad0, eh0, 4, 5, 6, 7, 12, 13, 14, 15);
    *(UnalignedFloat8 *)(out + 40) = __builtin_shufflevector(ad1, eh1, 4, 5, 6, 7, 12, 13, 14, 15);
    *(UnalignedFloat8 *)(out + 48) = __builtin_shufflevector(ad2, eh2, 4, 5, 6, 7, 12, 13, 14, 15);
    *(UnalignedFloat8 *)(out + 56) = __builtin_shufflevector(ad3, eh3, 4, 5, 6, 7, 12, 13, 14, 15);
}

CHOSEN_BY_CPU
void concierge_make_panels(const float *rows, size_t item_count, size_t dimension, float *panels) {
    size_t stride = 8 * dimension;
    size_t item = 0;
    for (; item + 8 <= item_count; item += 8) {
        const float *row = rows + item * dimension;
        float *panel = panels + item * dimension;
        size_t column = 0;
        for (; column + 8 <= dimension; column += 8) transpose_eight(row, dimension, column, panel + 8 * column);
        for (; column < dimension; column++) {
            for (size_t lane = 0; lane < 8; lane++) panel[8 * column + lane] = row[lane * dimension + column];
        }
    }
    if (item < item_count) {
        float *panel = panels + (item / 8) * stride;
        for (size_t column = 0; column < dimension; column++) {
            for (size_t lane = 0; lane < 8; lane++) {
                panel[8 * column + lane] = item + lane < item_count ? rows[(item + lane) * dimension + column] : 0;
            }
        }
    }
}

// Writes the lanes of the panel whose first item is `start` that fall in `first ..< end`: a block's end panels
// hold items of the neighbouring blocks. Out of line, so that the loop does not prepare its bounds.
static __attribute__((noinline, cold)) void put_lanes(
    const float *lanes, size_t start, size_t first, size_t end, float *out) {
    size_t from = start < first ? first : start, to = start + 8 < end ? start + 8 : end;
    for (size_t item = from; item < to; item++) out[item - first] = lanes[item - start];
}

// Panel `panel`'s eight scores, `sum`, into `out`: whole, or lane by lane for the block's last panel when it
// holds items past the block's end.
#define STORE_PANEL(sum, panel)                                                       \
    do {                                                                              \
        if (8 * (panel) + 8 <= end) {                                                 \
            *(UnalignedFloat8 *)(out + (8 * (panel) - first)) = (sum);                \
        } else {                                                                      \
            float lanes_[8];                                                          \
            *(UnalignedFloat8 *)lanes_ = (sum);                                       \
            put_lanes(lanes_, 8 * (panel), first, end, out);                          \
        }                                                                             \
    } while (0)

// The default case of `concierge_score_panels` has no constant dimension to unroll by, and keeps its loops rolled:
// clang's note that it could not unroll them is silenced for these two functions only.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpass-failed"

// `concierge_score_panels` for a constant `dimension` where the caller has one, so that the loop over the factors
// unrolls. The panels go four at a time, sharing each factor's broadcast (five instructions for 32 items'
// multiply-adds), then two and one. A panel that starts before the block goes alone; the block's last panel, which
// may hold items past its end (the next block's, or the zeros after the last item), is scored with the others and
// only its lanes in the block are written: scored alone, it cost its own broadcasts.
static inline __attribute__((always_inline)) void score_panels(
    size_t dimension, const float *restrict query, const float *restrict panels, size_t first, size_t count,
    float *restrict out) {
    size_t end = first + count, stride = 8 * dimension;
    size_t panel = first / 8, last = (end + 7) / 8;
    if (first % 8 != 0) {
        // A panel that starts before the block, scored alone and written lane by lane.
        const float *p = panels + panel * stride;
        Float8 sum = {0};
        for (size_t factor = 0; factor < dimension; factor++) sum += query[factor] * LOAD8(p + 8 * factor);
        float lanes[8];
        *(UnalignedFloat8 *)lanes = sum;
        put_lanes(lanes, 8 * panel, first, end, out);
        panel++;
    }
    for (; panel + 4 <= last; panel += 4) {
        // The query is read afresh in each group, its factors broadcast straight from memory: left to itself, the
        // compiler broadcasts them all once before the loop and spills them to the stack, a store and a reload
        // each, which costs more than the loop's few groups on a hotel's menu.
        __asm__("" : "+r"(query));
        const float *p0 = panels + panel * stride, *p1 = p0 + stride, *p2 = p1 + stride, *p3 = p2 + stride;
        Float8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
#pragma clang loop unroll(full)
        for (size_t factor = 0; factor < dimension; factor++) {
            float q = query[factor];
            s0 += q * LOAD8(p0 + 8 * factor);
            s1 += q * LOAD8(p1 + 8 * factor);
            s2 += q * LOAD8(p2 + 8 * factor);
            s3 += q * LOAD8(p3 + 8 * factor);
        }
        float *o = out + (8 * panel - first);
        *(UnalignedFloat8 *)o = s0;
        *(UnalignedFloat8 *)(o + 8) = s1;
        *(UnalignedFloat8 *)(o + 16) = s2;
        STORE_PANEL(s3, panel + 3);
    }
    if (panel + 2 <= last) {
        const float *p0 = panels + panel * stride, *p1 = p0 + stride;
        Float8 s0 = {0}, s1 = {0};
#pragma clang loop unroll(full)
        for (size_t factor = 0; factor < dimension; factor++) {
            float q = query[factor];
            s0 += q * LOAD8(p0 + 8 * factor);
            s1 += q * LOAD8(p1 + 8 * factor);
        }
        *(UnalignedFloat8 *)(out + (8 * panel - first)) = s0;
        STORE_PANEL(s1, panel + 1);
        panel += 2;
    }
    if (panel < last) {
        const float *p = panels + panel * stride;
        Float8 sum = {0};
#pragma clang loop unroll(full)
        for (size_t factor = 0; factor < dimension; factor++) sum += query[factor] * LOAD8(p + 8 * factor);
        STORE_PANEL(sum, panel);
    }
}

CHOSEN_BY_CPU
void concierge_score_panels(
    const float *query, const float *panels, size_t dimension, size_t first, size_t count, float *out) {
    switch (dimension) {
    case 8: score_panels(8, query, panels, first, count, out); break;
    case 16: score_panels(16, query, panels, first, count, out); break;
    case 24: score_panels(24, query, panels, first, count, out); break;
    case 32: score_panels(32, query, panels, first, count, out); break;
    case 48: score_panels(48, query, panels, first, count, out); break;
    case 64: score_panels(64, query, panels, first, count, out); break;
    default: score_panels(dimension, query, panels, first, count, out); break;
    }
}
#pragma clang diagnostic pop
