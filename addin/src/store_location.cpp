#include "store_location.hpp"

#include <system_error>

namespace saleskpi::addin {
namespace {

StoreLocation located(const std::filesystem::path& path, std::string source) {
    std::error_code error;
    auto absolute = std::filesystem::absolute(path, error);
    if (error) absolute = path;
    return StoreLocation{absolute.lexically_normal(), std::move(source), {}};
}

}  // namespace

StoreLocation resolveStoreLocation(const StoreSources& sources) {
    if (!sources.documentProperty.empty()) {
        const std::filesystem::path property(sources.documentProperty);
        const std::string source = "document property KPIStore";
        if (property.is_absolute()) return located(property, source);
        if (!sources.documentFolder)
            return StoreLocation{{}, source,
                                 "the document property KPIStore is the relative path '" + sources.documentProperty +
                                     "', but the document is not saved in a local folder"};
        return located(*sources.documentFolder / property, source);
    }
    if (!sources.option.empty()) return located(sources.option, "SalesKPI option StorePath");
    if (!sources.environment.empty()) return located(sources.environment, "environment variable KPI_STORE");
    return StoreLocation{{}, {},
                         "no store configured: set the document property KPIStore, the SalesKPI option StorePath "
                         "or the environment variable KPI_STORE"};
}

std::chrono::seconds refreshInterval(std::string_view environment, int option) {
    if (!environment.empty() && environment.size() <= 9 &&
        environment.find_first_not_of("0123456789") == std::string_view::npos) {
        const long seconds = std::stol(std::string(environment));
        if (seconds > 0) return std::chrono::seconds(seconds);
    }
    if (option > 0) return std::chrono::seconds(option);
    return kDefaultRefreshInterval;
}

}  // namespace saleskpi::addin
