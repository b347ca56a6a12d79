#ifndef CHOSEN_BY_CPU_H
#define CHOSEN_BY_CPU_H

// A kernel compiled twice on x86-64, for AVX2 and FMA (x86-64-v3) and for the baseline, with glibc picking the
// clone for the CPU when the binary loads (an ifunc); compiled once elsewhere.
#if defined(__x86_64__)
#define CHOSEN_BY_CPU __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CHOSEN_BY_CPU
#endif

#endif
