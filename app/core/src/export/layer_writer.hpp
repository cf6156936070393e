// One source layer of a project written to one or more destination layers of an export:
// features filtered, geometries reprojected (and split by geometry type where a format holds
// one type per layer), fields renamed for Shapefiles, evidence chips embedded or written as
// files, KML placemarks described.
#pragma once

#include "export_format.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace voirie {

// One source layer written to one or more destination layers.
class LayerWriter {
public:
    LayerWriter(const ExportOptions& o, const FormatInfo& fmt, OGRLayer& source, const std::string& name,
                const OGRSpatialReference& srs, OGRCoordinateTransformation* to_target,
                OGRCoordinateTransformation* to_wgs84)
        : o_(o), fmt_(fmt), source_(source), name_(name), srs_(srs), to_target_(to_target), to_wgs84_(to_wgs84)
    {
    }

    // Where each destination layer goes: a dataset per layer (or one shared).
    std::function<Result<GDALDataset*>(const std::string& layer_name)> dataset_for;
    std::filesystem::path chips_folder;      // where chip files go (files mode)
    std::string chips_prefix;   // chip_path as seen from the export once in place: "<folder>/" 
    int64_t chips_written = 0;
    std::vector<std::filesystem::path> files;

    Result<int64_t> run();

private:
    Result<OGRLayer*> layerFor(const std::string& key, OGRwkbGeometryType type, ChipMode chips, bool is_damages);

    Status fill(OGRFeature& src, OGRFeature& dst, ChipMode chips, bool is_damages);

    // Placemark name, an HTML description with every attribute and the evidence image, and a
    // style in the class colour.
    void describeForKml(OGRFeature& src, OGRFeature& dst, ChipMode chips, const std::string& chip_path);

    const ExportOptions& o_;
    const FormatInfo& fmt_;
    OGRLayer& source_;
    std::string name_;
    const OGRSpatialReference& srs_;
    OGRCoordinateTransformation* to_target_;
    OGRCoordinateTransformation* to_wgs84_;
    std::map<std::string, OGRLayer*> layers_;
};

} // namespace voirie
