// Where a document's figures come from (SPEC §8), first found wins: the
// document's user-defined property KPIStore (relative to the document's folder
// when relative), the extension's option StorePath, the environment variable
// KPI_STORE. Pure: the caller reads the sources. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace saleskpi::addin {

struct StoreSources {
    std::string documentProperty;                     // KPIStore; empty when not set
    std::optional<std::filesystem::path> documentFolder;  // nullopt: unsaved or not a local file
    std::string option;                               // StorePath; empty when not set
    std::string environment;                          // KPI_STORE; empty when not set
};

struct StoreLocation {
    std::filesystem::path path;  // absolute and lexically normal; empty when there is a problem
    std::string source;          // "document property KPIStore", … — for KPI.STATUS
    std::string problem;         // why there is no path

    // Equal keys are the same store: one engine serves all documents using it.
    std::string key() const { return problem.empty() ? path.string() : "?" + problem; }
};

// Never touches the file system beyond the process's working directory name.
StoreLocation resolveStoreLocation(const StoreSources& sources);

inline constexpr std::chrono::seconds kDefaultRefreshInterval{300};

// How often the store is checked: KPI_REFRESH_SECONDS when it is a positive
// integer, else the option RefreshSeconds when positive, else 300 s.
std::chrono::seconds refreshInterval(std::string_view environment, int option);

}  // namespace saleskpi::addin
