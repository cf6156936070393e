// Running the voirie command and opening what it writes, for the end-to-end suites.
#pragma once

#include "test_support.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <string>

namespace voirie::test {

inline CommandResult runVoirie(const std::string& args) { return runCommand(shellQuoted(VOIRIE_CLI) + " " + args); }

inline GDALDatasetUniquePtr openVector(const std::filesystem::path& p, bool update = false)
{
    GDALAllRegister();
    return GDALDatasetUniquePtr(
        GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)));
}

// The first column of the first row of an SQL query on a vector dataset (-1 when none).
inline long long sqlNumber(const std::filesystem::path& p, const std::string& sql)
{
    auto ds = openVector(p);
    if (!ds)
        return -1;
    OGRLayer* r = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (r == nullptr)
        return -1;
    OGRFeatureUniquePtr f(r->GetNextFeature());
    const long long n = f ? f->GetFieldAsInteger64(0) : -1;
    ds->ReleaseResultSet(r);
    return n;
}

// The first column of the first row of an SQL query, as text ("" when none).
inline std::string sqlText(const std::filesystem::path& p, const std::string& sql)
{
    auto ds = openVector(p);
    if (!ds)
        return "";
    OGRLayer* r = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (r == nullptr)
        return "";
    OGRFeatureUniquePtr f(r->GetNextFeature());
    const std::string v = f ? f->GetFieldAsString(0) : "";
    ds->ReleaseResultSet(r);
    return v;
}

} // namespace voirie::test
