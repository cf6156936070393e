// A basemap from any raster GDAL reads (GeoTIFF in any CRS, MBTiles, GeoPackage tiles, or a
// folder of XYZ tiles), warped on the fly to Web Mercator and served as 256-pixel tiles of the
// usual z/x/y pyramid, each rendered once and kept in a cache so panning redraws from memory.
// The map asks for tiles without waiting: they are warped on a worker thread (the only one that
// touches the GDAL datasets then) and the map repaints when they arrive.
#pragma once

#include "project_data.hpp"

#include "voirie/core/base/result.hpp"

#include <QCache>
#include <QImage>

#include <gdal_priv.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

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
    // Renders it now if it is not cached.
    const QImage* tile(int zoom, int x, int y);

    // The tile if it is ready; else null, and it is rendered in the background (`ready` is
    // called, from the worker thread, when it is). `wanted` replaces the previous wish list, so
    // tiles scrolled past are never rendered.
    const QImage* tileIfReady(int zoom, int x, int y);
    void want(std::vector<quint64> wanted);
    void setReadyCallback(std::function<void()> ready);
    bool idle() const; // nothing waiting to be rendered

    static quint64 key(int zoom, int x, int y)
    {
        return (quint64(zoom) << 56) | (quint64(uint32_t(x)) << 28) | quint64(uint32_t(y));
    }

    ~Basemap();

private:
    Basemap() = default;
    QImage render(int zoom, int x, int y) const;
    void work();
    void collect(); // moves finished tiles into the cache (GUI thread)

    std::filesystem::path path_;
    GDALDatasetUniquePtr source_, warped_;
    MapRect bounds_;
    double geo_[6] = {};
    QCache<quint64, QImage> cache_{512};
    std::set<quint64> empty_; // tiles outside the raster: never asked for again

    mutable std::mutex render_mutex_; // the GDAL datasets, one user at a time
    mutable std::mutex queue_mutex_;
    std::condition_variable wake_;
    std::vector<quint64> wanted_;              // latest first
    std::vector<std::pair<quint64, QImage>> done_;
    bool busy_ = false, stop_ = false;
    std::function<void()> ready_;
    std::thread worker_;
};

} // namespace voirie::gui
