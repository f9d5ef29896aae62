// The demo distributor (kpi/demo.hpp) must be interchange CSV that the import
// accepts (SPEC §3), tell a realistic story, and be the same bytes for the same
// options. The files are read back with a deliberately tiny CSV reader of this
// test's own, so that a bug in the project's reader cannot hide one here.

#include "kpi/demo.hpp"

#include <ctime>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/error.hpp"
#include "today_variable.hpp"

namespace {

namespace fs = std::filesystem;

using Row = std::vector<std::string>;

const std::vector<std::pair<std::string, std::string>> kSpecHeaders = {
    {"employees.csv", "code,name,role,manager_code,department,region,start_date,end_date"},
    {"outlets.csv", "code,name,channel,province,created_date,created_by"},
    {"products.csv", "sku,name,category,brand"},
    {"routes.csv", "employee_code,outlet_code,valid_from,valid_to"},
    {"visits.csv", "visit_code,employee_code,outlet_code,visit_time"},
    {"orders.csv", "order_code,employee_code,outlet_code,order_time,type,status,approved_time"},
    {"order_lines.csv", "order_code,line_no,sku,quantity,amount"},
    {"kpis.csv", "code,type,name_vi,name_en,description,applies_to,unit,params,cap"},
    {"targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight"},
    {"holidays.csv", "date,name"},
};

std::string readFile(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream content;
    content << stream.rdbuf();
    return content.str();
}

// RFC 4180: cells separated by commas, rows by LF; a quoted cell may hold
// commas, line breaks and doubled quotes. Malformed quoting fails the test.
std::vector<Row> splitCsv(std::string_view text) {
    std::vector<Row> rows;
    Row row;
    std::size_t i = 0;
    while (i < text.size()) {
        std::string cell;
        if (text[i] == '"') {
            for (++i;; ++i) {
                if (i >= text.size()) {
                    ADD_FAILURE() << "unterminated quoted cell";
                    return rows;
                }
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        cell += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                cell += text[i];
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\n') ADD_FAILURE() << "text after a closing quote";
        } else {
            for (; i < text.size() && text[i] != ',' && text[i] != '\n'; ++i) {
                if (text[i] == '"' || text[i] == '\r') ADD_FAILURE() << "quote or CR in an unquoted cell: " << cell;
                cell += text[i];
            }
        }
        row.push_back(std::move(cell));
        if (i >= text.size()) {
            rows.push_back(std::move(row));
            return rows;
        }
        if (text[i++] == '\n') {
            rows.push_back(std::move(row));
            row.clear();
        } else if (i == text.size()) {  // a trailing comma at the very end
            row.emplace_back();
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

bool isValidUtf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + static_cast<std::size_t>(length) > text.size()) return false;
        for (int k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) >> 6) != 0x2) return false;
        i += static_cast<std::size_t>(length);
    }
    return true;
}

