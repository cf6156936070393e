// `voirie compare` and `voirie merge` on small projects written through the store: a second
// campaign of the same 300 m street whose GPS is 1.2 m off, where one defect grew, one was
// repaired and one is new; and the refusals (another street, an unfinished project).
#include "voirie/core/campaign/campaign_compare.hpp"
#include "voirie/core/campaign/campaign_merge.hpp"
#include "voirie/core/campaign/change_reader.hpp"
#include "voirie/core/project/project_open.hpp"

#include "small_project.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace voirie;
using namespace voirie::test;
namespace fs = std::filesystem;

GDALDatasetUniquePtr openForUpdate(const fs::path& p)
{
    return GDALDatasetUniquePtr(GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
}

// Moves every frame, damage and track geometry of a project by (east, north) metres.
void moveProject(const fs::path& p, double east, double north)
{
    auto ds = openForUpdate(p);
    ASSERT_TRUE(ds);
    const double dlon = east / (111320.0 * std::cos(kSmallLat * M_PI / 180)), dlat = north / 111195.0;
    for (const char* name : {"frames", "damages", "track"}) {
        OGRLayer* l = ds->GetLayerByName(name);
        l->ResetReading();
        for (OGRFeatureUniquePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) {
            OGRGeometry* g = f->GetGeometryRef();
            if (!g)
                continue;
            struct Move : OGRDefaultGeometryVisitor {
                double dx, dy;
                using OGRDefaultGeometryVisitor::visit;
                void visit(OGRPoint* pt) override { pt->setX(pt->getX() + dx), pt->setY(pt->getY() + dy); }
            } move;
            move.dx = dlon, move.dy = dlat;
            g->accept(&move);
            ASSERT_EQ(l->SetFeature(f.get()), OGRERR_NONE);
        }
    }
}

void sql(const fs::path& p, const std::string& statement)
{
    auto ds = openForUpdate(p);
    ASSERT_TRUE(ds);
    OGRLayer* r = ds->ExecuteSQL(statement.c_str(), nullptr, nullptr);
    if (r)
        ds->ReleaseResultSet(r);
}

// The same street a campaign later: GPS 1.2 m east, the crack (2) now 3 m long, the alligator
// area (3) repaired, a new pothole at 260 m.
void writeLaterCampaign(const fs::path& p)
{
    writeSmallProject(p);
    sql(p, "UPDATE damages SET length_m = 3.0 WHERE damage_id = 2");
    sql(p, "DELETE FROM damages WHERE damage_id = 3");
    {
        auto ds = openForUpdate(p);
        OGRLayer* damages = ds->GetLayerByName("damages");
        damages->SetAttributeFilter("damage_id = 1");
        OGRFeatureUniquePtr pothole(damages->GetNextFeature());
        damages->SetAttributeFilter(nullptr);
        ASSERT_TRUE(pothole);
        pothole->SetFID(OGRNullFID);
        pothole->SetField("damage_id", GIntBig(4));
        struct Move : OGRDefaultGeometryVisitor {
            using OGRDefaultGeometryVisitor::visit;
            void visit(OGRPoint* pt) override { pt->setY(pt->getY() + 210.0 / 111195.0); }
        } move;
        pothole->GetGeometryRef()->accept(&move);
        ASSERT_EQ(damages->CreateFeature(pothole.get()), OGRERR_NONE);
    }
    moveProject(p, 1.2, 0);
}

class CampaignCompare : public ::testing::Test {
protected:
    TempDir tmp;
    fs::path old_project = tmp / "2026.gpkg", new_project = tmp / "2028.gpkg", out = tmp / "changes.gpkg";
    void SetUp() override
    {
        writeSmallProject(old_project);
        writeLaterCampaign(new_project);
    }
};

TEST_F(CampaignCompare, LabelsEveryDefectAndEverySegment)
{
    CompareOptions o{old_project, new_project, out};
    auto summary = compareCampaigns(o);
    ASSERT_TRUE(summary) << summary.error();
    // Two defects in common: too few to estimate an offset, so they are matched as positioned.
    EXPECT_FALSE(summary->offset_estimated);
    EXPECT_EQ(summary->labels.at("unchanged"), 1); // the pothole
    EXPECT_EQ(summary->labels.at("grown"), 1);     // the crack, 2 m -> 3 m
    EXPECT_EQ(summary->labels.at("repaired"), 1);  // the alligator area: the new drive looked there
    EXPECT_EQ(summary->labels.at("new"), 1);       // the pothole at 260 m: the old drive looked there
    EXPECT_EQ(summary->labels.at("not covered"), 0);
    ASSERT_EQ(summary->segments.size(), 3u); // 0-100, 100-200, 200-300 of the old survey
    // 0-100: the same pothole; 100-200: the crack grew; 200-300: an alligator area (H) repaired
    // and a pothole (M) new, which this scheme deducts more for.
    EXPECT_EQ(summary->segments[0].change, "same");
    EXPECT_NEAR(summary->segments[0].index_now, summary->segments[0].index_then, 3.0); // surveyed lengths differ a little
    EXPECT_LT(summary->segments[1].index_now, summary->segments[1].index_then);
    EXPECT_LT(summary->segments[2].index_now, summary->segments[2].index_then);
    for (const auto& s : summary->segments)
        EXPECT_FALSE(s.grade_then.empty() || s.grade_now.empty());

    // What was written reads back, styled for QGIS; the inputs are untouched.
    auto read = readComparison(out);
    ASSERT_TRUE(read) << read.error();
    ASSERT_EQ(read->defects.size(), 4u);
    for (const auto& d : read->defects) {
        EXPECT_NE(d.at.lon, 0);
        if (d.change == "grown") {
            EXPECT_NEAR(d.length_then_m, 2.0, 1e-9);
            EXPECT_NEAR(d.length_now_m, 3.0, 1e-9);
            EXPECT_NEAR(d.growth, 0.5, 1e-9);
            EXPECT_EQ(d.chip_then.size(), 64u);
            EXPECT_EQ(d.chip_now.size(), 64u);
        }
        if (d.change == "repaired") {
            EXPECT_EQ(d.class_code, "D20");
            EXPECT_GE(d.looked_from_frame, 0);
            EXPECT_TRUE(d.chip_now.empty());
        }
    }
    EXPECT_EQ(read->summary["labels"]["grown"], 1);
    auto ds = GDALDatasetUniquePtr(GDALDataset::Open(out.string().c_str(), GDAL_OF_VECTOR));
    OGRLayer* styles = ds->GetLayerByName("layer_styles");
    ASSERT_NE(styles, nullptr);
    EXPECT_EQ(styles->GetFeatureCount(), 2);
    EXPECT_TRUE(checkProject(old_project).ok);
}

TEST_F(CampaignCompare, AnOffsetIsEstimatedAndRemovedWhenEnoughDefectsMatch)
{
    // Six more potholes, in both campaigns; the later campaign's GPS is 2.5 m further north (and
    // 1.2 m east, as above): 2.8 m, beyond the 2 m match without the offset.
    for (const auto& p : {old_project, new_project}) {
        auto ds = openForUpdate(p);
        OGRLayer* damages = ds->GetLayerByName("damages");
        damages->SetAttributeFilter("damage_id = 1");
        OGRFeatureUniquePtr pothole(damages->GetNextFeature());
        damages->SetAttributeFilter(nullptr);
        for (int k = 1; k <= 6; ++k) {
            OGRFeatureUniquePtr f(pothole->Clone());
            f->SetFID(OGRNullFID);
            f->SetField("damage_id", GIntBig(10 + k));
            struct Move : OGRDefaultGeometryVisitor {
                double dy;
                using OGRDefaultGeometryVisitor::visit;
                void visit(OGRPoint* pt) override { pt->setY(pt->getY() + dy); }
            } move;
            move.dy = k * 11.0 / 111195.0;
            f->GetGeometryRef()->accept(&move);
            ASSERT_EQ(damages->CreateFeature(f.get()), OGRERR_NONE);
        }
    }
    moveProject(new_project, 0, 2.5);
    auto summary = compareCampaigns({old_project, new_project, out});
    ASSERT_TRUE(summary) << summary.error();
    ASSERT_TRUE(summary->offset_estimated);
    EXPECT_NEAR(summary->offset_east_m, -1.2, 0.05);
    EXPECT_NEAR(summary->offset_north_m, -2.5, 0.05);
    EXPECT_EQ(summary->offset_pairs, 8); // the seven potholes and the crack
    EXPECT_EQ(summary->labels.at("unchanged"), 7);
    EXPECT_EQ(summary->labels.at("grown"), 1);
    EXPECT_EQ(summary->labels.at("repaired"), 1);
    EXPECT_EQ(summary->labels.at("new"), 1);
}

TEST_F(CampaignCompare, WhereTheNewDriveDidNotLookNothingIsRepairedUnlessAPatchWasFoundThere)
{
    // The later drive stops at 150 m: the alligator area at 200 m was not looked at.
    sql(new_project, "DELETE FROM frames WHERE chainage_m > 150");
    auto summary = compareCampaigns({old_project, new_project, out});
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->labels.at("repaired"), 0);
    EXPECT_EQ(summary->labels.at("not covered"), 1); // the alligator area
    EXPECT_EQ(summary->labels.at("new"), 1);         // the pothole at 260 m: the old drive looked there

    // A detector that knows patches found one where the alligator area was: repaired.
    {
        auto ds = openForUpdate(new_project);
        OGRLayer* damages = ds->GetLayerByName("damages");
        damages->SetAttributeFilter("damage_id = 1");
        OGRFeatureUniquePtr patch(damages->GetNextFeature());
        damages->SetAttributeFilter(nullptr);
        patch->SetFID(OGRNullFID);
        patch->SetField("damage_id", GIntBig(5));
        patch->SetField("class", "repair");
        struct Move : OGRDefaultGeometryVisitor {
            using OGRDefaultGeometryVisitor::visit;
            void visit(OGRPoint* pt) override { pt->setY(pt->getY() + 150.0 / 111195.0); }
        } move;
        patch->GetGeometryRef()->accept(&move);
        ASSERT_EQ(damages->CreateFeature(patch.get()), OGRERR_NONE);
    }
    summary = compareCampaigns({old_project, new_project, out, 2.0, 0.25, true});
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->labels.at("repaired"), 1);
    EXPECT_EQ(summary->labels.at("not covered"), 0);
    EXPECT_EQ(summary->labels.at("new"), 1); // the pothole at 260 m still; a patch is not a new defect
    EXPECT_EQ(summary->new_defects, 3);      // the patch is not counted among the defects
    auto read = readComparison(out);
    ASSERT_TRUE(read);
    for (const auto& d : read->defects)
        if (d.change == "repaired") {
            EXPECT_TRUE(d.patch_seen);
            EXPECT_EQ(d.looked_from_frame, -1);
        }
}

