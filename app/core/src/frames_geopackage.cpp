#include "voirie/core/frames_geopackage.hpp"

#include "voirie/core/atomic_output.hpp"
#include "voirie/core/gdal_helpers.hpp"

#include <cmath>

namespace voirie {

Status writeFramesGeoPackage(const std::filesystem::path& path, const Track& track, const std::vector<GeoFrame>& frames,
                             bool overwrite)
{
    auto output = AtomicOutput::prepare(path, overwrite);
    if (!output)
        return fail(output.error());
    auto ds = createGeoPackage(output->temporaryPath());
    if (!ds)
        return fail(ds.error());
    OGRSpatialReference wgs84 = wgs84LonLat();

    OGRLayer* track_layer = (*ds)->CreateLayer("track", &wgs84, wkbLineString, nullptr);
    OGRLayer* frame_layer = (*ds)->CreateLayer("frames", &wgs84, wkbPoint, nullptr);
    if (track_layer == nullptr || frame_layer == nullptr)
        return fail("cannot create layers in " + path.string() + ": " + CPLGetLastErrorMsg());
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

    if ((*ds)->StartTransaction() != OGRERR_NONE)
        return fail("cannot start a transaction in " + path.string());
    int segment = 0;
    for (const auto& seg : track.segments()) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(track_layer->GetLayerDefn()));
        OGRLineString line;
        for (const auto& p : seg)
            line.addPoint(p.lon, p.lat);
        f->SetGeometry(&line);
        f->SetField("segment", segment++);
        setTimeField(*f, "start_time", seg.front().time);
        setTimeField(*f, "end_time", seg.back().time);
        f->SetField("length_m", seg.back().chainage_m - seg.front().chainage_m);
        f->SetField("n_fixes", int(seg.size()));
        if (track_layer->CreateFeature(f.get()) != OGRERR_NONE)
            return fail("cannot write the track to " + path.string() + ": " + CPLGetLastErrorMsg());
    }
    for (const auto& frame : frames) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(frame_layer->GetLayerDefn()));
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
        if (frame_layer->CreateFeature(f.get()) != OGRERR_NONE)
            return fail("cannot write frames to " + path.string() + ": " + CPLGetLastErrorMsg());
    }
    if ((*ds)->CommitTransaction() != OGRERR_NONE)
        return fail("cannot commit to " + path.string() + " (disk full?): " + CPLGetLastErrorMsg());
    ds->reset(); // close before the rename, so everything is flushed
    return output->commit();
}

} // namespace voirie
