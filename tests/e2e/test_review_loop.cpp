// The reviewer played from the truth (scripts/measure-review-loop.sh): on the sample project,
// every damage ends accepted or rejected as the truth says, and each missed defect is added
// through the app's own placement code where the truth lies on the map.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"
#include "truth_reviewer.hpp"

#include "voirie/core/evaluation/damage_evaluation.hpp"

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;

TEST(ReviewLoop, TheTruthReviewerAcceptsRejectsAndAddsWhereTheTruthIs)
{
    const fs::path survey = cachedSampleSurvey();
    TempDir dir;
    const fs::path project = dir / "project.gpkg";
    fs::copy_file(cachedSampleProject(), project);
    const long long damages = sqlNumber(project, "SELECT COUNT(*) FROM damages");
    auto before = evaluateDamages(project, survey / "ground_truth.geojson", {});
    ASSERT_TRUE(before.ok()) << before.error();

    auto summary = reviewFromTruth(project, survey, {VOIRIE_BUILTIN_PLUGIN_DIR});
    ASSERT_TRUE(summary.ok()) << summary.error();
    EXPECT_EQ(summary->accepted + summary->rejected, damages);
    EXPECT_EQ(summary->accepted, int(before->matches.size()));
    EXPECT_EQ(sqlNumber(project, "SELECT COUNT(*) FROM damages WHERE review_state = 'unreviewed'"), 0);
    EXPECT_EQ(sqlNumber(project, "SELECT COUNT(*) FROM damages WHERE review_state = 'added'"), summary->added);
    EXPECT_EQ(sqlNumber(project, "SELECT COUNT(*) FROM damages WHERE review_state = 'added' AND plugins = 'reviewer'"),
              summary->added);
    // The classical detectors miss some of the sample's 12 defects: drawn, they must be found.
    const int truths = before->scores.overall().tp + before->scores.overall().fn;
    ASSERT_GT(truths - int(before->matches.size()), 0) << "nothing missed: the test would prove nothing";
    EXPECT_GT(summary->added, 0);
    EXPECT_LE(summary->missed_unseen, 2);

    // Scored again, every added damage is where its true defect is (within the 2 m match), of
    // its class: recall rises by exactly what was added.
    auto after = evaluateDamages(project, survey / "ground_truth.geojson", {});
    ASSERT_TRUE(after.ok()) << after.error();
    EXPECT_EQ(int(after->matches.size()), int(before->matches.size()) + summary->added);
    EXPECT_EQ(sqlNumber(project, "SELECT COUNT(*) FROM review_log WHERE field = 'review_state' AND new_value = 'added'"),
              summary->added);
}
