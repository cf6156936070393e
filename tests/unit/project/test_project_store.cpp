// ProjectStore writes a project; the project reader (readProjectDamages, readProjectRun) reads
// it back as the app, the report, evaluation and rating see it.
#include "small_project.hpp"

#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/project/project_review.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

namespace {

using namespace voirie;
using namespace voirie::test;

GDALDatasetUniquePtr open(const std::filesystem::path& p)
{
    GDALAllRegister();
    return GDALDatasetUniquePtr(GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
}

long long sqlCount(const std::filesystem::path& p, const std::string& sql)
{
    auto ds = open(p);
    OGRLayer* result = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    OGRFeatureUniquePtr f(result ? result->GetNextFeature() : nullptr);
    const long long n = f ? f->GetFieldAsInteger64(0) : -1;
    if (result)
        ds->ReleaseResultSet(result);
    return n;
}

class ProjectStoreTest : public ::testing::Test {
protected:
    void SetUp() override { writeSmallProject(path()); }
    std::filesystem::path path() const { return dir_.path() / "small.gpkg"; }
    TempDir dir_;
};

TEST_F(ProjectStoreTest, WritesEveryLayerWithItsStyle)
{
    auto ds = open(path());
    ASSERT_TRUE(ds);
    for (const char* layer : {"track", "frames", "detections", "damages", "run", "run_inputs", "run_plugins",
                              "layer_styles"})
        EXPECT_NE(ds->GetLayerByName(layer), nullptr) << layer;
    EXPECT_EQ(ds->GetLayerByName("frames")->GetFeatureCount(), 101);
    EXPECT_EQ(ds->GetLayerByName("damages")->GetFeatureCount(), 3);
    EXPECT_TRUE(ds->GetLayerByName("damages")->GetSpatialRef()->IsGeographic());
}

TEST_F(ProjectStoreTest, DamagesReadBackAsTheyWereStored)
{
    auto ds = open(path());
    ASSERT_TRUE(ds);
    auto damages = readProjectDamages(*ds);
    ASSERT_TRUE(damages) << damages.error();
    ASSERT_EQ(damages->size(), 3u);
    const auto& expected = smallProjectDamages();
    for (size_t i = 0; i < damages->size(); ++i) {
        const ProjectDamage& d = (*damages)[i];
        SCOPED_TRACE(d.damage_id);
        EXPECT_EQ(d.damage_id, expected[i].id);
        EXPECT_EQ(d.class_code, expected[i].cls);
        EXPECT_EQ(d.severity, severityCode(expected[i].severity));
        EXPECT_FALSE(d.class_name.empty());
        EXPECT_EQ(d.review_state, "unreviewed"); // nobody reviewed it yet
        EXPECT_DOUBLE_EQ(d.confidence, 0.8);
        EXPECT_DOUBLE_EQ(d.chainage_m, expected[i].chainage_m);
        EXPECT_NEAR(d.first_seen, kSmallT0 + expected[i].chainage_m / 10.0 - 1, 0.001);
        EXPECT_NEAR(d.last_seen - d.first_seen, 1.0, 0.001);
        EXPECT_EQ(d.n_frames, 3);
        EXPECT_EQ(d.evidence_frame, int64_t(expected[i].chainage_m / 3));
        EXPECT_EQ(d.plugins, "cracks");
        EXPECT_TRUE(d.chip.empty()) << "chips are read only when asked for";
        ASSERT_TRUE(d.geometry);
        OGRPoint c;
        ASSERT_EQ(d.geometry->Centroid(&c), OGRERR_NONE);
        EXPECT_NEAR(c.getY(), kSmallLat + expected[i].chainage_m / 111195.0, 3e-5); // within 3 m
        if (d.class_code == "D00") {
            EXPECT_DOUBLE_EQ(d.length_m, 2.0);
            EXPECT_DOUBLE_EQ(d.width_mm, 8.0);
        } else {
            EXPECT_NEAR(d.area_m2, expected[i].size * expected[i].size, 1e-9);
            EXPECT_DOUBLE_EQ(d.width_mm, 0.0); // unset reads as 0
        }
    }
    auto with_chips = readProjectDamages(*ds, {/*chips=*/true, /*skip_rejected=*/false});
    ASSERT_TRUE(with_chips);
    EXPECT_EQ((*with_chips)[2].chip, std::vector<unsigned char>(64, 3));
}

TEST_F(ProjectStoreTest, RejectedDamagesAreLeftOutWhenAsked)
{
    {
        auto review = ProjectReview::open(path());
        ASSERT_TRUE(review) << review.error();
        ASSERT_TRUE((*review)->apply({2, "review_state", "unreviewed", "rejected"}));
    }
    auto ds = open(path());
    auto all = readProjectDamages(*ds);
    ASSERT_TRUE(all);
    EXPECT_EQ((*all)[1].review_state, "rejected");
    auto kept = readProjectDamages(*ds, {false, /*skip_rejected=*/true});
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->size(), 2u);
    EXPECT_EQ((*kept)[0].damage_id, 1);
    EXPECT_EQ((*kept)[1].damage_id, 3);
}

TEST_F(ProjectStoreTest, AChosenEvidenceIsWrittenWithItsChipAndLoggedAndAStaleOneRefused)
{
    auto review = ProjectReview::open(path());
    ASSERT_TRUE(review) << review.error();
    auto before = (*review)->evidence(3);
    ASSERT_TRUE(before) << before.error();
    EXPECT_EQ(before->chip, std::vector<unsigned char>(64, 3));
    Evidence chosen{before->frame + 1, 77, std::vector<unsigned char>(32, 9), ""};
    ASSERT_TRUE((*review)->setEvidence(3, *before, chosen));
    auto after = (*review)->evidence(3);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->frame, before->frame + 1);
    EXPECT_EQ(after->detection, 77);
    EXPECT_EQ(after->chip, chosen.chip);
    // Whoever still holds the old evidence is refused, and nothing changes.
    auto stale = (*review)->setEvidence(3, *before, {before->frame + 2, 78, {1}, ""});
    ASSERT_FALSE(stale);
    EXPECT_NE(stale.error().find("reopen the project"), std::string::npos) << stale.error();
    EXPECT_FALSE((*review)->setEvidence(3, *after, {before->frame + 2, 78, {}, ""})) << "no chip, no evidence";
    EXPECT_FALSE((*review)->setEvidence(99, *after, chosen)) << "no such damage";
    // Undone as an edit: the old chip back.
    ASSERT_TRUE((*review)->setEvidence(3, *after, *before, "undo"));
    EXPECT_EQ((*review)->evidence(3)->chip, before->chip);
    review->reset();
    auto ds = open(path());
    OGRLayer* log = ds->ExecuteSQL("SELECT action, old_value, new_value FROM review_log WHERE damage_id = 3 AND "
                                   "field = 'evidence_frame' ORDER BY fid",
                                   nullptr, nullptr);
    ASSERT_NE(log, nullptr);
    std::vector<std::string> rows;
    for (OGRFeatureUniquePtr f(log->GetNextFeature()); f; f.reset(log->GetNextFeature()))
        rows.push_back(std::string(f->GetFieldAsString(0)) + " " + f->GetFieldAsString(1) + "->" + f->GetFieldAsString(2));
    ds->ReleaseResultSet(log);
    const std::string from = std::to_string(before->frame), to = std::to_string(before->frame + 1);
    EXPECT_EQ(rows, (std::vector<std::string>{"edit " + from + "->" + to, "undo " + to + "->" + from}));
}