// Adds a piece of the crack (2) to a project: a D00 `length_m` long, 2.5 m further north.
void addCrackPiece(const fs::path& p, int64_t id, double length_m)
{
    auto ds = openForUpdate(p);
    OGRLayer* damages = ds->GetLayerByName("damages");
    damages->SetAttributeFilter("damage_id = 2");
    OGRFeatureUniquePtr piece(damages->GetNextFeature());
    damages->SetAttributeFilter(nullptr);
    ASSERT_TRUE(piece);
    piece->SetFID(OGRNullFID);
    piece->SetField("damage_id", GIntBig(id));
    piece->SetField("length_m", length_m);
    piece->SetField("severity", "M");
    struct Move : OGRDefaultGeometryVisitor {
        using OGRDefaultGeometryVisitor::visit;
        void visit(OGRPoint* pt) override { pt->setY(pt->getY() + 2.5 / 111195.0); }
    } move;
    piece->GetGeometryRef()->accept(&move);
    ASSERT_EQ(damages->CreateFeature(piece.get()), OGRERR_NONE);
}

TEST_F(CampaignCompare, ADefectSeenInPiecesIsOneDefectWithItsPiecesSizesSummed)
{
    // The later campaign's detector found the crack (2 m, as before) and a 1 m piece beyond it:
    // one defect that grew to 3 m, not a new one.
    fs::remove(new_project);
    writeSmallProject(new_project);
    addCrackPiece(new_project, 5, 1.0);
    moveProject(new_project, 1.2, 0);
    auto summary = compareCampaigns({old_project, new_project, out});
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->labels.at("new"), 0);
    EXPECT_EQ(summary->labels.at("grown"), 1);
    EXPECT_EQ(summary->labels.at("unchanged"), 2); // the pothole and the alligator area
    auto read = readComparison(out);
    ASSERT_TRUE(read);
    for (const auto& d : read->defects)
        if (d.change == "grown") {
            EXPECT_NEAR(d.length_then_m, 2.0, 1e-9);
            EXPECT_NEAR(d.length_now_m, 3.0, 1e-9);
            EXPECT_NEAR(d.growth, 0.5, 1e-9);
        }
    {
        auto ds = openForUpdate(out);
        OGRLayer* changes = ds->GetLayerByName("changes");
        changes->SetAttributeFilter("change = 'grown'");
        OGRFeatureUniquePtr row(changes->GetNextFeature());
        ASSERT_TRUE(row);
        EXPECT_STREQ(row->GetFieldAsString("parts_now"), "5");
        EXPECT_EQ(row->GetFieldAsInteger64("damage_id_now"), 2);
    }

    // The other way round: the old campaign saw it in two pieces (2 + 1 m), the new one whole at
    // 3 m: unchanged, and the piece is not repaired.
    addCrackPiece(old_project, 5, 1.0);
    fs::remove(new_project);
    writeSmallProject(new_project);
    sql(new_project, "UPDATE damages SET length_m = 3.0 WHERE damage_id = 2");
    moveProject(new_project, 1.2, 0);
    summary = compareCampaigns({old_project, new_project, out, 2.0, 0.25, true});
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->labels.at("repaired"), 0);
    EXPECT_EQ(summary->labels.at("grown"), 0);
    EXPECT_EQ(summary->labels.at("unchanged"), 3);
}

