#include "voirie/core/ingest/gpmf_parser.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/mp4_boxes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace voirie {
namespace {

constexpr int kMaxDepth = 8; // DEVC > STRM > values; anything deeper is damage

struct Klv {
    std::string key;
    char type = 0;
    size_t struct_size = 0, repeat = 0;
    size_t data = 0;          // offset of the data
    size_t data_size = 0;     // struct_size * repeat
    size_t next = 0;          // offset of the next KLV (data padded to 32 bits)
};

std::optional<Klv> readKlv(const std::string& b, size_t at, size_t end)
{
    if (at + 8 > end)
        return std::nullopt;
    Klv k;
    k.key = b.substr(at, 4);
    k.type = b[at + 4];
    k.struct_size = uint8_t(b[at + 5]);
    k.repeat = size_t(readBigEndian(b, at + 6, 2));
    k.data = at + 8;
    k.data_size = k.struct_size * k.repeat;
    const size_t padded = (k.data_size + 3) & ~size_t(3);
    if (padded > end - k.data)
        return std::nullopt;
    k.next = k.data + padded;
    return k;
}

// One element of a numeric type at `at`, as a double; nothing for types that are not numbers.
std::optional<double> number(const std::string& b, size_t at, char type)
{
    switch (type) {
    case 'b': return double(int8_t(b[at]));
    case 'B': return double(uint8_t(b[at]));
    case 's': return double(int16_t(readBigEndian(b, at, 2)));
    case 'S': return double(uint16_t(readBigEndian(b, at, 2)));
    case 'l': return double(int32_t(readBigEndian(b, at, 4)));
    case 'L': return double(uint32_t(readBigEndian(b, at, 4)));
    case 'j': return double(int64_t(readBigEndian(b, at, 8)));
    case 'J': return double(readBigEndian(b, at, 8));
    case 'q': return double(int32_t(readBigEndian(b, at, 4))) / 65536.0;
    case 'Q': return double(int64_t(readBigEndian(b, at, 8))) / 4294967296.0;
    case 'f': {
        const uint32_t bits = uint32_t(readBigEndian(b, at, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        return double(f);
    }
    case 'd': {
        const uint64_t bits = readBigEndian(b, at, 8);
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    default: return std::nullopt;
    }
}

int typeSize(char type)
{
    switch (type) {
    case 'b': case 'B': case 'c': return 1;
    case 's': case 'S': return 2;
    case 'l': case 'L': case 'q': case 'f': case 'F': return 4;
    case 'j': case 'J': case 'Q': case 'd': return 8;
    default: return 0;
    }
}

// All numbers of a KLV (every element of every repeat), or the elements described by `complex_type`
// (GPS9's TYPE, e.g. "lllllllSS") when the KLV's own type is '?'.
std::vector<double> numbers(const std::string& b, const Klv& k, const std::string& complex_type)
{
    std::vector<double> out;
    if (k.type == '?') {
        size_t width = 0;
        for (char t : complex_type)
            width += size_t(typeSize(t));
        if (width == 0 || width != k.struct_size)
            return out;
        for (size_t r = 0; r < k.repeat; ++r) {
            size_t at = k.data + r * k.struct_size;
            for (char t : complex_type) {
                out.push_back(number(b, at, t).value_or(NAN));
                at += size_t(typeSize(t));
            }
        }
        return out;
    }
    const int size = typeSize(k.type);
    if (size == 0 || k.struct_size % size_t(size) != 0)
        return out;
    for (size_t at = k.data; at + size_t(size) <= k.data + k.data_size; at += size_t(size))
        out.push_back(number(b, at, k.type).value_or(NAN));
    return out;
}

// The values of one STRM that matter for GPS, gathered as they come (SCAL, TYPE and the GPS
// metadata precede the samples they describe).
struct StreamState {
    std::vector<double> scale;
    std::string complex_type;
};

void readGpsSamples(const std::string& b, const Klv& k, const StreamState& s, bool gps9, GpmfGps& out)
{
    const size_t fields = gps9 ? 9 : 5;
    const auto values = numbers(b, k, s.complex_type);
    if (values.size() != k.repeat * fields) {
        out.damaged = true;
        return;
    }
    auto scaled = [&](size_t sample, size_t field) {
        double scale = 1;
        if (s.scale.size() == fields)
            scale = s.scale[field];
        else if (s.scale.size() == 1)
            scale = s.scale[0];
        return scale != 0 ? values[sample * fields + field] / scale : NAN;
    };
    for (size_t i = 0; i < k.repeat; ++i) {
        GpmfGpsSample g;
        g.lat = scaled(i, 0);
        g.lon = scaled(i, 1);
        g.alt_m = scaled(i, 2);
        g.speed_mps = scaled(i, 3);
        if (gps9) {
            // days since 2000-01-01 and seconds since midnight, UTC
            const double days = scaled(i, 5), seconds = scaled(i, 6);
            if (std::isfinite(days) && std::isfinite(seconds) && days >= 0 && days < 100000 && seconds >= 0 && seconds < 86402)
                g.time = 946684800.0 + days * 86400.0 + seconds;
            g.dop = scaled(i, 7);
            const double fix = values[i * fields + 8]; // not scaled
            if (std::isfinite(fix))
                g.fix = int(fix);
        }
        out.samples.push_back(g);
    }
}

void walk(const std::string& b, size_t begin, size_t end, int depth, StreamState& stream, GpmfGps& out)
{
    if (depth > kMaxDepth) {
        out.damaged = true;
        return;
    }
    for (size_t at = begin; at + 8 <= end;) {
        auto k = readKlv(b, at, end);
        if (!k) {
            out.damaged = true;
            return;
        }
        if (k->type == 0) { // nested: DEVC, STRM
            StreamState inner; // SCAL and TYPE hold for one stream only
            walk(b, k->data, k->data + k->data_size, depth + 1, k->key == "STRM" ? inner : stream, out);
        } else if (k->key == "SCAL") {
            stream.scale = numbers(b, *k, {});
        } else if (k->key == "TYPE" && k->type == 'c') {
            stream.complex_type = b.substr(k->data, k->data_size);
            while (!stream.complex_type.empty() && stream.complex_type.back() == '\0')
                stream.complex_type.pop_back();
        } else if (k->key == "GPSU" && k->data_size >= 16) {
            out.gpsu = parseGpmfUtc(b.substr(k->data, 16));
        } else if (k->key == "GPSF") {
            auto v = numbers(b, *k, {});
            if (!v.empty() && std::isfinite(v[0]))
                out.fix = int(v[0]);
        } else if (k->key == "GPSP") {
            auto v = numbers(b, *k, {});
            if (!v.empty() && std::isfinite(v[0]))
                out.dop = v[0] / 100.0;
        } else if (k->key == "GPS5" || k->key == "GPS9") {
            out.has_gps_stream = true;
            out.streams.push_back(k->key);
            readGpsSamples(b, *k, stream, k->key == "GPS9", out);
        } else if (k->key.size() == 4 && (k->key == "ACCL" || k->key == "GYRO" || k->key == "MAGN" || k->key == "CORI" ||
                                          k->key == "GRAV" || k->key == "IORI" || k->key == "SHUT" || k->key == "ISOG")) {
            out.streams.push_back(k->key);
        }
        at = k->next;
    }
}

std::string text(const std::string& b, const Klv& k) { return printableText(b.substr(k.data, k.data_size)); }

// `camera_device`: inside the payload's first device, the camera itself (others are attached
// sensors or a drone: "GoPro Karma v1.0").
void walkSettings(const std::string& b, size_t begin, size_t end, int depth, bool camera_device, GpmfSettings& out)
{
    if (depth > kMaxDepth) {
        out.damaged = true;
        return;
    }
    int devices = 0;
    for (size_t at = begin; at + 8 <= end;) {
        auto k = readKlv(b, at, end);
        if (!k) {
            out.damaged = true;
            return;
        }
        if (k->type == 0) {
            const bool camera = depth == 0 ? k->key == "DEVC" && devices++ == 0 : camera_device;
            walkSettings(b, k->data, k->data + k->data_size, depth + 1, camera, out);
        } else if (k->type == 'c' && k->key == "MINF" && k->data_size > 0) {
            out.model = text(b, *k);
        } else if (k->type == 'c' && k->key == "DVNM" && camera_device && out.model.empty()) {
            // HERO5 names its device "Camera", later cameras their model ("Hero6 Black"); the
            // settings' own devices are named for what they hold.
            const std::string name = text(b, *k);
            static const char* generic[] = {"Camera", "Global Settings", "Video Global Settings", "Highlights",
                                            "Geometry Calibrations", "Back Lens", "Front Lens"};
            if (!name.empty() && std::find(std::begin(generic), std::end(generic), name) == std::end(generic))
                out.model = name;
        } else if (k->type == 'c' && k->key == "FMWR" && out.firmware.empty()) {
            out.firmware = text(b, *k);
        } else if (k->type == 'c' && k->key == "VFOV" && out.lens_mode.empty()) {
            out.lens_mode = text(b, *k);
        } else if (k->key == "ZFOV" && !out.diagonal_fov_deg) {
            auto v = numbers(b, *k, {});
            if (!v.empty() && std::isfinite(v[0]) && v[0] > 1 && v[0] < 360)
                out.diagonal_fov_deg = v[0];
        }
        at = k->next;
    }
}

} // namespace

void parseGpmfSettings(const std::string& bytes, GpmfSettings& into)
{
    walkSettings(bytes, 0, bytes.size(), 0, true, into);
}

std::optional<double> parseGpmfUtc(const std::string& text)
{
    // yymmddhhmmss.sss
    if (text.size() < 12)
        return std::nullopt;
    for (int i = 0; i < 12; ++i)
        if (text[size_t(i)] < '0' || text[size_t(i)] > '9')
            return std::nullopt;
    auto two = [&](int at) { return (text[size_t(at)] - '0') * 10 + (text[size_t(at) + 1] - '0'); };
    char iso[64];
    std::snprintf(iso, sizeof iso, "20%02d-%02d-%02dT%02d:%02d:%02dZ", two(0), two(2), two(4), two(6), two(8), two(10));
    auto t = parseIso8601(iso);
    if (!t)
        return std::nullopt;
    double fraction = 0, unit = 0.1;
    if (text.size() > 13 && text[12] == '.')
        for (size_t i = 13; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, unit /= 10)
            fraction += (text[i] - '0') * unit;
    return *t + fraction;
}

GpmfGps parseGpmfPayload(const std::string& bytes)
{
    GpmfGps out;
    StreamState top;
    walk(bytes, 0, bytes.size(), 0, top, out);
    return out;
}

} // namespace voirie
