// Benchmark: the map application with large projects.
//  - Opening a project with 100,000 damages (chips of the sample's average size, 6.7 KB, stored
//    as `voirie analyze` stores them): reading it, and the whole File > Open of the window,
//    beside reading the same layer with plain OGR in the same run.
//  - Repainting the map with 20,000 damages over a basemap in another CRS at 1600x1000: a full
//    repaint at three zooms (cold basemap tiles, then warm), and a pan step (10 px + repaint),
//    against the 16 ms of a 60 Hz frame and against drawing the same window with no layers.
//   voirie_bench_map [damages_to_open=100000] [damages_to_draw=20000]
#include "bench_project.hpp"
#include "test_support.hpp"

#include "basemap.hpp"
#include "main_window.hpp"
#include "map_canvas.hpp"
#include "project_data.hpp"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QThread>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace voirie;

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Every feature of the damages layer read with plain OGR, every field: the floor for opening.
double rawOgrRead(const fs::path& project)
{
    const auto t0 = Clock::now();
    GDALDatasetUniquePtr ds(GDALDataset::Open(project.string().c_str(), GDAL_OF_VECTOR));
    OGRLayer* layer = ds->GetLayerByName("damages");
    int64_t n = 0;
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature()))
        n += f->GetGeometryRef() != nullptr;
    if (n == 0)
        std::exit(1);
    return seconds(t0);
}

// A basemap covering the bench area in Lambert-93, so every tile is reprojected.
fs::path writeBasemap(const fs::path& dir)
{
    const fs::path wgs84 = dir / "area.tif", lambert = dir / "basemap.tif";
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    {
        GDALDatasetUniquePtr ds(gtiff->Create(wgs84.string().c_str(), 4000, 4000, 3, GDT_Byte, nullptr));
        double geo[6] = {4.795, 0.06 / 4000, 0, 45.755, 0, -0.06 / 4000};
        ds->SetGeoTransform(geo);
        ds->SetProjection(SRS_WKT_WGS84_LAT_LONG);
        std::vector<uint8_t> row(4000);
        for (int b = 1; b <= 3; ++b)
            for (int y = 0; y < 4000; ++y) {
                for (int x = 0; x < 4000; ++x)
                    row[size_t(x)] = uint8_t(120 + 40 * std::sin(x / (30.0 + 10 * b)) * std::cos(y / 45.0));
                if (ds->GetRasterBand(b)->RasterIO(GF_Write, 0, y, 4000, 1, row.data(), 4000, 1, GDT_Byte, 0, 0) != CE_None)
                    std::exit(1);
            }
    }
    auto r = test::runCommand("gdalwarp -q -t_srs EPSG:2154 -co TILED=YES " + test::shellQuoted(wgs84) + " " +
                              test::shellQuoted(lambert) + " && gdaladdo -q " + test::shellQuoted(lambert));
    if (r.exit_code != 0) {
        std::cerr << "cannot write the basemap: " << r.err << "\n";
        std::exit(1);
    }
    return lambert;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int to_open = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int to_draw = argc > 2 ? std::atoi(argv[2]) : 20000;
    GDALAllRegister();
    test::TempDir dir;

    std::printf("== opening a project with %d damages (6.7 KB chips)\n", to_open);
    const fs::path big = dir / "big.gpkg";
    bench::writeProject(big, to_open, 6700);
    std::printf("project file: %.0f MB\n", double(fs::file_size(big)) / 1e6);
    std::vector<double> load, raw;
    for (int run = 0; run < 3; ++run) {
        raw.push_back(rawOgrRead(big));
        const auto t0 = Clock::now();
        auto data = gui::loadProject(big);
        load.push_back(seconds(t0));
        if (!data || int(data->damages.size()) != to_open) {
            std::cerr << "load failed\n";
            return 1;
        }
    }
    std::printf("loadProject %.2f s   plain OGR read of the damages layer %.2f s   ratio %.2f   (target < 2 s)\n",
                median(load), median(raw), median(load) / median(raw));
    // The whole of File > Open in the window: reading, the map's index, the table, the filters.
    std::vector<double> open;
    for (int run = 0; run < 3; ++run) {
        gui::MainWindow window;
        window.resize(1600, 1000);
        const auto t0 = Clock::now();
        if (!window.openProject(QString::fromStdString(big.string()), true)) {
            std::cerr << window.lastError().toStdString() << "\n";
            return 1;
        }
        open.push_back(seconds(t0));
    }
    std::printf("voirie-app File > Open (window ready, table filled) %.2f s   ratio to the plain OGR read %.2f\n",
                median(open), median(open) / median(raw));
    fs::remove(big);

    std::printf("\n== map repaint, %d damages, 1600x1000, basemap in EPSG:2154\n", to_draw);
    const fs::path medium = dir / "medium.gpkg";
    bench::writeProject(medium, to_draw);
    auto data = gui::loadProject(medium);
    auto basemap = gui::Basemap::open(writeBasemap(dir.path()));
    if (!data || !basemap) {
        std::cerr << (data ? basemap.error() : data.error()) << "\n";
        return 1;
    }
    gui::MapCanvas canvas;
    canvas.resize(1600, 1000);
    canvas.setProject(&*data);
    canvas.setShowSegments(false);
    QImage target(1600, 1000, QImage::Format_ARGB32_Premultiplied);
    auto paint = [&] {
        const auto t0 = Clock::now();
        canvas.render(&target);
        return seconds(t0) * 1000;
    };
    // The cost of a frame with nothing on it: filling the same window.
    std::vector<double> empty;
    for (int i = 0; i < 20; ++i) {
        const auto t0 = Clock::now();
        QPainter p(&target);
        p.fillRect(target.rect(), Qt::white);
        p.end();
        empty.push_back(seconds(t0) * 1000);
    }
    std::printf("empty frame (fill only): %.2f ms\n", median(empty));
    struct Zoom {
        const char* label;
        double metres_per_pixel;
    } zooms[] = {{"whole survey", 0}, {"district, 1 m/px", 1.0}, {"street, 0.05 m/px", 0.05}};
    for (bool with_basemap : {false, true}) {
    std::printf("%s\n", with_basemap ? "with the basemap:" : "without a basemap (background grid):");
    if (with_basemap)
        canvas.setBasemap(std::move(*basemap));
    for (const auto& z : zooms) {
        canvas.zoomToTrack();
        if (z.metres_per_pixel > 0)
            canvas.zoomBy(canvas.metresPerPixel() / z.metres_per_pixel, QPointF(800, 500));
        // Cold: the first repaint asks for tiles (drawn from coarser ones meanwhile); the time
        // until the worker has warped them all is what a user waits to see the basemap sharp.
        const auto t_cold = Clock::now();
        paint();
        while (!canvas.basemapComplete())
            QThread::msleep(1);
        paint();
        const double cold = seconds(t_cold) * 1000;
        std::vector<double> warm;
        for (int i = 0; i < 10; ++i)
            warm.push_back(paint());
        std::vector<double> pan;
        for (int i = 0; i < 60; ++i) {
            canvas.panBy(QPointF(10, i % 20 < 10 ? 4 : -4));
            pan.push_back(paint());
            QCoreApplication::processEvents(); // as the event loop would between frames
        }
        std::printf("%-18s full repaint %6.2f ms (basemap sharp after %6.1f ms)   pan step median %6.2f ms, worst %6.1f ms   "
                    "x%.1f empty frame   (target < 16 ms)\n",
                    z.label, median(warm), cold, median(pan), *std::max_element(pan.begin(), pan.end()),
                    median(warm) / median(empty));
    }
    }
    return 0;
}
