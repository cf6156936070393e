#include "mosaic_raster.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"

#include <gdal_utils.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace voirie::surface {
namespace {

struct TranslateOptionsDeleter {
    void operator()(GDALTranslateOptions* o) const { GDALTranslateOptionsFree(o); }
};

std::string gdalReason(const GdalErrorTrap& trap, const std::string& fallback)
{
    return trap.reason().empty() ? fallback : trap.reason();
}

// Reads a window of RGBA pixels from `bands` (level 0 or an overview), as one interleaved image.
cv::Mat readRgba(GDALRasterBand* const bands[4], cv::Rect window)
{
    cv::Mat planes[4];
    for (int b = 0; b < 4; ++b) {
        planes[b].create(window.height, window.width, CV_8U);
        if (bands[b]->RasterIO(GF_Read, window.x, window.y, window.width, window.height, planes[b].data, window.width,
                               window.height, GDT_Byte, 0, 0) != CE_None)
            return {};
    }
    cv::Mat rgba;
    cv::merge(planes, 4, rgba);
    return rgba;
}

Status writeRgba(GDALRasterBand* const bands[4], cv::Point at, const cv::Mat& rgba, const std::string& what)
{
    cv::Mat planes[4];
    cv::split(rgba, planes);
    for (int b = 0; b < 4; ++b)
        if (bands[b]->RasterIO(GF_Write, at.x, at.y, rgba.cols, rgba.rows, planes[b].data, rgba.cols, rgba.rows, GDT_Byte,
                               0, 0) != CE_None)
            return fail(what);
    return Ok{};
}

} // namespace

Result<MosaicRaster> MosaicRaster::create(const std::filesystem::path& scratch_tiff, const RasterGrid& grid)
{
    GDALAllRegister();
    GdalErrorTrap trap;
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!driver)
        return fail("GDAL has no GeoTIFF driver");
    const char* options[] = {"TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "SPARSE_OK=TRUE", "ALPHA=YES",
                             "PHOTOMETRIC=RGB", "BIGTIFF=IF_SAFER", nullptr};
    GDALDatasetUniquePtr ds(driver->Create(scratch_tiff.c_str(), grid.width, grid.height, 4, GDT_Byte,
                                           const_cast<char**>(options)));
    if (!ds)
        return fail("cannot create the mosaic's scratch file " + scratch_tiff.string() + ": " +
                    gdalReason(trap, "GDAL refused it"));
    double transform[6] = {grid.min_x, grid.resolution, 0, grid.max_y, 0, -grid.resolution};
    ds->SetGeoTransform(transform);
    ds->SetProjection(grid.crs_wkt.c_str());
    return MosaicRaster(std::move(ds), grid, scratch_tiff);
}

void MosaicRaster::add(const cv::Mat& colour, const cv::Mat& weight, cv::Point origin)
{
    const cv::Rect piece(origin, colour.size());
    const int first_col = std::max(0, piece.x / kTileSize), last_col = std::min(grid_.width - 1, piece.br().x - 1) / kTileSize;
    const int first_row = std::max(0, piece.y / kTileSize), last_row = std::min(grid_.height - 1, piece.br().y - 1) / kTileSize;
    for (int row = first_row; row <= last_row; ++row)
        for (int col = first_col; col <= last_col; ++col) {
            const cv::Rect tile_rect(col * kTileSize, row * kTileSize, kTileSize, kTileSize);
            const cv::Rect common = tile_rect & piece & cv::Rect(0, 0, grid_.width, grid_.height);
            if (common.empty())
                continue;
            Accumulator& tile = tiles_[{col, row}];
            if (tile.sum.empty()) {
                tile.sum = cv::Mat::zeros(kTileSize, kTileSize, CV_32FC3);
                tile.weight = cv::Mat::zeros(kTileSize, kTileSize, CV_32F);
            }
            const cv::Rect in_tile = common - tile_rect.tl(), in_piece = common - piece.tl();
            for (int y = 0; y < common.height; ++y) {
                const cv::Vec3b* c = colour.ptr<cv::Vec3b>(in_piece.y + y) + in_piece.x;
                const float* w = weight.ptr<float>(in_piece.y + y) + in_piece.x;
                cv::Vec3f* sum = tile.sum.ptr<cv::Vec3f>(in_tile.y + y) + in_tile.x;
                float* total = tile.weight.ptr<float>(in_tile.y + y) + in_tile.x;
                for (int x = 0; x < common.width; ++x) {
                    if (w[x] <= 0)
                        continue;
                    sum[x] += cv::Vec3f(c[x][0], c[x][1], c[x][2]) * w[x];
                    total[x] += w[x];
                }
            }
        }
}

Status MosaicRaster::writeTile(const TileKey& key, const Accumulator& tile)
{
    const cv::Point at(key.first * kTileSize, key.second * kTileSize);
    const int width = std::min(kTileSize, grid_.width - at.x), height = std::min(kTileSize, grid_.height - at.y);
    cv::Mat rgba(height, width, CV_8UC4, cv::Scalar::all(0));
    bool any = false;
    for (int y = 0; y < height; ++y) {
        const cv::Vec3f* sum = tile.sum.ptr<cv::Vec3f>(y);
        const float* weight = tile.weight.ptr<float>(y);
        cv::Vec4b* out = rgba.ptr<cv::Vec4b>(y);
        for (int x = 0; x < width; ++x)
            if (weight[x] > 1e-6f) {
                const cv::Vec3f c = sum[x] / weight[x]; // BGR
                out[x] = {cv::saturate_cast<uint8_t>(c[2]), cv::saturate_cast<uint8_t>(c[1]), cv::saturate_cast<uint8_t>(c[0]), 255};
                any = true;
            }
    }
    if (!any)
        return Ok{};
    GdalErrorTrap trap;
    GDALRasterBand* bands[4];
    for (int b = 0; b < 4; ++b)
        bands[b] = dataset_->GetRasterBand(b + 1);
    if (auto s = writeRgba(bands, at, rgba, ""); !s)
        return fail("cannot write the mosaic's scratch file " + path_.string() + ": " + gdalReason(trap, "GDAL refused a tile"));
    written_.insert(key);
    return Ok{};
}

