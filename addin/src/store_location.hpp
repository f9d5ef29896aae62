// Where a document's figures come from (SPEC §8), first found wins: the
// document's user-defined property KPIStore (relative to the document's folder
// when relative), the extension's option StorePath, the environment variable
// KPI_STORE. Each is read by kpi::parseStoreLocation (kpi/store_location.hpp):
// a PostgreSQL URI or conninfo selects a PostgreSQL store, taken as given; a
// location holding a password is refused (docs/postgresql.md). Pure: the
// caller reads the sources. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "function_catalog.hpp"  // Language

namespace saleskpi::addin {

struct StoreSources {
    std::string documentProperty;                     // KPIStore; empty when not set
    std::optional<std::filesystem::path> documentFolder;  // nullopt: unsaved or not a local file
    std::string option;                               // StorePath; empty when not set
    std::string environment;                          // KPI_STORE; empty when not set
};

struct StoreLocation {
    // SQLite: absolute and lexically normal. PostgreSQL: the URI or conninfo
    // as given. Empty when there is a problem.
    std::filesystem::path path;
    std::string source;          // "document property KPIStore", … — for KPI.STATUS
    std::string problem;         // why there is no path
    std::string problemVi;       // the same in Vietnamese, when it is the user's to fix (a password)
    bool postgres = false;       // path is a PostgreSQL location

    // The problem in the office's language.
    const std::string& problemIn(Language language) const {
        return language == Language::Vietnamese && !problemVi.empty() ? problemVi : problem;
    }

    // Equal keys are the same store: one engine serves all documents using it.
    std::string key() const { return problem.empty() ? path.string() : "?" + problem; }
};

// Never touches the file system beyond the process's working directory name.
StoreLocation resolveStoreLocation(const StoreSources& sources);

// Why a store location typed by the user (the Options page) cannot be used:
// "" when it can. A PostgreSQL location holding a password is refused, naming
// ~/.pgpass and pg_service.conf.
std::string storeLocationProblem(const std::string& text, Language language);

inline constexpr std::chrono::seconds kDefaultRefreshInterval{300};

// How often the store is checked: KPI_REFRESH_SECONDS when it is a positive
// integer, else the option RefreshSeconds when positive, else 300 s.
std::chrono::seconds refreshInterval(std::string_view environment, int option);

}  // namespace saleskpi::addin
