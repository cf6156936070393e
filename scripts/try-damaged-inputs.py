#!/usr/bin/env python3
"""Tries Voirie as a careful user would, on damaged inputs and failed writes (issue 32), and counts.

    scripts/try-damaged-inputs.py OUT_DIR [--build build] [--kills 20] [--interrupts 5] [--fuzz 300]
                                          [--only projects,videos,gps,camera,writes,plugins,kills,fuzz]

On the bundled sample survey (voirie sample, seed 1, 400 m) and its project (cracks,potholes):
- bad inputs, each run through the commands that read it. A result is one of
    refused        exit != 0 with one sentence (no raw GDAL/FFmpeg line)
    refused, noisy exit != 0, but raw library lines or several sentences
    same result    exit 0 and the same result as with the intact input (the damage did not matter
                   to this command: a field it does not read, one GPS fix dropped and said)
    SILENT         exit 0 and the same result, but nothing said about what was dropped
    readable part, said  exit 0 with what could be read of a damaged GPS file (a cut GPX's complete
                   fixes, a CSV's readable rows), and a sentence saying what was left out (as the
                   issue asks); the result differs from the intact file's
    WRONG          exit 0 and another result: the failure issue 32 is about (target: 0)
- kill -9 at random moments of an analysis: does the partial file open, pass SQLite's integrity
  check, and does --resume give the damages of an uninterrupted run; the same for Ctrl-C;
- fuzzed GPS files (bytes flipped, lines cut, doubled, dropped) through `voirie frames`: crashes
  (a signal) and hangs (over 60 s).
Prints a table per case and the counts; writes OUT_DIR/results.json. Needs the build's `voirie`
and, for a full disk, build/tests/voirie_test_enospc_shim.so (built with the tests).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

LIBRARY_LINE = re.compile(r"^(ERROR \d+:|Warning \d+:|\[[a-z0-9_ ,@x]+\] |\[(h264|mov|mp4|aac|hevc)|OpenCV|GDAL)")


def run(cmd, timeout=600, env=None):
    started = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, errors="replace")
        return p.returncode, p.stdout, p.stderr, time.time() - started
    except subprocess.TimeoutExpired:
        return None, "", "timeout", time.time() - started


def sentences(err):
    """The lines of stderr that are Voirie's own errors, and the raw library lines."""
    lines = [l for l in err.splitlines() if l.strip()]
    own = [l for l in lines if (l.startswith("voirie ") or l.startswith("voirie:")) and ":" in l and "%," not in l]
    raw = [l for l in lines if LIBRARY_LINE.match(l)]
    return own, raw


