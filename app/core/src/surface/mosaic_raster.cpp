#include "mosaic_raster.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

namespace voirie::surface {
namespace {

// One level of the tile files as a read-only GDAL raster (RGBA, 512 x 512 blocks) that knows
// which of its blocks are empty; level 0 carries the others as its overviews.
class TileFilesDataset;

// `channel` 0-2: red, green, blue; 3: the coverage, served as the colour bands' mask.
class TileFilesBand final : public GDALRasterBand {
public:
    TileFilesBand(TileFilesDataset* dataset, int channel, cv::Size size);
    CPLErr IReadBlock(int block_x, int block_y, void* data) override;
    GDALColorInterp GetColorInterpretation() override
    {
        return channel_ == 0 ? GCI_RedBand : channel_ == 1 ? GCI_GreenBand : channel_ == 2 ? GCI_BlueBand : GCI_Undefined;
    }
    int GetOverviewCount() override;
    GDALRasterBand* GetOverview(int i) override;
    GDALRasterBand* GetMaskBand() override;
    int GetMaskFlags() override { return channel_ == 3 ? GMF_ALL_VALID : GMF_PER_DATASET; }
    int IGetDataCoverageStatus(int x, int y, int width, int height, int, double* percent) override;

private:
    int channel_;
};

class TileFilesDataset final : public GDALDataset {
public:
    TileFilesDataset(const TileFiles& files, int level) : files_(files), level_(level)
    {
        const cv::Size size = files.levelSize(level);
        nRasterXSize = size.width;
        nRasterYSize = size.height;
        eAccess = GA_ReadOnly;
        for (int b = 1; b <= 3; ++b)
            SetBand(b, new TileFilesBand(this, b - 1, size));
        mask_ = std::make_unique<TileFilesBand>(this, 3, size);
        crs_.importFromWkt(files.grid().crs_wkt.c_str());
        crs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (level == 0)
            for (int l = 1; l < files.levels(); ++l)
                overviews_.push_back(std::make_unique<TileFilesDataset>(files, l));
    }
    CPLErr GetGeoTransform(double* transform) override
    {
        const RasterGrid& g = files_.grid();
        const double res = g.resolution * double(1 << level_);
        const double t[6] = {g.min_x, res, 0, g.max_y, 0, -res};
        std::copy(t, t + 6, transform);
        return CE_None;
    }
    const OGRSpatialReference* GetSpatialRef() const override { return &crs_; }

