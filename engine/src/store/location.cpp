#include "kpi/store_location.hpp"

#include <cctype>

#include "kpi/error.hpp"

namespace kpi {
namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

bool isUri(std::string_view text) { return startsWith(text, "postgresql://") || startsWith(text, "postgres://"); }

[[noreturn]] void refusePassword() {
    throw Error(Error::Kind::InvalidArgument,
                "the store location holds a password; SalesKPI does not take one there (it shows locations in "
                "messages and keeps them in settings). Put the password in ~/.pgpass (mode 0600), or name a service "
                "of pg_service.conf (service=NAME), and leave it out of the location");
}

// The keywords of a conninfo "k1=v1 k2 = 'v 2'": true when one is password.
bool conninfoHasPassword(std::string_view text) {
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        size_t keyStart = i;
        while (i < n && text[i] != '=' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view key = text.substr(keyStart, i - keyStart);
        while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i < n && text[i] == '=') ++i;
        while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (key == "password") return true;
        if (i < n && text[i] == '\'') {
            for (++i; i < n && text[i] != '\''; ++i)
                if (text[i] == '\\') ++i;
            ++i;
        } else {
            while (i < n && !std::isspace(static_cast<unsigned char>(text[i]))) {
                if (text[i] == '\\') ++i;
                ++i;
            }
        }
    }
    return false;
}

bool uriHasPassword(std::string_view text) {
    std::string_view rest = text.substr(text.find("://") + 3);
    const size_t end = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, end);
    const size_t at = authority.rfind('@');
    if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) return true;
    if (end != std::string_view::npos) {
        const size_t query = rest.find('?');
        if (query != std::string_view::npos) {
            std::string_view params = rest.substr(query + 1);
            for (size_t from = 0; from <= params.size();) {
                size_t amp = params.find('&', from);
                if (amp == std::string_view::npos) amp = params.size();
                if (startsWith(params.substr(from, amp - from), "password=")) return true;
                from = amp + 1;
            }
        }
    }
    return false;
}

// A path that begins like one is a path, whatever it holds ('=' included).
bool looksLikePath(std::string_view text) { return !text.empty() && (text[0] == '/' || text[0] == '.' || text[0] == '~'); }

bool isConninfo(std::string_view text) { return !looksLikePath(text) && text.find('=') != std::string_view::npos; }

}  // namespace

bool isPostgresLocation(std::string_view text) { return isUri(text) || isConninfo(text); }

StoreLocation parseStoreLocation(std::string_view text) {
    if (text.empty()) throw Error(Error::Kind::InvalidArgument, "the store location is empty");
    StoreLocation location;
    location.text = std::string(text);
    if (isUri(text)) {
        if (uriHasPassword(text)) refusePassword();
        location.kind = StoreLocation::Kind::Postgres;
    } else if (isConninfo(text)) {
        if (conninfoHasPassword(text)) refusePassword();
        location.kind = StoreLocation::Kind::Postgres;
    }
    return location;
}

}  // namespace kpi
