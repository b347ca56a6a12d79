// TopK.select's two methods, in C for the vector compares that tell several scores at once which may beat the worst
// kept or equal the best left (Swift's SIMD has no compare to a bit mask), for an AVX2 clone, and for keys that make
// an insertion's move one 64-bit copy. A best-first list of (score, index) pairs in two arrays cost about 10
// instructions a move and 50 an insertion; a key is the score's bits made to order as an unsigned integer, then the
// complement of its position, so one unsigned comparison orders by score and, among equal scores, puts the lower
// position first.
#include "CScoringKernel.h"
#include "ChosenByCPU.h"

#include <stdint.h>
#include <string.h>

static inline uint64_t key_of(float score, uint32_t position) {
    // + 0 turns −0 into +0, which compare equal as floats and must as keys.
    float normal = score + 0.0f;
    uint32_t bits;
    memcpy(&bits, &normal, sizeof bits);
    // Negative: every bit flipped, so larger magnitudes order lower; positive: only the sign, above every negative.
    uint32_t ordered = bits ^ ((uint32_t)((int32_t)bits >> 31) | 0x80000000u);
    return (uint64_t)ordered << 32 | (uint32_t)~position;
}

static inline uint32_t position_of(uint64_t key) { return ~(uint32_t)key; }

// Eight scores: a vector compare gives a bit per lane, which both clones turn into a mask (movmskps on AVX2).
typedef float Scores8 __attribute__((ext_vector_type(8)));
typedef float UnalignedScores8 __attribute__((ext_vector_type(8), aligned(4)));
typedef _Bool Lanes8 __attribute__((ext_vector_type(8)));
typedef int Integers8 __attribute__((ext_vector_type(8)));
#define LOAD_SCORES(pointer) ((Scores8)(*(const UnalignedScores8 *)(pointer)))
#define LANE_MASK(condition) ((unsigned)__builtin_bit_cast(unsigned char, __builtin_convertvector(condition, Lanes8)))

// Puts `key` into the best-first `keys[1 ... last]`, dropping what was at `last`; `keys[0]` is a sentinel no key
// exceeds, so the loop needs no bound check.
static inline __attribute__((always_inline)) void insert(uint64_t *keys, size_t last, uint64_t key) {
    size_t slot = last;
    while (keys[slot - 1] < key) {
        keys[slot] = keys[slot - 1];
        slot--;
    }
    keys[slot] = key;
}

// With `k` kept, keeps the score at `candidate` if it is above `worst`, the score of `keys[k]`: an equal one
// comes later, so it is not better. NaN is not above anything.
static inline __attribute__((always_inline)) void keep_if_better(
    const float *scores, uint32_t candidate, uint64_t *keys, size_t k, float *worst) {
    float score = scores[candidate];
    if (!(score > *worst)) return;
    insert(keys, k, key_of(score, candidate));
    *worst = scores[position_of(keys[k])];
}

// Keeps the score at `candidate` if fewer than `k` are kept and it reaches `floor`, else as `keep_if_better`.
static inline __attribute__((always_inline)) void keep(
    const float *scores, uint32_t candidate, uint64_t *keys, size_t k, float floor, size_t *size, float *worst) {
    if (*size == k) return keep_if_better(scores, candidate, keys, k, worst);
    float score = scores[candidate];
    if (!(score >= floor)) return;
    insert(keys, ++*size, key_of(score, candidate));
    if (*size == k) *worst = scores[position_of(keys[k])];
}

// Four lanes, for the last steps of a maximum across lanes.
typedef float Scores4 __attribute__((ext_vector_type(4)));

// The larger of each pair of lanes, `kept`'s where `candidate` is NaN: the x86 max instruction's rule, which the
// compiler emits for this form (the generic maximum spends three instructions a step on NaN).
#define LARGER(candidate, kept) ((candidate) > (kept) ? (candidate) : (kept))

// The largest of `count` floats (a multiple of eight), NaN taking no part; −∞ when all are NaN. Eight lanes are one
// AVX2 vector in the x86-64-v3 clone and two SSE vectors in the baseline.
static inline __attribute__((always_inline)) float max_of(const float *floats, size_t count) {
    Scores8 lanes = -__builtin_inff();
    for (size_t lane = 0; lane < count; lane += 8) lanes = LARGER(LOAD_SCORES(floats + lane), lanes);
    Scores4 high = __builtin_shufflevector(lanes, lanes, 4, 5, 6, 7);
    Scores4 low = __builtin_shufflevector(lanes, lanes, 0, 1, 2, 3);
    Scores4 four = LARGER(high, low);
    Scores4 two = LARGER(__builtin_shufflevector(four, four, 2, 3, 0, 1), four);
    Scores4 one = LARGER(__builtin_shufflevector(two, two, 1, 0, 3, 2), two);
    return one.x;
}