bool hasNonAscii(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// One CSV file read back: header and data rows, cells found by column name.
struct Table {
    Row header;
    std::vector<Row> rows;

    std::size_t column(std::string_view name) const {
        const auto found = std::find(header.begin(), header.end(), name);
        if (found == header.end()) {
            ADD_FAILURE() << "no column " << name;
            return 0;
        }
        return static_cast<std::size_t>(found - header.begin());
    }
    std::vector<std::string> values(std::string_view name) const {
        const std::size_t c = column(name);
        std::vector<std::string> result;
        for (const Row& row : rows) result.push_back(row.at(c));
        return result;
    }
};

Table readTable(const fs::path& path) {
    std::vector<Row> rows = splitCsv(readFile(path));
    Table table;
    if (rows.empty()) {
        ADD_FAILURE() << path << " is empty";
        return table;
    }
    table.header = std::move(rows.front());
    table.rows.assign(std::make_move_iterator(rows.begin() + 1), std::make_move_iterator(rows.end()));
    return table;
}

kpi::Day day(const std::string& text) {
    const auto parsed = kpi::parseDay(text);
    if (!parsed) {
        ADD_FAILURE() << "not a date: " << text;
        return 0;
    }
    return *parsed;
}

// "YYYY-MM-DD HH:MM:SS" with a real date and a time of day.
bool isTimestamp(const std::string& text) {
    if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return false;
    if (!kpi::parseDay(text.substr(0, 10))) return false;
    const int hours = std::atoi(text.substr(11, 2).c_str());
    const int minutes = std::atoi(text.substr(14, 2).c_str());
    const int seconds = std::atoi(text.substr(17, 2).c_str());
    return hours < 24 && minutes < 60 && seconds < 60;
}

std::vector<std::string> splitOn(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream stream(text);
    while (std::getline(stream, part, separator)) parts.push_back(part);
    return parts;
}

fs::path freshDirectory(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() /
                         ("saleskpi-demo-data-" + name + "-" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    return dir;
}

class DemoData : public ::testing::Test {
protected:
    static kpi::DemoOptions standardOptions() {
        kpi::DemoOptions options;
        options.salespeople = 40;
        options.seed = 7;
        options.months = 3;
        options.until = kpi::makeDay(2026, 11, 20);  // so the range is 2026-09-01 .. 2026-11-20
        return options;
    }

    static void SetUpTestSuite() {
        directory_ = new fs::path(freshDirectory("suite"));
        kpi::writeDemoData(*directory_, standardOptions());
        tables_ = new std::map<std::string, Table>;
    }
    static void TearDownTestSuite() {
        std::error_code ignored;
        fs::remove_all(*directory_, ignored);
        delete directory_;
        delete tables_;
    }

    static const fs::path& directory() { return *directory_; }
    // Read on first use: ctest runs each test in a process of its own.
    static const Table& table(const std::string& file) {
        auto found = tables_->find(file);
        if (found == tables_->end()) found = tables_->emplace(file, readTable(*directory_ / file)).first;
        return found->second;
    }

    static kpi::Day rangeFirst() { return kpi::makeDay(2026, 9, 1); }
    static kpi::Day rangeLast() { return kpi::makeDay(2026, 11, 20); }

    // employee code → role
    static std::map<std::string, std::string> roles() {
        std::map<std::string, std::string> result;
        const Table& employees = table("employees.csv");
        const std::size_t code = employees.column("code"), role = employees.column("role");
        for (const Row& row : employees.rows) result[row[code]] = row[role];
        return result;
    }

private:
    static inline fs::path* directory_ = nullptr;
    static inline std::map<std::string, Table>* tables_ = nullptr;
};

TEST_F(DemoData, IsByteIdenticalForTheSameSeed) {
    const fs::path again = freshDirectory("again");
    kpi::writeDemoData(again, standardOptions());
    for (const auto& [file, header] : kSpecHeaders)
        EXPECT_TRUE(readFile(directory() / file) == readFile(again / file)) << file << " differs";
    fs::remove_all(again);
}

TEST_F(DemoData, ChangesWithTheSeed) {
    const fs::path other = freshDirectory("other-seed");
    kpi::DemoOptions options = standardOptions();
    options.seed = 8;
    kpi::writeDemoData(other, options);
    EXPECT_NE(readFile(directory() / "orders.csv"), readFile(other / "orders.csv"));
    EXPECT_NE(readFile(directory() / "employees.csv"), readFile(other / "employees.csv"));
    fs::remove_all(other);
}

TEST_F(DemoData, WritesTheTenFilesAsUtf8WithTheSpecHeadersAndLf) {
    for (const auto& [file, header] : kSpecHeaders) {
        const std::string content = readFile(directory() / file);
        ASSERT_FALSE(content.empty()) << file;
        EXPECT_EQ(content.substr(0, content.find('\n')), header) << file;  // also: no BOM
        EXPECT_EQ(content.find('\r'), std::string::npos) << file;
        EXPECT_EQ(content.back(), '\n') << file;
        EXPECT_TRUE(isValidUtf8(content)) << file;
        EXPECT_FALSE(table(file).rows.empty()) << file;
    }
}

TEST_F(DemoData, GivesEveryRowAsManyCellsAsItsHeader) {
    for (const auto& [file, header] : kSpecHeaders) {
        const Table& t = table(file);
        for (std::size_t i = 0; i < t.rows.size(); ++i)
            ASSERT_EQ(t.rows[i].size(), t.header.size()) << file << " data row " << i + 1;
    }
}

TEST_F(DemoData, KeepsEveryKeyUnique) {
    const std::map<std::string, std::vector<std::string>> keys = {
        {"employees.csv", {"code"}},
        {"outlets.csv", {"code"}},
        {"products.csv", {"sku"}},
        {"routes.csv", {"employee_code", "outlet_code", "valid_from"}},
        {"visits.csv", {"visit_code"}},
        {"orders.csv", {"order_code"}},
        {"order_lines.csv", {"order_code", "line_no"}},
        {"kpis.csv", {"code"}},
        {"targets.csv", {"employee_code", "kpi_code", "period_type", "valid_from"}},
        {"holidays.csv", {"date"}},
    };
    for (const auto& [file, columns] : keys) {
        const Table& t = table(file);
        std::vector<std::size_t> indexes;
        for (const auto& name : columns) indexes.push_back(t.column(name));
        std::set<std::vector<std::string>> seen;
        for (const Row& row : t.rows) {
            std::vector<std::string> key;
            for (std::size_t index : indexes) key.push_back(row[index]);
            EXPECT_FALSE(key.front().empty()) << file;
            EXPECT_TRUE(seen.insert(key).second) << file << ": duplicate key " << key.front();
        }
    }
}

TEST_F(DemoData, ResolvesEveryReference) {
    auto setOf = [](const std::string& file, const std::string& column) {
        const auto values = table(file).values(column);
        return std::set<std::string>(values.begin(), values.end());
    };
    const auto employees = setOf("employees.csv", "code");
    const auto outlets = setOf("outlets.csv", "code");
    const auto skus = setOf("products.csv", "sku");
    const auto orders = setOf("orders.csv", "order_code");
    const auto kpis = setOf("kpis.csv", "code");

    auto expectAllIn = [](const std::string& file, const std::string& column, const std::set<std::string>& known,
                          bool optional) {
        for (const std::string& value : table(file).values(column)) {
            if (optional && value.empty()) continue;
            ASSERT_TRUE(known.count(value)) << file << "." << column << " = '" << value << "' does not resolve";
        }
    };
    expectAllIn("employees.csv", "manager_code", employees, true);
    expectAllIn("outlets.csv", "created_by", employees, true);
    expectAllIn("routes.csv", "employee_code", employees, false);
    expectAllIn("routes.csv", "outlet_code", outlets, false);
    expectAllIn("visits.csv", "employee_code", employees, false);
    expectAllIn("visits.csv", "outlet_code", outlets, false);
    expectAllIn("orders.csv", "employee_code", employees, false);
    expectAllIn("orders.csv", "outlet_code", outlets, false);
    expectAllIn("order_lines.csv", "order_code", orders, false);
    expectAllIn("order_lines.csv", "sku", skus, false);
    expectAllIn("targets.csv", "employee_code", employees, false);
    expectAllIn("targets.csv", "kpi_code", kpis, false);

    // And every order has lines.
    const auto ordered = setOf("order_lines.csv", "order_code");
    EXPECT_EQ(ordered, orders);
}

TEST_F(DemoData, BuildsAHierarchyFromSalespeopleUpToOneRegionalManager) {
    const Table& employees = table("employees.csv");
    const std::size_t code = employees.column("code"), role = employees.column("role"),
                      manager = employees.column("manager_code");
    std::map<std::string, std::pair<std::string, std::string>> byCode;  // code → (role, manager)
    for (const Row& row : employees.rows) byCode[row[code]] = {row[role], row[manager]};

    const std::map<std::string, std::string> managerRole = {{"SR", "SS"}, {"SS", "ASM"}, {"ASM", "RSM"}};
    std::map<std::string, int> count;
    for (const auto& [employee, roleAndManager] : byCode) {
        const auto& [employeeRole, employeeManager] = roleAndManager;
        ++count[employeeRole];
        if (employeeRole == "RSM") {
            EXPECT_TRUE(employeeManager.empty());
            continue;
        }
        ASSERT_TRUE(managerRole.count(employeeRole)) << "unknown role " << employeeRole;
        EXPECT_EQ(byCode[employeeManager].first, managerRole.at(employeeRole)) << employee;
        // The chain reaches the top in at most three steps: it cannot loop.
        std::string current = employee;
        int steps = 0;
        while (!byCode[current].second.empty() && steps <= 4) current = byCode[current].second, ++steps;
        EXPECT_EQ(byCode[current].first, "RSM") << employee;
        EXPECT_LE(steps, 3) << employee;
    }
    EXPECT_EQ(count["RSM"], 1);
    EXPECT_EQ(count["SR"], standardOptions().salespeople);
    EXPECT_GE(count["SS"], 3);  // about eight salespeople each
    EXPECT_GE(count["ASM"], 2);
}

TEST_F(DemoData, WritesVietnameseNamesWithDiacritics) {
    const auto names = table("employees.csv").values("name");
    const auto withDiacritics = std::count_if(names.begin(), names.end(), [](const std::string& n) { return hasNonAscii(n); });
    EXPECT_GE(withDiacritics * 10, static_cast<long>(names.size()) * 8);
    for (const std::string& name : names) EXPECT_GE(splitOn(name, ' ').size(), 3u) << name;

    const auto outletNames = table("outlets.csv").values("name");
    EXPECT_TRUE(std::any_of(outletNames.begin(), outletNames.end(),
                            [](const std::string& n) { return n.rfind("Tạp hóa", 0) == 0; }));
    const auto provinces = table("outlets.csv").values("province");
    EXPECT_TRUE(std::any_of(provinces.begin(), provinces.end(),
                            [](const std::string& p) { return p == "TP. Hồ Chí Minh" || p == "Hà Nội"; }));
    const auto categories = table("products.csv").values("category");
    EXPECT_TRUE(std::count(categories.begin(), categories.end(), "Sữa") > 0);
    const auto productNames = table("products.csv").values("name");
    EXPECT_TRUE(std::all_of(productNames.begin(), productNames.end(), [](const std::string& n) { return hasNonAscii(n); }));
}

TEST_F(DemoData, QuotesCellsHoldingCommasOrQuotes) {
    const std::string raw = readFile(directory() / "outlets.csv");
    EXPECT_NE(raw.find("\"\""), std::string::npos);  // a doubled inner quote
    const auto names = table("outlets.csv").values("name");
    EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.find(',') != std::string::npos; }));
    EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.find('"') != std::string::npos; }));
    // The splitter fails on a stray quote, and every row kept its cell count,
    // so every such cell was quoted.
    EXPECT_EQ(table("outlets.csv").rows.size(), static_cast<std::size_t>(std::count(raw.begin(), raw.end(), '\n') - 1));
}

