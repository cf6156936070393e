// Example vendor plugin: clusters of dark cells in the lower half of the frame become D40 boxes.
// It uses only the SDK headers (no OpenCV), to show the smallest possible out-of-tree plugin.
#include <voirie/plugin.hpp>

#include <algorithm>
#include <vector>

class DarkPatches : public voirie::sdk::Detector {
public:
    explicit DarkPatches(const voirie::sdk::Parameters& p)
        : cell_(static_cast<int>(p.getInt("cell_px", 16))), darkness_(p.getDouble("darkness", 0.55))
    {
    }

    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame& frame) override
    {
        const auto& img = frame.image;
        if (img.pixel_format != VOIRIE_PIXEL_BGR8)
            throw std::invalid_argument("dark-patches expects BGR8 frames");
        const int cols = img.width / cell_, top = img.height / 2, rows = (img.height - top) / cell_;
        if (cols < 2 || rows < 2)
            return {}; // too small to say anything
        std::vector<double> mean(size_t(cols) * size_t(rows));
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                double sum = 0;
                for (int y = 0; y < cell_; ++y) {
                    const uint8_t* row = img.data + (top + r * cell_ + y) * img.stride_bytes + c * cell_ * 3;
                    for (int x = 0; x < cell_ * 3; ++x)
                        sum += row[x];
                }
                mean[size_t(r) * cols + c] = sum / (cell_ * cell_ * 3);
            }
        std::vector<double> sorted = mean;
        std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
        const double median = sorted[sorted.size() / 2];
        if (median < 10)
            return {}; // a black frame has no road to compare against

        // Flood-fill 4-connected dark cells into clusters.
        std::vector<int> label(mean.size(), -1);
        std::vector<voirie::sdk::Detection> out;
        for (size_t start = 0; start < mean.size(); ++start) {
            if (label[start] >= 0 || mean[start] >= darkness_ * median)
                continue;
            int x0 = cols, y0 = rows, x1 = -1, y1 = -1, n = 0;
            double darkest = median;
            std::vector<size_t> stack{start};
            label[start] = int(out.size());
            while (!stack.empty()) {
                const size_t i = stack.back();
                stack.pop_back();
                const int r = int(i) / cols, c = int(i) % cols;
                x0 = std::min(x0, c); x1 = std::max(x1, c); y0 = std::min(y0, r); y1 = std::max(y1, r);
                darkest = std::min(darkest, mean[i]);
                ++n;
                const int nr[] = {r - 1, r + 1, r, r}, nc[] = {c, c, c - 1, c + 1};
                for (int k = 0; k < 4; ++k) {
                    if (nr[k] < 0 || nr[k] >= rows || nc[k] < 0 || nc[k] >= cols)
                        continue;
                    const size_t j = size_t(nr[k]) * cols + nc[k];
                    if (label[j] < 0 && mean[j] < darkness_ * median) {
                        label[j] = label[start];
                        stack.push_back(j);
                    }
                }
            }
            if (n < 2)
                continue; // a single dark cell is usually noise
            voirie::sdk::Detection d;
            d.class_code = "D40";
            d.confidence = std::clamp(1.0 - darkest / median, 0.0, 1.0);
            d.x = x0 * cell_;
            d.y = top + y0 * cell_;
            d.width = (x1 - x0 + 1) * cell_;
            d.height = (y1 - y0 + 1) * cell_;
            d.attributes = {{"cells", double(n)}};
            out.push_back(d);
        }
        return out;
    }

private:
    int cell_;
    double darkness_;
};

VOIRIE_DETECTOR_PLUGIN(DarkPatches, "dark-patches", "0.3.0", VOIRIE_THREAD_FULLY_SAFE, "D40")
