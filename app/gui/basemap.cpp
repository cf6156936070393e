#include "basemap.hpp"

#include <gdal_utils.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace voirie::gui {
namespace fs = std::filesystem;

namespace {

constexpr double kWorldSpan = 2 * 20037508.342789244; // EPSG:3857's square world
constexpr int kTileSize = 256;

// An XYZ tile folder (z/x/y.png) opens through GDAL's WMS driver in TMS mode over file:// URLs.
std::optional<std::string> xyzFolderDescription(const fs::path& folder)
{
    std::error_code ec;
    int max_zoom = -1;
    std::string extension;
    for (const auto& z : fs::directory_iterator(folder, ec)) {
        const std::string name = z.path().filename().string();
        if (!z.is_directory() || name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit))
            continue;
        max_zoom = std::max(max_zoom, std::stoi(name));
        for (const auto& x : fs::recursive_directory_iterator(z.path(), ec))
            if (x.is_regular_file() && extension.empty())
                extension = x.path().extension().string();
    }
    if (max_zoom < 0 || extension.empty())
        return std::nullopt;
    const std::string url = "file://" + fs::absolute(folder).string() + "/${z}/${x}/${y}" + extension;
    return "<GDAL_WMS><Service name=\"TMS\"><ServerUrl>" + url +
           "</ServerUrl></Service><DataWindow><UpperLeftX>-20037508.34</UpperLeftX>"
           "<UpperLeftY>20037508.34</UpperLeftY><LowerRightX>20037508.34</LowerRightX>"
           "<LowerRightY>-20037508.34</LowerRightY><TileLevel>" +
           std::to_string(max_zoom) +
           "</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY><YOrigin>top</YOrigin></DataWindow>"
           "<Projection>EPSG:3857</Projection><BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY>"
           "<BandsCount>4</BandsCount><ZeroBlockHttpCodes>404</ZeroBlockHttpCodes>"
           "<ZeroBlockOnServerException>true</ZeroBlockOnServerException></GDAL_WMS>";
}

} // namespace

Result<std::unique_ptr<Basemap>> Basemap::open(const fs::path& path)
{
    GDALAllRegister();
    CPLErrorReset();
    std::string name = path.string();
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        auto xml = xyzFolderDescription(path);
        if (!xml)
            return fail("basemap folder " + path.string() + " holds no z/x/y tiles");
        name = *xml;
    }
    std::unique_ptr<Basemap> map(new Basemap());
    map->path_ = path;
    map->source_.reset(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!map->source_)
        return fail("cannot open basemap " + path.string() + ": " +
                    (CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "not a raster GDAL reads"));
    if (map->source_->GetRasterCount() == 0)
        return fail("basemap " + path.string() + " has no raster bands");
    if (map->source_->GetSpatialRef() == nullptr && map->source_->GetGCPCount() == 0)
        return fail("basemap " + path.string() + " is not georeferenced: it has no coordinate system");

    // A lazy warped VRT: pixels are reprojected only where a tile asks for them.
    std::vector<const char*> args{"-of", "VRT", "-t_srs", "EPSG:3857", "-r", "bilinear", "-dstalpha", nullptr};
    const bool has_alpha = map->source_->GetRasterBand(map->source_->GetRasterCount())->GetColorInterpretation() ==
                           GCI_AlphaBand;
    if (has_alpha)
        args.erase(args.begin() + 6); // keep the source's own alpha
    GDALWarpAppOptions* options = GDALWarpAppOptionsNew(const_cast<char**>(args.data()), nullptr);
    GDALDatasetH source = GDALDataset::ToHandle(map->source_.get());
    int usage_error = 0;
    map->warped_.reset(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &source, options, &usage_error)));
    GDALWarpAppOptionsFree(options);
    if (!map->warped_)
        return fail("cannot reproject basemap " + path.string() + " to Web Mercator: " + CPLGetLastErrorMsg());
    map->warped_->GetGeoTransform(map->geo_);
    const double w = map->warped_->GetRasterXSize(), h = map->warped_->GetRasterYSize();
    map->bounds_.extend(MapPoint{map->geo_[0], map->geo_[3]});
    map->bounds_.extend(MapPoint{map->geo_[0] + w * map->geo_[1], map->geo_[3] + h * map->geo_[5]});
    return map;
}

