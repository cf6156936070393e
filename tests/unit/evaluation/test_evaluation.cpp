// `voirie eval` and `voirie eval-boxes` on constructed cases whose answers are known.
#include "test_support.hpp"

#include "voirie/core/evaluation/box_evaluation.hpp"
#include "voirie/core/evaluation/damage_evaluation.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>

namespace {

using voirie::test::TempDir;

// A defect placed in metres east/north of a point in Lyon.
struct Placed {
    std::string cls;
    std::string wkt_metres; // e.g. "POINT (10 0)" or "LINESTRING (0 0, 3 0)"
    double length_m = 0, area_m2 = 0;
    std::string severity; // written when not empty
};

constexpr double kLon = 4.8170, kLat = 45.7545;

std::unique_ptr<OGRGeometry> toLonLat(const std::string& wkt)
{
    OGRGeometry* g = nullptr;
    OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g);
    std::unique_ptr<OGRGeometry> geometry(g);
    OGRSpatialReference local, wgs = voirie::wgs84LonLat();
    local.importFromProj4(("+proj=tmerc +lat_0=" + std::to_string(kLat) + " +lon_0=" + std::to_string(kLon) +
                           " +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m")
                              .c_str());
    local.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&local, &wgs));
    geometry->transform(ct.get());
    return geometry;
}

void writeLayer(const std::filesystem::path& path, const char* driver, const char* layer_name,
                const std::vector<Placed>& items, double track_length_m = 0)
{
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName(driver)->Create(path.string().c_str(), 0, 0, 0,
                                                                                    GDT_Unknown, nullptr));
    OGRSpatialReference wgs = voirie::wgs84LonLat();
    OGRLayer* layer = ds->CreateLayer(layer_name, &wgs, wkbUnknown, nullptr);
    voirie::addField(*layer, "class", OFTString);
    voirie::addField(*layer, "length_m", OFTReal);
    voirie::addField(*layer, "area_m2", OFTReal);
    voirie::addField(*layer, "severity", OFTString);
    for (const auto& item : items) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        f->SetField("class", item.cls.c_str());
        if (!item.severity.empty())
            f->SetField("severity", item.severity.c_str());
        f->SetField("length_m", item.length_m);
        f->SetField("area_m2", item.area_m2);
        f->SetGeometry(toLonLat(item.wkt_metres).get());
        ASSERT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
    }
    if (track_length_m > 0) {
        OGRLayer* track = ds->CreateLayer("track", &wgs, wkbLineString, nullptr);
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(track->GetLayerDefn()));
        f->SetGeometry(toLonLat("LINESTRING (0 -5, " + std::to_string(track_length_m) + " -5)").get());
        ASSERT_EQ(track->CreateFeature(f.get()), OGRERR_NONE);
    }
}

voirie::DamageEvaluation evaluate(const std::vector<Placed>& truth, const std::vector<Placed>& found,
                                  double track_length_m = 0, double match_m = 2.0)
{
    TempDir dir;
    writeLayer(dir / "truth.geojson", "GeoJSON", "truth", truth);
    writeLayer(dir / "project.gpkg", "GPKG", "damages", found, track_length_m);
    voirie::DamageEvaluationOptions options;
    options.match_m = match_m;
    auto eval = voirie::evaluateDamages(dir / "project.gpkg", dir / "truth.geojson", options);
    EXPECT_TRUE(eval.ok()) << (eval.ok() ? "" : eval.error());
    return eval.ok() ? *eval : voirie::DamageEvaluation{};
}

const std::vector<Placed> kTruth = {
    {"D00", "LINESTRING (10 0, 14 0)", 4.0, 0},
    {"D10", "LINESTRING (30 -1, 30 1)", 2.0, 0},
    {"D20", "POLYGON ((50 0, 52 0, 52 1, 50 1, 50 0))", 0, 2.0},
    {"D40", "POINT (70 0)", 0, 0.25},
};

TEST(DamageEvaluation, Perfect)
{
    auto e = evaluate(kTruth, kTruth, 100);
    const auto all = e.scores.overall();
    EXPECT_EQ(all.tp, 4);
    EXPECT_EQ(all.fp, 0);
    EXPECT_EQ(all.fn, 0);
    EXPECT_DOUBLE_EQ(all.f1(), 1.0);
    EXPECT_NEAR(*e.median_position_error_m, 0.0, 1e-6);
    EXPECT_NEAR(*e.median_size_error_rel, 0.0, 1e-9);
    EXPECT_NEAR(*e.survey_km, 0.1, 1e-4);
    EXPECT_DOUBLE_EQ(*e.false_positives_per_km, 0.0);
    const auto json = e.toJson();
    EXPECT_EQ(json["classes"]["D40"]["tp"], 1);
    for (const char* key : {"median_position_error_m", "p90_position_error_m", "median_size_error_rel", "false_positives_per_km"})
        EXPECT_TRUE(json["overall"].contains(key)) << key;
}

