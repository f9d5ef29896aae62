#include "pg_listener.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>


#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "pg_library.hpp"

namespace saleskpi::addin {
namespace {

using Clock = std::chrono::steady_clock;

const libpq::Api& pq() { return libpq::api(); }

struct ConnCloser {
    void operator()(PGconn* conn) const noexcept { pq().PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnCloser>;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

std::string errorOf(PGconn* conn) { return conn ? trimmed(pq().PQerrorMessage(conn)) : "out of memory"; }

enum class Wait { Ready, Woken, TimedOut, Failed };

// Waits until `fd` is ready for `events`, the wake-up fd is written to, or the
// deadline passes. With fd < 0, waits for the wake-up or the deadline only.
Wait waitOn(int fd, short events, int wakeFd, std::optional<Clock::time_point> deadline) {
    for (;;) {
        pollfd fds[2] = {{wakeFd, POLLIN, 0}, {fd, events, 0}};
        int timeout = -1;
        if (deadline) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            timeout = static_cast<int>(std::clamp<long long>(left, 0, 60'000));
        }
        const int ready = ::poll(fds, fd >= 0 ? 2 : 1, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return Wait::Failed;
        }
        if (fds[0].revents) return Wait::Woken;
        if (ready > 0) return Wait::Ready;
        if (deadline && Clock::now() >= *deadline) return Wait::TimedOut;
    }
}

}  // namespace

PgListener::PgListener(std::string location, Events events, Timing timing)
    : location_(std::move(location)), events_(std::move(events)), timing_(timing) {
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

PgListener::~PgListener() {
    stop();
    if (wakeFd_ >= 0) ::close(wakeFd_);
}

void PgListener::start() {
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { run(); });
}

void PgListener::requestStop() noexcept {
    stopping_ = true;
    if (wakeFd_ >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof one);
    }
}

void PgListener::stop() noexcept {
    requestStop();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

PgListener::State PgListener::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::string PgListener::problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

void PgListener::setState(State state, const std::string& problem) {
    {
        std::lock_guard lock(mutex_);
        if (state_ == state && problem_ == problem) return;
        state_ = state;
        problem_ = problem;
    }
    if (events_.stateChanged) {
        try {
            events_.stateChanged(state, problem);
        } catch (...) {
            // The owner's business.
        }
    }
}

namespace {

// One connection's life on the listener's thread. Every wait also watches the
// wake-up fd: `stopping` is true as soon as the owner asks to stop.
class Session {
public:
    Session(const std::string& location, int wakeFd, std::chrono::milliseconds timeout)
        : location_(location), wakeFd_(wakeFd), timeout_(timeout) {}

    // Connects without blocking; false with problem() set otherwise.
    bool connect() {
        // TCP keepalives notice a server that vanished without a word (a cut
        // network); they do not apply to Unix sockets, where the peer's end
        // closes the socket.
        const char* keys[] = {"dbname", "application_name", "client_encoding", "keepalives", "keepalives_idle",
                              "keepalives_interval", "keepalives_count", nullptr};
        const char* values[] = {location_.c_str(), "kpi-listen", "UTF8", "1", "20", "5", "3", nullptr};
        conn_.reset(pq().PQconnectStartParams(keys, values, 1));
        if (!conn_ || pq().PQstatus(conn_.get()) == CONNECTION_BAD) return failed("cannot connect: " + errorOf(conn_.get()));
        const auto deadline = Clock::now() + timeout_;
        PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
        for (;;) {
            if (polling == PGRES_POLLING_OK) break;
            if (polling == PGRES_POLLING_FAILED) return failed("cannot connect: " + errorOf(conn_.get()));
            const short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
            switch (waitOn(pq().PQsocket(conn_.get()), events, wakeFd_, deadline)) {
                case Wait::Woken: return failed("stopping");
                case Wait::TimedOut: return failed("cannot connect: no answer within the connect timeout");
                case Wait::Failed: return failed("cannot connect: poll() failed");
                case Wait::Ready: break;
            }
            polling = pq().PQconnectPoll(conn_.get());
        }
        if (pq().PQsetnonblocking(conn_.get(), 1) != 0) return failed("cannot connect: " + errorOf(conn_.get()));
        return true;
    }

    // Runs one statement without blocking; the first row's first value, or
    // "" for a statement without rows. nullopt on failure (problem() says why).
    std::optional<std::string> run(const char* sql) {
        if (!pq().PQsendQuery(conn_.get(), sql)) return fail("cannot send a statement: " + errorOf(conn_.get()));
        const auto deadline = Clock::now() + timeout_;
        // Flush what is queued, then read until the result is complete.
        for (;;) {
            const int flushed = pq().PQflush(conn_.get());
            if (flushed < 0) return fail("lost the connection: " + errorOf(conn_.get()));
            if (flushed == 0) break;
            if (!waitReady(POLLIN | POLLOUT, deadline)) return std::nullopt;
            if (!pq().PQconsumeInput(conn_.get())) return fail("lost the connection: " + errorOf(conn_.get()));
        }
        std::optional<std::string> value;
        std::string error;
        for (;;) {
            while (pq().PQisBusy(conn_.get())) {
                if (!waitReady(POLLIN, deadline)) return std::nullopt;
                if (!pq().PQconsumeInput(conn_.get())) return fail("lost the connection: " + errorOf(conn_.get()));
            }
            PGresult* result = pq().PQgetResult(conn_.get());
            if (!result) break;
            const auto status = pq().PQresultStatus(result);
            if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
                if (!value) value = status == PGRES_TUPLES_OK && pq().PQntuples(result) > 0 && pq().PQnfields(result) > 0
                                        ? std::string(pq().PQgetvalue(result, 0, 0))
                                        : std::string();
            } else if (error.empty()) {
                error = trimmed(pq().PQresultErrorMessage(result));
            }
            pq().PQclear(result);
        }
        if (!error.empty()) return fail(error);
        if (!value) return fail("no result");
        return value;
    }

    // Waits until notifications arrive (true: take them with drain()), the
    // owner stops us, or the connection fails (false; problem() says why).
    bool waitForNotifications() {
        for (;;) {
            if (pq().PQstatus(conn_.get()) != CONNECTION_OK) return failed("lost the connection: " + errorOf(conn_.get()));
            if (!waitReady(POLLIN, std::nullopt)) return false;
            if (!pq().PQconsumeInput(conn_.get())) return failed("lost the connection: " + errorOf(conn_.get()));
            // A server that ends the session (shutdown, pg_terminate_backend)
            // first sends an error, then closes.
            std::string ended;
            while (!pq().PQisBusy(conn_.get())) {
                PGresult* result = pq().PQgetResult(conn_.get());
                if (!result) break;
                if (pq().PQresultStatus(result) == PGRES_FATAL_ERROR) ended = trimmed(pq().PQresultErrorMessage(result));
                pq().PQclear(result);
            }
            while (PGnotify* notification = pq().PQnotifies(conn_.get())) {
                pending_.emplace_back(notification->extra ? notification->extra : "");
                pq().PQfreemem(notification);
            }
            if (!pending_.empty()) return true;
            if (!ended.empty()) return failed("lost the connection: " + ended);
        }
    }

    // The payloads of the notifications waitForNotifications() received.
    template <typename Each>
    void drain(Each&& each) {
        for (const auto& payload : pending_) each(payload);
        pending_.clear();
    }

    const std::string& problem() const { return problem_; }

private:
    bool waitReady(short events, std::optional<Clock::time_point> deadline) {
        switch (waitOn(pq().PQsocket(conn_.get()), events, wakeFd_, deadline)) {
            case Wait::Ready: return true;
            case Wait::Woken: return failed("stopping");
            case Wait::TimedOut: return failed("the server did not answer within " +
                                               std::to_string(timeout_.count() / 1000) + " s");
            case Wait::Failed: return failed("poll() failed");
        }
        return false;
    }
    bool failed(std::string problem) {
        problem_ = std::move(problem);
        return false;
    }
    std::nullopt_t fail(std::string problem) {
        problem_ = std::move(problem);
        return std::nullopt;
    }

    const std::string& location_;
    const int wakeFd_;
    const std::chrono::milliseconds timeout_;
    Connection conn_;
    std::string problem_;
    std::vector<std::string> pending_;
};

std::optional<long long> seqOf(const std::string& text) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

void PgListener::run() noexcept {
    ::pthread_setname_np(::pthread_self(), "kpi-listen");
    try {
        try {
            libpq::api();
        } catch (const std::exception& error) {
            // No libpq on this PC: nothing to retry until it is installed.
            setState(State::Reconnecting, error.what());
            waitOn(-1, 0, wakeFd_, std::nullopt);
            setState(State::Stopped, {});
            return;
        }
        auto retry = timing_.firstRetry;
        while (!stopping_) {
            Session session(location_, wakeFd_, timing_.connectTimeout);
            // LISTEN before the catch-up: a commit in between is heard twice
            // rather than never.
            std::optional<std::string> highest;
            if (session.connect() && session.run((std::string("LISTEN ") + kChannel).c_str()))
                highest = session.run("SELECT coalesce(max(seq), 0) FROM changes");
            if (stopping_) break;
            if (!highest) {
                setState(State::Reconnecting, session.problem());
                waitOn(-1, 0, wakeFd_, Clock::now() + retry);
                retry = std::min(retry * 2, timing_.maxRetry);
                continue;
            }
            retry = timing_.firstRetry;
            ++connections_;
            setState(State::Listening, {});
            // The server's word (a store made afresh starts again from 0).
            lastSeq_ = seqOf(*highest).value_or(0);
            // Caught up: the owner reads the change log past what it has.
            if (events_.changed) events_.changed(lastSeq_.load());
            while (!stopping_ && session.waitForNotifications()) {
                bool newer = false;
                session.drain([&](const std::string& payload) {
                    const auto heard = seqOf(payload);
                    if (!heard || *heard > lastSeq_.load()) {
                        newer = true;
                        if (heard) lastSeq_ = *heard;
                    }
                });
                if (newer && events_.changed) events_.changed(lastSeq_.load());
            }
            if (stopping_) break;
            setState(State::Reconnecting, session.problem());
            // The owner's own connection has most likely dropped too: let it
            // find out now rather than at the next poll.
            if (events_.changed) events_.changed(lastSeq_.load());
        }
    } catch (...) {
        // Nothing may escape a thread function.
    }
    setState(State::Stopped, {});
}

}  // namespace saleskpi::addin
