#include "report_sheets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "closed_periods.hpp"
#include "kpi/error.hpp"
#include "target_health_report.hpp"

namespace saleskpi::addin {
namespace {

// A daily_sales sheet has one column per day: a year is the most it shows.
constexpr kpi::Day kMaxReportDays = 366;

constexpr std::array<std::pair<ReportKind, std::string_view>, 5> kKindNames{{
    {ReportKind::DailySales, "daily_sales"},
    {ReportKind::Attainment, "attainment"},
    {ReportKind::Ranking, "ranking"},
    {ReportKind::Employees, "employees"},
    {ReportKind::TargetHealth, "target_health"},
}};

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

// The texts a report shows, in the document's language.
struct ReportTexts {
    std::string_view dailySales, attainment, ranking, employees, targetHealth;
    std::string_view company, teamOf, dataTo, noDataYet, nothingYet, cannotWrite;
    std::string_view code, name, kpi, actual, target, attainmentHeader, projected, rank, score, role, manager, department, total;
};

const ReportTexts& textsIn(Language language) {
    static const ReportTexts english{
        .dailySales = "Daily sales",
        .attainment = "KPI attainment",
        .ranking = "Ranking by KPI score",
        .employees = "Employees",
        .targetHealth = "Target health",
        .company = "all employees",
        .teamOf = "team of",
        .dataTo = "data to",
        .noDataYet = "no data yet",
        .nothingYet = "no order or visit in this period yet",
        .cannotWrite = "SalesKPI cannot write this report",
        .code = "Code",
        .name = "Name",
        .kpi = "KPI",
        .actual = "Actual",
        .target = "Target",
        .attainmentHeader = "Attainment",
        .projected = "Projected",
        .rank = "Rank",
        .score = "Score",
        .role = "Role",
        .manager = "Manager",
        .department = "Department",
        .total = "Total",
    };
    static const ReportTexts vietnamese{
        .dailySales = "Doanh số theo ngày",
        .attainment = "Hoàn thành KPI",
        .ranking = "Xếp hạng theo điểm KPI",
        .employees = "Nhân viên",
        .targetHealth = "Đánh giá chỉ tiêu",
        .company = "toàn công ty",
        .teamOf = "nhóm của",
        .dataTo = "dữ liệu đến",
        .noDataYet = "chưa có dữ liệu",
        .nothingYet = "kỳ này chưa có đơn hàng hay lượt viếng thăm nào",
        .cannotWrite = "SalesKPI không thể ghi báo cáo này",
        .code = "Mã",
        .name = "Họ tên",
        .kpi = "KPI",
        .actual = "Thực hiện",
        .target = "Chỉ tiêu",
        .attainmentHeader = "Tỷ lệ hoàn thành",
        .projected = "Dự báo",
        .rank = "Hạng",
        .score = "Điểm",
        .role = "Chức danh",
        .manager = "Quản lý",
        .department = "Phòng ban",
        .total = "Tổng",
    };
    return language == Language::Vietnamese ? vietnamese : english;
}

std::string periodText(const kpi::Period& period) {
    std::string text = kpi::formatPeriod(period);
    if (period.type != kpi::PeriodType::Day && period.type != kpi::PeriodType::Cycle)
        text += " (" + kpi::formatDay(period.first) + ".." + kpi::formatDay(period.last) + ")";
    return text;
}

ReportTable titleOnly(std::string title) {
    ReportTable table;
    table.rows.push_back({std::move(title)});
    table.formats.push_back(ColumnFormat::General);
    return table;
}

// The employees a report lists: the scope's subtree, manager first, in the
// hierarchy's order; for "*" everyone.
std::vector<kpi::EmployeeInfo> employeesOf(const kpi::Engine& engine, const std::string& scope) {
    std::vector<kpi::EmployeeInfo> all = engine.employees();
    if (scope == "*") return all;
    const std::vector<std::string> codes = engine.subtree(scope);  // throws for an unknown code
    const std::set<std::string> members(codes.begin(), codes.end());
    std::vector<kpi::EmployeeInfo> listed;
    for (auto& employee : all)
        if (members.count(employee.code)) listed.push_back(std::move(employee));
    return listed;
}

std::string scopeText(const std::vector<kpi::EmployeeInfo>& employees, const std::string& scope,
                      const ReportTexts& texts) {
    if (scope == "*") return std::string(texts.company);
    for (const auto& employee : employees)
        if (employee.code == scope) return std::string(texts.teamOf) + " " + scope + " " + employee.name;
    return std::string(texts.teamOf) + " " + scope;
}

ReportCell optionalNumber(const std::optional<double>& value) {
    if (value) return *value;
    return std::monostate{};
}

// #,##0 for a column whose numbers are all whole, General otherwise.
ColumnFormat numberFormatOf(const ReportTable& table, std::size_t column) {
    for (std::size_t row = 2; row < table.rows.size(); ++row) {
        if (column >= table.rows[row].size()) continue;
        if (const auto* number = std::get_if<double>(&table.rows[row][column]))
            if (*number != std::floor(*number) || std::fabs(*number) >= 1e15) return ColumnFormat::General;
    }
    return ColumnFormat::Integer;
}

void buildDailySales(kpi::Engine& engine, const ReportDefinition& report, const kpi::Period& period, kpi::Day today,
                     const std::vector<kpi::EmployeeInfo>& employees, const ReportTexts& texts, ReportTable& table) {
    const std::string& kpiCode = report.kpis.front();
    std::vector<ReportCell> headers{std::string(texts.code), std::string(texts.name)};
    for (kpi::Day day = period.first; day <= period.last; ++day) headers.emplace_back(kpi::formatDay(day));
    headers.emplace_back(std::string(texts.total));
    table.rows.push_back(std::move(headers));

    // A row is the employee's figure (their subtree's, SPEC §4); the total row
    // is the scope's own figure, not a sum of the rows above (a manager's row
    // already holds their team's).
    const auto figureRow = [&](const std::string& code, std::string name) {
        std::vector<ReportCell> row{code, std::move(name)};
        for (kpi::Day day = period.first; day <= period.last; ++day)
            row.emplace_back(engine.figures(code, kpiCode, kpi::Period{kpi::PeriodType::Day, day, day}, today).actual);
        row.emplace_back(engine.figures(code, kpiCode, period, today).actual);
        return row;
    };
    for (const auto& employee : employees)
        if (engine.figures(employee.code, kpiCode, period, today).exists)
            table.rows.push_back(figureRow(employee.code, employee.name));
    table.rows.push_back(figureRow(report.scope, std::string(texts.total)));

    table.formats.assign(table.rows[1].size(), ColumnFormat::General);
    for (std::size_t column = 2; column < table.formats.size(); ++column)
        table.formats[column] = numberFormatOf(table, column);
}

void buildAttainment(kpi::Engine& engine, const ReportDefinition& report, const kpi::Period& period, kpi::Day today,
                     const std::vector<kpi::EmployeeInfo>& employees, const ReportTexts& texts, ReportTable& table) {
    table.rows.push_back({std::string(texts.code), std::string(texts.name), std::string(texts.kpi),
                          std::string(texts.actual), std::string(texts.target), std::string(texts.attainmentHeader),
                          std::string(texts.projected)});
    for (const auto& employee : employees) {
        for (const auto& kpiCode : report.kpis) {
            const kpi::Figures figures = engine.figures(employee.code, kpiCode, period, today);
            if (!figures.exists) continue;  // not employed during the period
            table.rows.push_back({employee.code, employee.name, kpiCode, figures.actual, optionalNumber(figures.target),
                                  optionalNumber(figures.attainment), figures.projected});
        }
    }
    table.formats = {ColumnFormat::General,    ColumnFormat::General, ColumnFormat::General,   numberFormatOf(table, 3),
                     numberFormatOf(table, 4), ColumnFormat::Percent, numberFormatOf(table, 6)};
    table.attainmentColumn = 5;
}

void buildRanking(kpi::Engine& engine, const kpi::Period& period, kpi::Day today,
                  const std::vector<kpi::EmployeeInfo>& employees, const ReportTexts& texts, ReportTable& table) {
    table.rows.push_back(
        {std::string(texts.rank), std::string(texts.code), std::string(texts.name), std::string(texts.score)});
    // One pass over every employee's report rows (what KPI.SCORE gives each).
    std::map<std::string, double> scores;
    for (const auto& row : engine.scores(period, today))
        if (row.score) scores[row.employeeCode] = *row.score;
    struct Ranked {
        double score;
        const kpi::EmployeeInfo* employee;
    };
    std::vector<Ranked> ranked;
    for (const auto& employee : employees)
        if (auto found = scores.find(employee.code); found != scores.end())
            ranked.push_back({found->second, &employee});
    std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        return a.score != b.score ? a.score > b.score : a.employee->code < b.employee->code;
    });
    // Equal scores share a rank (1, 2, 2, 4).
    std::size_t rank = 0;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        if (i == 0 || ranked[i].score != ranked[i - 1].score) rank = i + 1;
        table.rows.push_back(
            {static_cast<double>(rank), ranked[i].employee->code, ranked[i].employee->name, ranked[i].score});
    }
    table.formats = {ColumnFormat::Integer, ColumnFormat::General, ColumnFormat::General, ColumnFormat::Percent};
}