TEST(DamageEvaluation, AllMissedAndAllFalse)
{
    auto missed = evaluate(kTruth, {}, 100);
    EXPECT_EQ(missed.scores.overall().fn, 4);
    EXPECT_EQ(missed.scores.overall().tp, 0);
    EXPECT_DOUBLE_EQ(missed.scores.overall().recall(), 0.0);
    EXPECT_FALSE(missed.median_position_error_m);

    std::vector<Placed> far;
    for (auto p : kTruth) {
        p.wkt_metres = p.cls == "D40" ? "POINT (70 40)" : p.wkt_metres;
        far.push_back(p);
    }
    far[0].wkt_metres = "LINESTRING (10 30, 14 30)";
    far[1].wkt_metres = "LINESTRING (30 29, 30 31)";
    far[2].wkt_metres = "POLYGON ((50 30, 52 30, 52 31, 50 31, 50 30))";
    auto wrong = evaluate(kTruth, far, 200);
    EXPECT_EQ(wrong.scores.overall().tp, 0);
    EXPECT_EQ(wrong.scores.overall().fp, 4);
    EXPECT_EQ(wrong.scores.overall().fn, 4);
    EXPECT_NEAR(*wrong.false_positives_per_km, 20.0, 0.01);
}

TEST(DamageEvaluation, EmptyTruthOfACleanSurveyCountsEveryDamageFalse)
{
    // voirie sample --clean writes a FeatureCollection without features, hence without fields.
    TempDir dir;
    voirie::test::writeFile(dir / "truth.geojson", R"({"type": "FeatureCollection", "features": []})");
    writeLayer(dir / "project.gpkg", "GPKG", "damages", kTruth, 1000);
    auto eval = voirie::evaluateDamages(dir / "project.gpkg", dir / "truth.geojson", {});
    ASSERT_TRUE(eval.ok()) << eval.error();
    EXPECT_EQ(eval->scores.overall().fp, 4);
    EXPECT_EQ(eval->scores.overall().fn, 0);
    EXPECT_NEAR(*eval->false_positives_per_km, 4.0, 0.01);
}

TEST(DamageEvaluation, ACleanSurveyFoundCleanHasNoFalsePositivesPerKm)
{
    // The clean-road figure that matters most must not read "n/a" when it is zero.
    TempDir dir;
    voirie::test::writeFile(dir / "truth.geojson", R"({"type": "FeatureCollection", "features": []})");
    writeLayer(dir / "project.gpkg", "GPKG", "damages", {}, 1000);
    auto eval = voirie::evaluateDamages(dir / "project.gpkg", dir / "truth.geojson", {});
    ASSERT_TRUE(eval.ok()) << eval.error();
    EXPECT_EQ(eval->scores.overall().fp, 0);
    ASSERT_TRUE(eval->survey_km);
    EXPECT_NEAR(*eval->survey_km, 1.0, 1e-3);
    ASSERT_TRUE(eval->false_positives_per_km);
    EXPECT_DOUBLE_EQ(*eval->false_positives_per_km, 0.0);
}

TEST(DamageEvaluation, PerKmOverTheRoadTheFramesCoverNotTheWholeTrack)
{
    // The GPS logs on before and after the footage: the track is longer than the road surveyed.
    TempDir dir;
    writeLayer(dir / "truth.geojson", "GeoJSON", "truth", {});
    writeLayer(dir / "project.gpkg", "GPKG", "damages", {kTruth[0]}, 1000);
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open((dir / "project.gpkg").string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        OGRSpatialReference wgs = voirie::wgs84LonLat();
        OGRLayer* frames = ds->CreateLayer("frames", &wgs, wkbPoint, nullptr);
        voirie::addField(*frames, "chainage_m", OFTReal);
        for (double chainage : {150.0, 400.0, 300.0, 650.0}) {
            OGRFeatureUniquePtr f(OGRFeature::CreateFeature(frames->GetLayerDefn()));
            f->SetField("chainage_m", chainage);
            f->SetGeometry(toLonLat("POINT (" + std::to_string(chainage) + " -5)").get());
            ASSERT_EQ(frames->CreateFeature(f.get()), OGRERR_NONE);
        }
    }
    auto eval = voirie::evaluateDamages(dir / "project.gpkg", dir / "truth.geojson", {});
    ASSERT_TRUE(eval.ok()) << eval.error();
    ASSERT_TRUE(eval->survey_km);
    EXPECT_NEAR(*eval->survey_km, 0.5, 1e-9);
    EXPECT_NEAR(*eval->false_positives_per_km, 2.0, 1e-9);
}