int Basemap::zoomFor(double metres_per_pixel)
{
    const double level0 = kWorldSpan / kTileSize;
    return std::clamp(int(std::ceil(std::log2(level0 / std::max(metres_per_pixel, 1e-3)))), 0, 24);
}

double Basemap::tileSpan(int zoom) { return kWorldSpan / double(1 << zoom); }

Basemap::~Basemap()
{
    {
        std::lock_guard lock(queue_mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable())
        worker_.join();
}

const QImage* Basemap::tile(int zoom, int x, int y)
{
    collect();
    const quint64 k = key(zoom, x, y);
    if (const QImage* cached = cache_.object(k))
        return cached;
    if (empty_.count(k))
        return nullptr;
    QImage image = render(zoom, x, y);
    if (image.isNull()) {
        empty_.insert(k);
        return nullptr;
    }
    auto* stored = new QImage(std::move(image));
    cache_.insert(k, stored);
    return stored;
}

const QImage* Basemap::tileIfReady(int zoom, int x, int y)
{
    collect();
    return cache_.object(key(zoom, x, y));
}

void Basemap::want(std::vector<quint64> wanted)
{
    collect();
    wanted.erase(std::remove_if(wanted.begin(), wanted.end(),
                                [this](quint64 k) { return cache_.contains(k) || empty_.count(k) > 0; }),
                 wanted.end());
    {
        std::lock_guard lock(queue_mutex_);
        wanted_ = std::move(wanted);
        if (!worker_.joinable() && !wanted_.empty())
            worker_ = std::thread([this] { work(); });
    }
    wake_.notify_one();
}

void Basemap::setReadyCallback(std::function<void()> ready)
{
    std::lock_guard lock(queue_mutex_);
    ready_ = std::move(ready);
}

bool Basemap::idle() const
{
    std::lock_guard lock(queue_mutex_);
    return wanted_.empty() && !busy_;
}

void Basemap::collect()
{
    std::vector<std::pair<quint64, QImage>> done;
    {
        std::lock_guard lock(queue_mutex_);
        done.swap(done_);
    }
    for (auto& [k, image] : done)
        if (image.isNull())
            empty_.insert(k);
        else
            cache_.insert(k, new QImage(std::move(image)));
}

void Basemap::work()
{
    while (true) {
        quint64 k;
        std::function<void()> ready;
        {
            std::unique_lock lock(queue_mutex_);
            wake_.wait(lock, [this] { return stop_ || !wanted_.empty(); });
            if (stop_)
                return;
            k = wanted_.front();
            wanted_.erase(wanted_.begin());
            busy_ = true;
        }
        QImage image = render(int(k >> 56), int((k >> 28) & 0xfffffff), int(k & 0xfffffff));
        {
            std::lock_guard lock(queue_mutex_);
            done_.emplace_back(k, std::move(image));
            busy_ = false;
            ready = ready_;
        }
        if (ready)
            ready();
    }
}

QImage Basemap::render(int zoom, int x, int y) const
{
    std::lock_guard lock(render_mutex_);
    const double span = tileSpan(zoom);
    MapRect tile_rect;
    tile_rect.extend(MapPoint{-kWorldSpan / 2 + x * span, kWorldSpan / 2 - y * span});
    tile_rect.extend(MapPoint{-kWorldSpan / 2 + (x + 1) * span, kWorldSpan / 2 - (y + 1) * span});
    if (!tile_rect.intersects(bounds_))
        return {};
    // The part of the tile the raster covers, in raster pixels and in tile pixels.
    const double cover_min_x = std::max(tile_rect.min_x, bounds_.min_x), cover_max_x = std::min(tile_rect.max_x, bounds_.max_x);
    const double cover_min_y = std::max(tile_rect.min_y, bounds_.min_y), cover_max_y = std::min(tile_rect.max_y, bounds_.max_y);
    const int tx0 = int(std::floor((cover_min_x - tile_rect.min_x) / span * kTileSize));
    const int tx1 = int(std::ceil((cover_max_x - tile_rect.min_x) / span * kTileSize));
    const int ty0 = int(std::floor((tile_rect.max_y - cover_max_y) / span * kTileSize));
    const int ty1 = int(std::ceil((tile_rect.max_y - cover_min_y) / span * kTileSize));
    const int out_w = std::clamp(tx1 - tx0, 1, kTileSize), out_h = std::clamp(ty1 - ty0, 1, kTileSize);
    // The raster window that lands exactly on those tile pixels, in fractional raster pixels:
    // rounding it to whole pixels shifts each tile differently and shows seams between them.
    const double wx0 = (tile_rect.min_x + tx0 * span / kTileSize - geo_[0]) / geo_[1];
    const double wx1 = (tile_rect.min_x + (tx0 + out_w) * span / kTileSize - geo_[0]) / geo_[1];
    const double wy0 = (tile_rect.max_y - ty0 * span / kTileSize - geo_[3]) / geo_[5];
    const double wy1 = (tile_rect.max_y - (ty0 + out_h) * span / kTileSize - geo_[3]) / geo_[5];
    const double fx0 = std::max(0.0, wx0), fy0 = std::max(0.0, wy0);
    const double fx1 = std::min<double>(warped_->GetRasterXSize(), wx1), fy1 = std::min<double>(warped_->GetRasterYSize(), wy1);
    const int rx = int(std::floor(fx0)), ry = int(std::floor(fy0));
    const int rw = std::max(1, int(std::ceil(fx1)) - rx), rh = std::max(1, int(std::ceil(fy1)) - ry);
    if (fx1 <= fx0 || fy1 <= fy0 || rx + rw > warped_->GetRasterXSize() || ry + rh > warped_->GetRasterYSize())
        return {};

    const int bands = warped_->GetRasterCount();
    std::vector<uint8_t> pixels(size_t(out_w) * out_h * bands);
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = GRIORA_Bilinear;
    extra.bFloatingPointWindowValidity = TRUE;
    extra.dfXOff = fx0;
    extra.dfYOff = fy0;
    extra.dfXSize = fx1 - fx0;
    extra.dfYSize = fy1 - fy0;
    CPLErrorReset();
    if (warped_->RasterIO(GF_Read, rx, ry, rw, rh, pixels.data(), out_w, out_h, GDT_Byte, bands, nullptr, bands,
                          GSpacing(bands) * out_w, 1, &extra) != CE_None)
        return {};

    QImage image(kTileSize, kTileSize, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    const GDALColorTable* palette = warped_->GetRasterBand(1)->GetColorTable();
    const bool alpha_last = warped_->GetRasterBand(bands)->GetColorInterpretation() == GCI_AlphaBand;
    const int colour_bands = alpha_last ? bands - 1 : bands;
    for (int row = 0; row < out_h && ty0 + row < kTileSize; ++row) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(ty0 + row));
        for (int col = 0; col < out_w && tx0 + col < kTileSize; ++col) {
            const uint8_t* p = &pixels[(size_t(row) * out_w + col) * bands];
            const int alpha = alpha_last ? p[bands - 1] : 255;
            int r, g, b;
            if (palette != nullptr) {
                const GDALColorEntry* e = palette->GetColorEntry(p[0]);
                r = e ? e->c1 : 0, g = e ? e->c2 : 0, b = e ? e->c3 : 0;
            } else if (colour_bands >= 3) {
                r = p[0], g = p[1], b = p[2];
            } else {
                r = g = b = p[0];
            }
            line[tx0 + col] = qPremultiply(qRgba(r, g, b, alpha));
        }
    }
    return image;
}

} // namespace voirie::gui
