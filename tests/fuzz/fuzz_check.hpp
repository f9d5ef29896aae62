// What a fuzz target asserts beyond "no crash": a property of the parser that
// must hold for every input. A violated one aborts, which libFuzzer (and the
// replay test) reports like a crash, with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace kpifuzz {

inline void require(bool holds, const char* property) {
    if (holds) return;
    std::fprintf(stderr, "fuzz property violated: %s\n", property);
    std::abort();
}

}  // namespace kpifuzz