TEST_F(ProjectStoreTest, MergingJoinsFootprintsAndMeasuresAndUnmergingPutsEverythingBack)
{
    auto review = ProjectReview::open(path());
    ASSERT_TRUE(review) << review.error();
    auto mixed = (*review)->merge(1, {2});
    ASSERT_FALSE(mixed) << "an area and a crack's line are not one defect";
    EXPECT_NE(mixed.error().find("different kinds"), std::string::npos) << mixed.error();
    EXPECT_FALSE((*review)->merge(1, {1})) << "one damage is no merge";
    EXPECT_FALSE((*review)->merge(1, {42})) << "no such damage";

    auto merged = (*review)->merge(1, {3}); // a 0.6 m and a 1.5 m square, 150 m apart
    ASSERT_TRUE(merged) << merged.error();
    {
        auto ds = open(path());
        auto damages = readProjectDamages(*ds);
        ASSERT_TRUE(damages);
        ASSERT_EQ(damages->size(), 2u);
        const ProjectDamage& d = (*damages)[0];
        EXPECT_EQ(d.damage_id, 1);
        EXPECT_EQ(d.class_code, "D40") << "the kept damage's class";
        EXPECT_NEAR(d.area_m2, 0.36 + 2.25, 0.01) << "the joined footprint measured again";
        EXPECT_EQ(d.severity, "H") << "the highest";
        EXPECT_NEAR(d.first_seen, kSmallT0 + 4, 0.001);
        EXPECT_NEAR(d.last_seen, kSmallT0 + 20, 0.001);
        EXPECT_DOUBLE_EQ(d.chainage_m, 50);
        ASSERT_TRUE(d.geometry);
        EXPECT_EQ(wkbFlatten(d.geometry->getGeometryType()), wkbMultiPolygon);
        EXPECT_EQ(sqlCount(path(), "SELECT COUNT(*) FROM review_log WHERE damage_id = 3 AND field = 'merged_into' AND "
                                   "new_value = '1' AND action = 'edit'"),
                  1);
    }
    // A damage added now is not numbered 3: damage 3 was merged away and comes back by undo.
    AddedDamage drawn;
    drawn.class_code = "D40";
    drawn.footprint = std::make_shared<OGRPoint>(4.81, 45.75);
    drawn.chip = {0xff, 0xd8, 0xff, 0xd9};
    auto added = (*review)->addDamage(drawn);
    ASSERT_TRUE(added) << added.error();
    EXPECT_EQ(added->damage_id, 4);
    ASSERT_TRUE((*review)->unmerge(*merged));
    EXPECT_FALSE((*review)->unmerge(*merged)) << "undone already: damage 3 is back";
    ASSERT_TRUE((*review)->removeAdded(*added));
    review->reset();
    auto ds = open(path());
    auto damages = readProjectDamages(*ds);
    ASSERT_TRUE(damages);
    ASSERT_EQ(damages->size(), 3u);
    EXPECT_NEAR((*damages)[0].area_m2, 0.36, 1e-9);
    EXPECT_EQ((*damages)[0].severity, "M");
    EXPECT_EQ((*damages)[2].damage_id, 3);
    EXPECT_NEAR((*damages)[2].area_m2, 2.25, 1e-9);
    EXPECT_EQ(sqlCount(path(), "SELECT COUNT(*) FROM review_log WHERE damage_id = 3 AND field = 'merged_into' AND "
                               "old_value = '1' AND new_value = '' AND action = 'undo'"),
              1);
}

