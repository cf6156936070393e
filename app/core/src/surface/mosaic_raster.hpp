// The mosaic on disk while it is built: finished 512 x 512 tiles kept as files in the scratch
// folder (every write checked, so a full disk is a sentence), overview tiles computed from them,
// and the final Cloud Optimized GeoTIFF copied by GDAL's COG driver from a read-only dataset over
// those files that tells GDAL which tiles are empty (a survey's box is mostly empty: they are
// neither read, computed nor written).
#pragma once

#include "voirie/core/base/result.hpp"

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

using TileKey = std::pair<int, int>; // column, row of a tile

// The tiles written so far, one level of the pyramid each (0: full resolution).
class TileFiles {
public:
    TileFiles(std::filesystem::path folder, const RasterGrid& grid) : folder_(std::move(folder)), grid_(grid) {}
    // Level `level`'s size in pixels.
    cv::Size levelSize(int level) const;
    int levels() const { return int(present_.size()); }
    bool has(int level, const TileKey& key) const;
    const std::set<TileKey>& tiles(int level) const { return present_.at(size_t(level)); }
    // RGBA, kTileSize square (pixels past the raster's edge transparent); all transparent if absent.
    cv::Mat read(int level, const TileKey& key) const;
    Status write(int level, const TileKey& key, const cv::Mat& rgba);
    const RasterGrid& grid() const { return grid_; }

private:
    std::filesystem::path pathOf(int level, const TileKey& key) const;
    std::filesystem::path folder_;
    RasterGrid grid_;
    std::vector<std::set<TileKey>> present_ = {{}};
};

class MosaicRaster {
public:
    MosaicRaster(const std::filesystem::path& scratch, const RasterGrid& grid) : files_(scratch, grid) {}

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
    // The COG at `out` (JPEG tiles, the coverage as an internal mask, the overviews above), through
    // GDAL's COG driver.
    Status writeCog(const std::filesystem::path& out, int quality);
    int64_t tilesWritten() const { return int64_t(files_.tiles(0).size()); }

private:
    struct Accumulator {
        cv::Mat sum;    // CV_32FC3: weighted colour
        cv::Mat weight; // CV_32F
    };
    Status writeTile(const TileKey& key, const Accumulator& tile);

    TileFiles files_;
    std::map<TileKey, Accumulator> tiles_;
};

} // namespace voirie::surface
