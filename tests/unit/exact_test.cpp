// Exact arithmetic (SPEC §4; docs/design.md, "Exact arithmetic"): amounts,
// quantities and targets with up to 4 decimals are summed exactly, so an
// actual equal to its target gives an attainment of exactly 1, however many
// lines and refreshes made it; a refreshed engine's figures are bit-identical
// to a fresh one's.

#include <algorithm>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "exact.hpp"
#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "test_store.hpp"

namespace {

using kpi::Engine;
using kpitest::CsvFiles;
using kpitest::kLinesHeader;
using kpitest::kOrdersHeader;
using kpitest::kTargetsHeader;
using kpitest::TestStore;
const kpi::Day kAsOf = kpi::makeDay(2026, 12, 31);

kpi::Period P(const std::string& text) { return kpi::parsePeriod(text).value(); }

// One salesperson, one outlet, two products; November 2026 has 25 working days.
CsvFiles oneSalesperson() {
    return {
        {"employees.csv",
         "code,name,role,manager_code,department,region,start_date,end_date\n"
         "M1,Trần Văn Hùng,SS,,,,2020-01-01,\n"
         "S1,Nguyễn Thị Lan,SR,M1,,,2020-01-01,\n"},
        {"outlets.csv", "code,name,channel,province,created_date,created_by\nO1,Tạp hóa Cô Ba,,,2025-01-01,\n"},
        {"products.csv", "sku,name,category,brand\nP1,Sữa tươi,Dairy,VinaMilk\nP2,Bánh tôm,Snack,Oishi\n"},
    };
}

// The units of a decimal text, worked out from its digits.
std::int64_t unitsOfText(const std::string& text) {
    auto dot = text.find('.');
    std::string whole = text.substr(0, dot), fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    fraction.resize(4, '0');
    return std::stoll(whole) * 10000 + std::stoll(fraction);
}

// ---- reading decimals -----------------------------------------------------------------------

TEST(ExactArithmetic, ReadsEveryDecimalWithUpToFourPlacesExactly) {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 200'000; ++i) {
        // Up to 2^36 ≈ 6.9 × 10^10 (the documented exact range), 0 to 4 decimals.
        std::int64_t whole = static_cast<std::int64_t>(rng() % 68'719'476'735ull);
        int places = static_cast<int>(rng() % 5);
        std::string text = std::to_string(whole >> (rng() % 36));
        if (places > 0) {
            text += '.';
            for (int p = 0; p < places; ++p) text += static_cast<char>('0' + rng() % 10);
        }
        ASSERT_EQ(kpi::exact::units(std::strtod(text.c_str(), nullptr)), unitsOfText(text)) << text;
    }
    EXPECT_EQ(kpi::exact::units(0.0001), 1);
    EXPECT_EQ(kpi::exact::units(68719476735.9999), 687194767359999);
    EXPECT_EQ(kpi::exact::units(1e14), 1'000'000'000'000'000'000);
    EXPECT_EQ(kpi::exact::units(-5000.1), -50001000);
    EXPECT_EQ(kpi::exact::units(-0.0), 0);
}

TEST(ExactArithmetic, ReadsAWritersFloatingPointNoiseAsTheDecimalItMeant) {
    EXPECT_EQ(kpi::exact::units(0.1 + 0.2), 3000);  // 0.30000000000000004
    EXPECT_EQ(kpi::exact::units(3 * 0.1), 3000);
    EXPECT_EQ(kpi::exact::units(1.1 * 3), 33000);  // 3.3000000000000003
    EXPECT_EQ(kpi::exact::units(12000.7 * 3), 360021000);
}

TEST(ExactArithmetic, StopsWithAnErrorRatherThanWrapWhenASumLeavesItsRange) {
    std::int64_t total = kpi::exact::units(9e14);
    EXPECT_THROW(kpi::exact::add(total, total), kpi::Error);
    EXPECT_THROW(kpi::exact::units(1e300), kpi::Error);
    try {
        kpi::exact::units(1e300);
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption);
        EXPECT_NE(std::string(e.what()).find("kpi init"), std::string::npos) << e.what();
    }
}