Result<int> MosaicRaster::buildOverviews()
{
    GdalErrorTrap trap;
    std::vector<int> factors;
    for (int f = 2; std::max(grid_.width, grid_.height) / (f / 2) > kTileSize; f *= 2)
        factors.push_back(f);
    if (factors.empty())
        return 0;
    // The overview levels exist but are left empty (sparse); each is filled from the one below.
    if (dataset_->BuildOverviews("NONE", int(factors.size()), factors.data(), 0, nullptr, nullptr, nullptr) != CE_None)
        return fail("cannot add overviews to " + path_.string() + ": " + gdalReason(trap, "GDAL refused"));
    std::set<TileKey> below = written_;
    for (size_t level = 0; level < factors.size(); ++level) {
        GDALRasterBand *source[4], *target[4];
        for (int b = 0; b < 4; ++b) {
            GDALRasterBand* band = dataset_->GetRasterBand(b + 1);
            source[b] = level == 0 ? band : band->GetOverview(int(level) - 1);
            target[b] = band->GetOverview(int(level));
        }
        dataset_->FlushCache();
        if (!trap.errors().empty())
            return fail("cannot write " + path_.string() + ": " + gdalReason(trap, "GDAL could not flush it"));
        const int source_width = source[0]->GetXSize(), source_height = source[0]->GetYSize();
        const int target_width = target[0]->GetXSize(), target_height = target[0]->GetYSize();
        std::set<TileKey> parents;
        for (const auto& [col, row] : below)
            parents.insert({col / 2, row / 2});
        for (const auto& [col, row] : parents) {
            const cv::Rect window = cv::Rect(col * 2 * kTileSize, row * 2 * kTileSize, 2 * kTileSize, 2 * kTileSize) &
                                    cv::Rect(0, 0, source_width, source_height);
            const cv::Mat rgba = readRgba(source, window);
            if (rgba.empty())
                return fail("cannot read back " + path_.string() + ": " + gdalReason(trap, "GDAL refused"));
            // Transparent pixels are black and alpha is 0 or 255, so the area average of the colour is
            // the alpha-weighted sum: dividing by the averaged alpha gives the covered pixels' mean.
            const cv::Rect placed = cv::Rect(col * kTileSize, row * kTileSize, (window.width + 1) / 2, (window.height + 1) / 2) &
                                    cv::Rect(0, 0, target_width, target_height);
            cv::Mat small;
            cv::resize(rgba, small, placed.size(), 0, 0, cv::INTER_AREA);
            cv::Mat out(placed.size(), CV_8UC4, cv::Scalar::all(0));
            for (int y = 0; y < out.rows; ++y) {
                const cv::Vec4b* in = small.ptr<cv::Vec4b>(y);
                cv::Vec4b* o = out.ptr<cv::Vec4b>(y);
                for (int x = 0; x < out.cols; ++x) {
                    const int a = in[x][3];
                    if (a < 128)
                        continue;
                    for (int c = 0; c < 3; ++c)
                        o[x][c] = uint8_t(std::min(255, (in[x][c] * 255 + a / 2) / a));
                    o[x][3] = 255;
                }
            }
            if (auto s = writeRgba(target, placed.tl(), out, ""); !s)
                return fail("cannot write the overviews of " + path_.string() + ": " + gdalReason(trap, "GDAL refused"));
        }
        below = std::move(parents);
    }
    dataset_->FlushCache();
    if (!trap.errors().empty())
        return fail("cannot write " + path_.string() + ": " + gdalReason(trap, "GDAL could not flush it"));
    return int(factors.size());
}

Status MosaicRaster::writeCog(const std::filesystem::path& out, int quality)
{
    GdalErrorTrap trap;
    const std::string quality_option = "QUALITY=" + std::to_string(quality);
    std::vector<std::string> arguments = {"-of", "COG", "-co", "COMPRESS=WEBP", "-co", quality_option, "-co", "BLOCKSIZE=512",
                                          "-co", "SPARSE_OK=TRUE", "-co", "OVERVIEWS=FORCE_USE_EXISTING", "-co", "BIGTIFF=IF_SAFER"};
    std::vector<char*> argv;
    for (auto& a : arguments)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::unique_ptr<GDALTranslateOptions, TranslateOptionsDeleter> options(GDALTranslateOptionsNew(argv.data(), nullptr));
    // A survey's box is mostly empty: a small block cache is enough, and keeps the memory flat.
    const GIntBig cache = GDALGetCacheMax64();
    GDALSetCacheMax64(std::min<GIntBig>(cache, 64 << 20));
    int usage_error = 0;
    GDALDatasetH written = GDALTranslate(out.c_str(), GDALDataset::ToHandle(dataset_.get()), options.get(), &usage_error);
    if (written)
        GDALClose(written); // GDAL 3.6's GDALClose says nothing: its failures are in the trap
    const bool closed = written != nullptr;
    GDALSetCacheMax64(cache);
    if (!written || !closed || !trap.errors().empty())
        return fail("cannot write the surface " + out.string() + ": " + gdalReason(trap, "GDAL's COG driver refused it"));
    return Ok{};
}

} // namespace voirie::surface
