#!/usr/bin/python3
"""Prints the engine's shape: files per folder, the largest source files and functions, and the
include edges between app/core's headers and sources (with the depth of the longest chain).
Used to report an architecture change before and after: tools/lint/tree_report.py [ROOT]."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
SOURCE = (".cpp", ".hpp", ".h", ".c")
TREES = ["app", "plugins", "samples"]


def files_under(top):
    for d, _, names in os.walk(os.path.join(ROOT, top)):
        for n in names:
            if n.endswith(SOURCE):
                yield os.path.join(d, n)


def function_lengths(path):
    """(lines, name) of each top-level function body: a line ending in '{' at column 0 or one
    indent (namespace members), matched to its closing brace by counting braces."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(?:[A-Za-z_][\w:<>,*& ]*\s)?([\w:~]+)\s*\(", lines[i])
        if m and not lines[i].rstrip().endswith(";") and not lines[i].startswith(("namespace", "#", "//")):
            j = i
            while j < len(lines) and "{" not in lines[j] and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and "{" in lines[j]:
                depth, k = 0, j
                while k < len(lines):
                    depth += lines[k].count("{") - lines[k].count("}")
                    if depth <= 0:
                        break
                    k += 1
                out.append((k - i + 1, m.group(1)))
                i = k
        i += 1
    return out


def main():
    print("files per folder (source files):")
    folders = {}
    for top in TREES:
        for f in files_under(top):
            folders.setdefault(os.path.relpath(os.path.dirname(f), ROOT), []).append(f)
    for d in sorted(folders):
        print(f"  {len(folders[d]):3d}  {d}")
    everything = [f for top in TREES for f in files_under(top)]
    sizes = sorted(((sum(1 for _ in open(f, encoding="utf-8", errors="replace")), f) for f in everything),
                   reverse=True)
    print("largest files (lines):")
    for n, f in sizes[:10]:
        print(f"  {n:5d}  {os.path.relpath(f, ROOT)}")
    funcs = sorted(((n, name, os.path.relpath(f, ROOT)) for f in everything if f.endswith(".cpp")
                    for n, name in function_lengths(f)), reverse=True)
    print("largest functions (lines):")
    for n, name, f in funcs[:10]:
        print(f"  {n:5d}  {name}  ({f})")
    # Include edges inside app/core: file -> core header it includes.
    core = os.path.join(ROOT, "app/core")
    header_of = {}
    for f in files_under("app/core"):
        rel = os.path.relpath(f, core)
        m = re.match(r"include/(voirie/core/.*)", rel)
        header_of[m.group(1) if m else rel] = f
    edges = {}
    for key, f in header_of.items():
        text = open(f, encoding="utf-8").read()
        targets = set()
        for inc in re.findall(r'#include\s*[<"]([^>"]+)[>"]', text):
            if inc in header_of:
                targets.add(inc)
            else:
                local = os.path.normpath(os.path.join(os.path.dirname(key), inc))
                if local in header_of:
                    targets.add(local)
        edges[key] = targets - {key}
    count = sum(len(t) for t in edges.values())
    memo = {}

    def depth(k, seen=()):
        if k in memo:
            return memo[k]
        d = 1 + max((depth(t, seen + (k,)) for t in edges.get(k, ()) if t not in seen), default=0)
        memo[k] = d
        return d
    print(f"app/core: {len(header_of)} files, {count} include edges, longest include chain {max(map(depth, edges))} files")
    headers = {k for k in edges if k.endswith(".hpp")}
    print(f"app/core headers: {len(headers)}, header-to-header include edges "
          f"{sum(len(edges[k] & headers) for k in headers)}")
    # Between modules (files under a module folder): which module's files include which module.
    def module(key):
        m = re.match(r"(?:voirie/core|src)/([^/]+)/", key)
        return m.group(1) if m else None
    between = {}
    for k, targets in edges.items():
        for t in targets:
            a, b = module(k), module(t)
            if a and b and a != b:
                between[(a, b)] = between.get((a, b), 0) + 1
    if between:
        print(f"edges between modules: {sum(between.values())} includes over {len(between)} module pairs")
        for (a, b), n in sorted(between.items()):
            print(f"  {a} -> {b}: {n}")


if __name__ == "__main__":
    main()
