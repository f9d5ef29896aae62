// The one exception type the engine throws, with a kind callers can act on.
//
// Every public engine function documents which kinds it throws. Callers at a
// boundary (the CLI's main, the add-in's UNO methods) translate them in one place.
#pragma once

#include <stdexcept>
#include <string>

namespace kpi {

class Error : public std::runtime_error {
public:
    enum class Kind {
        InvalidArgument,  // a bad employee, KPI, period or option given by the caller
        NotFound,         // the store file does not exist
        InvalidData,      // an import was rejected; what() lists every FILE:LINE error
        Corruption,       // the store is not a SalesKPI store or is damaged
        Busy,             // the store stayed locked longer than the busy timeout
        Io,               // any other failure reading or writing files
    };

    Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

}  // namespace kpi