TEST_F(CampaignCompare, ASeverityStepNeedsAMeasuredGrowthAndAnUnchangedDefectWeighsAsItDidThen)
{
    // The later campaign measured the pothole (1) 10 % larger and over the next severity
    // threshold, and the crack (2) as long but 50 % wider, a step up too.
    fs::remove(new_project);
    writeSmallProject(new_project);
    sql(new_project, "UPDATE damages SET area_m2 = area_m2 * 1.1, severity = 'H' WHERE damage_id = 1");
    sql(new_project, "UPDATE damages SET width_mm = width_mm * 1.5, severity = 'M' WHERE damage_id = 2");
    moveProject(new_project, 1.2, 0);
    auto summary = compareCampaigns({old_project, new_project, out});
    ASSERT_TRUE(summary) << summary.error();
    auto read = readComparison(out);
    ASSERT_TRUE(read);
    for (const auto& d : read->defects) {
        if (d.class_code == "D40")
            EXPECT_EQ(d.change, "unchanged") << "a step over a threshold from 10 % is the measuring";
        if (d.class_code == "D00")
            EXPECT_EQ(d.change, "grown") << "the crack widened by half";
    }
    // The unchanged pothole weighs in the new grade as it did in the old: its segment is the same.
    ASSERT_FALSE(summary->segments.empty());
    EXPECT_EQ(summary->segments[0].change, "same");
    EXPECT_NEAR(summary->segments[0].index_now, summary->segments[0].index_then, 0.5);
}