TEST(DamageEvaluation, ClassMustAgree)
{
    auto e = evaluate({{"D10", "LINESTRING (30 -1, 30 1)", 2.0, 0}}, {{"D00", "LINESTRING (30 -1, 30 1)", 2.0, 0}});
    EXPECT_EQ(e.scores.classes["D10"].fn, 1);
    EXPECT_EQ(e.scores.classes["D00"].fp, 1);
    EXPECT_EQ(e.scores.overall().tp, 0);
}

TEST(DamageEvaluation, OneToOneWithTies)
{
    // Two detections 1 m either side of one pothole: one matches, one is false.
    auto two_found = evaluate({{"D40", "POINT (0 0)", 0, 0.2}}, {{"D40", "POINT (-1 0)", 0, 0.2}, {"D40", "POINT (1 0)", 0, 0.2}});
    EXPECT_EQ(two_found.scores.overall().tp, 1);
    EXPECT_EQ(two_found.scores.overall().fp, 1);
    EXPECT_EQ(two_found.matches.size(), 1u);
    EXPECT_EQ(two_found.matches[0].detected_index, 0) << "ties go to the first in input order";
    // One detection between two potholes: one matched, one missed.
    auto two_true = evaluate({{"D40", "POINT (-1 0)", 0, 0.2}, {"D40", "POINT (1 0)", 0, 0.2}}, {{"D40", "POINT (0 0)", 0, 0.2}});
    EXPECT_EQ(two_true.scores.overall().tp, 1);
    EXPECT_EQ(two_true.scores.overall().fn, 1);
    // The globally closest pairs win over greedy order: A-a at 0.5 m, B-a at 0.3 m, B-b at 1.5 m.
    auto global = evaluate({{"D40", "POINT (0 0)", 0, 0.2}, {"D40", "POINT (2 0)", 0, 0.2}},
                           {{"D40", "POINT (1.7 0)", 0, 0.2}, {"D40", "POINT (-1.6 0)", 0, 0.2}});
    EXPECT_EQ(global.scores.overall().tp, 2);
}

TEST(DamageEvaluation, PositionAndSizeErrors)
{
    auto e = evaluate({{"D00", "LINESTRING (0 0, 4 0)", 4.0, 0}, {"D40", "POINT (20 0)", 0, 0.5}},
                      {{"D00", "LINESTRING (0 0.5, 4 0.5)", 4.4, 0}, {"D40", "POINT (20.3 0.4)", 0, 0.4}});
    ASSERT_EQ(e.matches.size(), 2u);
    EXPECT_NEAR(*e.median_position_error_m, 0.5, 0.01); // both are 0.5 m off
    EXPECT_NEAR(*e.p90_position_error_m, 0.5, 0.01);
    EXPECT_NEAR(*e.median_size_error_rel, 0.1, 0.001); // 10% and 20%: nearest-rank median
    auto tight = evaluate({{"D40", "POINT (0 0)", 0, 0.2}}, {{"D40", "POINT (0.8 0)", 0, 0.2}}, 0, 0.5);
    EXPECT_EQ(tight.scores.overall().tp, 0) << "outside --match-m";
}

