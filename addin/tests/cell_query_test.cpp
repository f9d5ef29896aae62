#include "cell_query.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kpi/error.hpp"
#include "test_store.hpp"
#include "today_variable.hpp"

namespace saleskpi::addin {
namespace {

using testing::makeTinyStore;
using testing::TempDir;

bool isInvalidArgument(const std::function<void()>& call) {
    try {
        call();
    } catch (const kpi::Error& error) {
        return error.kind() == kpi::Error::Kind::InvalidArgument;
    }
    return false;
}

TEST(DateSerial, CountsDaysFromCalcsNullDate) {
    EXPECT_EQ(dayFromSerial(45000, kDefaultNullDate), kpi::makeDay(2023, 3, 15));
    EXPECT_EQ(dayFromSerial(45000.99, kDefaultNullDate), kpi::makeDay(2023, 3, 15));
    EXPECT_EQ(dayFromSerial(0, kpi::makeDay(1904, 1, 1)), kpi::makeDay(1904, 1, 1));
}

TEST(DateSerial, TurnsATimestampIntoADateTimeSerial) {
    EXPECT_DOUBLE_EQ(*serialFromTimestamp("2023-03-15 12:00:00", kDefaultNullDate), 45000.5);
    EXPECT_DOUBLE_EQ(*serialFromTimestamp("2023-03-15 00:00:00", kDefaultNullDate), 45000);
    EXPECT_FALSE(serialFromTimestamp("2023-03-15", kDefaultNullDate));
    EXPECT_FALSE(serialFromTimestamp("", kDefaultNullDate));
}

TEST(PeriodArgument, MeansTheCurrentMonthWhenOmittedEmptyOrAnEmptyCell) {
    EXPECT_FALSE(periodFromArgument(std::monostate{}, kDefaultNullDate));
    EXPECT_FALSE(periodFromArgument(std::string(), kDefaultNullDate));
    EXPECT_FALSE(periodFromArgument(0.0, kDefaultNullDate));
}

TEST(PeriodArgument, ReadsADateAsThatDay) {
    const auto period = periodFromArgument(45000.25, kDefaultNullDate);
    ASSERT_TRUE(period);
    EXPECT_EQ(period->type, kpi::PeriodType::Day);
    EXPECT_EQ(period->first, kpi::makeDay(2023, 3, 15));
    EXPECT_EQ(period->last, kpi::makeDay(2023, 3, 15));
}

TEST(PeriodArgument, ReadsThePeriodGrammar) {
    const auto month = periodFromArgument(std::string("2026-11"), kDefaultNullDate);
    ASSERT_TRUE(month);
    EXPECT_EQ(month->type, kpi::PeriodType::Month);
    EXPECT_EQ(month->first, kpi::makeDay(2026, 11, 1));
    EXPECT_EQ(month->last, kpi::makeDay(2026, 11, 30));
    const auto cycle = periodFromArgument(std::string("2026-11-01..2026-11-20"), kDefaultNullDate);
    ASSERT_TRUE(cycle);
    EXPECT_EQ(cycle->type, kpi::PeriodType::Cycle);
}

TEST(PeriodArgument, RejectsMalformedTextAndImpossibleNumbers) {
    EXPECT_TRUE(isInvalidArgument([] { periodFromArgument(std::string("2026-13"), kDefaultNullDate); }));
    EXPECT_TRUE(isInvalidArgument([] { periodFromArgument(std::string("November"), kDefaultNullDate); }));
    EXPECT_TRUE(isInvalidArgument([] { periodFromArgument(-1.0, kDefaultNullDate); }));
    EXPECT_TRUE(isInvalidArgument([] { periodFromArgument(std::nan(""), kDefaultNullDate); }));
    EXPECT_TRUE(isInvalidArgument(
        [] { periodFromArgument(std::numeric_limits<double>::infinity(), kDefaultNullDate); }));
}

TEST(CalendarPeriod, NamesThePeriodACalendarWordMeansOnToday) {
    const kpi::Day january1 = kpi::makeDay(2027, 1, 1);
    EXPECT_EQ(calendarPeriodText(std::monostate{}, january1), "2027-01");
    EXPECT_EQ(calendarPeriodText(0.0, january1), "2027-01");  // an empty cell
    EXPECT_EQ(calendarPeriodText(std::string(""), january1), "2027-01");
    EXPECT_EQ(calendarPeriodText(std::string(" last_month "), january1), "2026-12");
    EXPECT_EQ(calendarPeriodText(std::string("this_week"), january1), "2026-W53");
    EXPECT_EQ(calendarPeriodText(std::string("today"), kpi::makeDay(2028, 2, 29)), "2028-02-29");
    EXPECT_EQ(calendarPeriodText(std::string("2026-11-01..2026-11-30"), january1), "2026-11-01..2026-11-30");
    EXPECT_TRUE(isInvalidArgument([&] { calendarPeriodText(std::string("next_month"), january1); }));
    EXPECT_TRUE(isInvalidArgument([&] { calendarPeriodText(46000.0, january1); }));
}

TEST(CellQuery, SharesAKeyExactlyWhenItAsksTheSameThing) {
    const auto month = kpi::parsePeriod("2026-11");
    const CellQuery actual{FunctionId::Actual, "SR01", "REV", month};
    EXPECT_EQ(actual.key(), (CellQuery{FunctionId::Actual, "SR01", "REV", month}.key()));
    EXPECT_NE(actual.key(), (CellQuery{FunctionId::Target, "SR01", "REV", month}.key()));
    EXPECT_NE(actual.key(), (CellQuery{FunctionId::Actual, "SR02", "REV", month}.key()));
    EXPECT_NE(actual.key(), (CellQuery{FunctionId::Actual, "SR01", "REV", std::nullopt}.key()));
}

class EvaluateFigure : public ::testing::Test {
protected:
    TempDir dir;
    kpi::Engine engine{makeTinyStore(dir.path())};
    const kpi::Day today = kpi::makeDay(2026, 11, 27);
    const std::optional<kpi::Period> november = kpi::parsePeriod("2026-11");