class Battery:
    def __init__(self, out, build):
        self.out = Path(out).resolve()
        self.voirie = str(Path(build, "bin", "voirie").resolve())
        self.shim = Path(build, "tests", "voirie_test_enospc_shim.so").resolve()
        self.fake_plugins = Path(build, "tests", "fake_plugins").resolve()
        self.results = []
        self.sample = self.out / "sample"
        self.cases = self.out / "cases"

    # --- the intact inputs and their results -------------------------------------------------
    def prepare(self):
        self.out.mkdir(parents=True, exist_ok=True)
        if not (self.sample / "survey.json").exists():
            rc, _, err, _ = run([self.voirie, "sample", "--out", str(self.sample), "--seed", "1"])
            assert rc == 0, err
        self.reference = self.out / "reference.gpkg"
        if not self.reference.exists():
            rc, _, err, _ = run(self.analyze_args(self.sample / "survey.mp4", self.sample / "survey.gpx", self.reference))
            assert rc == 0, err
            rc, _, err, _ = run([self.voirie, "rate", str(self.reference), "--quiet"])
            assert rc == 0, err
        self.ref_damages = damages_of(self.reference)
        self.ref_grades = grades_of(self.reference)
        _, out, _, _ = run([self.voirie, "eval", str(self.reference), "--truth", str(self.sample / "ground_truth.geojson"), "--json"])
        self.ref_eval = json.loads(out)["overall"]
        _, out, _, _ = run(self.frames_args(self.sample / "survey.mp4", self.sample / "survey.gpx") + ["--json"])
        self.ref_frames = json.loads(out)["summary"]["frames_sampled"]
        shutil.rmtree(self.cases, ignore_errors=True)
        self.cases.mkdir()

    def analyze_args(self, video, track, out, *extra):
        return [self.voirie, "analyze", "--video", str(video), "--track", str(track), "--camera",
                str(self.sample / "camera.json"), "--plugins", "cracks,potholes", "--no-anonymize", "--quiet",
                "--overwrite", "--out", str(out), *extra]

    def frames_args(self, video, track, camera=None):
        return [self.voirie, "frames", "--video", str(video), "--track", str(track), "--camera",
                str(camera or self.sample / "camera.json")]

    def record(self, group, case, command, rc, out, err, same, said=True):
        own, raw = sentences(err)
        if rc is None:
            verdict = "HANG"
        elif rc < 0 or rc >= 128:
            verdict = "CRASH"
        elif rc != 0:
            verdict = "refused" if len(own) == 1 and not raw else "refused, noisy"
        elif not same:
            verdict = "readable part, said" if said == "readable part" else "WRONG"
        else:
            verdict = "same result" if said else "SILENT"
        first = own[0] if own else (err.strip().splitlines() or [""])[-1]
        self.results.append({"group": group, "case": case, "command": command, "exit": rc, "verdict": verdict,
                             "said": first[:300], "raw_library_lines": len(raw)})
        print(f"{verdict:15} {group:9} {case:34} {command:9} exit {rc}  {first[:150]}", flush=True)

    # --- damaged projects ------------------------------------------------------------------------
    def projects(self):
        def sql(statement):
            def damage(p):
                c = sqlite3.connect(p)
                c.executescript(statement)
                c.commit()
                c.close()
            return damage

        def overwrite(offset_share, n, byte=None):
            def damage(p):
                size = p.stat().st_size
                with open(p, "r+b") as f:
                    f.seek(int(size * offset_share))
                    f.write(bytes([byte]) * n if byte is not None else os.urandom(n))
            return damage

        def truncate(share):
            return lambda p: os.truncate(p, int(p.stat().st_size * share))

        def replace_with(text):
            return lambda p: p.write_bytes(text)

        mutations = {
            "damages.class dropped": sql("ALTER TABLE damages DROP COLUMN class"),
            "damages.severity dropped": sql("ALTER TABLE damages DROP COLUMN severity"),
            "damages.length_m dropped": sql("ALTER TABLE damages DROP COLUMN length_m"),
            "damages.chainage_m dropped": sql("ALTER TABLE damages DROP COLUMN chainage_m"),
            "damages.review_state dropped": sql("ALTER TABLE damages DROP COLUMN review_state"),
            "table frames dropped": sql("DROP TABLE frames"),
            "table track dropped": sql("DROP TABLE track"),
            "table run dropped": sql("DROP TABLE run"),
            "run status 'running'": sql("UPDATE run SET status = 'running'"),
            "run status 'interrupted'": sql("UPDATE run SET status = 'interrupted'"),
            "schema_version 99": sql("UPDATE run SET schema_version = 99"),
            "8 KB of pages overwritten": overwrite(0.5, 8192),
            "cut to 60 %": truncate(0.6),
            "header zeroed": overwrite(0.0, 100, 0),
            "empty file": truncate(0.0),
            "a text file": replace_with(b"not a project at all\n"),
        }
        truth = str(self.sample / "ground_truth.geojson")
        for name, damage in mutations.items():
            for command in ("rate", "report", "export", "eval"):
                p = self.cases / "p.gpkg"
                shutil.copy(self.reference, p)
                try:
                    damage(p)
                except sqlite3.Error as e:  # e.g. a column SQLite will not drop
                    print(f"(skipped {name}: {e})")
                    break
                args = {"rate": ["rate", str(p), "--quiet"],
                        "report": ["report", str(p), "--out", str(self.cases / "r.html"), "--overwrite"],
                        "export": ["export", str(p), "--format", "geojson", "--out", str(self.cases / "e.geojson"), "--overwrite"],
                        "eval": ["eval", str(p), "--truth", truth, "--json"]}[command]
                rc, out, err, _ = run([self.voirie, *args])
                same = False
                if rc == 0:
                    if command == "rate":
                        same = grades_of(p) == self.ref_grades
                    elif command == "eval":
                        same = json.loads(out)["overall"] == self.ref_eval
                    elif command == "export":
                        same = len(json.loads((self.cases / "e.geojson").read_text())["features"]) == len(self.ref_damages)
                    else:
                        html = (self.cases / "r.html").read_text()
                        same = f'id="damage-total">{len(self.ref_damages)}<' in html
                # An unfinished run's figures are right for what it analysed, if that is said.
                said = "run status" not in name or "not complete" in err
                if name == "table run dropped" and command == "export":  # images of unknown anonymization
                    said = "cannot be told whether the evidence images" in err
                self.record("project", name, command, rc, out, err, same, said)
            (self.cases / "p.gpkg").unlink(missing_ok=True)
        for name, path in {"missing file": self.cases / "nope.gpkg", "a folder": self.cases}.items():
            rc, out, err, _ = run([self.voirie, "rate", str(path)])
            self.record("project", name, "rate", rc, out, err, False)

    # --- damaged videos --------------------------------------------------------------------------
    def videos(self):
        src = (self.sample / "survey.mp4").read_bytes()

        def zeroed(offset_share, n):
            b = bytearray(src)
            at = int(len(b) * offset_share)
            b[at:at + n] = bytes(min(n, len(b) - at))
            return bytes(b)

        def flipped(count, seed):
            rng = random.Random(seed)
            b = bytearray(src)
            for _ in range(count):  # inside the media data, past the first keyframe's header
                b[rng.randrange(4096, len(b) - 4096)] = rng.randrange(256)
            return bytes(b)

        def no_creation_time():
            b = bytearray(src)
            i = b.find(b"mvhd")
            b[i + 8:i + 12] = bytes(4)
            return bytes(b)

        videos = {
            "1 MB zeroed in the middle": zeroed(0.5, 1 << 20),
            "an eighth zeroed at a third": zeroed(1 / 3, len(src) // 8),
            "first 64 KB zeroed": zeroed(0.0, 65536),
            "cut to 300 KB (no index)": src[:300000],
            "cut to 90 %": src[:int(len(src) * 0.9)],
            "200 bytes flipped": flipped(200, 1),
            "a text file": b"this is not a video\n",
            "empty file": b"",
            "no creation time": no_creation_time(),
        }
        for name, data in videos.items():
            v = self.cases / "v.mp4"
            v.write_bytes(data)
            out = self.cases / "v.gpkg"
            rc, so, err, _ = run(self.analyze_args(v, self.sample / "survey.gpx", out))
            same = rc == 0 and damages_of(out) == self.ref_damages
            self.record("video", name, "analyze", rc, so, err, same)
        rc, so, err, _ = run(self.analyze_args(self.cases / "missing.mp4", self.sample / "survey.gpx", self.cases / "v.gpkg"))
        self.record("video", "missing file", "analyze", rc, so, err, False)

    # --- damaged GPS tracks ----------------------------------------------------------------------
    def gps(self):
        gpx = (self.sample / "survey.gpx").read_text()
        points = re.findall(r'<trkpt lat="([^"]*)" lon="([^"]*)"><time>([^<]*)</time>', gpx)
        times = [t for _, _, t in points]

        def retimed(i, new):
            return gpx.replace(f"<time>{times[i]}</time>", f"<time>{new}</time>", 1)

        def moved(i, dlat, dlon=0.0):
            lat, lon, _ = points[i]
            return gpx.replace(f'lat="{lat}" lon="{lon}"', f'lat="{float(lat) + dlat:.7f}" lon="{float(lon) + dlon:.7f}"', 1)

        csv_rows = ["time,lat,lon"] + [f"{t},{la},{lo}" for la, lo, t in points]
        csv_missing = list(csv_rows)
        for i in range(2, len(csv_missing), 3):
            csv_missing[i] = ",".join(csv_missing[i].split(",")[:2])
        nmea = "\r\n".join(nmea_rmc(float(la), float(lo), t) for la, lo, t in points) + "\r\n"
        nmea_bad = nmea.replace("*", "*F", 5)
        cut_at = gpx.rfind("<trkpt")
        tracks = {  # name -> (file name, text, whether a result equal to the intact one is expected)
            "one fix dated year 2926": ("t.gpx", retimed(20, times[20].replace("2026", "2926", 1))),
            "one fix dated month 94": ("t.gpx", retimed(20, times[20][:5] + "94" + times[20][7:])),
            "one fix 50 km away": ("t.gpx", moved(25, 0.45)),
            "one fix at 0,0": ("t.gpx", gpx.replace(f'lat="{points[30][0]}" lon="{points[30][1]}"', 'lat="0" lon="0"', 1)),
            "one fix 30 m aside": ("t.gpx", moved(33, 0.00027)),
            "one time repeated": ("t.gpx", retimed(12, times[11])),
            "closing tags missing": ("t.gpx", gpx[:gpx.rfind("</trkseg>")]),
            "cut inside a fix": ("t.gpx", gpx[:cut_at + 40]),
            "half the file": ("t.gpx", gpx[:len(gpx) // 2]),
            "CSV rows missing fields": ("t.csv", "\n".join(csv_missing) + "\n"),
            "NMEA cut mid-sentence": ("t.nmea", nmea[:len(nmea) * 2 // 3 + 17]),
            "NMEA 5 bad checksums": ("t.nmea", nmea_bad),
            "GPX without times": ("t.gpx", re.sub(r"<time>[^<]*</time>", "", gpx)),
            "GPX with no points": ("t.gpx", re.sub(r"<trkpt.*?</trkpt>", "", gpx, flags=re.S)),
            "binary garbage": ("t.gpx", None),
            "empty file": ("t.gpx", ""),
            "track starts 20 s late": ("t.gpx", re.sub(r"<trkpt.*?</trkpt>", "", gpx, count=20, flags=re.S)),
            "fixes in reverse order": ("t.gpx", reverse_points(gpx)),
        }
        for name, (file_name, text) in tracks.items():
            t = self.cases / file_name
            if text is None:
                t.write_bytes(os.urandom(4096))
            else:
                t.write_text(text)
            rc, out, err, _ = run(self.frames_args(self.sample / "survey.mp4", t) + ["--json"])
            same, said = False, True
            if rc == 0:
                summary = json.loads(out)
                frames = summary["summary"]["frames_sampled"]
                track = summary["summary"].get("track", {})
                partial = summary["summary"].get("partial")
                same = abs(frames - self.ref_frames) <= 1 and not partial
                dropped = sum(track.get("fixes_dropped", {}).values()) + track.get("rows_without_time", 0)
                nmea_bad = sum(v for k, v in track.get("nmea", {}).items() if k != "sentences")
                said = dropped > 0 or nmea_bad > 0 or bool(summary["summary"].get("warnings")) or "warning" in err
                if said and not same and not partial:
                    said = "readable part"
            self.record("gps", name, "frames", rc, out, err, same, said)

    # --- damaged camera files --------------------------------------------------------------------
    def camera(self):
        cam = json.loads((self.sample / "camera.json").read_text())
        cases = {"not JSON": "{ height_m: 1.4,", "height missing": {k: v for k, v in cam.items() if k != "height_m"},
                 "pitch 200 degrees": dict(cam, pitch_deg=200), "height -1 m": dict(cam, height_m=-1),
                 "empty file": ""}
        for name, content in cases.items():
            c = self.cases / "camera.json"
            c.write_text(content if isinstance(content, str) else json.dumps(content))
            rc, out, err, _ = run(self.frames_args(self.sample / "survey.mp4", self.sample / "survey.gpx", c) + ["--json"])
            self.record("camera", name, "frames", rc, out, err, False)

    # --- failed writes ---------------------------------------------------------------------------
    def writes(self):
        full = self.cases / "full"
        full.mkdir(exist_ok=True)

        def full_disk(bytes_allowed):
            env = dict(os.environ, LD_PRELOAD=str(self.shim), VOIRIE_TEST_ENOSPC_DIR=str(full),
                       VOIRIE_TEST_ENOSPC_BYTES=str(bytes_allowed))
            return env

        if not self.shim.exists():
            print(f"(no {self.shim}: build the tests for the full-disk cases)")
            return
        project = full / "p.gpkg"
        for allowed in (20_000, 400_000, 2_000_000):
            rc, out, err, _ = run(self.analyze_args(self.sample / "survey.mp4", self.sample / "survey.gpx", project),
                                  env=full_disk(allowed))
            self.record("write", f"analyze, disk full after {allowed // 1000} KB", "analyze", rc, out, err,
                        rc == 0 and damages_of(project) == self.ref_damages)
        shutil.copy(self.reference, full / "ref.gpkg")
        for command, args, target in (
                ("report", ["report", str(full / "ref.gpkg"), "--out", str(full / "r.html"), "--pdf", str(full / "r.pdf"), "--overwrite"], full / "r.pdf"),
                ("export", ["export", str(full / "ref.gpkg"), "--format", "gpkg", "--out", str(full / "e.gpkg"), "--overwrite"], full / "e.gpkg")):
            run([self.voirie, *args])  # a good previous output
            before = target.read_bytes() if target.exists() else None
            rc, out, err, _ = run([self.voirie, *args], env=full_disk(30_000))
            kept = target.exists() and target.read_bytes() == before
            self.record("write", f"{command}, disk full, previous kept={kept}", command, rc, out, err, False)
        for allowed in (0, 2_000):
            shutil.copy(self.reference, full / "ref.gpkg")
            rc, out, err, _ = run([self.voirie, "rate", str(full / "ref.gpkg"), "--quiet"], env=full_disk(allowed))
            self.record("write", f"rate, disk full after {allowed} B", "rate", rc, out, err, grades_of(full / "ref.gpkg") == self.ref_grades)
        rc, out, err, _ = run([self.voirie, "export", str(self.reference), "--format", "gpkg", "--out", "/proc/voirie/e.gpkg"])
        self.record("write", "export into a missing folder", "export", rc, out, err, False)
        rc, out, err, _ = run([self.voirie, "export", str(self.reference), "--format", "gpkg", "--out", str(self.cases), "--overwrite"])
        self.record("write", "export onto a folder", "export", rc, out, err, False)

    # --- plugins that fail -----------------------------------------------------------------------
    def plugins(self):
        for plugin in ("crashes", "throws-detect", "throws-create", "bad-output"):
            out = self.cases / "pl.gpkg"
            args = self.analyze_args(self.sample / "survey.mp4", self.sample / "survey.gpx", out)
            args[args.index("cracks,potholes")] = "cracks,potholes," + plugin
            rc, so, err, _ = run(args + ["--plugin-dir", str(self.fake_plugins)])
            same = rc == 0 and damages_of(out) == self.ref_damages
            said = "plugin " in so + err
            self.record("plugin", plugin, "analyze", rc, so, err, same, said)

    # --- kill -9 and Ctrl-C ----------------------------------------------------------------------
    def kills(self, kills, interrupts, seed=5):
        rng = random.Random(seed)
        out = self.cases / "k.gpkg"
        partial = self.cases / "k.partial.gpkg"
        args = self.analyze_args(self.sample / "survey.mp4", self.sample / "survey.gpx", out)
        started = time.time()
        run(args)
        whole = time.time() - started
        counts = {"kill": {"runs": 0, "partial_left": 0, "opens": 0, "integrity_ok": 0, "resumed_equal": 0},
                  "ctrl-c": {"runs": 0, "partial_left": 0, "opens": 0, "integrity_ok": 0, "resumed_equal": 0}}
        for kind, n, sig in (("kill", kills, signal.SIGKILL), ("ctrl-c", interrupts, signal.SIGINT)):
            for i in range(n):
                for p in (out, partial):
                    p.unlink(missing_ok=True)
                at = rng.uniform(0.05, 0.95) * whole
                proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(at)
                proc.send_signal(sig)
                proc.wait()
                c = counts[kind]
                c["runs"] += 1
                if not partial.exists():
                    note = "finished before the signal" if out.exists() else "no partial file yet"
                    print(f"{kind} {i + 1} at {at:.1f} s: {note}")
                    if out.exists():
                        c["runs"] -= 1
                    continue
                c["partial_left"] += 1
                rc, so, _, _ = run([self.voirie, "check", "--json", str(partial)])
                try:
                    report = json.loads(so)
                except json.JSONDecodeError:
                    report = {}
                c["integrity_ok"] += report.get("integrity") == "ok"
                rc_info, _, _, _ = run(["ogrinfo", "-ro", "-so", "-al", str(partial)])
                c["opens"] += rc_info == 0
                rc, _, err, _ = run([a for a in args if a != "--overwrite"] + ["--resume"])
                equal = rc == 0 and damages_of(out) == self.ref_damages
                c["resumed_equal"] += equal
                print(f"{kind} {i + 1} at {at:.1f} s: integrity {report.get('integrity')}, status {report.get('run_status')},"
                      f" opens {rc_info == 0}, resume exit {rc}, same damages {equal}", flush=True)
        self.kill_counts = counts

    # --- fuzzed GPS files ------------------------------------------------------------------------
    def fuzz(self, n, seed=3):
        short = self.out / "short"
        if not (short / "survey.json").exists():
            rc, _, err, _ = run([self.voirie, "sample", "--out", str(short), "--seed", "3", "--length-m", "60"])
            assert rc == 0, err
        rng = random.Random(seed)
        valid = (short / "survey.gpx").read_bytes()
        counts = {"runs": 0, "crash": 0, "hang": 0, "exit_0": 0, "exit_1": 0, "other_exit": 0, "raw_library_lines": 0}
        for i in range(n):
            b = bytearray(valid)
            for _ in range(rng.randint(1, 6)):
                k = rng.randrange(5)
                if k == 0 and b:
                    b[rng.randrange(len(b))] = rng.randrange(256)
                elif k == 1:
                    del b[rng.randrange(len(b) + 1):]
                elif k == 2 and b:
                    at = rng.randrange(len(b))
                    b[at:at] = b[at:at + rng.randrange(200)]
                elif k == 3 and b:
                    at = rng.randrange(len(b))
                    del b[at:at + rng.randrange(200)]
                elif k == 4 and b:
                    at = rng.randrange(len(b))
                    b[at:at + 1] = rng.choice([b"<", b">", b"\"", b"-", b"9999", b"\x00", b"</trkseg>", b"<trkpt lat=\"91\" lon=\"0\">"])
            t = self.cases / "fuzz.gpx"
            t.write_bytes(bytes(b))
            rc, _, err, _ = run([self.voirie, "frames", "--video", str(short / "survey.mp4"), "--track", str(t), "--camera",
                                 str(short / "camera.json"), "--json"], timeout=60)
            counts["runs"] += 1
            if rc is None:
                counts["hang"] += 1
            elif rc < 0 or rc >= 128:
                counts["crash"] += 1
                (self.out / f"crash-{i}.gpx").write_bytes(bytes(b))
            elif rc in (0, 1):
                counts[f"exit_{rc}"] += 1
            else:
                counts["other_exit"] += 1
            counts["raw_library_lines"] += bool(sentences(err)[1])
        print("fuzzed GPS files:", counts)
        self.fuzz_counts = counts


def damages_of(project):
    """What a resumed or repeated run must reproduce: class, severity, sizes, place, frames."""
    try:
        c = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
        rows = c.execute("SELECT class, severity, round(length_m, 3), round(area_m2, 3), round(chainage_m, 2), n_frames,"
                         " evidence_frame FROM damages ORDER BY chainage_m, class").fetchall()
        c.close()
        return rows
    except sqlite3.Error:
        return None


def grades_of(project):
    try:
        c = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
        rows = c.execute("SELECT * FROM segments ORDER BY 1").fetchall()
        c.close()
        return [tuple(v for v in r if not isinstance(v, bytes)) for r in rows]
    except sqlite3.Error:
        return None


def nmea_rmc(lat, lon, iso):
    def dm(v, width):
        d = int(abs(v))
        return f"{d:0{width}d}{(abs(v) - d) * 60:07.4f}"
    hh, mm, ss = iso[11:13], iso[14:16], iso[17:19]
    date = iso[8:10] + iso[5:7] + iso[2:4]
    body = f"GPRMC,{hh}{mm}{ss}.00,A,{dm(lat, 2)},{'N' if lat >= 0 else 'S'},{dm(lon, 3)},{'E' if lon >= 0 else 'W'},10.0,0.0,{date},,"
    check = 0
    for ch in body:
        check ^= ord(ch)
    return f"${body}*{check:02X}"


def reverse_points(gpx):
    points = re.findall(r"<trkpt.*?</trkpt>", gpx, flags=re.S)
    head = gpx[:gpx.find(points[0])]
    tail = gpx[gpx.rfind(points[-1]) + len(points[-1]):]
    return head + "\n".join(reversed(points)) + tail


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--build", default="build")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--interrupts", type=int, default=5)
    ap.add_argument("--fuzz", type=int, default=300)
    ap.add_argument("--only", default="projects,videos,gps,camera,writes,plugins,kills,fuzz")
    a = ap.parse_args()
    b = Battery(a.out, a.build)
    b.prepare()
    only = a.only.split(",")
    for part in ("projects", "videos", "gps", "camera", "writes", "plugins"):
        if part in only:
            getattr(b, part)()
    if "kills" in only:
        b.kills(a.kills, a.interrupts)
    if "fuzz" in only:
        b.fuzz(a.fuzz)

    verdicts = {}
    for r in b.results:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    print("\nbad-input cases:", len(b.results), verdicts)
    bad = [r for r in b.results if r["verdict"] in ("WRONG", "SILENT", "CRASH", "HANG")]
    print("exit 0 with a wrong or unsaid result, crashes, hangs:", len(bad))
    for r in bad:
        print("  ", r["verdict"], r["group"], r["case"], r["command"])
    if hasattr(b, "kill_counts"):
        print("kill -9 / Ctrl-C:", b.kill_counts)
    summary = {"cases": b.results, "verdicts": verdicts, "kills": getattr(b, "kill_counts", None),
               "fuzz": getattr(b, "fuzz_counts", None)}
    (b.out / "results.json").write_text(json.dumps(summary, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
