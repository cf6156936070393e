// A basemap from any raster GDAL reads (GeoTIFF in any CRS, MBTiles, GeoPackage tiles, or a
// folder of XYZ tiles), warped on the fly to Web Mercator and served as 256-pixel tiles of the
// usual z/x/y pyramid, each rendered once and kept in a cache so panning redraws from memory.
#pragma once

#include "project_data.hpp"

#include "voirie/core/result.hpp"

#include <QCache>
#include <QImage>

#include <gdal_priv.h>

#include <filesystem>
#include <memory>

namespace voirie::gui {

class Basemap {
public:
    static Result<std::unique_ptr<Basemap>> open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }
    MapRect bounds() const { return bounds_; }
    // The pyramid level whose pixels are closest to (not coarser than) `metres_per_pixel`.
    static int zoomFor(double metres_per_pixel);
    static double tileSpan(int zoom); // metres of one tile's side
    // The tile's image (transparent where the raster has no data); null when it lies outside.
    const QImage* tile(int zoom, int x, int y);

private:
    Basemap() = default;
    QImage render(int zoom, int x, int y) const;

    std::filesystem::path path_;
    GDALDatasetUniquePtr source_, warped_;
    MapRect bounds_;
    double geo_[6] = {};
    QCache<quint64, QImage> cache_{512};
};

} // namespace voirie::gui
