#include "targets_sheet.hpp"

#include <gtest/gtest.h>

#include "kpi/engine.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using testing::makeTinyStore;
using testing::TempDir;

const kpi::Day kNullDate = kpi::makeDay(1899, 12, 30);  // Calc's default day 0

SheetCell textCell(const std::string& text) { return SheetCell{text, false}; }
SheetCell numberCell(double value) { return SheetCell{value, false}; }
SheetCell dateCell(int year, unsigned month, unsigned day) {
    return SheetCell{static_cast<double>(kpi::makeDay(year, month, day) - kNullDate), true};
}
SheetCell emptyCell() { return SheetCell{}; }

std::vector<SheetCell> header() {
    std::vector<SheetCell> cells;
    for (const char* name : {"employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target", "weight"})
        cells.push_back(textCell(name));
    return cells;
}

std::vector<SheetCell> target(const std::string& employee, const std::string& from, const std::string& to,
                              double value) {
    return {textCell(employee), textCell("REV"),   textCell("MONTH"), textCell(from),
            textCell(to),       numberCell(value), numberCell(1)};
}

TEST(PlainDecimal, WritesNumbersAsTheImportReadsThem) {
    EXPECT_EQ(plainDecimal(1000000), "1000000");
    EXPECT_EQ(plainDecimal(0.5), "0.5");
    EXPECT_EQ(plainDecimal(1234.125), "1234.125");
    EXPECT_EQ(plainDecimal(-5), "-5");
    EXPECT_EQ(plainDecimal(-0.0), "0");
    EXPECT_EQ(plainDecimal(1e20), "100000000000000000000");
    EXPECT_EQ(plainDecimal(0.1), "0.1");
}

TEST(TargetsCsv, DateCellsBecomeIsoDatesAndNumbersPlainDecimals) {
    const TargetsCsv csv =
        targetsCsvFromSheet({header(),
                             {textCell("SR01"), textCell("REV"), textCell("MONTH"), dateCell(2026, 1, 1),
                              dateCell(2026, 12, 31), numberCell(1500000), numberCell(0.5)},
                             {numberCell(1001), textCell("REV"), textCell("DAY"), textCell("2026-02-01"),
                              dateCell(2026, 2, 28), numberCell(2.5e6), emptyCell()}},
                            kNullDate);
    EXPECT_EQ(csv.text,
              "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
              "SR01,REV,MONTH,2026-01-01,2026-12-31,1500000,0.5\n"
              "1001,REV,DAY,2026-02-01,2026-02-28,2500000,\n");
    EXPECT_EQ(csv.targetRows, 2u);
}

TEST(TargetsCsv, EmptyRowsAreLeftOutAndLinesKeepTheirSheetRows) {
    const TargetsCsv csv = targetsCsvFromSheet({header(),
                                                target("SR01", "2026-01-01", "2026-12-31", 1),
                                                {},
                                                {emptyCell(), textCell("  ")},
                                                target("SR02", "2026-01-01", "2026-12-31", 2)},
                                               kNullDate);
    EXPECT_EQ(csv.targetRows, 2u);
    EXPECT_EQ(csv.sheetRowOfLine, (std::map<long long, long long>{{1, 1}, {2, 2}, {3, 5}}));
}

TEST(TargetsCsv, OnlyNamedColumnsAreWrittenAndFieldsAreQuotedWhenNeeded) {
    std::vector<SheetCell> names = header();
    names.insert(names.begin() + 2, emptyCell());  // an unnamed column: notes
    std::vector<SheetCell> row = target("SR,01", "2026-01-01", "2026-12-31", 1);
    row[1] = textCell("say \"hi\"\nthere");
    row.insert(row.begin() + 2, textCell("a note"));
    std::vector<SheetCell> next = target("SR02", "2026-01-01", "2026-12-31", 2);
    next.insert(next.begin() + 2, emptyCell());
    const TargetsCsv csv = targetsCsvFromSheet({names, row, next}, kNullDate);
    EXPECT_EQ(csv.text,
              "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
              "\"SR,01\",\"say \"\"hi\"\"\nthere\",MONTH,2026-01-01,2026-12-31,1,1\n"
              "SR02,REV,MONTH,2026-01-01,2026-12-31,2,1\n");
    // The record with a line break takes two lines: the next one starts on line 4.
    EXPECT_EQ(csv.sheetRowOfLine, (std::map<long long, long long>{{1, 1}, {2, 2}, {4, 3}}));
}

TEST(TargetsCsv, ImportMessagesNameSheetRows) {
    const TargetsCsv csv = targetsCsvFromSheet(
        {header(), target("SR01", "2026-01-01", "2026-12-31", 1), {}, target("SR02", "2026-01-01", "2026-12-31", 2)},
        kNullDate);
    EXPECT_EQ(inSheetTerms("/tmp/x/targets.csv:3: bad\n/tmp/x/targets.csv:2: key appears twice (first at "
                           "/tmp/x/targets.csv:2)\n/tmp/x/targets.csv:1: unknown column 'note' ignored",
                           "/tmp/x/targets.csv", csv, "Targets"),
              "Targets row 4: bad\nTargets row 2: key appears twice (first at Targets row 2)\nTargets row 1: "
              "unknown column 'note' ignored");
}