    const TileFiles& files() const { return files_; }
    int level() const { return level_; }
    std::vector<std::unique_ptr<TileFilesDataset>>& overviews() { return overviews_; }
    GDALRasterBand* mask() { return mask_.get(); }
    // The last tile read: the four bands of a block ask for the same one in turn.
    const cv::Mat& tile(const TileKey& key)
    {
        if (!(cached_key_ == key) || cached_.empty()) {
            cached_ = files_.read(level_, key);
            cached_key_ = key;
        }
        return cached_;
    }

private:
    const TileFiles& files_;
    int level_;
    OGRSpatialReference crs_;
    std::vector<std::unique_ptr<TileFilesDataset>> overviews_;
    std::unique_ptr<GDALRasterBand> mask_;
    TileKey cached_key_{-1, -1};
    cv::Mat cached_;
};

TileFilesBand::TileFilesBand(TileFilesDataset* dataset, int channel, cv::Size size) : channel_(channel)
{
    poDS = dataset;
    nBand = channel < 3 ? channel + 1 : 0;
    eDataType = GDT_Byte;
    nRasterXSize = size.width;
    nRasterYSize = size.height;
    nBlockXSize = kTileSize;
    nBlockYSize = kTileSize;
}

CPLErr TileFilesBand::IReadBlock(int block_x, int block_y, void* data)
{
    auto* dataset = static_cast<TileFilesDataset*>(poDS);
    const cv::Mat& rgba = dataset->tile({block_x, block_y});
    if (rgba.empty()) {
        CPLError(CE_Failure, CPLE_FileIO, "a tile of the surface's scratch files cannot be read");
        return CE_Failure;
    }
    cv::Mat plane(kTileSize, kTileSize, CV_8U, data);
    cv::extractChannel(rgba, plane, channel_);
    return CE_None;
}

int TileFilesBand::GetOverviewCount()
{
    auto* dataset = static_cast<TileFilesDataset*>(poDS);
    return dataset->level() == 0 ? int(dataset->overviews().size()) : 0;
}

GDALRasterBand* TileFilesBand::GetOverview(int i)
{
    auto* dataset = static_cast<TileFilesDataset*>(poDS);
    if (dataset->level() != 0 || i < 0 || i >= int(dataset->overviews().size()))
        return nullptr;
    auto& overview = *dataset->overviews()[size_t(i)];
    return channel_ == 3 ? overview.mask() : overview.GetRasterBand(nBand);
}

GDALRasterBand* TileFilesBand::GetMaskBand()
{
    return channel_ == 3 ? this : static_cast<TileFilesDataset*>(poDS)->mask();
}

int TileFilesBand::IGetDataCoverageStatus(int x, int y, int width, int height, int, double* percent)
{
    auto* dataset = static_cast<TileFilesDataset*>(poDS);
    int present = 0, total = 0;
    for (int row = y / kTileSize; row <= (y + height - 1) / kTileSize; ++row)
        for (int col = x / kTileSize; col <= (x + width - 1) / kTileSize; ++col) {
            ++total;
            present += dataset->files().has(dataset->level(), {col, row}) ? 1 : 0;
        }
    if (percent)
        *percent = total ? 100.0 * present / total : 0.0;
    return present == 0 ? GDAL_DATA_COVERAGE_STATUS_EMPTY
                        : present == total ? GDAL_DATA_COVERAGE_STATUS_DATA
                                           : GDAL_DATA_COVERAGE_STATUS_DATA | GDAL_DATA_COVERAGE_STATUS_EMPTY;
}

} // namespace

cv::Size TileFiles::levelSize(int level) const
{
    const int scale = 1 << level;
    return {(grid_.width + scale - 1) / scale, (grid_.height + scale - 1) / scale};
}

bool TileFiles::has(int level, const TileKey& key) const
{
    return level < int(present_.size()) && present_[size_t(level)].count(key) > 0;
}

std::filesystem::path TileFiles::pathOf(int level, const TileKey& key) const
{
    return folder_ / ("tile-" + std::to_string(level) + "-" + std::to_string(key.first) + "-" + std::to_string(key.second) + ".rgba");
}

cv::Mat TileFiles::read(int level, const TileKey& key) const
{
    cv::Mat rgba(kTileSize, kTileSize, CV_8UC4, cv::Scalar::all(0));
    if (!has(level, key))
        return rgba;
    std::ifstream in(pathOf(level, key), std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(rgba.data), std::streamsize(rgba.total() * rgba.elemSize())))
        return {};
    return rgba;
}

Status TileFiles::write(int level, const TileKey& key, const cv::Mat& rgba)
{
    CV_Assert(rgba.type() == CV_8UC4 && rgba.rows == kTileSize && rgba.cols == kTileSize && rgba.isContinuous());
    if (auto s = writeWholeFile(pathOf(level, key), {reinterpret_cast<const char*>(rgba.data), rgba.total() * rgba.elemSize()}); !s)
        return s;
    if (int(present_.size()) <= level)
        present_.resize(size_t(level) + 1);
    present_[size_t(level)].insert(key);
    return Ok{};
}

