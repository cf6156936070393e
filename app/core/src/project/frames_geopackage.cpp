#include "voirie/core/project/frames_geopackage.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <cmath>

namespace voirie {

Status createTrackAndFrameLayers(GDALDataset& ds, const std::string& where)
{
    OGRSpatialReference wgs84 = wgs84LonLat();
    OGRLayer* track_layer = ds.CreateLayer("track", &wgs84, wkbLineString, nullptr);
    OGRLayer* frame_layer = ds.CreateLayer("frames", &wgs84, wkbPoint, nullptr);
    if (track_layer == nullptr || frame_layer == nullptr)
        return fail("cannot create layers in " + where + ": " + gdalWriteReason());
    addField(*track_layer, "segment", OFTInteger);
    addField(*track_layer, "start_time", OFTDateTime);
    addField(*track_layer, "end_time", OFTDateTime);
    addField(*track_layer, "length_m", OFTReal);
    addField(*track_layer, "n_fixes", OFTInteger);
    addField(*frame_layer, "frame_index", OFTInteger64);
    addField(*frame_layer, "file", OFTString);
    addField(*frame_layer, "frame_in_file", OFTInteger64);
    addField(*frame_layer, "pts_ms", OFTReal);
    addField(*frame_layer, "time", OFTDateTime);
    addField(*frame_layer, "heading_deg", OFTReal);
    addField(*frame_layer, "speed_mps", OFTReal);
    addField(*frame_layer, "chainage_m", OFTReal);
    return Ok{};
}

Status writeTrackFeatures(OGRLayer& layer, const Track& track)
{
    int segment = 0;
    for (const auto& seg : track.segments()) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
        OGRLineString line;
        for (const auto& p : seg)
            line.addPoint(p.lon, p.lat);
        f->SetGeometry(&line);
        f->SetField("segment", segment++);
        setTimeField(*f, "start_time", seg.front().time);
        setTimeField(*f, "end_time", seg.back().time);
        f->SetField("length_m", seg.back().chainage_m - seg.front().chainage_m);
        f->SetField("n_fixes", int(seg.size()));
        if (layer.CreateFeature(f.get()) != OGRERR_NONE)
            return fail(std::string("cannot write the track: ") + gdalWriteReason());
    }
    return Ok{};
}

Status writeFrameFeature(OGRLayer& layer, const GeoFrame& frame)
{
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
    OGRPoint point(frame.lon, frame.lat);
    f->SetGeometry(&point);
    f->SetField("frame_index", GIntBig(frame.index));
    f->SetField("file", frame.file.filename().string().c_str());
    f->SetField("frame_in_file", GIntBig(frame.frame_in_file));
    f->SetField("pts_ms", frame.pts_ms);
    setTimeField(*f, "time", frame.time);
    f->SetField("heading_deg", frame.heading_deg);
    f->SetField("speed_mps", frame.speed_mps);
    f->SetField("chainage_m", frame.chainage_m);
    if (layer.CreateFeature(f.get()) != OGRERR_NONE)
        return fail("cannot write frame " + std::to_string(frame.index) + ": " + gdalWriteReason());
    return Ok{};
}

Status writeFramesGeoPackage(const std::filesystem::path& path, const Track& track, const std::vector<GeoFrame>& frames,
                             bool overwrite)
{
    auto output = AtomicOutput::prepare(path, overwrite);
    if (!output)
        return fail(output.error());
    auto ds = createGeoPackage(output->temporaryPath());
    if (!ds)
        return fail(ds.error());
    if (auto s = createTrackAndFrameLayers(**ds, path.string()); !s)
        return s;
    if ((*ds)->StartTransaction() != OGRERR_NONE)
        return fail("cannot start a transaction in " + path.string());
    if (auto s = writeTrackFeatures(*(*ds)->GetLayerByName("track"), track); !s)
        return fail(s.error() + " (" + path.string() + ")");
    for (const auto& frame : frames)
        if (auto s = writeFrameFeature(*(*ds)->GetLayerByName("frames"), frame); !s)
            return fail(s.error() + " (" + path.string() + ")");
    if ((*ds)->CommitTransaction() != OGRERR_NONE)
        return fail(gdalWriteFailure("commit to", path));
    ds->reset(); // close before the rename, so everything is flushed
    return output->commit();
}

} // namespace voirie
