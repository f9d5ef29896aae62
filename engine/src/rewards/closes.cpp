#include "rewards/closes.hpp"

#include <algorithm>
#include <map>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi_types.hpp"
#include "rewards/plan.hpp"
#include "rewards/schema.hpp"
#include "store/database.hpp"

namespace kpi::rewards {
namespace {

void requireTables(sql::Database& db) {
    if (!schema::hasTables(db))
        throw Error(Error::Kind::Corruption,
                    "store " + db.path().string() + " has no reward tables yet; run `kpi init` to upgrade it");
}

std::string localNow(sql::Database& db) {
    auto st = db.prepare("SELECT " + db.nowSql());
    st.step();
    return std::string(st.text(0));
}

void bindOptional(sql::Statement& st, int index, const std::optional<double>& value) {
    if (value) st.bind(index, *value);
    else st.bindNull(index);
}

void logChange(sql::Database& db) { db.exec("INSERT INTO changes(source) VALUES('closes')"); }

void recordEvent(sql::Database& db, const std::string& when, const std::string& who, const char* action,
                 const Period& p, const std::string& reason) {
    auto st = db.prepare(
        "INSERT INTO close_history(changed_at, changed_by, action, period_type, period_start, period_end, reason) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    st.bind(1, when).bind(2, who).bind(3, std::string_view(action)).bind(4, periodTypeName(p.type));
    st.bind(5, formatDay(p.first)).bind(6, formatDay(p.last)).bindOptional(7, reason);
    st.run();
}

}  // namespace

CloseSummary closePeriod(sql::Database& db, const Period& p, const std::string& user) {
    const std::string name = formatPeriod(p);
    if (!isPayPeriodType(p.type))
        throw Error(Error::Kind::InvalidArgument,
                    "only a pay period can be closed: a MONTH, QUARTER or YEAR (e.g. 2026-11), not '" + name + "'");
    const Day now = today();
    if (p.last >= now)
        throw Error(Error::Kind::InvalidArgument, name + " has not ended: it ends on " + formatDay(p.last) +
                                                      " and today is " + formatDay(now));
    requireTables(db);
    // BEGIN IMMEDIATE: no other writer commits until this close has, so the
    // figures read below are the store's as it is when the close commits.
    sql::Transaction tx(db);
    const auto closed = closedPeriods(db);
    for (const ClosedPeriod& c : closed) {
        if (c.period == p)
            throw Error(Error::Kind::InvalidArgument,
                        name + " is closed already (by " + c.closedBy + " at " + c.closedAt + ")");
        if (c.period.type == p.type && c.period.first > p.first)
            throw Error(Error::Kind::InvalidArgument, name + " lies before " + formatPeriod(c.period) +
                                                          ", which is closed; reopen that one first");
    }
    Engine engine(db.path(), payoutWindow(closed, p));
    const auto reportRows = engine.report(ReportQuery{p, std::nullopt, std::string(), now, true});
    const auto payoutRows = engine.payout(PayoutQuery{p, std::string(), false});
    std::map<std::string, double, std::less<>> caps;
    for (const KpiInfo& k : engine.kpis()) caps[k.code] = k.cap;

    CloseSummary summary;
    summary.closed = {p, localNow(db), user};
    auto insertClose = db.prepare(
        "INSERT INTO closes(period_type, period_start, period_end, closed_at, closed_by) VALUES(?1, ?2, ?3, ?4, ?5) "
        "RETURNING seq");
    insertClose.bind(1, periodTypeName(p.type)).bind(2, formatDay(p.first)).bind(3, formatDay(p.last));
    insertClose.bind(4, summary.closed.closedAt).bind(5, user);
    insertClose.step();
    const std::int64_t seq = insertClose.int64(0);
    insertClose.run();

    auto report = db.prepare(
        "INSERT INTO frozen_report_rows(close_seq, employee_code, kpi_code, period_start, period_end, actual, target, "
        "attainment, projected, weight, cap) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    for (const ReportRow& r : reportRows) {
        report.reset();
        report.bind(1, seq).bind(2, r.employeeCode).bind(3, r.kpiCode).bind(4, formatDay(r.period.first));
        report.bind(5, formatDay(r.period.last)).bind(6, r.actual);
        bindOptional(report, 7, r.target);
        bindOptional(report, 8, r.attainment);
        report.bind(9, r.projected).bind(10, r.weight);
        auto cap = caps.find(r.kpiCode);
        report.bind(11, cap != caps.end() ? cap->second : kDefaultCap);
        report.run();
    }
    summary.reportRows = static_cast<long long>(reportRows.size());

    auto payout = db.prepare(
        "INSERT INTO frozen_payout_rows(close_seq, row_no, employee_code, plan_code, period_start, period_end, kind, "
        "kpi_code, attainment, factor, incentive, amount, actual, target, weight, gate_min, block_incentive, "
        "full_incentive, working_days, full_working_days) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
    std::int64_t rowNo = 0;
    for (const PayoutRow& r : payoutRows) {
        payout.reset();
        payout.bind(1, seq).bind(2, ++rowNo).bind(3, r.employeeCode).bind(4, r.planCode);
        payout.bind(5, formatDay(r.period.first)).bind(6, formatDay(r.period.last)).bind(7, payoutKindName(r.kind));
        payout.bindOptional(8, r.kpiCode);
        bindOptional(payout, 9, r.attainment);
        bindOptional(payout, 10, r.factor);
        bindOptional(payout, 11, r.incentive);
        if (r.amount) payout.bind(12, static_cast<std::int64_t>(*r.amount));
        else payout.bindNull(12);
        bindOptional(payout, 13, r.actual);
        bindOptional(payout, 14, r.target);
        bindOptional(payout, 15, r.weight);
        bindOptional(payout, 16, r.gateMinimum);
        bindOptional(payout, 17, r.blockIncentive);
        bindOptional(payout, 18, r.fullIncentive);
        payout.bind(19, r.workingDays).bind(20, r.fullWorkingDays);
        payout.run();
        if (r.kind == PayoutKind::Adjustment) {
            ++summary.adjustments;
            summary.adjustmentAmount += r.amount.value_or(0);
        }
        if (r.kind == PayoutKind::Total) summary.total += r.amount.value_or(0);
    }
    summary.payoutRows = static_cast<long long>(payoutRows.size());
    recordEvent(db, summary.closed.closedAt, user, "close", p, "");
    logChange(db);
    tx.commit();
    return summary;
}

ClosedPeriod reopenPeriod(sql::Database& db, const Period& p, const std::string& reason, const std::string& user) {
    const std::string name = formatPeriod(p);
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(Error::Kind::InvalidArgument, "reopening " + name + " needs a reason");
    requireTables(db);
    sql::Transaction tx(db);
    const auto closed = closedPeriods(db);  // in the order they were closed
    auto it = std::find_if(closed.begin(), closed.end(), [&](const ClosedPeriod& c) { return c.period == p; });
    if (it == closed.end()) throw Error(Error::Kind::InvalidArgument, name + " is not closed");
    if (it + 1 != closed.end())
        throw Error(Error::Kind::InvalidArgument, name + " was not the last period closed: " +
                                                      formatPeriod(closed.back().period) + " (closed by " +
                                                      closed.back().closedBy + " at " + closed.back().closedAt +
                                                      ") must be reopened first");
    auto st = db.prepare("SELECT seq FROM closes WHERE period_type = ?1 AND period_start = ?2");
    st.bind(1, periodTypeName(p.type)).bind(2, formatDay(p.first));
    st.step();
    const std::int64_t seq = st.int64(0);
    for (const char* table : {"frozen_report_rows", "frozen_payout_rows"}) {
        auto del = db.prepare(std::string("DELETE FROM ") + table + " WHERE close_seq = ?1");
        del.bind(1, seq).run();
    }
    auto del = db.prepare("DELETE FROM closes WHERE seq = ?1");
    del.bind(1, seq).run();
    recordEvent(db, localNow(db), user, "reopen", p, reason);
    logChange(db);
    tx.commit();
    return *it;
}

std::vector<ClosedPeriod> closedPeriods(sql::Database& db) {
    std::vector<ClosedPeriod> out;
    if (!schema::hasTables(db)) return out;
    auto st = db.prepare("SELECT period_type, period_start, period_end, closed_at, closed_by FROM closes ORDER BY seq");
    while (st.step()) {
        auto type = parsePeriodType(st.text(0));
        auto first = parseDay(st.text(1)), last = parseDay(st.text(2));
        if (type && first && last) out.push_back({Period{*type, *first, *last}, std::string(st.text(3)), std::string(st.text(4))});
    }
    return out;
}

std::vector<CloseEvent> closeHistory(sql::Database& db) {
    std::vector<CloseEvent> out;
    if (!schema::hasTables(db)) return out;
    auto st = db.prepare(
        "SELECT changed_at, changed_by, action, period_type, period_start, period_end, coalesce(reason, '') FROM "
        "close_history ORDER BY id");
    while (st.step()) {
        auto type = parsePeriodType(st.text(3));
        auto first = parseDay(st.text(4)), last = parseDay(st.text(5));
        if (!type || !first || !last) continue;
        out.push_back({std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)),
                       Period{*type, *first, *last}, std::string(st.text(6))});
    }
    return out;
}

std::vector<PlanEdit> planHistory(sql::Database& db, const std::string& planCode, const std::string& employeeCode) {
    std::vector<PlanEdit> out;
    if (!schema::hasTables(db)) return out;
    auto st = db.prepare(
        "SELECT changed_at, changed_by, action, subject, plan_code, coalesce(kpi_code, ''), coalesce(employee_code, ''), "
        "coalesce(valid_from, ''), coalesce(before, ''), coalesce(after, '') FROM plan_history WHERE (?1 = '' OR "
        "plan_code = ?1) AND (?2 = '' OR employee_code = ?2) ORDER BY id");
    st.bind(1, planCode).bind(2, employeeCode);
    while (st.step()) {
        PlanEdit e;
        e.when = st.text(0);
        e.who = st.text(1);
        e.action = st.text(2);
        e.subject = st.text(3);
        e.planCode = st.text(4);
        e.kpiCode = st.text(5);
        e.employeeCode = st.text(6);
        e.validFrom = st.text(7);
        e.before = st.text(8);
        e.after = st.text(9);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace kpi::rewards