TEST_F(DemoData, DefinesAKpiOfEveryTypeInVietnameseAndEnglish) {
    const Table& kpis = table("kpis.csv");
    std::set<std::string> types;
    for (const Row& row : kpis.rows) {
        types.insert(row[kpis.column("type")]);
        EXPECT_FALSE(row[kpis.column("name_vi")].empty());
        EXPECT_FALSE(row[kpis.column("name_en")].empty());
        const std::string& cap = row[kpis.column("cap")];
        if (!cap.empty()) {
            EXPECT_GE(std::stod(cap), 1.2) << row[0];
            EXPECT_LE(std::stod(cap), 2.0) << row[0];
        }
        const std::string& type = row[kpis.column("type")];
        const std::string& params = row[kpis.column("params")];
        if (type == "FOCUS_SALES" || type == "FOCUS_OUTLETS") {
            EXPECT_FALSE(params.empty()) << row[0];
        }
        for (const std::string& pair : splitOn(params, ';')) EXPECT_NE(pair.find('='), std::string::npos) << params;
    }
    const std::set<std::string> expected = {"SALES", "VOLUME",      "PC",          "LPPC",          "ASO",
                                            "UB",    "COVERAGE",    "NEW_OUTLETS", "FOCUS_SALES",   "FOCUS_OUTLETS",
                                            "VISITS", "STRIKE_RATE", "DROP_SIZE"};
    EXPECT_EQ(types, expected);

    const auto params = kpis.values("params");
    EXPECT_TRUE(std::count(params.begin(), params.end(), "require_order=false") == 1);
    const auto appliesTo = kpis.values("applies_to");
    EXPECT_TRUE(std::count(appliesTo.begin(), appliesTo.end(), "") > 0);
    EXPECT_TRUE(std::count(appliesTo.begin(), appliesTo.end(), "SR|SS") > 0);
}

