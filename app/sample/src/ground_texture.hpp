// The road surface as texture tiles in road coordinates: columns are s (along the road), rows are
// t (across it), 2 cm per texel. Tiles are rendered on demand and deterministically, so surveys of
// any length need only the few tiles in view.
#pragma once

#include "road_scene.hpp"

#include <opencv2/core.hpp>

#include <cstdint>
#include <map>
#include <memory>

namespace voirie::sample {

inline constexpr double kTexel = 0.02;          // metres per texel
inline constexpr double kTMin = -14.0;          // first row's t
inline constexpr int kTileColumns = 1000;       // 20 m of road per tile
inline constexpr int kTextureRows = 1400;       // 28 m across
inline constexpr double kTileLength = kTileColumns * kTexel;

// A tile and its two coarser levels (4 and 8 cm per texel) for distant parts of the frame.
struct TextureTile {
    cv::Mat level[3];
};

class GroundTexture {
public:
    GroundTexture(uint64_t seed, const RoadScene& scene) : seed_(seed), scene_(scene) {}
    // The tile covering s in [index * kTileLength, (index + 1) * kTileLength).
    const TextureTile& tile(int index);

private:
    cv::Mat render(int index) const;
    uint64_t seed_;
    const RoadScene& scene_;
    std::map<int, std::shared_ptr<TextureTile>> cache_; // a handful in view at a time
};

} // namespace voirie::sample