class Publishing : public ::testing::Test {
protected:
    void SetUp() override { store_ = makeTinyStore(dir_.path()); }

    std::vector<kpi::TargetEdit> history() {
        return kpi::Store::open(store_, kpi::Store::Mode::ReadOnly)->targetHistory("", "");
    }

    TempDir dir_;
    std::filesystem::path store_;
};

TEST_F(Publishing, ImportsTheSheetAsTargetsCsvWithTheUserInTheHistory) {
    const TargetsCsv csv = targetsCsvFromSheet({header(), target("SR01", "2026-01-01", "2026-12-31", 2000000),
                                                target("SR02", "2026-01-01", "2026-12-31", 400000)},
                                               kNullDate);
    const TargetsPublication outcome = publishTargets(store_, csv, "Trần Thị Bình", "Targets");
    ASSERT_TRUE(outcome.published) << outcome.message;
    EXPECT_NE(outcome.message.find("as Trần Thị Bình: 2 targets, 2 changed"), std::string::npos) << outcome.message;
    const auto edits = history();
    ASSERT_EQ(edits.size(), 3u);  // the tiny store's own target, then these two
    EXPECT_EQ(edits[1].who, "Trần Thị Bình");
    EXPECT_EQ(edits[1].action, "edit");
    EXPECT_EQ(edits[1].after, "target=2000000.0;weight=1.0;valid_to=2026-12-31");
    EXPECT_EQ(edits[2].action, "new");
    kpi::Engine engine(store_);
    EXPECT_EQ(engine.figures("SR02", "REV", *kpi::parsePeriod("2026-11"), kpi::today()).target, 400000);
}

TEST_F(Publishing, PublishesNothingAndNamesEveryBadRow) {
    const TargetsCsv csv =
        targetsCsvFromSheet({header(),
                             target("SR02", "2026-01-01", "2026-12-31", 1),  // good, but not alone
                             target("NOBODY", "2026-01-01", "2026-12-31", 1),
                             {},
                             target("SR01", "2026-06-01", "2027-05-31", 1),  // overlaps the store's 2026 target
                             target("SR02", "2027-01-01", "2027-12-31", -5)},
                            kNullDate);
    const auto before = history();
    const TargetsPublication outcome = publishTargets(store_, csv, "someone", "Targets");
    EXPECT_FALSE(outcome.published);
    EXPECT_EQ(outcome.message.rfind("Nothing was published; the store is unchanged.\n", 0), 0u) << outcome.message;
    EXPECT_NE(outcome.message.find("Targets row 3: 'employee_code' refers to unknown employee 'NOBODY'"),
              std::string::npos)
        << outcome.message;
    EXPECT_NE(outcome.message.find("Targets row 5: target SR01/REV/MONTH valid 2026-06-01..2027-05-31 overlaps"),
              std::string::npos)
        << outcome.message;
    EXPECT_NE(outcome.message.find("Targets row 6: 'target' must not be negative"), std::string::npos)
        << outcome.message;
    EXPECT_EQ(outcome.message.find("targets.csv"), std::string::npos) << outcome.message;
    EXPECT_EQ(history().size(), before.size());
}

TEST_F(Publishing, AnEmptySheetPublishesNothing) {
    EXPECT_FALSE(publishTargets(store_, targetsCsvFromSheet({}, kNullDate), "x", "Targets").published);
    const TargetsPublication outcome =
        publishTargets(store_, targetsCsvFromSheet({header()}, kNullDate), "x", "Targets");
    EXPECT_FALSE(outcome.published);
    EXPECT_NE(outcome.message.find("no target below its header row"), std::string::npos);
}

TEST_F(Publishing, AMissingStoreIsReportedNotThrown) {
    const TargetsCsv csv = targetsCsvFromSheet({header(), target("SR01", "2026-01-01", "2026-12-31", 1)}, kNullDate);
    const TargetsPublication outcome = publishTargets(dir_.path() / "nowhere.sqlite", csv, "x", "Targets");
    EXPECT_FALSE(outcome.published);
    EXPECT_NE(outcome.message.find("nowhere.sqlite"), std::string::npos) << outcome.message;
}

TEST(AuditUserName, IsTheProfilesNameElseTheLogin) {
    EXPECT_EQ(auditUserName(" Bình ", "Trần", "nobody"), "Bình Trần");
    EXPECT_EQ(auditUserName("", "Trần", "nobody"), "Trần");
    EXPECT_EQ(auditUserName("", " ", "nobody"), "nobody");
    EXPECT_FALSE(loginName().empty());
}

}  // namespace
}  // namespace saleskpi::addin