void buildEmployees(const std::vector<kpi::EmployeeInfo>& employees, const ReportTexts& texts, ReportTable& table) {
    // A to D are the templates' contract (templates/README.md); the finance
    // workbook sums payouts by the department in E.
    table.rows.push_back({std::string(texts.code), std::string(texts.name), std::string(texts.role),
                          std::string(texts.manager), std::string(texts.department)});
    for (const auto& employee : employees)
        table.rows.push_back({employee.code, employee.name, employee.role, employee.managerCode, employee.department});
    table.formats.assign(5, ColumnFormat::General);
}

}  // namespace

std::string_view reportKindName(ReportKind kind) {
    for (const auto& [known, name] : kKindNames)
        if (known == kind) return name;
    return {};
}

std::string_view reportKindTitle(ReportKind kind, Language language) {
    const ReportTexts& texts = textsIn(language);
    switch (kind) {
        case ReportKind::DailySales: return texts.dailySales;
        case ReportKind::Attainment: return texts.attainment;
        case ReportKind::Ranking: return texts.ranking;
        case ReportKind::Employees: return texts.employees;
        case ReportKind::TargetHealth: return texts.targetHealth;
    }
    return {};
}

std::optional<ReportKind> parseReportKind(std::string_view name) {
    for (const auto& [kind, known] : kKindNames)
        if (known == name) return kind;
    return std::nullopt;
}

