// rateProject on a project written through the store: segments along the drive, the damages in
// each, and a reviewer's rejection taken into account when rated again.
#include "small_project.hpp"

#include "voirie/core/project/project_review.hpp"
#include "voirie/core/rating/rated_segments.hpp"
#include "voirie/core/rating/segment_rating.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie;
using namespace voirie::test;

std::optional<RatedProject> rated(const std::filesystem::path& p)
{
    GDALDatasetUniquePtr ds(GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    EXPECT_TRUE(ds);
    auto r = readRatedSegments(*ds, p.string());
    EXPECT_TRUE(r) << r.error();
    return r ? *r : std::nullopt;
}

TEST(RateProject, HundredMetreSegmentsHoldTheirDamages)
{
    TempDir dir;
    const auto project = dir.path() / "small.gpkg";
    writeSmallProject(project);
    RateOptions options;
    options.project = project;
    options.segment_m = 100;
    auto summary = rateProject(options);
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->scheme, "pci-proxy");
    EXPECT_EQ(summary->segments, 3);
    EXPECT_NEAR(summary->surveyed_m, 300, 3);
    EXPECT_EQ(summary->damages_rated, 3);
    EXPECT_TRUE(summary->unmatched_damages.empty());

    auto segments = rated(project);
    ASSERT_TRUE(segments);
    ASSERT_EQ(segments->segments.size(), 3u);
    const std::vector<std::vector<int64_t>> expected_ids = {{1}, {2}, {3}};
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(segments->segments[i].damage_ids, expected_ids[i]) << "segment " << i;
        EXPECT_LT(segments->segments[i].index, segments->scheme.index_max) << "a damaged segment loses points";
    }
    EXPECT_NEAR(segments->segments[0].pothole_m2, 0.36, 1e-6);
    EXPECT_NEAR(segments->segments[1].crack_m, 2.0, 1e-6);
    EXPECT_NEAR(segments->segments[2].alligator_m2, 2.25, 1e-6);
}

TEST(RateProject, ARejectedDamageNoLongerCounts)
{
    TempDir dir;
    const auto project = dir.path() / "small.gpkg";
    writeSmallProject(project);
    {
        auto review = ProjectReview::open(project);
        ASSERT_TRUE(review);
        ASSERT_TRUE((*review)->apply({2, "review_state", "unreviewed", "rejected"}));
    }
    RateOptions options;
    options.project = project;
    auto summary = rateProject(options);
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->damages_rated, 2);
    auto segments = rated(project);
    ASSERT_TRUE(segments);
    ASSERT_EQ(segments->segments.size(), 3u);
    EXPECT_TRUE(segments->segments[1].damage_ids.empty());
    EXPECT_DOUBLE_EQ(segments->segments[1].index, segments->scheme.index_max);
}

} // namespace