// A bit for each of the `count` floats (a multiple of eight, at most 32) equal to `value`; NaN equals nothing.
static inline __attribute__((always_inline)) uint32_t lanes_equal(const float *floats, size_t count, float value) {
    uint32_t mask = 0;
    for (size_t lane = 0; lane < count; lane += 8) mask |= LANE_MASK(LOAD_SCORES(floats + lane) == value) << lane;
    return mask;
}

// A score that at least `k` scores reach: the smallest of the maxima of the first eight scores of `k` stretches
// (each maximum is a score, and they are `k` different ones), NaN taking no part. While the first `k` are kept,
// the scores under it are passed over rather than inserted and pushed out again. −∞ when a stretch is shorter
// than eight or a group is all NaN.
static inline __attribute__((always_inline)) float lower_bound(const float *scores, size_t count, size_t k) {
    size_t stretch = count / k;
    if (stretch < 8) return -__builtin_inff();
    float floor = __builtin_inff();
    for (size_t group = 0; group < k; group++) {
        float largest = max_of(scores + group * stretch, 8);
        floor = largest < floor ? largest : floor;
    }
    return floor;
}

// A block of at most this many scores (a hotel's menu, as a rule) is ranked by a tournament of groups of sixteen.
#define TOURNAMENT_SCORES 256
#define TOURNAMENT_GROUP 16

// The maximum of a group in the tournament: NaN when nothing is left in it to pick, which equals nothing, and −∞
// when only −∞ is.
static inline __attribute__((always_inline)) float group_maximum(const float *group) {
    float largest = max_of(group, TOURNAMENT_GROUP);
    return largest > -__builtin_inff() || lanes_equal(group, TOURNAMENT_GROUP, largest) ? largest
                                                                                          : __builtin_nanf("");
}

// The maxima of eight groups from `first` on, as `group_maximum` takes them, into `maxima`: groups from `real` on
// are spare and get NaN. Each group's two vectors are reduced to one, then the eight vectors are halved in three
// rounds, pairs of lanes of two vectors at a time, into one vector of the eight maxima: about 50 instructions,
// where the groups one at a time cost about 160.
static inline __attribute__((always_inline)) void eight_group_maxima(const float *first, size_t real, float *maxima) {
    Scores8 lanes[8];
    for (size_t group = 0; group < 8; group++) {
        const float *members = first + TOURNAMENT_GROUP * group;
        Scores8 low = LARGER(LOAD_SCORES(members), (Scores8)(-__builtin_inff()));
        lanes[group] = LARGER(LOAD_SCORES(members + 8), low);
    }
    Scores8 halves[4];
    for (size_t pair = 0; pair < 4; pair++) {
        Scores8 a = lanes[2 * pair], b = lanes[2 * pair + 1];
        halves[pair] = LARGER(__builtin_shufflevector(a, b, 0, 1, 8, 9, 4, 5, 12, 13),
                              __builtin_shufflevector(a, b, 2, 3, 10, 11, 6, 7, 14, 15));
    }
    Scores8 quarters[2];
    for (size_t pair = 0; pair < 2; pair++) {
        Scores8 a = halves[2 * pair], b = halves[2 * pair + 1];
        quarters[pair] = LARGER(__builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14),
                                __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15));
    }
    Scores8 largest = LARGER(__builtin_shufflevector(quarters[0], quarters[1], 0, 1, 2, 3, 8, 9, 10, 11),
                             __builtin_shufflevector(quarters[0], quarters[1], 4, 5, 6, 7, 12, 13, 14, 15));
    Integers8 group_numbers = {0, 1, 2, 3, 4, 5, 6, 7};
    largest = group_numbers < (int)real ? largest : (Scores8)__builtin_nanf("");
    *(UnalignedScores8 *)maxima = largest;
    // A real group whose largest is −∞ holds −∞ or nothing left to pick: rare, so taken one at a time.
    for (unsigned floor = LANE_MASK(largest == -__builtin_inff()); floor; floor &= floor - 1) {
        size_t group = (size_t)__builtin_ctz(floor);
        maxima[group] = group_maximum(first + TOURNAMENT_GROUP * group);
    }
}

// The tournament's picks, up to `k`, from `left` and its groups' `maxima` (`maxima_count` of them, a multiple of
// eight, the spare ones NaN).
static inline __attribute__((always_inline)) size_t picks(
    const float *scores, float *left, float *maxima, size_t maxima_count, size_t k, int first_index, int *indices,
    float *best) {
    size_t found = 0;
    for (; found < k; found++) {
        float top = max_of(maxima, maxima_count);
        uint32_t leaders = lanes_equal(maxima, maxima_count, top);
        if (leaders == 0) break;
        size_t group = (size_t)__builtin_ctz(leaders);
        float *members = left + TOURNAMENT_GROUP * group;
        size_t lane = (size_t)__builtin_ctz(lanes_equal(members, TOURNAMENT_GROUP, top));
        size_t position = TOURNAMENT_GROUP * group + lane;
        indices[found] = first_index + (int)position;
        best[found] = scores[position];
        left[position] = __builtin_nanf("");
        maxima[group] = group_maximum(members);
    }
    return found;
}