void MosaicRaster::add(const cv::Mat& colour, const cv::Mat& weight, cv::Point origin)
{
    const RasterGrid& grid = files_.grid();
    const cv::Rect piece(origin, colour.size());
    const int first_col = std::max(0, piece.x / kTileSize), last_col = std::min(grid.width - 1, piece.br().x - 1) / kTileSize;
    const int first_row = std::max(0, piece.y / kTileSize), last_row = std::min(grid.height - 1, piece.br().y - 1) / kTileSize;
    for (int row = first_row; row <= last_row; ++row)
        for (int col = first_col; col <= last_col; ++col) {
            const cv::Rect tile_rect(col * kTileSize, row * kTileSize, kTileSize, kTileSize);
            const cv::Rect common = tile_rect & piece & cv::Rect(0, 0, grid.width, grid.height);
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
    cv::Mat rgba(kTileSize, kTileSize, CV_8UC4, cv::Scalar::all(0));
    bool any = false;
    for (int y = 0; y < kTileSize; ++y) {
        const cv::Vec3f* sum = tile.sum.ptr<cv::Vec3f>(y);
        const float* weight = tile.weight.ptr<float>(y);
        cv::Vec4b* out = rgba.ptr<cv::Vec4b>(y);
        for (int x = 0; x < kTileSize; ++x)
            if (weight[x] > 1e-6f) {
                const cv::Vec3f c = sum[x] / weight[x]; // BGR
                out[x] = {cv::saturate_cast<uint8_t>(c[2]), cv::saturate_cast<uint8_t>(c[1]), cv::saturate_cast<uint8_t>(c[0]), 255};
                any = true;
            }
    }
    return any ? files_.write(0, key, rgba) : Status(Ok{});
}

Result<int> MosaicRaster::buildOverviews()
{
    int level = 0;
    while (std::max(files_.levelSize(level).width, files_.levelSize(level).height) > kTileSize && !files_.tiles(level).empty()) {
        std::set<TileKey> parents;
        for (const auto& [col, row] : files_.tiles(level))
            parents.insert({col / 2, row / 2});
        for (const auto& parent : parents) {
            // Transparent pixels are black and alpha is 0 or 255, so the area average of the colour
            // is the alpha-weighted sum: dividing by the averaged alpha gives the covered pixels' mean.
            cv::Mat out(kTileSize, kTileSize, CV_8UC4, cv::Scalar::all(0));
            for (int dy = 0; dy < 2; ++dy)
                for (int dx = 0; dx < 2; ++dx) {
                    const TileKey child{parent.first * 2 + dx, parent.second * 2 + dy};
                    if (!files_.has(level, child))
                        continue;
                    const cv::Mat rgba = files_.read(level, child);
                    if (rgba.empty())
                        return fail("a tile of the surface's scratch files cannot be read back");
                    cv::Mat small;
                    cv::resize(rgba, small, {kTileSize / 2, kTileSize / 2}, 0, 0, cv::INTER_AREA);
                    for (int y = 0; y < small.rows; ++y) {
                        const cv::Vec4b* in = small.ptr<cv::Vec4b>(y);
                        cv::Vec4b* o = out.ptr<cv::Vec4b>(dy * kTileSize / 2 + y) + dx * kTileSize / 2;
                        for (int x = 0; x < small.cols; ++x) {
                            const int a = in[x][3];
                            if (a < 128)
                                continue;
                            for (int c = 0; c < 3; ++c)
                                o[x][c] = uint8_t(std::min(255, (in[x][c] * 255 + a / 2) / a));
                            o[x][3] = 255;
                        }
                    }
                }
            if (auto s = files_.write(level + 1, parent, out); !s)
                return fail(s.error());
        }
        ++level;
    }
    return level;
}

Status MosaicRaster::writeCog(const std::filesystem::path& out, int quality)
{
    GDALAllRegister();
    TileFilesDataset source(files_, 0);
    return translateRaster(source, out,
                           {"-of", "COG", "-co", "COMPRESS=JPEG", "-co", "QUALITY=" + std::to_string(quality), "-co", "BLOCKSIZE=512",
                            "-co", "SPARSE_OK=TRUE", "-co", "OVERVIEWS=FORCE_USE_EXISTING", "-co", "BIGTIFF=IF_SAFER"},
                           "the surface " + out.string(), "COG");
}

} // namespace voirie::surface
