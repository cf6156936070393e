// The road itself along a segment, for the report's segment pages: the survey's surface mosaic
// (voirie ortho) cut along the segment and turned so that the road runs left to right, with the
// segment's damages marked on it in their class colours.
#pragma once

#include "report_data.hpp"

#include <QImage>

#include <filesystem>
#include <string>

namespace voirie::report {

// A strip `width_px` wide, 12 m of road across; a null image (and `why`) when the surface cannot
// be read or does not cover the segment.
QImage surfaceStrip(const std::filesystem::path& surface, const ReportData& data, const ReportSegment& segment,
                    int width_px, std::string* why = nullptr);

} // namespace voirie::report
