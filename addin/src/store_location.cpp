#include "store_location.hpp"

#include <system_error>

#include "kpi/error.hpp"
#include "kpi/store_location.hpp"

namespace saleskpi::addin {
namespace {

struct SourceName {
    const char* english;
    const char* vietnamese;
};
constexpr SourceName kDocumentProperty{"document property KPIStore", "thuộc tính tài liệu KPIStore"};
constexpr SourceName kOption{"SalesKPI option StorePath", "tùy chọn StorePath của SalesKPI"};
constexpr SourceName kEnvironment{"environment variable KPI_STORE", "biến môi trường KPI_STORE"};

std::string passwordRefusal(const std::string& where, Language language) {
    if (language == Language::Vietnamese)
        return where +
               " chứa mật khẩu PostgreSQL; SalesKPI không nhận mật khẩu ở đó (tài liệu và thiết lập được chia sẻ và "
               "hiển thị). Hãy đặt mật khẩu trong ~/.pgpass (quyền 0600) hoặc dùng một dịch vụ trong "
               "pg_service.conf (service=TÊN), rồi bỏ mật khẩu khỏi địa chỉ kho dữ liệu";
    return where +
           " holds a PostgreSQL password; SalesKPI refuses one there (documents and settings are shared and shown). "
           "Put the password in ~/.pgpass (mode 0600) or name a service of pg_service.conf (service=NAME), and "
           "leave it out of the store location";
}

// A PostgreSQL location, taken as given; or the refusal of one holding a password.
StoreLocation postgresLocation(const std::string& text, const SourceName& source) {
    try {
        kpi::parseStoreLocation(text);
    } catch (const kpi::Error&) {
        StoreLocation refused{{}, source.english, passwordRefusal(std::string("the ") + source.english, Language::English)};
        refused.problemVi = passwordRefusal(source.vietnamese, Language::Vietnamese);
        return refused;
    }
    StoreLocation location{text, source.english, {}};
    location.postgres = true;
    return location;
}

StoreLocation located(const std::filesystem::path& path, std::string source) {
    std::error_code error;
    auto absolute = std::filesystem::absolute(path, error);
    if (error) absolute = path;
    return StoreLocation{absolute.lexically_normal(), std::move(source), {}};
}

}  // namespace

StoreLocation resolveStoreLocation(const StoreSources& sources) {
    if (kpi::isPostgresLocation(sources.documentProperty)) return postgresLocation(sources.documentProperty, kDocumentProperty);
    if (sources.documentProperty.empty() && kpi::isPostgresLocation(sources.option))
        return postgresLocation(sources.option, kOption);
    if (sources.documentProperty.empty() && sources.option.empty() && kpi::isPostgresLocation(sources.environment))
        return postgresLocation(sources.environment, kEnvironment);
    if (!sources.documentProperty.empty()) {
        const std::filesystem::path property(sources.documentProperty);
        const std::string source = kDocumentProperty.english;
        if (property.is_absolute()) return located(property, source);
        if (!sources.documentFolder)
            return StoreLocation{{}, source,
                                 "the document property KPIStore is the relative path '" + sources.documentProperty +
                                     "', but the document is not saved in a local folder"};
        return located(*sources.documentFolder / property, source);
    }
    if (!sources.option.empty()) return located(sources.option, kOption.english);
    if (!sources.environment.empty()) return located(sources.environment, kEnvironment.english);
    return StoreLocation{{}, {},
                         "no store configured: set the document property KPIStore, the SalesKPI option StorePath "
                         "or the environment variable KPI_STORE"};
}

std::string storeLocationProblem(const std::string& text, Language language) {
    if (!kpi::isPostgresLocation(text)) return {};
    try {
        kpi::parseStoreLocation(text);
    } catch (const kpi::Error&) {
        return passwordRefusal(language == Language::Vietnamese ? "Địa chỉ này" : "This location", language);
    }
    return {};
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