TEST_F(ProjectStoreTest, TheRunsProvenanceReadsBack)
{
    auto ds = open(path());
    const ProjectRun run = readProjectRun(*ds);
    EXPECT_EQ(run.voirie_version, "test");
    EXPECT_EQ(run.command_line, "voirie analyze (small test project)");
    EXPECT_NEAR(run.started, kSmallT0 + 40, 0.001);
    EXPECT_EQ(run.anonymized_by, "none (--no-anonymize)");
    ASSERT_EQ(run.inputs.size(), 1u);
    EXPECT_EQ(run.inputs[0].role, "video");
    EXPECT_EQ(run.inputs[0].size_bytes, 1234);
    EXPECT_EQ(run.inputs[0].sha256, std::string(64, 'a'));
    ASSERT_EQ(run.plugins.size(), 1u);
    EXPECT_EQ(run.plugins[0].id, "cracks");
    EXPECT_EQ(run.plugins[0].kind, "detector");
}

TEST(ProjectReader, AFileWithoutDamagesIsAClearError)
{
    TempDir dir;
    GDALAllRegister();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(gpkg->Create((dir.path() / "empty.gpkg").string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    auto damages = readProjectDamages(*ds);
    ASSERT_FALSE(damages);
    EXPECT_NE(damages.error().find("no 'damages' layer"), std::string::npos);
    const ProjectRun run = readProjectRun(*ds);
    EXPECT_TRUE(run.inputs.empty());
    EXPECT_EQ(run.status, "");
}

} // namespace