ReportDefinitions parseReportDefinitions(std::string_view property) {
    ReportDefinitions definitions;
    std::set<std::string> sheets;
    for (const std::string_view line : split(property, '\n')) {
        if (trim(line).empty()) continue;
        const std::vector<std::string_view> fields = split(line, '|');
        const std::string sheet(trim(fields.front()));
        const auto problem = [&](std::string text) { definitions.problems.push_back({sheet, std::move(text)}); };
        if (sheet.empty()) {
            definitions.problems.push_back({{}, "a line without a sheet name: '" + std::string(trim(line)) + "'"});
            continue;
        }
        if (fields.size() < 4 || fields.size() > 5) {
            problem("the definition must read SHEET|KIND|PERIOD|SCOPE|KPIS, not '" + std::string(trim(line)) + "'");
            continue;
        }
        const auto kind = parseReportKind(trim(fields[1]));
        if (!kind) {
            problem("unknown kind '" + std::string(trim(fields[1])) +
                    "' (daily_sales, attainment, ranking, employees or target_health)");
            continue;
        }
        bool cellsReadable = true;
        for (const auto& [field, what] : {std::pair{trim(fields[2]), "PERIOD"}, std::pair{trim(fields[3]), "SCOPE"}}) {
            if (isCellReference(field) && !parseCellReference(field)) {
                problem("the " + std::string(what) + " '" + std::string(field) +
                        "' is not a cell reference (write it as =$Overview.$B$4)");
                cellsReadable = false;
                break;
            }
        }
        if (!cellsReadable) continue;
        if (!sheets.insert(sheet).second) {
            // The first line of a sheet writes it; this one is reported only.
            definitions.problems.push_back({{}, "the sheet '" + sheet + "' is defined twice"});
            continue;
        }
        definitions.reports.push_back({sheet, *kind, std::string(trim(fields[2])), std::string(trim(fields[3])),
                                       fields.size() == 5 ? parseKpiCodes(fields[4]) : std::vector<std::string>{}});
    }
    // A problem line whose sheet a good line also defines is not shown there.
    std::erase_if(definitions.problems,
                  [&](const ReportDefinitionProblem& p) { return !p.sheet.empty() && sheets.count(p.sheet) != 0; });
    return definitions;
}

