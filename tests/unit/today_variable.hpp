// KPI_TODAY set (or unset) for the length of one test, then put back.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include "kpi/date.hpp"

namespace kpitest {

class TodayVariable {
public:
    // nullptr unsets the variable: the clock's date.
    explicit TodayVariable(const char* value) {
        if (const char* old = std::getenv(kpi::kTodayVariable)) saved_ = old;
        if (value) ::setenv(kpi::kTodayVariable, value, 1);
        else ::unsetenv(kpi::kTodayVariable);
    }
    ~TodayVariable() {
        if (saved_) ::setenv(kpi::kTodayVariable, saved_->c_str(), 1);
        else ::unsetenv(kpi::kTodayVariable);
    }
    TodayVariable(const TodayVariable&) = delete;
    TodayVariable& operator=(const TodayVariable&) = delete;

private:
    std::optional<std::string> saved_;
};

}  // namespace kpitest
