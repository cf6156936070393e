// The mosaic on disk while it is built: a sparse, tiled scratch GeoTIFF (RGBA) written a tile at a
// time as the drive leaves it behind, overviews computed from the written tiles only, and the
// final Cloud Optimized GeoTIFF copied from it by GDAL's COG driver.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>
#include <opencv2/core.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace voirie::surface {

inline constexpr int kTileSize = 512;

struct RasterGrid {
    double min_x = 0, max_y = 0, resolution = 0.02;
    int width = 0, height = 0;
    std::string crs_wkt;
};

class MosaicRaster {
public:
    static Result<MosaicRaster> create(const std::filesystem::path& scratch_tiff, const RasterGrid& grid);

    // Adds a piece (BGR colour and its weight) whose top-left corner is at `origin` on the grid.
    void add(const cv::Mat& colour, const cv::Mat& weight, cv::Point origin);
    // Writes and forgets the tiles accumulated so far for which `done(tile)` says no piece will come.
    template <class Done>
    Status flush(Done done)
    {
        for (auto it = tiles_.begin(); it != tiles_.end();) {
            if (!done(it->first)) {
                ++it;
                continue;
            }
            if (auto s = writeTile(it->first, it->second); !s)
                return s;
            it = tiles_.erase(it);
        }
        return Ok{};
    }
    // Overviews (each half the size of the level below, down to one tile) from the written tiles.
    Result<int> buildOverviews();
    // Copies the scratch GeoTIFF into `out` as a COG (WEBP tiles, the overviews above).
    Status writeCog(const std::filesystem::path& out, int quality);
    int64_t tilesWritten() const { return int64_t(written_.size()); }

private:
    struct Accumulator {
        cv::Mat sum;    // CV_32FC3: weighted colour
        cv::Mat weight; // CV_32F
    };
    using TileKey = std::pair<int, int>; // column, row of the tile
    Status writeTile(const TileKey& key, const Accumulator& tile);
    MosaicRaster(GDALDatasetUniquePtr dataset, RasterGrid grid, std::filesystem::path path)
        : dataset_(std::move(dataset)), grid_(std::move(grid)), path_(std::move(path)) {}

    GDALDatasetUniquePtr dataset_;
    RasterGrid grid_;
    std::filesystem::path path_;
    std::map<TileKey, Accumulator> tiles_;
    std::set<TileKey> written_;
};

} // namespace voirie::surface
