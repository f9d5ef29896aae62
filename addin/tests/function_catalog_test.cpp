#include "function_catalog.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace saleskpi::addin {
namespace {

TEST(FunctionCatalog, HasEveryFunctionOfTheSpecOnceAndThePeriodWordsFunction) {
    std::multiset<std::string> names;
    for (const auto& spec : functionCatalog()) names.insert(std::string(spec.displayName));
    // KPI.PERIOD is the project's own (docs/calc-functions.md): templates use
    // it for "last month" on the date SalesKPI takes for today.
    EXPECT_EQ(names, (std::multiset<std::string>{"KPI.ACTUAL", "KPI.TARGET", "KPI.ATTAINMENT", "KPI.PROJECTED",
                                                 "KPI.SCORE", "KPI.DETAIL", "KPI.ASOF", "KPI.STATUS",
                                                 "KPI.PERIOD", "KPI.PAYOUT", "KPI.FACTOR"}));
}

TEST(FunctionCatalog, PutsEveryFunctionInOneOfCalcsOwnCategories) {
    for (const auto& spec : functionCatalog()) EXPECT_EQ(spec.category, "Add-In") << spec.displayName;
}

TEST(FunctionCatalog, DescribesEveryFunctionAndVisibleArgumentInBothLanguages) {
    for (const auto& spec : functionCatalog()) {
        EXPECT_FALSE(spec.description.english.empty()) << spec.displayName;
        EXPECT_FALSE(spec.description.vietnamese.empty()) << spec.displayName;
        EXPECT_NE(spec.description.english, spec.description.vietnamese) << spec.displayName;
        for (const auto& argument : spec.arguments) {
            if (argument.type == ArgumentType::Caller) continue;
            EXPECT_FALSE(argument.name.english.empty()) << spec.displayName << " " << argument.idlName;
            EXPECT_FALSE(argument.name.vietnamese.empty()) << spec.displayName << " " << argument.idlName;
            EXPECT_FALSE(argument.description.english.empty()) << spec.displayName << " " << argument.idlName;
            EXPECT_FALSE(argument.description.vietnamese.empty()) << spec.displayName << " " << argument.idlName;
        }
    }
}

TEST(FunctionCatalog, PassesTheCallingDocumentFirstAndHidden) {
    for (const auto& spec : functionCatalog()) {
        ASSERT_FALSE(spec.arguments.empty()) << spec.displayName;
        EXPECT_EQ(spec.arguments.front().type, ArgumentType::Caller) << spec.displayName;
        for (std::size_t i = 1; i < spec.arguments.size(); ++i)
            EXPECT_NE(spec.arguments[i].type, ArgumentType::Caller) << spec.displayName;
    }
}

TEST(FunctionCatalog, MakesOnlyPeriodsAndThePayoutsComponentOptional) {
    for (const auto& spec : functionCatalog())
        for (const auto& argument : spec.arguments) {
            const bool optional = argument.idlName == "period" || argument.idlName == "which" ||
                                  (spec.id == FunctionId::Payout && argument.idlName == "kpi");
            EXPECT_EQ(argument.type == ArgumentType::Value, optional) << spec.displayName << " " << argument.idlName;
        }
}

TEST(FunctionCatalog, DeclaresPayoutAndFactorAsSpecEightSaysAndStatusWithAnOptionalPeriod) {
    const auto names = [](const FunctionSpec& spec) {
        std::string text;
        for (const auto& argument : spec.arguments)
            if (argument.type != ArgumentType::Caller) text += std::string(argument.name.english) + ";";
        return text;
    };
    EXPECT_EQ(names(specOf(FunctionId::Payout)), "employee;period;kpi;");
    EXPECT_EQ(names(specOf(FunctionId::Factor)), "plan;kpi;attainment;");
    EXPECT_EQ(names(specOf(FunctionId::Status)), "period;");
    EXPECT_EQ(specOf(FunctionId::Factor).arguments.back().type, ArgumentType::Number);
    const std::string idl = interfaceIdl();
    EXPECT_NE(idl.find("any kpiPayout([in] com::sun::star::beans::XPropertySet document, [in] string employee, "
                       "[in] any period, [in] any kpi)"),
              std::string::npos)
        << idl;
    EXPECT_NE(idl.find("any kpiFactor([in] com::sun::star::beans::XPropertySet document, [in] string plan, "
                       "[in] string kpi, [in] double attainment)"),
              std::string::npos)
        << idl;
}

TEST(FunctionCatalog, FindsFunctionsByProgrammaticNameAndCaseInsensitiveDisplayName) {
    ASSERT_NE(findFunction("kpiActual"), nullptr);
    EXPECT_EQ(findFunction("kpiActual")->displayName, "KPI.ACTUAL");
    EXPECT_EQ(findFunction("KPIACTUAL"), nullptr);
    ASSERT_NE(findFunctionByDisplayName("kpi.attainment"), nullptr);
    EXPECT_EQ(findFunctionByDisplayName("kpi.attainment")->programmaticName, "kpiAttainment");
    EXPECT_EQ(findFunctionByDisplayName("KPI.NOPE"), nullptr);
}

TEST(FunctionCatalog, ReadsVietnameseFromTheLanguageCode) {
    EXPECT_EQ(languageOf("vi"), Language::Vietnamese);
    EXPECT_EQ(languageOf("vi-VN"), Language::Vietnamese);
    EXPECT_EQ(languageOf("en"), Language::English);
    EXPECT_EQ(languageOf("en-US"), Language::English);
    EXPECT_EQ(languageOf(""), Language::English);
    EXPECT_EQ(languageOf("vie"), Language::English);
}

TEST(FunctionCatalog, GeneratesOneIdlMethodPerFunctionWithTheCatalogsArguments) {
    const std::string idl = interfaceIdl();
    EXPECT_NE(idl.find("interface XKpiFunctions"), std::string::npos);
    EXPECT_NE(idl.find("any kpiActual([in] com::sun::star::beans::XPropertySet document, [in] string employee, "
                       "[in] string kpi, [in] any period)"),
              std::string::npos)
        << idl;
    EXPECT_NE(idl.find("any kpiStatus([in] com::sun::star::beans::XPropertySet document, [in] any period)"),
              std::string::npos);
    std::size_t methods = 0;
    for (auto at = idl.find("raises"); at != std::string::npos; at = idl.find("raises", at + 1)) ++methods;
    EXPECT_EQ(methods, functionCatalog().size());
}

TEST(FunctionCatalog, DumpsVietnameseTextAsUtf8Json) {
    const std::string json = catalogJson();
    EXPECT_NE(json.find("\"display_name\": \"KPI.DETAIL\""), std::string::npos);
    EXPECT_NE(json.find("nhân_viên"), std::string::npos);
}

}  // namespace
}  // namespace saleskpi::addin
