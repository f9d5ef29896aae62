// libpq for the add-in's own connections (the PgListener), loaded when a
// PostgreSQL store is first used: an office whose documents only ever use
// SQLite files never loads it, and the extension loads where libpq is not
// installed. The engine loads it the same way for its connections
// (store/postgres/connection.cpp); dlopen() shares the one copy.
#pragma once

#include <libpq-fe.h>

namespace saleskpi::addin::libpq {

struct Api {
    decltype(&::PQclear) PQclear;
    decltype(&::PQconnectPoll) PQconnectPoll;
    decltype(&::PQconnectStartParams) PQconnectStartParams;
    decltype(&::PQconsumeInput) PQconsumeInput;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQflush) PQflush;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQgetResult) PQgetResult;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQisBusy) PQisBusy;
    decltype(&::PQnfields) PQnfields;
    decltype(&::PQnotifies) PQnotifies;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsendQuery) PQsendQuery;
    decltype(&::PQsetnonblocking) PQsetnonblocking;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
};

// The functions, loaded on the first call (dlopen libpq.so.5). Throws
// std::runtime_error, saying to install libpq5, when it cannot be loaded.
// Thread-safe.
const Api& api();

}  // namespace saleskpi::addin::libpq