TEST_F(CampaignCompare, RefusesAnotherStreetAnUnfinishedRunAndTheSameFileWithoutWritingAnything)
{
    const fs::path elsewhere = tmp / "elsewhere.gpkg";
    writeSmallProject(elsewhere);
    moveProject(elsewhere, 5000, 0);
    auto r = compareCampaigns({old_project, elsewhere, out});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("do not cover the same road"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("m apart at the closest"), std::string::npos) << r.error();

    sql(new_project, "UPDATE run SET status = 'running'");
    r = compareCampaigns({old_project, new_project, out});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("not a finished analysis"), std::string::npos) << r.error();

    r = compareCampaigns({old_project, old_project, out});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("same file"), std::string::npos) << r.error();

    writeFile(tmp / "garbage.gpkg", std::string(4096, 'x'));
    r = compareCampaigns({old_project, tmp / "garbage.gpkg", out});
    ASSERT_FALSE(r);
    EXPECT_FALSE(fs::exists(out));
    for (const auto& entry : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(entry.path().filename().string().find(".voirie-compare"), std::string::npos) << entry.path();
}

TEST_F(CampaignCompare, MergeKeepsEveryDriveAndMakesOneDamageOfADefectBothSaw)
{
    // Reviews: the pothole accepted in one drive and rejected in the other; the crack accepted once.
    sql(old_project, "UPDATE damages SET review_state = 'accepted' WHERE damage_id IN (1, 2)");
    sql(new_project, "UPDATE damages SET review_state = 'rejected' WHERE damage_id = 1");
    MergeOptions o;
    o.drives = {old_project, new_project};
    o.out = tmp / "network.gpkg";
    auto summary = mergeDrives(o);
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->drives, 2);
    EXPECT_EQ(summary->frames, 202);
    EXPECT_EQ(summary->merged_damages, 2); // pothole and crack
    EXPECT_EQ(summary->damages, 4);        // + the alligator area (drive 1) and the new pothole (drive 2)
    EXPECT_EQ(summary->review_conflicts, 1);

    EXPECT_TRUE(checkProject(o.out).ok);
    auto ds = GDALDatasetUniquePtr(GDALDataset::Open(o.out.string().c_str(), GDAL_OF_VECTOR));
    auto one = [&](const std::string& query) {
        OGRLayer* r = ds->ExecuteSQL(query.c_str(), nullptr, nullptr);
        OGRFeatureUniquePtr f(r ? r->GetNextFeature() : nullptr);
        const std::string v = f ? f->GetFieldAsString(0) : "";
        if (r)
            ds->ReleaseResultSet(r);
        return v;
    };
    EXPECT_EQ(one("SELECT COUNT(*) FROM drives"), "2");
    EXPECT_EQ(one("SELECT COUNT(*) FROM damage_evidence"), "2");
    EXPECT_EQ(one("SELECT drives FROM damages WHERE damage_id = 1"), "1,2");
    EXPECT_EQ(one("SELECT review_state FROM damages WHERE damage_id = 1"), "unreviewed");
    EXPECT_EQ(one("SELECT review_conflict FROM damages WHERE damage_id = 1"), "1");
    EXPECT_NE(one("SELECT review_note FROM damages WHERE damage_id = 1").find("rejected in drive 2"), std::string::npos);
    EXPECT_EQ(one("SELECT review_state FROM damages WHERE damage_id = 2"), "accepted");
    EXPECT_EQ(one("SELECT n_frames FROM damages WHERE damage_id = 2"), "6");
    EXPECT_EQ(one("SELECT COUNT(DISTINCT frame_index) FROM frames"), "202"); // renumbered, none shared
    EXPECT_EQ(one("SELECT COUNT(*) FROM frames WHERE drive = 2"), "101");
    EXPECT_EQ(one("SELECT status FROM run"), "complete");

    // Nothing half-written: a second merge onto it is refused, an unfinished drive too.
    auto again = mergeDrives(o);
    ASSERT_FALSE(again);
    sql(new_project, "UPDATE run SET status = 'interrupted'");
    o.out = tmp / "other.gpkg";
    again = mergeDrives(o);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().find("not a finished analysis"), std::string::npos) << again.error();
    EXPECT_FALSE(fs::exists(o.out));
}

} // namespace