TEST(ExactArithmetic, AFractionEqualToItsDivisorIsExactlyOne) {
    using kpi::exact::Fraction;
    Fraction actual = Fraction::ofUnits(1'850'002);                        // 185.0002
    Fraction target = Fraction::ofUnits(3'700'004).times(12, 24);          // half of 370.0004
    EXPECT_EQ(actual.over(target).toDouble(), 1.0);
    EXPECT_EQ(Fraction::ratio(7, 0).toDouble(), 0.0);  // a ratio whose denominator is 0 is 0
}

// ---- in the engine --------------------------------------------------------------------------

TEST(ExactArithmetic, TenThousandLinesOfOneTenthSumToExactlyOneThousand) {
    auto files = oneSalesperson();
    std::string orders = kOrdersHeader, lines = kLinesHeader;
    double naive = 0;
    for (int i = 0; i < 10'000; ++i) {
        char code[16];
        std::snprintf(code, sizeof code, "A%05d", i);
        orders += std::string(code) + ",S1,O1,2026-11-" + (i % 2 ? "02" : "03") + " 10:00:00,sale,approved,\n";
        lines += std::string(code) + ",1,P" + (i % 3 ? "1" : "2") + ",0.1,0.1\n";
        naive += 0.1;
    }
    ASSERT_NE(naive, 1000.0);  // what summing doubles gives: 1000.0000000001588
    files["orders.csv"] = orders;
    files["order_lines.csv"] = lines;
    files["targets.csv"] = kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,1000,1\n"
                                            "S1,VOLUME,MONTH,2026-11-01,2026-11-30,1000,1\n";
    TestStore store(files);
    Engine engine(store.path());
    for (const char* kpiCode : {"SALES", "VOLUME"}) {
        auto f = engine.figures("S1", kpiCode, P("2026-11"), kAsOf);
        EXPECT_EQ(f.actual, 1000.0) << kpiCode;
        EXPECT_EQ(f.attainment, 1.0) << kpiCode;
        EXPECT_EQ(engine.figures("M1", kpiCode, P("2026-Q4"), kAsOf).actual, 1000.0) << kpiCode;
        EXPECT_EQ(engine.figures("*", kpiCode, P("2026"), kAsOf).actual, 1000.0) << kpiCode;
    }
    // The rows behind it add up the same way.
    auto rows = engine.detail("S1", "SALES", P("2026-11-02"));
    ASSERT_EQ(rows.size(), 5000u);
    EXPECT_EQ(rows.front().value, 0.1);
    EXPECT_EQ(engine.scores(P("2026-11"), kAsOf).at(0).score, 1.0);
}

