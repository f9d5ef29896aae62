#include "function_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace saleskpi::addin {
namespace {

constexpr std::string_view kCategory = "Add-In";

const ArgumentSpec kCaller{"document", ArgumentType::Caller, {}, {}};

const ArgumentSpec kEmployee{
    "employee",
    ArgumentType::Text,
    {"employee", "nhân_viên"},
    {"Employee code, or * for the whole company. A manager's figures cover everyone below them.",
     "Mã nhân viên, hoặc * cho toàn công ty. Số liệu của người quản lý gồm cả mọi người cấp dưới."},
};

const ArgumentSpec kKpi{
    "kpi",
    ArgumentType::Text,
    {"kpi", "kpi"},
    {"KPI code from the KPI list, or a KPI type such as SALES, PC or VISITS.",
     "Mã KPI trong danh mục KPI, hoặc một loại KPI như SALES, PC, VISITS."},
};

const ArgumentSpec kPeriod{
    "period",
    ArgumentType::Value,
    {"period", "kỳ"},
    {"2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-20, or a date. "
     "Omitted: the current month.",
     "2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-20, hoặc một ngày. "
     "Bỏ trống: tháng hiện tại."},
};

const ArgumentSpec kWhich{
    "which",
    ArgumentType::Value,
    {"which", "kỳ_nào"},
    {"today, this_week, this_month or last_month (omitted: this_month), or a period such as 2026-11.",
     "today (hôm nay), this_week (tuần này), this_month (tháng này) hoặc last_month (tháng trước) "
     "(bỏ trống: this_month), hoặc một kỳ như 2026-11."},
};

// KPI.PAYOUT's employee: a payout is the person's own, not their team's.
const ArgumentSpec kPayee{
    "employee",
    ArgumentType::Text,
    {"employee", "nhân_viên"},
    {"Employee code, or * for the sum of everyone's payouts. A manager's payout is their own (their plan may pay "
     "on their team's figures).",
     "Mã nhân viên, hoặc * cho tổng tiền thưởng của mọi người. Tiền thưởng của người quản lý là của riêng họ "
     "(cơ chế thưởng có thể tính theo số liệu của nhóm)."},
};

const ArgumentSpec kPayPeriod{
    "period",
    ArgumentType::Value,
    {"period", "kỳ"},
    {"The pay period: 2026-11, 2026-Q4 or 2026, of the plan's pay period type. Omitted: the current month.",
     "Kỳ trả thưởng: 2026-11, 2026-Q4 hoặc 2026, theo loại kỳ của cơ chế thưởng. Bỏ trống: tháng hiện tại."},
};

const ArgumentSpec kComponent{
    "kpi",
    ArgumentType::Value,
    {"kpi", "kpi"},
    {"The KPI code of a plan component: that component's amount only. Omitted: the total, adjustments included.",
     "Mã KPI của một thành phần trong cơ chế thưởng: chỉ số tiền của thành phần đó. Bỏ trống: tổng tiền thưởng, "
     "gồm cả điều chỉnh."},
};

const ArgumentSpec kPlan{
    "plan",
    ArgumentType::Text,
    {"plan", "cơ_chế"},
    {"Plan code, as in plans.csv.", "Mã cơ chế thưởng, như trong plans.csv."},
};

const ArgumentSpec kPlanKpi{
    "kpi",
    ArgumentType::Text,
    {"kpi", "kpi"},
    {"The KPI code of one of the plan's components.", "Mã KPI của một thành phần trong cơ chế thưởng."},
};

const ArgumentSpec kAttainment{
    "attainment",
    ArgumentType::Number,
    {"attainment", "tỷ_lệ_hoàn_thành"},
    {"An attainment, 1 (100%) being the target reached: type 110% or a cell with KPI.ATTAINMENT.",
     "Tỷ lệ hoàn thành, 1 (100%) là đạt đúng chỉ tiêu: gõ 110% hoặc chọn ô có KPI.ATTAINMENT."},
};

const ArgumentSpec kStatusPeriod{
    "period",
    ArgumentType::Value,
    {"period", "kỳ"},
    {"A period to tell about too: whether it is a closed pay period, whose figures are frozen, closed by whom and "
     "when. Omitted: the pay periods closed last.",
     "Kỳ cần cho biết thêm: có phải kỳ trả thưởng đã chốt (số liệu đã cố định) không, ai chốt và khi nào. "
     "Bỏ trống: các kỳ trả thưởng chốt gần nhất."},
};

std::vector<FunctionSpec> makeCatalog() {
    return {
        {FunctionId::Actual, "kpiActual", "KPI.ACTUAL", kCategory,
         {"The actual of a KPI for an employee (and everyone below them) over a period.",
          "Giá trị thực hiện của một KPI của nhân viên (gồm cả cấp dưới) trong một kỳ."},
         {kCaller, kEmployee, kKpi, kPeriod}},
        {FunctionId::Target, "kpiTarget", "KPI.TARGET", kCategory,
         {"The effective target of a KPI for an employee over a period, prorated by working days; "
          "#N/A when there is none.",
          "Chỉ tiêu hiệu lực của một KPI của nhân viên trong một kỳ, phân bổ theo ngày làm việc; "
          "#N/A khi không có chỉ tiêu."},
         {kCaller, kEmployee, kKpi, kPeriod}},
        {FunctionId::Attainment, "kpiAttainment", "KPI.ATTAINMENT", kCategory,
         {"Actual ÷ target of a KPI for an employee over a period; #N/A when there is no target.",
          "Tỷ lệ hoàn thành (thực hiện ÷ chỉ tiêu) của một KPI của nhân viên trong một kỳ; "
          "#N/A khi không có chỉ tiêu."},
         {kCaller, kEmployee, kKpi, kPeriod}},
        {FunctionId::Projected, "kpiProjected", "KPI.PROJECTED", kCategory,
         {"The run-rate projection of a KPI for an employee to the end of a period.",
          "Dự báo của một KPI của nhân viên đến hết kỳ, theo tốc độ thực hiện hiện tại."},
         {kCaller, kEmployee, kKpi, kPeriod}},
        {FunctionId::Score, "kpiScore", "KPI.SCORE", kCategory,
         {"The weighted KPI score of an employee for a period (attainments capped); "
          "#N/A when the employee has no target in it.",
          "Điểm KPI có trọng số của nhân viên trong một kỳ (tỷ lệ hoàn thành có giới hạn trên); "
          "#N/A khi nhân viên không có chỉ tiêu trong kỳ."},
         {kCaller, kEmployee, kPeriod}},
        {FunctionId::Detail, "kpiDetail", "KPI.DETAIL", kCategory,
         {"As an array: the orders, visits or outlets behind a KPI figure, one per row after a header "
          "row (date, reference, outlet, outlet name, employee, value).",
          "Dạng mảng: các đơn hàng, lượt viếng thăm hoặc điểm bán tạo nên số liệu KPI, mỗi dòng một mục "
          "sau dòng tiêu đề (ngày, mã chứng từ, điểm bán, tên điểm bán, nhân viên, giá trị)."},
         {kCaller, kEmployee, kKpi, kPeriod}},
        {FunctionId::AsOf, "kpiAsOf", "KPI.ASOF", kCategory,
         {"The date and time of the newest approved order or visit in the data that the KPI figures reflect.",
          "Ngày giờ của đơn hàng đã duyệt hoặc lượt viếng thăm mới nhất trong dữ liệu mà các số liệu KPI phản ánh."},
         {kCaller}},
        {FunctionId::Status, "kpiStatus", "KPI.STATUS", kCategory,
         {"Text: which SalesKPI store the figures come from, its state (loading, ready, stale, "
          "unavailable) and why, the last refresh, and which pay periods are closed.",
          "Văn bản: kho dữ liệu SalesKPI nào cung cấp số liệu, trạng thái (đang nạp, sẵn sàng, cũ, "
          "không dùng được) và lý do, lần làm mới gần nhất, và kỳ trả thưởng nào đã chốt."},
         {kCaller, kStatusPeriod}},
        {FunctionId::Period, "kpiPeriod", "KPI.PERIOD", kCategory,
         {"The period a calendar word means on the date SalesKPI takes for today, as text: "
          "KPI.PERIOD(\"last_month\") gives 2026-10 in November 2026. It moves when the date does.",
          "Kỳ mà một từ chỉ lịch có nghĩa vào ngày SalesKPI coi là hôm nay, dạng văn bản: "
          "KPI.PERIOD(\"last_month\") cho 2026-10 trong tháng 11/2026. Kết quả đổi theo ngày."},
         {kCaller, kWhich}},
        {FunctionId::Payout, "kpiPayout", "KPI.PAYOUT", kCategory,
         {"The employee's reward for a pay period under their plans, in whole VND, adjustments of earlier closed "
          "periods included; with a KPI, that component's amount. A closed period gives what was frozen. "
          "#N/A when no plan applies.",
          "Tiền thưởng của nhân viên trong một kỳ trả thưởng theo các cơ chế thưởng của họ, làm tròn đến đồng, "
          "gồm các khoản điều chỉnh của kỳ đã chốt trước; khi có KPI: số tiền của thành phần đó. Kỳ đã chốt cho "
          "số liệu đã chốt. #N/A khi không có cơ chế thưởng nào áp dụng."},
         {kCaller, kPayee, kPayPeriod, kComponent}},
        {FunctionId::Factor, "kpiFactor", "KPI.FACTOR", kCategory,
         {"What-if: the payout factor that the curve of a plan's KPI component gives an attainment: 0 below the "
          "first point, the last factor from the last point on, in between linear or in steps as the plan says.",
          "Thử tình huống: hệ số thưởng mà đường cong của thành phần KPI trong cơ chế thưởng cho một tỷ lệ hoàn "
          "thành: 0 dưới điểm đầu, hệ số cuối từ điểm cuối trở đi, ở giữa tuyến tính hoặc bậc thang theo cơ chế."},
         {kCaller, kPlan, kPlanKpi, kAttainment}},
    };
}

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view idlTypeOf(ArgumentType type) {
    switch (type) {
        case ArgumentType::Caller: return "com::sun::star::beans::XPropertySet";
        case ArgumentType::Text: return "string";
        case ArgumentType::Value: return "any";
        case ArgumentType::Number: return "double";
    }
    return "any";
}

std::string_view typeName(ArgumentType type) {
    switch (type) {
        case ArgumentType::Caller: return "caller";
        case ArgumentType::Text: return "text";
        case ArgumentType::Value: return "value";
        case ArgumentType::Number: return "number";
    }
    return "value";
}

std::string jsonString(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                    out += buffer;
                } else {
                    out += c;  // UTF-8 passes through
                }
        }
    }
    return out + "\"";
}