std::string formatReportDefinition(const ReportDefinition& report) {
    std::string kpis;
    for (const auto& code : report.kpis) {
        if (!kpis.empty()) kpis += ',';
        kpis += code;
    }
    return report.sheet + "|" + std::string(reportKindName(report.kind)) + "|" + report.period + "|" + report.scope +
           "|" + kpis;
}

std::vector<std::string> parseKpiCodes(std::string_view field) {
    std::vector<std::string> codes;
    for (const std::string_view code : split(field, ','))
        if (!trim(code).empty()) codes.emplace_back(trim(code));
    return codes;
}

std::string withReportDefinition(std::string_view property, const ReportDefinition& report) {
    std::string lines;
    bool replaced = false;
    const auto add = [&](std::string_view line) {
        if (!lines.empty()) lines += '\n';
        lines += line;
    };
    for (const std::string_view line : split(property, '\n')) {
        if (trim(line).empty()) continue;
        if (trim(split(line, '|').front()) == report.sheet) {
            if (!replaced) add(formatReportDefinition(report));
            replaced = true;
        } else {
            add(line);
        }
    }
    if (!replaced) add(formatReportDefinition(report));
    return lines;
}

bool isCellReference(std::string_view field) { return !field.empty() && field.front() == '='; }

std::optional<CellReference> parseCellReference(std::string_view field) {
    field = trim(field);
    if (!isCellReference(field)) return std::nullopt;
    std::string_view rest = trim(field.substr(1));
    if (!rest.empty() && rest.front() == '$') rest.remove_prefix(1);
    CellReference cell;
    if (!rest.empty() && rest.front() == '\'') {
        std::size_t at = 1;
        while (true) {
            const auto quote = rest.find('\'', at);
            if (quote == std::string_view::npos) return std::nullopt;
            cell.sheet += rest.substr(at, quote - at);
            if (quote + 1 < rest.size() && rest[quote + 1] == '\'') {
                cell.sheet += '\'';
                at = quote + 2;
                continue;
            }
            rest.remove_prefix(quote + 1);
            break;
        }
        if (rest.empty() || rest.front() != '.') return std::nullopt;
        rest.remove_prefix(1);
    } else {
        const auto dot = rest.rfind('.');
        if (dot == std::string_view::npos) return std::nullopt;
        cell.sheet = std::string(rest.substr(0, dot));
        rest.remove_prefix(dot + 1);
    }
    if (cell.sheet.empty()) return std::nullopt;

    if (!rest.empty() && rest.front() == '$') rest.remove_prefix(1);
    std::size_t at = 0;
    long column = 0;
    while (at < rest.size() && std::isalpha(static_cast<unsigned char>(rest[at])) && at < 3)
        column = column * 26 + (std::toupper(static_cast<unsigned char>(rest[at++])) - 'A' + 1);
    if (at == 0 || column > 16384) return std::nullopt;  // XFD: Calc's widest
    rest.remove_prefix(at);
    if (!rest.empty() && rest.front() == '$') rest.remove_prefix(1);
    if (rest.empty() || rest.size() > 7 || rest.front() == '0') return std::nullopt;
    long row = 0;
    for (const char digit : rest) {
        if (!std::isdigit(static_cast<unsigned char>(digit))) return std::nullopt;
        row = row * 10 + (digit - '0');
    }
    if (row > 1048576) return std::nullopt;
    cell.column = static_cast<int>(column - 1);
    cell.row = static_cast<int>(row - 1);
    return cell;
}

std::string formatCellReference(const CellReference& cell) {
    std::string sheet = cell.sheet;
    const bool quoted = sheet.find_first_of(" .'$") != std::string::npos ||
                        std::isdigit(static_cast<unsigned char>(sheet.front()));
    if (quoted) {
        std::string escaped = "'";
        for (const char c : sheet) escaped += c == '\'' ? std::string("''") : std::string(1, c);
        sheet = escaped + "'";
    }
    std::string column;
    for (int number = cell.column + 1; number > 0; number = (number - 1) / 26)
        column.insert(column.begin(), static_cast<char>('A' + (number - 1) % 26));
    return "$" + sheet + ".$" + column + "$" + std::to_string(cell.row + 1);
}