TEST_F(DemoData, WritesThreeRewardPlansEachSalespersonAndSupervisorIsOn) {
    const Table& plans = table("plans.csv");
    EXPECT_EQ(plans.values("code"), (std::vector<std::string>{"NVBH_THANG", "GSBH_DOI", "SKU_QUY"}));
    EXPECT_EQ(plans.values("period_type"), (std::vector<std::string>{"MONTH", "MONTH", "QUARTER"}));
    EXPECT_EQ(plans.values("gate_kpi"), (std::vector<std::string>{"DS", "DS", ""}));
    EXPECT_EQ(plans.values("curve_mode"), (std::vector<std::string>{"linear", "step", "linear"}));
    for (const std::string& name : plans.values("name_vi"))
        EXPECT_NE(name.find("ư"), std::string::npos) << name;  // Thưởng: with its diacritics
    // Every component pays on a KPI of kpis.csv; the salesperson's sales curve accelerates.
    const auto kpis = table("kpis.csv").values("code");
    const Table& components = table("plan_components.csv");
    for (const std::string& kpi : components.values("kpi_code"))
        EXPECT_NE(std::find(kpis.begin(), kpis.end(), kpi), kpis.end()) << kpi;
    EXPECT_EQ(components.rows[0][components.column("curve")], "0.8:0.6|1:1|1.2:1.5|1.5:2");
    const auto employeeRoles = roles();
    std::map<std::string, std::set<std::string>> plansOf;
    const Table& assignments = table("plan_assignments.csv");
    for (const Row& row : assignments.rows)
        plansOf[row[assignments.column("employee_code")]].insert(row[assignments.column("plan_code")]);
    for (const auto& [code, role] : employeeRoles) {
        if (role == "SR") EXPECT_EQ(plansOf[code], (std::set<std::string>{"NVBH_THANG", "SKU_QUY"})) << code;
        else if (role == "SS") EXPECT_EQ(plansOf[code], (std::set<std::string>{"GSBH_DOI", "SKU_QUY"})) << code;
        else EXPECT_EQ(plansOf.count(code), 0u) << code;
    }
}

TEST_F(DemoData, GivesTheQuarterlyPlanAFocusTargetForEachQuarterOfTheRange) {
    const Table& targets = table("targets.csv");
    std::set<std::string> withFocusQuarter;
    for (const Row& row : targets.rows)
        if (row[targets.column("kpi_code")] == "FOCUS" && row[targets.column("period_type")] == "QUARTER") {
            EXPECT_EQ(row[targets.column("valid_from")], "2026-10-01");
            withFocusQuarter.insert(row[targets.column("employee_code")]);
        }
    for (const auto& [code, role] : roles())
        EXPECT_EQ(withFocusQuarter.count(code), role == "SR" || role == "SS" ? 1u : 0u) << code;
}