std::string jsonText(const LocalizedText& text) {
    return "{\"en\": " + jsonString(text.english) + ", \"vi\": " + jsonString(text.vietnamese) + "}";
}

}  // namespace

const std::vector<FunctionSpec>& functionCatalog() {
    static const std::vector<FunctionSpec> catalog = makeCatalog();
    return catalog;
}

const FunctionSpec* findFunction(std::string_view programmaticName) {
    for (const auto& spec : functionCatalog())
        if (spec.programmaticName == programmaticName) return &spec;
    return nullptr;
}

const FunctionSpec* findFunctionByDisplayName(std::string_view displayName) {
    for (const auto& spec : functionCatalog())
        if (equalsIgnoringAsciiCase(spec.displayName, displayName)) return &spec;
    return nullptr;
}

const FunctionSpec& specOf(FunctionId id) {
    for (const auto& spec : functionCatalog())
        if (spec.id == id) return spec;
    throw std::logic_error("function missing from the catalog");
}

Language languageOf(std::string_view languageCode) {
    const auto primary = languageCode.substr(0, languageCode.find_first_of("-_"));
    return equalsIgnoringAsciiCase(primary, "vi") ? Language::Vietnamese : Language::English;
}

std::string interfaceIdl() {
    std::string idl =
        "// Generated from addin/src/function_catalog.cpp by saleskpi-idl. Do not edit.\n"
        "// The SalesKPI spreadsheet functions (SPEC 8). Every method is a Calc function;\n"
        "// its name is stored in documents, so never rename one.\n"
        "\n"
        "module org { module saleskpi {\n"
        "\n"
        "interface ";
    idl += kInterfaceName;
    idl += "\n{\n";
    for (const auto& spec : functionCatalog()) {
        idl += "    any ";
        idl += spec.programmaticName;
        idl += "(";
        bool first = true;
        for (const auto& argument : spec.arguments) {
            if (!first) idl += ", ";
            first = false;
            idl += "[in] ";
            idl += idlTypeOf(argument.type);
            idl += " ";
            idl += argument.idlName;
        }
        idl += ")\n        raises (com::sun::star::lang::IllegalArgumentException);\n";
    }
    idl += "};\n\n}; };\n";
    return idl;
}

