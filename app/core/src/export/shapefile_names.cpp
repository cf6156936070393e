#include "voirie/core/export/shapefile_names.hpp"

namespace voirie {

const std::vector<std::pair<std::string, std::string>>& shapefileNameTable()
{
    static const std::vector<std::pair<std::string, std::string>> table = {
        {"damage_id", "damage_id"},       {"class_name", "class_name"},   {"confidence", "confidence"},
        {"chainage_m", "chainage_m"},     {"first_seen", "first_seen"},   {"last_seen", "last_seen"},
        {"evidence_frame", "evid_frame"}, {"evidence_detection", "evid_det"}, {"review_state", "review"},
        {"review_note", "rev_note"},      {"frame_index", "frame_idx"},   {"frame_in_file", "frame_in_f"},
        {"heading_deg", "heading"},       {"start_time", "start_time"},   {"plugin_version", "plugin_ver"},
        {"frame_chainage_m", "frame_ch_m"}, {"pixel_shape", "pixel_shp"}, {"box_width", "box_w"},
        {"box_height", "box_h"},          {"evidence_score", "evid_score"}, {"attributes", "attributes"},
    };
    return table;
}

std::string shapefileFieldName(const std::string& field)
{
    for (const auto& [from, to] : shapefileNameTable())
        if (from == field)
            return to;
    return field.substr(0, 10);
}

std::string shapefileTimeFieldName(const std::string& field)
{
    std::string stem = shapefileFieldName(field);
    for (const char* suffix : {"_seen", "_time"})
        if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, suffix) == 0)
            stem = stem.substr(0, stem.size() - 5);
    return (stem + "_utc").substr(0, 10);
}

} // namespace voirie