TEST(DamageEvaluation, SeverityAgreementOfMatchedDamages)
{
    // Per class, true severity against found severity, over the matched pairs where both have one:
    // the thin crack read as medium, the pothole without a true severity, the miss, are apart.
    auto e = evaluate({{"D00", "LINESTRING (10 0, 14 0)", 4.0, 0, "L"},
                       {"D10", "LINESTRING (30 -1, 30 1)", 2.0, 0, "M"},
                       {"D20", "POLYGON ((50 0, 52 0, 52 1, 50 1, 50 0))", 0, 2.0, "H"},
                       {"D40", "POINT (70 0)", 0, 0.25, ""},
                       {"D00", "LINESTRING (90 0, 94 0)", 4.0, 0, "H"}},
                      {{"D00", "LINESTRING (10 0, 14 0)", 4.0, 0, "M"},
                       {"D10", "LINESTRING (30 -1, 30 1)", 2.0, 0, "M"},
                       {"D20", "POLYGON ((50 0, 52 0, 52 1, 50 1, 50 0))", 0, 2.0, "H"},
                       {"D40", "POINT (70 0)", 0, 0.25, "L"}},
                      100);
    EXPECT_EQ(e.scores.overall().tp, 4);
    EXPECT_EQ(e.severity.pairs(), 3);
    EXPECT_EQ(e.severity.agreeing(), 2);
    const auto json = e.toJson();
    EXPECT_NEAR(json["overall"]["severity_agreement"].get<double>(), 0.6667, 1e-4);
    EXPECT_EQ(json["severity_confusion"]["D00"]["L"]["M"], 1);
    EXPECT_EQ(json["severity_confusion"]["D00"]["L"]["L"], 0);
    EXPECT_EQ(json["severity_confusion"]["D20"]["H"]["H"], 1);
    EXPECT_FALSE(json["severity_confusion"].contains("D40"));
    EXPECT_FALSE(json["severity_confusion"]["D00"].contains("H")) << "the missed crack has no pair";
    EXPECT_NE(e.toText().find("severity: 2 of 3 matched damages agree (67%)"), std::string::npos) << e.toText();
    EXPECT_NE(e.toText().find("D00: true L found L/M/H 0/1/0"), std::string::npos) << e.toText();

    auto none = evaluate(kTruth, kTruth, 100);
    EXPECT_TRUE(none.toJson()["overall"]["severity_agreement"].is_null()) << "no severities: n/a";
    EXPECT_EQ(none.toText().find("severity:"), std::string::npos);
}

TEST(DamageEvaluation, ExplainsBadInputs)
{
    TempDir dir;
    writeLayer(dir / "truth.geojson", "GeoJSON", "truth", kTruth);
    writeLayer(dir / "other.gpkg", "GPKG", "something", kTruth);
    auto no_layer = voirie::evaluateDamages(dir / "other.gpkg", dir / "truth.geojson", {});
    ASSERT_FALSE(no_layer.ok());
    EXPECT_NE(no_layer.error().find("has no 'damages' layer"), std::string::npos);
    auto missing = voirie::evaluateDamages(dir / "nope.gpkg", dir / "truth.geojson", {});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find("cannot open project " + (dir / "nope.gpkg").string() + ": no such file"), std::string::npos)
        << missing.error();
}

nlohmann::json boxesFile(const std::vector<std::tuple<std::string, std::string, double, std::array<double, 4>>>& boxes)
{
    nlohmann::json doc;
    std::map<std::string, nlohmann::json> images;
    for (const auto& [image, cls, confidence, box] : boxes) {
        auto& entry = images[image];
        entry["path"] = "/somewhere/" + image;
        if (!entry.contains("detections"))
            entry["detections"] = nlohmann::json::array();
        if (!cls.empty())
            entry["detections"].push_back({{"class", cls}, {"confidence", confidence}, {"box", box}});
    }
    doc["images"] = nlohmann::json::array();
    for (auto& [_, e] : images)
        doc["images"].push_back(e);
    return doc;
}

voirie::BoxEvaluation scoreBoxes(const nlohmann::json& detections, const nlohmann::json& truth, double iou = 0.5)
{
    TempDir dir;
    voirie::test::writeFile(dir / "d.json", detections.dump());
    voirie::test::writeFile(dir / "t.json", truth.dump());
    auto e = voirie::evaluateBoxes(dir / "d.json", dir / "t.json", iou);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error());
    return e.ok() ? *e : voirie::BoxEvaluation{};
}

TEST(BoxEvaluation, IouAndOneToOneByConfidence)
{
    const double a[4] = {0, 0, 10, 10}, b[4] = {5, 0, 10, 10};
    EXPECT_NEAR(voirie::boxIou(a, b), 50.0 / 150.0, 1e-12);
    auto truth = boxesFile({{"1.png", "D40", 1, {100, 100, 50, 50}}, {"2.png", "D00", 1, {0, 0, 100, 20}}, {"3.png", "", 1, {}}});
    auto perfect = scoreBoxes(truth, truth);
    EXPECT_EQ(perfect.scores.overall().tp, 2);
    EXPECT_EQ(perfect.scores.overall().fp, 0);

    // Two boxes on one pothole: the more confident one is the hit even though it is listed second.
    auto dets = boxesFile({{"1.png", "D40", 0.3, {100, 100, 50, 50}}, {"1.png", "D40", 0.9, {105, 100, 50, 50}},
                           {"2.png", "D00", 0.8, {0, 0, 100, 60}}, {"3.png", "D10", 0.5, {5, 5, 20, 20}}});
    auto e = scoreBoxes(dets, truth);
    EXPECT_EQ(e.scores.classes["D40"].tp, 1);
    EXPECT_EQ(e.scores.classes["D40"].fp, 1);
    EXPECT_EQ(e.scores.classes["D00"].tp, 0) << "IoU 1/3 is below 0.5";
    EXPECT_EQ(e.scores.classes["D00"].fp, 1);
    EXPECT_EQ(e.scores.classes["D00"].fn, 1);
    EXPECT_EQ(e.scores.classes["D10"].fp, 1);
    EXPECT_EQ(scoreBoxes(dets, truth, 0.3).scores.classes["D00"].tp, 1);

    auto missing = scoreBoxes(boxesFile({{"1.png", "D40", 0.9, {100, 100, 50, 50}}}), truth);
    EXPECT_EQ(missing.images_missing, 2);
    EXPECT_EQ(missing.scores.classes["D00"].fn, 1);
}

