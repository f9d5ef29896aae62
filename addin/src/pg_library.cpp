#include "pg_library.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace saleskpi::addin::libpq {

const Api& api() {
    static const Api loaded = [] {
        Api functions{};
        void* handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!handle)
            throw std::runtime_error(std::string("PostgreSQL's client library libpq.so.5 cannot be loaded (install the "
                                                 "Debian package libpq5): ") + ::dlerror());
        const auto load = [&](auto& slot, const char* name) {
            slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(::dlsym(handle, name));
            if (!slot) throw std::runtime_error(std::string("PostgreSQL's client library libpq.so.5 lacks ") + name);
        };
        load(functions.PQclear, "PQclear");
        load(functions.PQconnectPoll, "PQconnectPoll");
        load(functions.PQconnectStartParams, "PQconnectStartParams");
        load(functions.PQconsumeInput, "PQconsumeInput");
        load(functions.PQerrorMessage, "PQerrorMessage");
        load(functions.PQfinish, "PQfinish");
        load(functions.PQflush, "PQflush");
        load(functions.PQfreemem, "PQfreemem");
        load(functions.PQgetResult, "PQgetResult");
        load(functions.PQgetvalue, "PQgetvalue");
        load(functions.PQisBusy, "PQisBusy");
        load(functions.PQnfields, "PQnfields");
        load(functions.PQnotifies, "PQnotifies");
        load(functions.PQntuples, "PQntuples");
        load(functions.PQresultErrorMessage, "PQresultErrorMessage");
        load(functions.PQresultStatus, "PQresultStatus");
        load(functions.PQsendQuery, "PQsendQuery");
        load(functions.PQsetnonblocking, "PQsetnonblocking");
        load(functions.PQsocket, "PQsocket");
        load(functions.PQstatus, "PQstatus");
        return functions;
    }();
    return loaded;
}

}  // namespace saleskpi::addin::libpq