    CellValue evaluate(FunctionId function, const std::string& employee, const std::string& kpi) {
        return evaluateFigure(engine, CellQuery{function, employee, kpi, november}, today);
    }
};

TEST_F(EvaluateFigure, AnswersTheEnginesFigures) {
    EXPECT_EQ(std::get<double>(evaluate(FunctionId::Actual, "SR01", "REV")), 250000);
    EXPECT_EQ(std::get<double>(evaluate(FunctionId::Actual, "SS01", "REV")), 350000);
    EXPECT_EQ(std::get<double>(evaluate(FunctionId::Actual, "*", "SALES")), 350000);
    EXPECT_EQ(std::get<double>(evaluate(FunctionId::Target, "SR01", "REV")), 1000000);
    EXPECT_DOUBLE_EQ(std::get<double>(evaluate(FunctionId::Attainment, "SR01", "REV")), 0.25);
    const auto figures = engine.figures("SR01", "REV", *november, today);
    EXPECT_DOUBLE_EQ(std::get<double>(evaluate(FunctionId::Projected, "SR01", "REV")), figures.projected);
}

TEST_F(EvaluateFigure, ShowsNoValueWhenThereIsNoTarget) {
    EXPECT_TRUE(std::holds_alternative<std::monostate>(evaluate(FunctionId::Target, "SR02", "REV")));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(evaluate(FunctionId::Attainment, "SR02", "REV")));
}

TEST_F(EvaluateFigure, RejectsAnUnknownEmployeeOrKpi) {
    EXPECT_TRUE(isInvalidArgument([&] { evaluate(FunctionId::Actual, "NOBODY", "REV"); }));
    EXPECT_TRUE(isInvalidArgument([&] { evaluate(FunctionId::Actual, "SR01", "NOPE"); }));
    EXPECT_TRUE(isInvalidArgument([&] { evaluate(FunctionId::Score, "NOBODY", ""); }));
}

TEST_F(EvaluateFigure, UsesTheCurrentMonthWhenThePeriodIsOmitted) {
    const auto value = evaluateFigure(engine, CellQuery{FunctionId::Actual, "SR01", "REV", std::nullopt}, today);
    EXPECT_EQ(std::get<double>(value), 250000);
}

TEST_F(EvaluateFigure, ListsTheOrdersBehindAFigureUnderAHeaderRow) {
    const CellQuery query{FunctionId::Detail, "SR01", "REV", november};
    EXPECT_TRUE(isInvalidArgument([&] { evaluateFigure(engine, query, today); }));  // never on the main thread
    const auto table = std::get<Table>(detailTable(detailQueryOf(engine, query, today).run(kDetailRowLimit)));
    ASSERT_GE(table.size(), 2u);
    EXPECT_EQ(std::get<std::string>(table[0][0]), "date");
    double total = 0;
    bool sawVietnamese = false;
    for (std::size_t row = 1; row < table.size(); ++row) {
        ASSERT_EQ(table[row].size(), detailHeader().size());
        total += std::get<double>(table[row][5]);
        sawVietnamese |= std::get<std::string>(table[row][3]) == "Tạp hóa Cô Ba";
    }
    EXPECT_EQ(total, 250000);
    EXPECT_TRUE(sawVietnamese);
}

TEST(StatusText, StartsWithTheStateAndNamesTheStore) {
    EngineHost::Status status;
    status.store = "/data/kpi.sqlite";
    status.interval = std::chrono::seconds(300);
    EXPECT_EQ(statusText(status, "environment variable KPI_STORE"),
              "loading: /data/kpi.sqlite (environment variable KPI_STORE)");
    status.state = EngineHost::State::Stale;
    status.problem = "store not found: /data/kpi.sqlite";
    status.checkedAt = "2026-11-27 10:00:00";
    const auto stale = statusText(status, "");
    EXPECT_EQ(stale.rfind("stale: /data/kpi.sqlite; store not found", 0), 0u) << stale;
    EXPECT_NE(stale.find("2026-11-27 10:00:00"), std::string::npos);
}

TEST(StatusText, SaysWhetherAPostgresStoresChangesArePushedOrTheListenerReconnects) {
    const kpitest::TodayVariable clock(nullptr);
    EngineHost::Status status;
    status.store = "service=kpi";
    status.postgres = true;
    status.interval = std::chrono::seconds(300);
    status.state = EngineHost::State::Ready;
    status.checkedAt = "2026-11-27 10:00:00";
    status.push = EngineHost::Status::Push::Listening;
    EXPECT_EQ(statusText(status, "document property KPIStore"),
              "ready: service=kpi (document property KPIStore); refreshed 2026-11-27 10:00:00; checked every 300 s; "
              "changes pushed by the server");
    status.state = EngineHost::State::Stale;
    status.problem = "lost the connection to the PostgreSQL store service=kpi: server closed the connection";
    status.push = EngineHost::Status::Push::Reconnecting;
    status.pushProblem = "cannot connect: no such file";
    EXPECT_EQ(statusText(status, ""),
              "stale: service=kpi; lost the connection to the PostgreSQL store service=kpi: server closed the "
              "connection; showing the data read 2026-11-27 10:00:00; retrying as soon as the server answers, at the "
              "latest every 300 s; reconnecting to the server for pushed changes (cannot connect: no such file)");
    EXPECT_EQ(oneLine("connection failed: x\n\tIs the server running?\n"), "connection failed: x Is the server running?");
}

TEST(StatusText, SaysWhenKpiTodayFixesTheDateAndWhenItIsIgnored) {
    EngineHost::Status status;
    status.store = "/data/kpi.sqlite";
    {
        const kpitest::TodayVariable pinned("2026-11-20");
        EXPECT_EQ(statusText(status, ""), "loading: /data/kpi.sqlite; today is 2026-11-20 (KPI_TODAY)");
    }
    {
        const kpitest::TodayVariable malformed("20/11/2026");
        EXPECT_EQ(statusText(status, ""),
                  "loading: /data/kpi.sqlite; KPI_TODAY is '20/11/2026', not a date YYYY-MM-DD (the clock's date "
                  "is used)");
    }
    const kpitest::TodayVariable clock(nullptr);
    EXPECT_EQ(statusText(status, ""), "loading: /data/kpi.sqlite");
}

TEST(StatusText, SaysWhichFiguresAreShownWhileTheWholeStoreLoads) {
    EngineHost::Status status;
    status.store = "/data/kpi.sqlite";
    status.partial = kpi::Period{kpi::PeriodType::Cycle, kpi::makeDay(2026, 11, 1), kpi::makeDay(2026, 11, 30)};
    EXPECT_EQ(statusText(status, ""),
              "loading: /data/kpi.sqlite; figures of 2026-11-01..2026-11-30 shown meanwhile");
}

TEST(PeriodOf, IsTheCellsOwnPeriodOrTheCurrentMonth) {
    CellQuery query{FunctionId::Actual, "SR01", "REV", std::nullopt};
    EXPECT_EQ(kpi::formatPeriod(periodOf(query, kpi::makeDay(2026, 12, 31))), "2026-12");
    query.period = kpi::parsePeriod("2026-W48");
    EXPECT_EQ(kpi::formatPeriod(periodOf(query, kpi::makeDay(2026, 12, 31))), "2026-W48");
}

TEST(AsOfValue, IsTheNewestActivityOnceLoaded) {
    EngineHost::Status status;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(asOfValue(status, kDefaultNullDate)));
    status.data = kpi::DataState{7, "2023-03-15 18:00:00", {}};
    EXPECT_DOUBLE_EQ(std::get<double>(asOfValue(status, kDefaultNullDate)), 45000.75);
}

