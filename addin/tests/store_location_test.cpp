#include "store_location.hpp"

#include <gtest/gtest.h>

namespace saleskpi::addin {
namespace {

TEST(StoreLocation, PrefersTheDocumentPropertyOverTheOptionAndTheEnvironment) {
    const auto location = resolveStoreLocation({"/data/doc.sqlite", "/home/u/docs", "/data/option.sqlite", "/data/env.sqlite"});
    EXPECT_EQ(location.path, "/data/doc.sqlite");
    EXPECT_EQ(location.source, "document property KPIStore");
    EXPECT_TRUE(location.problem.empty());
}

TEST(StoreLocation, ReadsARelativeDocumentPropertyFromTheDocumentsFolder) {
    const auto location = resolveStoreLocation({"../stores/./kpi.sqlite", "/home/u/docs", "", ""});
    EXPECT_EQ(location.path, "/home/u/stores/kpi.sqlite");
}

TEST(StoreLocation, ReportsARelativeDocumentPropertyOfAnUnsavedDocument) {
    const auto location = resolveStoreLocation({"kpi.sqlite", std::nullopt, "/data/option.sqlite", ""});
    EXPECT_TRUE(location.path.empty());
    EXPECT_NE(location.problem.find("not saved"), std::string::npos);
}

TEST(StoreLocation, FallsBackToTheOptionThenTheEnvironment) {
    EXPECT_EQ(resolveStoreLocation({"", "/home/u", "/data/option.sqlite", "/data/env.sqlite"}).path,
              "/data/option.sqlite");
    const auto fromEnvironment = resolveStoreLocation({"", "/home/u", "", "/data/env.sqlite"});
    EXPECT_EQ(fromEnvironment.path, "/data/env.sqlite");
    EXPECT_EQ(fromEnvironment.source, "environment variable KPI_STORE");
}

TEST(StoreLocation, SaysHowToConfigureAStoreWhenThereIsNone) {
    const auto location = resolveStoreLocation({"", std::nullopt, "", ""});
    EXPECT_TRUE(location.path.empty());
    EXPECT_NE(location.problem.find("KPIStore"), std::string::npos);
    EXPECT_NE(location.problem.find("KPI_STORE"), std::string::npos);
}

TEST(StoreLocation, GivesOneKeyPerStorePath) {
    EXPECT_EQ(resolveStoreLocation({"/data/./kpi.sqlite", std::nullopt, "", ""}).key(),
              resolveStoreLocation({"", std::nullopt, "/data/kpi.sqlite", ""}).key());
    EXPECT_NE(resolveStoreLocation({"", std::nullopt, "", ""}).key(),
              resolveStoreLocation({"", std::nullopt, "", "/data/kpi.sqlite"}).key());
}

TEST(StoreLocation, TakesAPostgresLocationAsGivenFromEverySource) {
    const auto uri = resolveStoreLocation({"postgresql://kpi@db.example/kpi", "/home/u/docs", "/data/x.sqlite", ""});
    EXPECT_TRUE(uri.postgres);
    EXPECT_EQ(uri.path.string(), "postgresql://kpi@db.example/kpi");
    EXPECT_EQ(uri.source, "document property KPIStore");
    EXPECT_TRUE(uri.problem.empty());
    // A conninfo is not a relative path, even in an unsaved document.
    const auto service = resolveStoreLocation({"service=kpi", std::nullopt, "", ""});
    EXPECT_TRUE(service.postgres);
    EXPECT_EQ(service.path.string(), "service=kpi");
    const auto option = resolveStoreLocation({"", std::nullopt, "host=/run/pg dbname=kpi", "/data/env.sqlite"});
    EXPECT_TRUE(option.postgres);
    EXPECT_EQ(option.path.string(), "host=/run/pg dbname=kpi");
    EXPECT_EQ(option.source, "SalesKPI option StorePath");
    const auto environment = resolveStoreLocation({"", std::nullopt, "", "postgres://h/kpi"});
    EXPECT_TRUE(environment.postgres);
    EXPECT_EQ(environment.source, "environment variable KPI_STORE");
    // A path stays a path, '=' or not.
    const auto path = resolveStoreLocation({"", std::nullopt, "/data/a=b.sqlite", ""});
    EXPECT_FALSE(path.postgres);
    EXPECT_EQ(path.path, "/data/a=b.sqlite");
    EXPECT_NE(uri.key(), service.key());
}

TEST(StoreLocation, RefusesAPostgresLocationHoldingAPasswordInEnglishAndVietnamese) {
    for (const std::string text : {"host=db dbname=kpi password=secret", "postgresql://kpi:secret@db/kpi",
                                   "postgres://db/kpi?password=secret"}) {
        const auto location = resolveStoreLocation({text, std::nullopt, "/data/option.sqlite", ""});
        EXPECT_TRUE(location.path.empty()) << text;
        EXPECT_FALSE(location.postgres);
        EXPECT_EQ(location.source, "document property KPIStore");
        for (const Language language : {Language::English, Language::Vietnamese}) {
            const std::string& problem = location.problemIn(language);
            EXPECT_NE(problem.find("~/.pgpass"), std::string::npos) << problem;
            EXPECT_NE(problem.find("pg_service.conf"), std::string::npos) << problem;
            EXPECT_EQ(problem.find("secret"), std::string::npos) << "the password shows: " << problem;
        }
        EXPECT_NE(location.problemIn(Language::English).find("the document property KPIStore holds a PostgreSQL password"),
                  std::string::npos);
        EXPECT_NE(location.problemIn(Language::Vietnamese).find("thuộc tính tài liệu KPIStore chứa mật khẩu PostgreSQL"),
                  std::string::npos)
            << location.problemIn(Language::Vietnamese);
        EXPECT_NE(location.key().find("?"), std::string::npos);
    }
    const auto fromOption = resolveStoreLocation({"", std::nullopt, "password=x host=db", ""});
    EXPECT_NE(fromOption.problem.find("the SalesKPI option StorePath holds a PostgreSQL password"), std::string::npos);
    EXPECT_NE(fromOption.problemIn(Language::Vietnamese).find("tùy chọn StorePath"), std::string::npos);
    const auto fromEnvironment = resolveStoreLocation({"", std::nullopt, "", "postgresql://u:p@h/kpi"});
    EXPECT_NE(fromEnvironment.problem.find("environment variable KPI_STORE"), std::string::npos);
}

TEST(StoreLocation, SaysWhyTheOptionsPageRefusesALocation) {
    EXPECT_EQ(storeLocationProblem("/data/kpi.sqlite", Language::English), "");
    EXPECT_EQ(storeLocationProblem("service=kpi", Language::English), "");
    EXPECT_EQ(storeLocationProblem("", Language::English), "");
    const std::string english = storeLocationProblem("host=db password=secret", Language::English);
    EXPECT_EQ(english.rfind("This location holds a PostgreSQL password", 0), 0u) << english;
    EXPECT_NE(english.find("~/.pgpass"), std::string::npos);
    const std::string vietnamese = storeLocationProblem("host=db password=secret", Language::Vietnamese);
    EXPECT_EQ(vietnamese.rfind("Địa chỉ này chứa mật khẩu PostgreSQL", 0), 0u) << vietnamese;
    EXPECT_NE(vietnamese.find("pg_service.conf"), std::string::npos);
}

TEST(RefreshInterval, TakesTheEnvironmentThenTheOptionThenFiveMinutes) {
    EXPECT_EQ(refreshInterval("2", 60), std::chrono::seconds(2));
    EXPECT_EQ(refreshInterval("", 60), std::chrono::seconds(60));
    EXPECT_EQ(refreshInterval("", 0), std::chrono::seconds(300));
}

TEST(RefreshInterval, IgnoresAnEnvironmentValueThatIsNotAPositiveInteger) {
    EXPECT_EQ(refreshInterval("0", 60), std::chrono::seconds(60));
    EXPECT_EQ(refreshInterval("-5", 60), std::chrono::seconds(60));
    EXPECT_EQ(refreshInterval("soon", 0), std::chrono::seconds(300));
    EXPECT_EQ(refreshInterval("99999999999999", 0), std::chrono::seconds(300));
}

}  // namespace
}  // namespace saleskpi::addin
