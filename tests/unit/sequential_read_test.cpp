// The sequential read of long windows (engine/src/loader.hpp, docs/performance.md):
// `kpi recommend` and `kpi target-health` read months of history by walking
// the orders and their lines in order_code order instead of through the date
// index. Its facts must be those of the indexed read, bucket for bucket, and
// the recommendations built on them those of an engine that read everything
// through the index. Where it cannot vouch for the data it gives up, and the
// window is read through the index.
//
// Data: the demo generator (20 salespeople, 17 months with seasons up to
// 2026-11-20, so that recommendations have a season), plus direct writes of
// what the generator never makes: an approved order without lines, a pending
// and a cancelled order with lines.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "kpi/demo.hpp"
#include "kpi/engine.hpp"
#include "kpi/recommend.hpp"
#include "kpi/target_health.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "store/sqlite/sqlite.hpp"
#include "test_store.hpp"

namespace {

namespace fs = std::filesystem;
using kpi::Day;
using kpi::Period;
using kpitest::CsvFiles;
using kpitest::TestStore;

Day D(const char* text) { return *kpi::parseDay(text); }
Period P(const char* text) { return *kpi::parsePeriod(text); }
Period range(const char* first, const char* last) { return Period{kpi::PeriodType::Cycle, D(first), D(last)}; }

CsvFiles demoFiles() {
    const fs::path dir = fs::temp_directory_path() / ("saleskpi-sequential-" + std::to_string(std::random_device{}()));
    kpi::DemoOptions options;
    options.salespeople = 20;
    options.seed = 5;
    options.months = 17;
    options.seasonal = true;
    options.until = D("2026-11-20");
    kpi::writeDemoData(dir, options);
    CsvFiles files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        files[entry.path().filename().string()] = text.str();
    }
    fs::remove_all(dir);
    return files;
}

class SequentialRead : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        store_ = new TestStore(demoFiles());
        // On a Sunday, when the generator makes no orders: an approved order
        // without lines (a call with no SKU), a pending and a cancelled order
        // with lines; only the first counts.
        const auto who = store_->query("SELECT employee_code, outlet_code FROM orders WHERE order_date = '2026-10-14' "
                                       "ORDER BY order_code LIMIT 1");
        ASSERT_EQ(who.size(), 1u);
        const std::string employee = who[0].substr(0, who[0].find('|')), outlet = who[0].substr(who[0].find('|') + 1);
        // No call there that day yet, so that the order without lines makes one.
        ASSERT_EQ(store_->query("SELECT count(*) FROM orders WHERE order_date = '2026-10-18' AND employee_code = '" +
                                employee + "' AND outlet_code = '" + outlet + "'"),
                  std::vector<std::string>{"0"});
        auto order = [&](const char* code, const char* status) {
            return "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
                   "VALUES('" + std::string(code) + "', '" + employee + "', '" + outlet + "', '2026-10-18 17:30:00', "
                   "'sale', '" + status + "', NULL);";
        };
        const std::string sku = store_->query("SELECT sku FROM products ORDER BY sku LIMIT 1").at(0);
        store_->execute(order("ZZ-NOLINES", "approved") + order("ZZ-PENDING", "pending") +
                        order("ZZ-CANCELLED", "cancelled") +
                        "INSERT INTO order_lines VALUES('ZZ-PENDING', 1, '" + sku + "', 3, 30000);"
                        "INSERT INTO order_lines VALUES('ZZ-CANCELLED', 1, '" + sku + "', 4, 40000);");
    }
    static void TearDownTestSuite() {
        delete store_;
        store_ = nullptr;
    }
    static TestStore& store() { return *store_; }

private:
    static inline TestStore* store_ = nullptr;
};

long long changeSeq(kpi::sql::Database& db) {
    auto st = db.prepare("SELECT coalesce(max(seq), 0) FROM changes");
    st.step();
    return st.int64(0);
}

enum class Read { Indexed, Sequential, Chosen };

// The facts of a window read one way, from fresh dimensions; nullopt when the
// sequential read gave up.
std::optional<kpi::model::Facts> facts(const fs::path& path, const Period& window, Read how, int readers = 1) {
    kpi::sql::SqliteDatabase db(path, kpi::sql::Open::ReadOnly);
    kpi::sql::Transaction snapshot(db, false);
    auto dims = kpi::loader::loadDims(db, nullptr);
    std::optional<kpi::model::Facts> out;
    switch (how) {
    case Read::Indexed: out = kpi::loader::loadFactsIndexed(db, *dims, window); break;
    case Read::Sequential: out = kpi::loader::loadFactsSequential(db, *dims, window, readers, changeSeq(db)); break;
    case Read::Chosen:
        out = readers > 1 ? kpi::loader::loadFactsInParallel(db, *dims, window, readers, changeSeq(db))
                          : kpi::loader::loadFacts(db, *dims, window);
        break;
    }
    snapshot.commit();
    return out;
}