std::string catalogJson() {
    std::string json = "{\n  \"service\": " + jsonString(kServiceName) + ",\n  \"interface\": " +
                       jsonString(std::string(kInterfaceModule) + "::" + std::string(kInterfaceName)) +
                       ",\n  \"functions\": [\n";
    bool firstFunction = true;
    for (const auto& spec : functionCatalog()) {
        if (!firstFunction) json += ",\n";
        firstFunction = false;
        json += "    {\"programmatic_name\": " + jsonString(spec.programmaticName) +
                ", \"display_name\": " + jsonString(spec.displayName) + ", \"category\": " +
                jsonString(spec.category) + ",\n     \"description\": " + jsonText(spec.description) +
                ",\n     \"arguments\": [";
        bool firstArgument = true;
        for (const auto& argument : spec.arguments) {
            if (!firstArgument) json += ",";
            firstArgument = false;
            json += "\n       {\"idl_name\": " + jsonString(argument.idlName) + ", \"type\": " +
                    jsonString(typeName(argument.type)) + ", \"idl_type\": " +
                    jsonString(idlTypeOf(argument.type)) + ", \"name\": " + jsonText(argument.name) +
                    ", \"description\": " + jsonText(argument.description) + "}";
        }
        json += "]}";
    }
    json += "\n  ]\n}\n";
    return json;
}

}  // namespace saleskpi::addin