// The tournament: the scores, copied with NaN in place of the excluded ones and past the end, in groups, each
// group's maximum kept; the best is the first group whose maximum is the largest, at the first of its lanes equal
// to it, which then becomes NaN, and its group's maximum is taken again. A pick is about 50 instructions of vector
// compares, where the sorted list meets about twice k insertions of about 70 on a hotel's menu (the sample guest's
// 82 items: 1,454 instructions, 1,095 by the tournament in SSE halves). Groups of sixteen rather than eight: half
// the maxima to compare at every pick, for a few more compares in the group that won. Inlined into each of
// `concierge_top_k`'s clones, so that the AVX2 one compares eight scores an instruction: out of line, in the
// baseline's SSE, a pick cost about 90.
static inline __attribute__((always_inline)) size_t top_k_by_tournament(
    const float *scores, size_t count, size_t k, int first_index, const int *excluded, size_t excluded_count,
    int *indices, float *best) {
    size_t groups = (count + TOURNAMENT_GROUP - 1) / TOURNAMENT_GROUP;
    float left[TOURNAMENT_SCORES];
    memcpy(left, scores, count * sizeof *left);
    // Whole vectors of eight maxima, the spare ones NaN, over groups all read: the scores past the end are NaN.
    size_t maxima_count = groups <= 8 ? 8 : TOURNAMENT_SCORES / TOURNAMENT_GROUP;
    for (size_t position = count; position < TOURNAMENT_GROUP * maxima_count; position++) {
        left[position] = __builtin_nanf("");
    }
    for (size_t entry = 0; entry < excluded_count; entry++) {
        long position = (long)excluded[entry] - first_index;
        if (position >= 0 && position < (long)count) left[position] = __builtin_nanf("");
    }
    float maxima[TOURNAMENT_SCORES / TOURNAMENT_GROUP];
    for (size_t batch = 0; batch < maxima_count; batch += 8) {
        eight_group_maxima(left + TOURNAMENT_GROUP * batch, groups > batch ? groups - batch : 0, maxima + batch);
    }
    // A constant count of maxima: their loops unroll, about fifteen instructions less a pick.
    return maxima_count == 8 ? picks(scores, left, maxima, 8, k, first_index, indices, best)
                             : picks(scores, left, maxima, TOURNAMENT_SCORES / TOURNAMENT_GROUP, k, first_index,
                                     indices, best);
}

CHOSEN_BY_CPU
size_t concierge_top_k(
    const float *scores, size_t count, size_t k, int first_index, const int *excluded, size_t excluded_count,
    uint64_t *keys, int *indices, float *best) {
    if (k == 0) return 0;
    if (count <= TOURNAMENT_SCORES) {
        return top_k_by_tournament(scores, count, k, first_index, excluded, excluded_count, indices, best);
    }
    keys[0] = UINT64_MAX;
    size_t size = 0;
    float floor = excluded_count == 0 ? lower_bound(scores, count, k) : -__builtin_inff();
    float worst = 0;
    size_t next_excluded = 0;
    size_t start = 0;
    while (start < count) {
        // The stretch up to the next excluded position is scanned without looking at the list.
        size_t stop = count;
        for (; next_excluded < excluded_count; next_excluded++) {
            long excluded_position = (long)excluded[next_excluded] - first_index;
            if (excluded_position >= (long)start) {
                stop = excluded_position < (long)count ? (size_t)excluded_position : count;
                break;
            }
        }
        size_t position = start;
        // Filling: a score passes at the floor. The chunk that fills the list goes on by the rule for a full one.
        for (; position + 8 <= stop && size < k; position += 8) {
            unsigned passing = LANE_MASK(LOAD_SCORES(scores + position) >= floor);
            for (; passing; passing &= passing - 1) {
                uint32_t candidate = (uint32_t)position + (uint32_t)__builtin_ctz(passing);
                keep(scores, candidate, keys, k, floor, &size, &worst);
            }
        }
        // Full: a NaN, or a score not above the worst kept, fails the compare, and most of a block stops there.
        for (; position + 8 <= stop; position += 8) {
            unsigned passing = LANE_MASK(LOAD_SCORES(scores + position) > worst);
            for (; passing; passing &= passing - 1) {
                // Checked again: the worst kept may have risen since the compare.
                keep_if_better(scores, (uint32_t)position + (uint32_t)__builtin_ctz(passing), keys, k, &worst);
            }
        }
        for (; position < stop; position++) keep(scores, (uint32_t)position, keys, k, floor, &size, &worst);
        start = stop + 1;
    }
    for (size_t rank = 0; rank < size; rank++) {
        uint32_t position = position_of(keys[rank + 1]);
        indices[rank] = first_index + (int)position;
        best[rank] = scores[position];
    }
    return size;
}
