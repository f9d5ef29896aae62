#include "kpi/simulate.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <random>
#include <thread>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/error.hpp"
#include "schema.hpp"
#include "store/database.hpp"

namespace kpi {
namespace {

using Clock = std::chrono::steady_clock;

std::string nowTime(const std::string& day) {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[32];
    std::snprintf(buf, sizeof buf, " %02d:%02d:%02d", local.tm_hour, local.tm_min, local.tm_sec);
    return day + buf;
}

struct Pending {
    std::string code;
    Clock::time_point due;
};

}  // namespace

FeedSummary runFeed(const std::filesystem::path& store, const FeedOptions& o, const std::atomic<bool>& stop) {
    if (o.ordersPerMinute <= 0) throw Error(Error::Kind::InvalidArgument, "the order rate must be positive");
    auto connection = sql::open(store.string(), sql::Open::ReadWrite);
    sql::Database& db = *connection;
    schema::checkReadable(db);
    // Salespeople with routes valid today, and their outlets.
    std::string day = o.day.empty() ? formatDay(today()) : o.day;
    std::vector<std::pair<std::string, std::string>> routeStops;
    {
        auto st = db.prepare(
            "SELECT employee_code, outlet_code FROM routes WHERE valid_from <= ?1 AND (valid_to IS NULL OR valid_to >= "
            "?1) ORDER BY employee_code, outlet_code");
        st.bind(1, day);
        while (st.step()) routeStops.emplace_back(std::string(st.text(0)), std::string(st.text(1)));
    }
    std::vector<std::string> skus;
    {
        auto st = db.prepare("SELECT sku FROM products ORDER BY sku");
        while (st.step()) skus.emplace_back(st.text(0));
    }
    if (routeStops.empty() || skus.size() < 2)
        throw Error(Error::Kind::InvalidArgument,
                    "the store has no salespeople with routes on " + day + " or no products; run `kpi demo-data` first");

    std::mt19937 rng(o.seed);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto insertOrder = db.prepare(
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES(?1, ?2, ?3, ?4, "
        "'sale', 'pending')");
    auto insertLine = db.prepare("INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto settle = db.prepare("UPDATE orders SET status = ?2, approved_time = ?3 WHERE order_code = ?1 AND status = 'pending'");

    FeedSummary summary;
    std::deque<Pending> pending;
    const auto started = Clock::now();
    const auto interval = std::chrono::duration<double>(60.0 / o.ordersPerMinute);
    auto nextOrder = started;
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "SIM%08lx", static_cast<unsigned long>(std::time(nullptr)) & 0xffffffffUL);
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
    while (!stop && (o.seconds <= 0 || elapsed() < o.seconds)) {
        auto now = Clock::now();
        if (now >= nextOrder) {
            // One order: a salesperson at an outlet of their route, 1–6 lines.
            const auto& [employee, outlet] = routeStops[pick(routeStops.size())];
            std::string code = std::string(prefix) + "-" + std::to_string(summary.created + 1);
            sql::Transaction tx(db);
            insertOrder.reset();
            insertOrder.bind(1, code).bind(2, employee).bind(3, outlet).bind(4, nowTime(day)).run();
            size_t lines = 1 + pick(6), first = pick(skus.size());
            for (size_t l = 0; l < lines && l < skus.size(); ++l) {
                double quantity = static_cast<double>(1 + pick(24));
                double price = static_cast<double>(5 + pick(60)) * 1000;
                insertLine.reset();
                insertLine.bind(1, code)
                    .bind(2, static_cast<std::int64_t>(l + 1))
                    .bind(3, skus[(first + l) % skus.size()])
                    .bind(4, quantity)
                    .bind(5, quantity * price)
                    .run();
            }
            tx.commit();
            ++summary.created;
            pending.push_back({code, now + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(o.approveAfterSeconds))});
            nextOrder += std::chrono::duration_cast<Clock::duration>(interval);
            if (o.progress && summary.created % 10 == 0)
                o.progress("simulated " + std::to_string(summary.created) + " orders (" +
                           std::to_string(summary.approved) + " approved, " + std::to_string(summary.cancelled) +
                           " cancelled)");
        }
        while (!pending.empty() && pending.front().due <= Clock::now()) {
            bool cancel = std::uniform_real_distribution<double>(0, 1)(rng) < o.cancelShare;
            settle.reset();
            settle.bind(1, pending.front().code).bind(2, cancel ? "cancelled" : "approved");
            if (cancel) settle.bindNull(3);
            else settle.bind(3, nowTime(day));
            settle.run();
            ++(cancel ? summary.cancelled : summary.approved);
            pending.pop_front();
        }
        auto wake = nextOrder;
        if (!pending.empty() && pending.front().due < wake) wake = pending.front().due;
        auto nap = std::min<Clock::duration>(wake - Clock::now(), std::chrono::milliseconds(200));
        if (nap > Clock::duration::zero()) std::this_thread::sleep_for(nap);
    }
    return summary;
}

}  // namespace kpi
