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