// The two facts alike in every measure, call, focus outlet and time; returns
// the buckets (days with data) compared.
size_t expectSameFacts(const kpi::model::Facts& a, const kpi::model::Facts& b, const std::string& what) {
    EXPECT_EQ(a.measures, b.measures) << what;
    EXPECT_EQ(a.latest, b.latest) << what;
    EXPECT_EQ(a.byEmployee.size(), b.byEmployee.size()) << what;
    size_t buckets = 0;
    for (size_t e = 0; e < std::min(a.byEmployee.size(), b.byEmployee.size()); ++e) {
        const auto& x = a.byEmployee[e];
        const auto& y = b.byEmployee[e];
        EXPECT_EQ(x.first, y.first) << what << " employee " << e;
        EXPECT_EQ(x.span, y.span) << what << " employee " << e;
        EXPECT_TRUE(x.cum == y.cum) << what << " employee " << e << ": the sums differ";
        if (x.days.size() != y.days.size()) {
            ADD_FAILURE() << what << " employee " << e << ": " << x.days.size() << " days against " << y.days.size();
            continue;
        }
        for (size_t d = 0; d < x.days.size(); ++d) {
            const auto& p = x.days[d];
            const auto& q = y.days[d];
            bool same = p.latestOrder == q.latestOrder && p.latestVisit == q.latestVisit && p.focus == q.focus &&
                        p.calls.size() == q.calls.size();
            for (size_t c = 0; same && c < p.calls.size(); ++c)
                same = p.calls[c].outlet == q.calls[c].outlet && p.calls[c].skus == q.calls[c].skus;
            EXPECT_TRUE(same) << what << " employee " << e << " day " << kpi::formatDay(x.first + static_cast<Day>(d));
            if (!p.calls.empty() || p.latestVisit) ++buckets;
        }
    }
    return buckets;
}

TEST_F(SequentialRead, GivesTheFactsOfTheIndexedReadForAnyWindowInAnyNumberOfParts) {
    size_t compared = 0;
    for (const Period& window : {range("2025-08-01", "2026-11-20"),   // every order
                                 range("2024-01-01", "2026-10-31"),   // a long history window, before the data too
                                 range("2026-10-01", "2026-11-20"),   // the last two months
                                 range("2026-11-01", "2026-11-20"),   // a short one
                                 range("2026-10-18", "2026-10-18"),   // one day, with the order without lines
                                 range("2020-01-01", "2020-12-31")})  // no data
    {
        const auto indexed = facts(store().path(), window, Read::Indexed);
        ASSERT_TRUE(indexed);
        for (int readers : {1, 2, 3}) {
            const std::string what = kpi::formatPeriod(window) + " in " + std::to_string(readers) + " part(s)";
            const auto sequential = facts(store().path(), window, Read::Sequential, readers);
            ASSERT_TRUE(sequential) << what << ": the sequential read gave up";
            compared += expectSameFacts(*sequential, *indexed, what);
            const auto chosen = facts(store().path(), window, Read::Chosen, readers);
            ASSERT_TRUE(chosen);
            expectSameFacts(*chosen, *indexed, what + " (as chosen)");
        }
    }
    EXPECT_GT(compared, 10000u);  // 20 salespeople over 17 months, three times
}

// Every field of a recommendation, as text that differs when any bit does.
std::string describe(const kpi::Recommendation& r) {
    char buf[64];
    auto num = [&](std::optional<double> v) {
        if (!v) return std::string("-");
        std::snprintf(buf, sizeof buf, "%.17g", *v);
        return std::string(buf);
    };
    const auto& b = r.basis;
    return r.employeeCode + " " + r.kpiCode + " " + kpi::formatPeriod(r.clipped) + " t=" + num(r.target) +
           " e=" + num(r.effectiveTarget) + " w=" + num(r.weight) + " p=" + num(r.p10) + "/" + num(r.p50) + "/" +
           num(r.p90) + " pr=" + num(r.probability) + " cur=" + num(r.currentTarget) + " last=" + num(r.lastActual) +
           " " + kpi::formatPeriod(r.lastPeriod) + " src=" + std::to_string(static_cast<int>(b.source)) +
           " n=" + std::to_string(b.periodsUsed) + " lvl=" + num(b.levelRate) + " season=" + num(b.season) +
           " ramp=" + num(b.ramp) + " tenure=" + std::to_string(b.tenure) + " wd=" + num(b.workingDays) + "/" +
           num(b.historyWorkingDays) + " u=" + num(b.universeNow) + "/" + num(b.universeThen) +
           " samples=" + std::to_string(b.errorSamples) + " " + b.problem;
}

TEST_F(SequentialRead, RecommendationsEqualThoseOfAnEngineThatReadEverythingThroughTheIndex) {
    kpi::Engine whole(store().path());  // no window: every order through the index
    for (const char* month : {"2026-11", "2026-10"}) {
        kpi::RecommendQuery q;
        q.period = P(month);
        q.asOf = std::string(month) == "2026-11" ? D("2026-11-20") : D("2026-10-01");
        const Period window = kpi::historyWindow(q.period, q.asOf);
        kpi::Engine history(store().path(), window, 2);
        // The history is read sequentially (it holds most of the store's days).
        {
            kpi::sql::SqliteDatabase db(store().path(), kpi::sql::Open::ReadOnly);
            auto dims = kpi::loader::loadDims(db, nullptr);
            ASSERT_TRUE(kpi::loader::loadFactsSequential(db, *dims, window, 2, changeSeq(db)));
        }
        const auto expected = kpi::recommendTargets(whole, q);
        const auto got = kpi::recommendTargets(history, q);
        ASSERT_EQ(got.size(), expected.size()) << month;
        size_t withSeason = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(describe(got[i]), describe(expected[i])) << month;
            withSeason += got[i].basis.season.has_value();
        }
        EXPECT_GT(got.size(), 100u) << month;
        EXPECT_GT(withSeason, 0u) << month;
    }
}