TEST(BoxEvaluation, RefusesWrongShapes)
{
    TempDir dir;
    voirie::test::writeFile(dir / "bad.json", "{\"frames\":[]}");
    voirie::test::writeFile(dir / "ok.json", "{\"images\":[]}");
    auto e = voirie::evaluateBoxes(dir / "bad.json", dir / "ok.json", 0.5);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().find("does not have the shape of `voirie detect --json`"), std::string::npos);
}

} // namespace

namespace {

namespace fs = std::filesystem;

std::string vocAnnotation(const std::string& image, const std::vector<std::pair<std::string, std::array<int, 4>>>& objects)
{
    std::string xml = "<annotation>\n\t<folder>images</folder>\n\t<filename>" + image +
                      "</filename>\n\t<size><width>512</width><height>512</height><depth>3</depth></size>\n";
    for (const auto& [name, b] : objects)
        xml += "\t<object>\n\t\t<name>" + name + "</name>\n\t\t<pose>Unspecified</pose>\n\t\t<bndbox>\n\t\t\t<xmin>" +
               std::to_string(b[0]) + "</xmin>\n\t\t\t<ymin>" + std::to_string(b[1]) + "</ymin>\n\t\t\t<xmax>" +
               std::to_string(b[2]) + "</xmax>\n\t\t\t<ymax>" + std::to_string(b[3]) + "</ymax>\n\t\t</bndbox>\n\t</object>\n";
    return xml + "</annotation>\n";
}

// RDD2022's own truth, a folder of Pascal VOC files: boxes from corners; Repair (and any class
// CRDDC does not score) reported apart, outside the overall figure.
TEST(BoxEvaluation, ReadsPascalVocTruthAndKeepsOtherClassesApart)
{
    TempDir dir;
    fs::create_directories(dir / "voc");
    voirie::test::writeFile(dir / "voc" / "a.xml", vocAnnotation("a.jpg", {{"D00", {10, 20, 30, 220}}, {"Repair", {100, 100, 300, 300}}}));
    voirie::test::writeFile(dir / "voc" / "b.xml", vocAnnotation("b.jpg", {{"D40", {200, 200, 260, 250}}}));
    voirie::test::writeFile(dir / "voc" / "notes.txt", "not an annotation");
    auto dets = boxesFile({{"a.jpg", "D00", 0.9, {10, 20, 20, 200}}, {"a.jpg", "repair", 0.8, {100, 100, 200, 200}},
                           {"b.jpg", "D40", 0.7, {0, 0, 50, 50}}});
    voirie::test::writeFile(dir / "d.json", dets.dump());
    auto e = voirie::evaluateBoxes(dir / "d.json", dir / "voc", 0.5);
    ASSERT_TRUE(e.ok()) << e.error();
    EXPECT_EQ(e->images, 2);
    EXPECT_EQ(e->scores.classes["D00"].tp, 1);
    EXPECT_EQ(e->scores.classes["D40"].fp, 1);
    EXPECT_EQ(e->scores.classes["D40"].fn, 1);
    EXPECT_EQ(e->scores.classes.count("repair"), 0u);
    EXPECT_EQ(e->apart.classes.at("repair").tp, 1);
    EXPECT_EQ(e->scores.overall().tp, 1); // repair is not in the overall figure

    voirie::test::writeFile(dir / "bad" / "x.xml", "<html>no</html>");
    auto bad = voirie::evaluateBoxes(dir / "d.json", dir / "bad", 0.5);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().find("is not a Pascal VOC annotation"), std::string::npos) << bad.error();
    fs::create_directories(dir / "empty");
    EXPECT_NE(voirie::evaluateBoxes(dir / "d.json", dir / "empty", 0.5).error().find("holds no Pascal VOC"), std::string::npos);
}

} // namespace
