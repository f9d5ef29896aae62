#include "rewards/schema.hpp"

#include "store/database.hpp"

namespace kpi::rewards::schema {
namespace {

struct Audited {
    const char* table;
    const char* subject;
    std::string (*state)(const std::string&, const sql::Database*);
    // The columns giving the audit row's plan_code, kpi_code, employee_code and
    // valid_from (nullptr: NULL).
    const char* keys[4];
};

std::string keysOf(const Audited& a, const std::string& row) {
    std::string text;
    for (const char* column : a.keys) {
        if (!text.empty()) text += ", ";
        text += column ? row + "." + column : std::string("NULL");
    }
    return text;
}

const Audited kAudited[] = {
    {"plans", "plan", planState, {"code", nullptr, nullptr, nullptr}},
    {"plan_components", "component", componentState, {"plan_code", "kpi_code", nullptr, nullptr}},
    {"plan_assignments", "assignment", assignmentState, {"plan_code", nullptr, "employee_code", "valid_from"}},
};

}  // namespace

std::string planState(const std::string& row, const sql::Database* db) {
    const auto real = [&](const std::string& x) { return db ? db->realTextSql(x) : x; };
    return "'name_vi=' || " + row + ".name_vi || ';name_en=' || " + row + ".name_en || ';period_type=' || " + row +
           ".period_type || ';gate_kpi=' || coalesce(" + row + ".gate_kpi, '') || ';gate_min=' || coalesce(" + real(row +
           ".gate_min") + ", '') || ';curve_mode=' || " + row + ".curve_mode";
}

std::string componentState(const std::string& row, const sql::Database* db) {
    const std::string weight = row + ".weight";
    return "'weight=' || " + (db ? db->realTextSql(weight) : weight) + " || ';curve=' || " + row + ".curve";
}

std::string assignmentState(const std::string& row, const sql::Database* db) {
    const std::string incentive = row + ".incentive";
    return "'valid_to=' || " + row + ".valid_to || ';incentive=' || " + (db ? db->realTextSql(incentive) : incentive);
}

std::string auditKeys(const std::string& table, const std::string& row) {
    for (const Audited& a : kAudited)
        if (table == a.table) return keysOf(a, row);
    return "NULL, NULL, NULL, NULL";
}

bool hasTables(sql::Database& db) { return db.hasTable("closes"); }

}  // namespace kpi::rewards::schema