TEST_F(SequentialRead, TargetHealthEqualsThatOfAnEngineThatReadEverythingThroughTheIndex) {
    kpi::Engine whole(store().path());
    kpi::TargetHealthQuery q;
    q.period = P("2026-10");
    q.asOf = D("2026-11-20");
    kpi::Engine windowed(store().path(), kpi::healthWindow(q.period, q.asOf), 2);
    const auto expected = kpi::targetHealth(whole, q);
    const auto got = kpi::targetHealth(windowed, q);
    ASSERT_EQ(got.flags.size(), expected.flags.size());
    for (size_t i = 0; i < got.flags.size(); ++i) {
        EXPECT_EQ(got.flags[i].employeeCode, expected.flags[i].employeeCode);
        EXPECT_EQ(got.flags[i].kpiCode, expected.flags[i].kpiCode);
        EXPECT_EQ(got.flags[i].kind, expected.flags[i].kind);
        EXPECT_EQ(got.flags[i].value, expected.flags[i].value);
        EXPECT_EQ(got.flags[i].orders, expected.flags[i].orders);
    }
    ASSERT_EQ(got.spread.size(), expected.spread.size());
    for (size_t i = 0; i < got.spread.size(); ++i) {
        EXPECT_EQ(got.spread[i].kpiCode, expected.spread[i].kpiCode);
        EXPECT_EQ(got.spread[i].under80, expected.spread[i].under80);
        EXPECT_EQ(got.spread[i].from80To120, expected.spread[i].from80To120);
        EXPECT_EQ(got.spread[i].over120, expected.spread[i].over120);
    }
}

// A direct write with foreign keys off: an order of an employee the store does
// not have. The dimensions do not know the code: the sequential read gives up,
// and the load reads the window through the index, which counts the order.
TEST_F(SequentialRead, GivesUpOnACodeTheDimensionsDoNotKnow) {
    const std::string sku = store().query("SELECT sku FROM products ORDER BY sku LIMIT 1").at(0);
    const std::string outlet = store().query("SELECT code FROM outlets ORDER BY code LIMIT 1").at(0);
    const double before = kpi::Engine(store().path()).figures("*", "SALES", P("2026-10"), D("2026-11-20")).actual;
    store().execute("PRAGMA foreign_keys=OFF;"
                    "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
                    "VALUES('ZZ-GHOST', 'GHOST', '" + outlet + "', '2026-10-20 09:00:00', 'sale', 'approved', NULL);"
                    "INSERT INTO order_lines VALUES('ZZ-GHOST', 1, '" + sku + "', 2, 123456);");
    const Period window = range("2025-01-01", "2026-10-31");
    EXPECT_FALSE(facts(store().path(), window, Read::Sequential, 1));
    EXPECT_FALSE(facts(store().path(), window, Read::Sequential, 2));
    for (int readers : {1, 2}) {
        kpi::Engine windowed(store().path(), window, readers);
        kpi::Engine whole(store().path());
        EXPECT_EQ(windowed.figures("*", "SALES", P("2026-10"), D("2026-11-20")).actual,
                  whole.figures("*", "SALES", P("2026-10"), D("2026-11-20")).actual);
        EXPECT_EQ(windowed.figures("*", "SALES", P("2026-10"), D("2026-11-20")).actual, before + 123456);
    }
}

// A direct write with the store's rules switched off: a visit time in another
// form. Its date is a day of the window, but the newest visit time of its
// bucket as text is not the newest as a number: the sequential read gives up.
TEST_F(SequentialRead, GivesUpOnATimeNotInTheStoresForm) {
    const std::string who = store().query("SELECT employee_code || '|' || outlet_code FROM visits LIMIT 1").at(0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(store().path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    int off = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off);
    const std::string sql = "INSERT INTO visits(visit_code, employee_code, outlet_code, visit_time) VALUES('ZZ-V', '" +
                            who.substr(0, who.find('|')) + "', '" + who.substr(who.find('|') + 1) +
                            "', '2026-10-05T23:00:00')";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
    const Period window = range("2025-01-01", "2026-10-31");
    EXPECT_FALSE(facts(store().path(), window, Read::Sequential, 2));
    const auto indexed = facts(store().path(), window, Read::Indexed);
    for (int readers : {1, 2}) {
        const auto chosen = facts(store().path(), window, Read::Chosen, readers);
        ASSERT_TRUE(chosen && indexed);
        EXPECT_GT(expectSameFacts(*chosen, *indexed, "chosen"), 0u);
    }
}

}  // namespace
