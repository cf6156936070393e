// A frame the reviewer chose as a damage's evidence, made into its chip: the frame as read
// anonymized (refused when no anonymizer could run: a frame blurred whole shows nothing), cut
// around the damage's detection in it as the analysis cuts every chip.
#pragma once

#include "frame_source.hpp"
#include "project_data.hpp"

#include "voirie/core/base/result.hpp"
#include "voirie/core/project/project_review.hpp"

namespace voirie::gui {

Result<Evidence> evidenceFromFrame(const FrameImage& anonymized, const FrameRecord& frame, const FrameDetection& detection);

} // namespace voirie::gui