TEST(ExactArithmetic, AnActualEqualToItsTargetGivesAttainmentOfExactlyOne) {
    auto files = oneSalesperson();
    // S1: 100000.1 + 50000.2 + 20000.3 − 5000.1 = 165000.5 in November; 0.1 + 0.2 on 11-09.
    files["orders.csv"] = kOrdersHeader +
                          "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"
                          "A2,S1,O1,2026-11-05 09:30:00,sale,approved,\n"
                          "R1,S1,O1,2026-11-10 10:00:00,return,approved,\n"
                          "A3,S1,O1,2026-11-09 10:00:00,sale,approved,\n";
    files["order_lines.csv"] = kLinesHeader +
                               "A1,1,P1,10,100000.1\n"
                               "A1,2,P2,5,50000.2\n"
                               "A2,1,P1,2.5,20000.3\n"
                               "R1,1,P1,0.5,5000.1\n"
                               "A3,1,P1,0.1,0.1\n"
                               "A3,2,P2,0.2,0.2\n";
    // The month's own target, and a DAY target of 0.3 on 11-09 (the week of
    // 11-09 has no row of its own, so its target is that DAY target).
    files["targets.csv"] = kTargetsHeader +
                           "S1,SALES,MONTH,2026-11-01,2026-11-30,165000.8,1\n"
                           "S1,SALES,DAY,2026-11-09,2026-11-09,0.3,1\n"
                           "S1,VOLUME,MONTH,2026-11-01,2026-11-30,17.3,1\n";
    TestStore store(files);
    Engine engine(store.path());
    auto month = engine.figures("S1", "SALES", P("2026-11"), kAsOf);
    EXPECT_EQ(month.actual, 165000.8);
    EXPECT_EQ(month.target, 165000.8);
    EXPECT_EQ(month.attainment, 1.0);
    auto day = engine.figures("S1", "SALES", P("2026-11-09"), kAsOf);
    EXPECT_EQ(day.actual, 0.3);
    EXPECT_EQ(day.attainment, 1.0);
    EXPECT_EQ(engine.figures("S1", "SALES", P("2026-W46"), kAsOf).target, 0.3);
    // Quantities: 10 + 5 + 2.5 − 0.5 + 0.1 + 0.2 = 17.3.
    EXPECT_EQ(engine.figures("S1", "VOLUME", P("2026-11"), kAsOf).attainment, 1.0);
    auto report = engine.report({P("2026-11"), std::nullopt, "S1", kAsOf});
    ASSERT_EQ(report.size(), 2u);
    EXPECT_EQ(report[0].attainment, 1.0);
    EXPECT_EQ(report[1].attainment, 1.0);
    EXPECT_EQ(engine.score("S1", P("2026-11"), kAsOf), 1.0);
}

TEST(ExactArithmetic, AProratedTargetMetExactlyGivesAttainmentOfExactlyOne) {
    auto files = oneSalesperson();
    // J1 joins on Monday 2026-11-16: 13 of November's 25 working days; a
    // target of 2500.25 becomes 2500.25 × 13 / 25 = 1300.13.
    files["employees.csv"] += "J1,Đỗ Thu Hà,SR,M1,,,2026-11-16,\n";
    files["orders.csv"] = kOrdersHeader + "C1,J1,O1,2026-11-17 10:00:00,sale,approved,\n";
    files["order_lines.csv"] = kLinesHeader + "C1,1,P1,1,1000.1\nC1,2,P2,1,300.03\n";
    files["targets.csv"] = kTargetsHeader + "J1,SALES,MONTH,2026-11-01,2026-11-30,2500.25,1\n";
    TestStore store(files);
    Engine engine(store.path());
    auto f = engine.figures("J1", "SALES", P("2026-11"), kAsOf);
    EXPECT_EQ(f.actual, 1300.13);
    EXPECT_EQ(f.target, 1300.13);
    EXPECT_EQ(f.attainment, 1.0);
}

TEST(ExactArithmetic, TheTargetRowsAnEngineListsCarryTheStoresValues) {
    // Engine::targetRows() (read by `kpi recommend`): the values of targets.csv,
    // not the engine's units of 1/10,000.
    auto files = oneSalesperson();
    files["targets.csv"] = kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,2500.25,0.5\n"
                                            "S1,PC,DAY,2026-11-01,2026-11-30,3,1\n";
    TestStore store(files);
    Engine engine(store.path());
    auto rows = engine.targetRows("S1");
    ASSERT_EQ(rows.size(), 2u);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.kpiCode < b.kpiCode; });
    EXPECT_EQ(rows[0].kpiCode, "PC");
    EXPECT_EQ(rows[0].periodType, kpi::PeriodType::Day);
    EXPECT_EQ(rows[0].target, 3.0);
    EXPECT_EQ(rows[1].kpiCode, "SALES");
    EXPECT_EQ(rows[1].target, 2500.25);
    EXPECT_EQ(rows[1].weight, 0.5);
    EXPECT_EQ(rows[1].validFrom, P("2026-11").first);
    EXPECT_EQ(rows[1].validTo, P("2026-11").last);
}