TEST(ReadScopeNote, SaysWhichTeamAManagersLoginSeesInEnglishAndVietnamese) {
    kpi::DataState everything;
    everything.login = "kpi_owner";
    EXPECT_EQ(readScopeNote(everything, Language::English), "");
    EXPECT_EQ(readScopeNote(kpi::DataState{}, Language::Vietnamese), "");

    kpi::DataState lan;
    lan.restricted = true;
    lan.login = "lan";
    lan.teams = {"SS01"};
    EXPECT_EQ(readScopeNote(lan, Language::English),
              "; the store shows login lan only the team of SS01 (SS01 and everyone below): \"*\" is that team, "
              "and other employees' codes are unknown");
    EXPECT_EQ(readScopeNote(lan, Language::Vietnamese),
              "; kho chỉ cho tài khoản lan xem nhóm của SS01 (SS01 và mọi người dưới quyền): \"*\" là cả nhóm đó, "
              "mã nhân viên ngoài nhóm coi như không có");
    lan.teams.clear();
    EXPECT_EQ(readScopeNote(lan, Language::English), "; the store shows login lan no employee");
    lan.teams = {"A1", "B1"};
    EXPECT_NE(readScopeNote(lan, Language::English).find("only the teams of A1, B1"), std::string::npos);
}

}  // namespace
}  // namespace saleskpi::addin