TEST_F(DemoData, GivesTargetsOfEveryPeriodType) {
    const auto types = table("targets.csv").values("period_type");
    const std::set<std::string> present(types.begin(), types.end());
    EXPECT_EQ(present, (std::set<std::string>{"DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "CYCLE"}));
}

TEST_F(DemoData, NeverOverlapsTargetWindowsOfOneEmployeeKpiAndPeriodType) {
    const Table& targets = table("targets.csv");
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::pair<kpi::Day, kpi::Day>>> windows;
    for (const Row& row : targets.rows) {
        const kpi::Day from = day(row[targets.column("valid_from")]), to = day(row[targets.column("valid_to")]);
        EXPECT_LE(from, to);
        EXPECT_GE(std::stod(row[targets.column("target")]), 0.0);
        const std::string& weight = row[targets.column("weight")];
        if (!weight.empty()) {
            EXPECT_GE(std::stod(weight), 0.0);
        }
        windows[{row[targets.column("employee_code")], row[targets.column("kpi_code")],
                 row[targets.column("period_type")]}]
            .emplace_back(from, to);
    }
    for (auto& [key, list] : windows) {
        std::sort(list.begin(), list.end());
        for (std::size_t i = 1; i < list.size(); ++i)
            EXPECT_GT(list[i].first, list[i - 1].second) << std::get<0>(key) << " " << std::get<1>(key);
    }
}

TEST_F(DemoData, GivesTargetsOnlyToTheRolesTheirKpiAppliesTo) {
    std::map<std::string, std::set<std::string>> appliesTo;  // empty = every role
    const Table& kpis = table("kpis.csv");
    for (const Row& row : kpis.rows) {
        const auto roles = splitOn(row[kpis.column("applies_to")], '|');
        appliesTo[row[kpis.column("code")]] = std::set<std::string>(roles.begin(), roles.end());
    }
    const auto employeeRoles = roles();
    const Table& targets = table("targets.csv");
    for (const Row& row : targets.rows) {
        const auto& allowed = appliesTo.at(row[targets.column("kpi_code")]);
        const auto& role = employeeRoles.at(row[targets.column("employee_code")]);
        EXPECT_TRUE(allowed.empty() || allowed.count(role)) << row[0] << " " << row[1];
    }
}

TEST_F(DemoData, GivesSalespeopleAndSupervisorsWeightedMonthlyTargetsOverTheRange) {
    const Table& targets = table("targets.csv");
    std::map<std::pair<std::string, std::string>, std::vector<int>> weights;  // (employee, month start) → weights
    for (const Row& row : targets.rows) {
        if (row[targets.column("period_type")] != "MONTH") continue;
        weights[{row[targets.column("employee_code")], row[targets.column("valid_from")]}].push_back(
            std::stoi(row[targets.column("weight")]));
    }
    const Table& employees = table("employees.csv");
    for (const Row& row : employees.rows) {
        const std::string& role = row[employees.column("role")];
        if (role != "SR" && role != "SS") continue;
        for (const char* month : {"2026-09-01", "2026-10-01", "2026-11-01"}) {
            const std::string& start = row[employees.column("start_date")];
            const std::string& end = row[employees.column("end_date")];
            const std::string monthEnd = kpi::formatDay(kpi::makeDay(2026, kpi::monthOf(day(month)) + 1, 1) - 1);
            if (start > monthEnd || (!end.empty() && end < month)) continue;  // not employed that month
            const auto found = weights.find({row[0], month});
            ASSERT_NE(found, weights.end()) << row[0] << " has no targets for " << month;
            const auto& list = found->second;
            EXPECT_GE(list.size(), 7u);
            int sum = 0;
            for (int w : list) sum += w;
            EXPECT_EQ(sum, 100) << row[0] << " " << month;
            EXPECT_EQ(std::count(list.begin(), list.end(), 0), 1) << row[0] << " " << month;
        }
    }
}

TEST_F(DemoData, SizesMonthlySalesTargetsAfterTheSalesActuallyMade) {
    // Approved sales per salesperson in October, a whole month inside the range.
    std::map<std::string, std::pair<std::string, double>> orderOwner;  // order → (employee, ±1) of approved October orders
    const Table& orders = table("orders.csv");
    for (const Row& row : orders.rows) {
        if (row[orders.column("status")] != "approved" || row[orders.column("order_time")].substr(0, 7) != "2026-10")
            continue;
        orderOwner[row[0]] = {row[orders.column("employee_code")], row[orders.column("type")] == "return" ? -1.0 : 1.0};
    }
    std::map<std::string, double> sales;
    const Table& lines = table("order_lines.csv");
    for (const Row& row : lines.rows) {
        const auto found = orderOwner.find(row[0]);
        if (found != orderOwner.end()) sales[found->second.first] += found->second.second * std::stod(row[lines.column("amount")]);
    }
    const Table& employees = table("employees.csv");
    std::set<std::string> moved;  // the joiner and the leaver had a partial October
    for (const Row& row : employees.rows)
        if (!row[employees.column("end_date")].empty() || row[employees.column("start_date")] >= "2026-09-01")
            moved.insert(row[0]);

    const auto employeeRoles = roles();
    const Table& targets = table("targets.csv");
    int checked = 0;
    for (const Row& row : targets.rows) {
        if (row[targets.column("kpi_code")] != "DS" || row[targets.column("period_type")] != "MONTH" ||
            row[targets.column("valid_from")] != "2026-10-01" || employeeRoles.at(row[0]) != "SR" || moved.count(row[0]))
            continue;
        const double ratio = std::stod(row[targets.column("target")]) / sales[row[0]];
        EXPECT_GT(ratio, 0.7) << row[0];
        EXPECT_LT(ratio, 1.5) << row[0];
        ++checked;
    }
    EXPECT_GE(checked, standardOptions().salespeople - 2);
}

TEST_F(DemoData, DatesActivityInsideTheRangeAndTheEmploymentNeverOnHolidays) {
    std::set<kpi::Day> holidays;
    for (const std::string& date : table("holidays.csv").values("date")) holidays.insert(day(date));
    std::map<std::string, std::pair<kpi::Day, kpi::Day>> employment;
    const Table& employees = table("employees.csv");
    for (const Row& row : employees.rows) {
        const std::string& end = row[employees.column("end_date")];
        employment[row[0]] = {day(row[employees.column("start_date")]), end.empty() ? rangeLast() + 1 : day(end)};
    }
    for (const auto& [file, column] : {std::pair<std::string, std::string>{"visits.csv", "visit_time"},
                                       std::pair<std::string, std::string>{"orders.csv", "order_time"}}) {
        const Table& t = table(file);
        const std::size_t time = t.column(column), employee = t.column("employee_code");
        for (const Row& row : t.rows) {
            ASSERT_TRUE(isTimestamp(row[time])) << file << ": " << row[time];
            const kpi::Day date = day(row[time].substr(0, 10));
            ASSERT_GE(date, rangeFirst()) << file << ": " << row[time];
            ASSERT_LE(date, rangeLast()) << file << ": " << row[time];
            ASSERT_FALSE(holidays.count(date)) << file << ": " << row[time];
            const auto [start, end] = employment.at(row[employee]);
            ASSERT_TRUE(start <= date && date <= end) << file << ": " << row[employee] << " " << row[time];
        }
    }
}

TEST_F(DemoData, VisitsFifteenToTwentyFiveOutletsAWorkingDayAndAFewOnSundays) {
    std::map<std::pair<std::string, std::string>, int> perDay;  // (employee, date) → visits
    const Table& visits = table("visits.csv");
    int sundayVisits = 0;
    for (const Row& row : visits.rows) {
        const std::string date = row[visits.column("visit_time")].substr(0, 10);
        if (kpi::weekdayIndex(day(date)) == 6)
            ++sundayVisits;
        else
            ++perDay[{row[visits.column("employee_code")], date}];
    }
    double total = 0;
    for (const auto& [key, count] : perDay) total += count;
    const double average = total / static_cast<double>(perDay.size());
    EXPECT_GE(average, 15.0);
    EXPECT_LE(average, 25.0);
    EXPECT_GT(sundayVisits, 0);
    EXPECT_LT(sundayVisits * 50, static_cast<int>(visits.rows.size()));
}

TEST_F(DemoData, TakesOrdersOnAboutTwoThirdsOfVisitsAndOnlyDuringOne) {
    std::set<std::tuple<std::string, std::string, std::string>> visited;  // (employee, outlet, date)
    const Table& visits = table("visits.csv");
    for (const Row& row : visits.rows)
        visited.insert({row[visits.column("employee_code")], row[visits.column("outlet_code")],
                        row[visits.column("visit_time")].substr(0, 10)});
    std::set<std::tuple<std::string, std::string, std::string>> calls;
    const Table& orders = table("orders.csv");
    for (const Row& row : orders.rows) {
        const std::tuple<std::string, std::string, std::string> call{
            row[orders.column("employee_code")], row[orders.column("outlet_code")],
            row[orders.column("order_time")].substr(0, 10)};
        EXPECT_TRUE(visited.count(call)) << row[0] << " has no visit";
        calls.insert(call);
    }
    const double strikeRate = static_cast<double>(calls.size()) / static_cast<double>(visits.rows.size());
    EXPECT_GT(strikeRate, 0.55);
    EXPECT_LT(strikeRate, 0.75);
    EXPECT_LT(calls.size(), orders.rows.size());  // some calls have two orders
}

TEST_F(DemoData, GivesOrdersRealisticTypesStatusesAndApprovalTimes) {
    const Table& orders = table("orders.csv");
    std::map<std::string, int> types, statuses;
    for (const Row& row : orders.rows) {
        ++types[row[orders.column("type")]];
        const std::string& status = row[orders.column("status")];
        ++statuses[status];
        const std::string& approved = row[orders.column("approved_time")];
        if (status == "approved") {
            EXPECT_TRUE(isTimestamp(approved)) << row[0];
            EXPECT_GT(approved, row[orders.column("order_time")]) << row[0];
        } else {
            EXPECT_TRUE(approved.empty()) << row[0];
        }
    }
    EXPECT_EQ(types.size(), 2u);
    const double returns = static_cast<double>(types["return"]) / static_cast<double>(orders.rows.size());
    EXPECT_GT(returns, 0.005);
    EXPECT_LT(returns, 0.05);
    EXPECT_EQ(statuses.size(), 4u);
    EXPECT_GT(statuses["approved"] * 10, static_cast<int>(orders.rows.size()) * 8);
}

TEST_F(DemoData, PricesLinesAsQuantityTimesOneUnitPricePerSkuWithDistinctSkusPerOrder) {
    const Table& lines = table("order_lines.csv");
    std::map<std::string, long long> unitPrice;
    std::map<std::string, std::set<std::string>> skusOfOrder;
    std::map<std::string, int> linesOfOrder;
    for (const Row& row : lines.rows) {
        const long long quantity = std::stoll(row[lines.column("quantity")]);
        const long long amount = std::stoll(row[lines.column("amount")]);
        ASSERT_EQ(std::to_string(quantity), row[lines.column("quantity")]);
        ASSERT_EQ(std::to_string(amount), row[lines.column("amount")]);
        ASSERT_GT(quantity, 0);
        ASSERT_EQ(amount % quantity, 0) << row[0];
        const std::string& sku = row[lines.column("sku")];
        const auto [price, inserted] = unitPrice.emplace(sku, amount / quantity);
        EXPECT_EQ(price->second, amount / quantity) << sku;
        EXPECT_TRUE(skusOfOrder[row[0]].insert(sku).second) << row[0] << " repeats " << sku;
        EXPECT_EQ(std::stoi(row[lines.column("line_no")]), ++linesOfOrder[row[0]]) << row[0];
    }
    for (const auto& [sku, price] : unitPrice) {
        EXPECT_GE(price, 5000) << sku;
        EXPECT_LE(price, 300000) << sku;
    }
    int most = 0;
    for (const auto& [order, count] : linesOfOrder) most = std::max(most, count);
    EXPECT_EQ(most, 8);
}

TEST_F(DemoData, MultipliesOrderLinesByLinesScale) {
    auto linesPerOrder = [](double scale) {
        kpi::DemoOptions options;
        options.salespeople = 4;
        options.months = 1;
        options.until = kpi::makeDay(2026, 3, 10);
        options.linesScale = scale;
        const fs::path dir = freshDirectory("scale");
        kpi::writeDemoData(dir, options);
        const double ratio = static_cast<double>(readTable(dir / "order_lines.csv").rows.size()) /
                             static_cast<double>(readTable(dir / "orders.csv").rows.size());
        fs::remove_all(dir);
        return ratio;
    };
    EXPECT_GT(linesPerOrder(3.0), 2.5 * linesPerOrder(1.0));
}

TEST_F(DemoData, PutsNothingLaterThanNowIntoToday) {
    // Generated up to today (the default --until): visits, orders and
    // approvals of today stop at the present moment; earlier days are whole.
    const kpitest::TodayVariable clock(nullptr);
    kpi::DemoOptions options;
    options.salespeople = 20;
    // Two months: on the first of a month (a holiday on 1 January) the
    // current month alone may have no activity yet.
    options.months = 2;
    const fs::path dir = freshDirectory("today");
    kpi::writeDemoData(dir, options);
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    const std::string latest = stamp;  // read after generating: nothing may be later
    std::size_t checked = 0;
    const Table visits = readTable(dir / "visits.csv");
    for (const Row& row : visits.rows) {
        EXPECT_LE(row[visits.column("visit_time")], latest);
        ++checked;
    }
    const Table orders = readTable(dir / "orders.csv");
    for (const Row& row : orders.rows) {
        EXPECT_LE(row[orders.column("order_time")], latest);
        EXPECT_LE(row[orders.column("approved_time")], latest);
        ++checked;
    }
    EXPECT_GT(checked, 1000u);
    fs::remove_all(dir);
}

TEST_F(DemoData, WritesTheWholeOfAFixedTodayWhateverTheHour) {
    // KPI_TODAY fixes the date: the day is whole, so the files do not depend
    // on the hour they are made at (the office tests build stores this way).
    const kpitest::TodayVariable pinned("2026-11-20");
    kpi::DemoOptions options;
    options.salespeople = 20;
    options.months = 1;
    const fs::path first = freshDirectory("pinned-a");
    kpi::writeDemoData(first, options);
    const Table orders = readTable(first / "orders.csv");
    std::string latest;
    for (const Row& row : orders.rows) latest = std::max(latest, row[orders.column("order_time")]);
    EXPECT_EQ(latest.substr(0, 10), "2026-11-20");
    EXPECT_GT(latest.substr(11), "15:00:00");  // the afternoon's calls are there
    options.until = kpi::makeDay(2026, 11, 20);
    const fs::path second = freshDirectory("pinned-b");
    kpi::writeDemoData(second, options);
    for (const char* name : {"orders.csv", "order_lines.csv", "visits.csv", "targets.csv"})
        EXPECT_EQ(readTable(first / name).rows, readTable(second / name).rows) << name;
    fs::remove_all(first);
    fs::remove_all(second);
}

TEST_F(DemoData, OpensSomeOutletsInsideTheRangeCreatedBySalespeople) {
    const Table& outlets = table("outlets.csv");
    const auto employeeRoles = roles();
    int inside = 0;
    for (const Row& row : outlets.rows) {
        const kpi::Day created = day(row[outlets.column("created_date")]);
        if (created < rangeFirst()) continue;
        ++inside;
        EXPECT_LE(created, rangeLast());
        EXPECT_EQ(employeeRoles.at(row[outlets.column("created_by")]), "SR") << row[0];
    }
    EXPECT_GT(inside, 0);
    EXPECT_LT(inside * 5, static_cast<int>(outlets.rows.size()));  // most outlets are older
}

TEST_F(DemoData, HandsTheLeaversRouteToTheJoinerOnTheDayAfterTheLeaverLeaves) {
    const Table& employees = table("employees.csv");
    std::string leaver, joiner;
    kpi::Day leaves = 0, joins = 0;
    for (const Row& row : employees.rows) {
        const std::string& end = row[employees.column("end_date")];
        if (!end.empty()) {
            EXPECT_TRUE(leaver.empty()) << "more than one leaver";
            leaver = row[0];
            leaves = day(end);
        }
        const kpi::Day start = day(row[employees.column("start_date")]);
        if (start >= rangeFirst()) {
            EXPECT_TRUE(joiner.empty()) << "more than one joiner";
            joiner = row[0];
            joins = start;
        }
    }
    ASSERT_FALSE(leaver.empty());
    ASSERT_FALSE(joiner.empty());
    EXPECT_GT(leaves, rangeFirst());
    EXPECT_LT(joins, rangeLast());
    EXPECT_EQ(joins, leaves + 1);

    const Table& routes = table("routes.csv");
    std::set<std::string> leftBehind, takenOver;
    for (const Row& row : routes.rows) {
        const std::string& employee = row[routes.column("employee_code")];
        if (employee == leaver) {
            EXPECT_EQ(row[routes.column("valid_to")], kpi::formatDay(leaves));
            leftBehind.insert(row[routes.column("outlet_code")]);
        } else if (employee == joiner && row[routes.column("valid_from")] == kpi::formatDay(joins)) {
            takenOver.insert(row[routes.column("outlet_code")]);
        } else {
            EXPECT_TRUE(row[routes.column("valid_to")].empty()) << employee;
        }
    }
    EXPECT_FALSE(leftBehind.empty());
    EXPECT_EQ(leftBehind, takenOver);
}

TEST_F(DemoData, ListsTheVietnamesePublicHolidaysOfTheYearsCovered) {
    std::map<std::string, std::string> holidays;
    const Table& t = table("holidays.csv");
    for (const Row& row : t.rows) holidays[row[0]] = row[t.column("name")];
    for (const char* date : {"2026-01-01", "2026-02-17", "2026-04-30", "2026-05-01", "2026-09-02", "2026-09-03"}) {
        ASSERT_TRUE(holidays.count(date)) << date;
        EXPECT_TRUE(hasNonAscii(holidays[date])) << date;
    }
    EXPECT_NE(holidays["2026-02-17"].find("Tết"), std::string::npos);
}

TEST_F(DemoData, ReportsProgressWhileWriting) {
    kpi::DemoOptions options = standardOptions();
    options.salespeople = 4;
    std::vector<std::string> messages;
    options.progress = [&messages](const std::string& message) { messages.push_back(message); };
    const fs::path dir = freshDirectory("progress");
    kpi::writeDemoData(dir, options);
    fs::remove_all(dir);
    EXPECT_TRUE(std::any_of(messages.begin(), messages.end(),
                            [](const std::string& m) { return m.rfind("order_lines.csv", 0) == 0; }));
}

TEST_F(DemoData, RefusesOptionsOutsideTheSupportedRanges) {
    kpi::DemoOptions options = standardOptions();
    options.salespeople = 2;
    const fs::path dir = freshDirectory("refused");
    try {
        kpi::writeDemoData(dir, options);
        ADD_FAILURE() << "two salespeople were accepted";
    } catch (const kpi::Error& error) {
        EXPECT_EQ(error.kind(), kpi::Error::Kind::InvalidArgument);
    }
    options = standardOptions();
    options.months = 0;
    EXPECT_THROW(kpi::writeDemoData(dir, options), kpi::Error);
    options = standardOptions();
    options.linesScale = 0;
    EXPECT_THROW(kpi::writeDemoData(dir, options), kpi::Error);
    EXPECT_FALSE(fs::exists(dir));
}

TEST_F(DemoData, ThrowsAnIoErrorWhenTheDirectoryCannotBeMade) {
    const fs::path file = freshDirectory("blocker");
    std::ofstream(file) << "a file, not a directory";
    try {
        kpi::writeDemoData(file / "demo", standardOptions());
        ADD_FAILURE() << "writing under a file succeeded";
    } catch (const kpi::Error& error) {
        EXPECT_EQ(error.kind(), kpi::Error::Kind::Io);
        EXPECT_NE(std::string(error.what()).find("demo"), std::string::npos);
    }
    fs::remove(file);
}

}  // namespace