TEST(ExactArithmetic, ARefreshAfterThousandsOfSmallOrdersIsBitIdenticalToAFreshLoad) {
    auto files = oneSalesperson();
    files["targets.csv"] = kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,300.3,1\n";
    TestStore store(files);
    Engine engine(store.path());
    std::mt19937 rng(7);
    // 3,000 orders in 30 refreshes: tenths, ten-thousandths and larger
    // decimals; some cancelled again, so their days are rebuilt from the store.
    int code = 0;
    for (int batch = 0; batch < 30; ++batch) {
        std::string sql = "BEGIN;";
        for (int i = 0; i < 100; ++i, ++code) {
            const char* amounts[] = {"0.1", "0.0001", "0.2", "1234.5678", "0.3333", "99999.9999"};
            std::string c = "'X" + std::to_string(code) + "'";
            sql += "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES(" + c +
                   ", 'S1', 'O1', '" + kpi::formatDay(kpi::makeDay(2026, 11, 2 + rng() % 27)) + " 10:00:00', '" +
                   (rng() % 7 ? "sale" : "return") + "', 'approved');"
                   "INSERT INTO order_lines VALUES(" + c + ", 1, 'P1', 0.1, " + amounts[rng() % 6] + ");";
            if (rng() % 10 == 0)
                sql += "UPDATE orders SET status = 'cancelled' WHERE order_code = 'X" + std::to_string(rng() % (code + 1)) + "';";
        }
        store.execute(sql + "COMMIT;");
        ASSERT_TRUE(engine.refresh());
    }
    Engine fresh(store.path());
    for (const char* kpiCode : {"SALES", "VOLUME", "PC", "LPPC", "DROP_SIZE"})
        for (const char* period : {"2026-11", "2026-W46", "2026-11-05", "2026-Q4", "2026-11-01..2026-11-15"})
            for (const char* employee : {"S1", "M1", "*"}) {
                auto a = engine.figures(employee, kpiCode, P(period), kAsOf);
                auto b = fresh.figures(employee, kpiCode, P(period), kAsOf);
                EXPECT_EQ(std::memcmp(&a.actual, &b.actual, sizeof(double)), 0) << kpiCode << " " << period;
                EXPECT_EQ(a.attainment, b.attainment) << kpiCode << " " << period;
                EXPECT_EQ(std::memcmp(&a.projected, &b.projected, sizeof(double)), 0) << kpiCode << " " << period;
            }
}

// ---- the import -----------------------------------------------------------------------------

TEST(ExactArithmetic, AnImportRefusesMoreThanFourDecimalsNamingTheFileAndLine) {
    TestStore store(oneSalesperson());
    auto rejected = store.importRejected(
        {{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"},
         {"order_lines.csv", kLinesHeader + "A1,1,P1,1,100.12345\nA1,2,P2,0.00001,1\n"},
         {"targets.csv", kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,1.00001,1\n"
                                          "S1,PC,MONTH,2026-11-01,2026-11-30,1,0.123456\n"
                                          "S1,VISITS,MONTH,2026-11-01,2026-11-30,100000000000001,1\n"}});
    EXPECT_EQ(rejected.errors,
              (std::vector<std::string>{
                  "order_lines.csv:2: 'amount' must have at most 4 decimals, got '100.12345'",
                  "order_lines.csv:3: 'quantity' must have at most 4 decimals, got '0.00001'",
                  "targets.csv:2: 'target' must have at most 4 decimals, got '1.00001'",
                  "targets.csv:3: 'weight' must have at most 4 decimals, got '0.123456'",
                  "targets.csv:4: 'target' must be at most 100000000000000, got '100000000000001'"}));
}

TEST(ExactArithmetic, AnImportTakesTrailingZerosAndTheLargestValue) {
    TestStore store(oneSalesperson());
    store.import({{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"},
                  {"order_lines.csv", kLinesHeader + "A1,1,P1,1.500000,12000.000000\nA1,2,P2,1,100000000000000\n"}});
    Engine engine(store.path());
    EXPECT_EQ(engine.figures("S1", "SALES", P("2026-11"), kAsOf).actual, 100000000012000.0);
    EXPECT_EQ(engine.figures("S1", "VOLUME", P("2026-11"), kAsOf).actual, 2.5);
}

}  // namespace