ReportDefinition withCellValues(ReportDefinition report, std::string_view periodCell, std::string_view scopeCell) {
    if (isCellReference(report.period)) {
        const std::string_view value = trim(periodCell);
        report.period = value.empty() ? std::string("this_month") : std::string(value);
    }
    if (isCellReference(report.scope)) {
        const std::string_view value = trim(scopeCell);
        report.scope = value.empty() ? std::string("*") : std::string(value);
    }
    return report;
}

std::optional<kpi::Period> resolveReportPeriod(std::string_view text, kpi::Day today) {
    if (text == "this_month") return kpi::periodContaining(kpi::PeriodType::Month, today);
    if (text == "last_month")
        return kpi::periodContaining(kpi::PeriodType::Month,
                                     kpi::periodContaining(kpi::PeriodType::Month, today).first - 1);
    if (text == "this_week") return kpi::periodContaining(kpi::PeriodType::Week, today);
    if (text == "today") return kpi::Period{kpi::PeriodType::Day, today, today};
    return kpi::parsePeriod(text);
}

std::size_t ReportTable::columnCount() const {
    std::size_t columns = 0;
    for (const auto& row : rows) columns = std::max(columns, row.size());
    return columns;
}

ReportTable problemReport(const std::string& sheet, const std::string& problem, Language language) {
    return titleOnly(std::string(textsIn(language).cannotWrite) + " (" + sheet + "): " + problem);
}

bool nothingYetIn(const kpi::Period& period, std::string_view latestActivity) {
    const auto latest = kpi::parseDay(latestActivity.substr(0, 10));
    return !latest || *latest < period.first;
}

ReportTable buildReport(kpi::Engine& engine, const ReportDefinition& report, kpi::Day today, Language language) {
    const ReportTexts& texts = textsIn(language);
    const auto period = resolveReportPeriod(report.period, today);
    if (!period)
        return problemReport(report.sheet,
                             "unknown period '" + report.period +
                                 "' (this_month, last_month, this_week, today, or a period such as 2026-11)",
                             language);
    const bool needsKpis = report.kind == ReportKind::DailySales || report.kind == ReportKind::Attainment;
    if (needsKpis && report.kpis.empty())
        return problemReport(report.sheet, "no KPI: list the KPI codes in the fifth field", language);
    if (report.kind == ReportKind::DailySales && period->last - period->first + 1 > kMaxReportDays)
        return problemReport(report.sheet, "a daily_sales report shows at most 366 days", language);
    if (!engine.hasEmployee(report.scope))
        return problemReport(report.sheet, "unknown employee '" + report.scope + "' as the scope", language);
    for (const auto& code : report.kpis)
        if (!engine.hasKpi(code)) return problemReport(report.sheet, "unknown KPI '" + code + "'", language);

    const std::vector<kpi::EmployeeInfo> employees = employeesOf(engine, report.scope);
    const std::string latest = engine.state().latestActivity;
    std::string kindTitle(reportKindTitle(report.kind, language));
    if (report.kind == ReportKind::DailySales) kindTitle += " (" + report.kpis.front() + ")";
    // A closed pay period shows what its close froze (the engine answers
    // from the frozen rows): the title says so, as KPI.STATUS does.
    std::string closed;
    if (const auto closedPeriod = engine.closedPeriod(*period))
        closed = closedPeriodText(*closedPeriod, language) + " · ";
    ReportTable table =
        titleOnly(kindTitle + " · " + scopeText(employees, report.scope, texts) + " · " + periodText(*period) + " · " +
                  closed +
                  (latest.empty() ? std::string(texts.noDataYet)
                                  : std::string(texts.dataTo) + " " + latest +
                                        (nothingYetIn(*period, latest) ? " · " + std::string(texts.nothingYet) : "")));
    switch (report.kind) {
        case ReportKind::DailySales: buildDailySales(engine, report, *period, today, employees, texts, table); break;
        case ReportKind::Attainment: buildAttainment(engine, report, *period, today, employees, texts, table); break;
        case ReportKind::Ranking: buildRanking(engine, *period, today, employees, texts, table); break;
        case ReportKind::Employees: buildEmployees(employees, texts, table); break;
        case ReportKind::TargetHealth: buildTargetHealth(engine, *period, report.scope, today, language, table); break;
    }
    return table;
}

}  // namespace saleskpi::addin
