#!/usr/bin/python3
"""Checks that Voirie's sources keep the declared order of their parts; exits 1 with one line per
violation ("file:line: what, and why it is not allowed"), 0 when the tree is clean.

  tools/lint/module_order.py [--root REPO]

The engine's modules and what each may use are declared once, in app/core/modules.txt (the build
reads the same file). An include of `voirie/core/<module>/...` from a file of another module is
allowed only if that module is used, directly or through the modules it uses: an include of a
module above (upward) or of one beside it that it does not use (sideways) is a violation. Every
engine file must sit in a module folder. Beyond the engine: the SDK and the plugins see only the
SDK (plugins/common too), never the engine; the engine sees neither the report, the GUI, the CLI
nor the sample generator."""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
SOURCE = (".cpp", ".hpp", ".h", ".c", ".in")


def read_modules(path):
    """[(module, [modules it uses])] in declared order, and the problems of the declaration."""
    modules, problems = [], []
    declared = set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^([a-z_]+):(.*)$", line)
        if not m:
            problems.append(f"{path}:{n}: not 'module: modules it uses'")
            continue
        name, uses = m.group(1), m.group(2).split()
        for u in uses:
            if u not in declared:
                problems.append(f"{path}:{n}: {name} uses {u}, which is not declared above it")
        modules.append((name, uses))
        declared.add(name)
    return modules, problems


def reachable(modules):
    """module -> every module it may include: itself and what it uses, transitively."""
    uses = dict(modules)
    out = {}
    for name, _ in modules:
        seen, todo = {name}, list(uses[name])
        while todo:
            u = todo.pop()
            if u not in seen:
                seen.add(u)
                todo.extend(uses.get(u, []))
        out[name] = seen
    return out


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def walk(root, top):
    for d, dirs, names in os.walk(os.path.join(root, top)):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(SOURCE):
                yield os.path.join(d, name)


def module_of(rel):
    """The module a file of app/core belongs to, from its folder; None when in none."""
    m = re.match(r"app/core/(?:include/voirie/core|src)/([^/]+)/", rel)
    return m.group(1) if m else None


def check(root):
    core = os.path.join(root, "app/core")
    modules, problems = read_modules(os.path.join(core, "modules.txt"))
    names = [m for m, _ in modules]
    rank = {m: i for i, m in enumerate(names)}
    allowed = reachable(modules)
    for path in walk(root, "app/core"):
        rel = os.path.relpath(path, root)
        if not rel.startswith(("app/core/include/", "app/core/src/")):
            continue
        mod = module_of(rel)
        if mod is None:
            problems.append(f"{rel}: belongs to no module: engine sources live in app/core/src/<module>/, "
                            f"public headers in app/core/include/voirie/core/<module>/")
            continue
        if mod not in rank:
            problems.append(f"{rel}: module '{mod}' is not declared in app/core/modules.txt")
            continue
        for n, inc in includes(path):
            if inc.startswith("voirie/report/") or inc.startswith("voirie/gui/") or inc.startswith("voirie/sample/") \
                    or inc.startswith("Q") and "/" not in inc:
                problems.append(f"{rel}:{n}: the engine includes {inc}: the engine sees neither the report, "
                                f"the GUI nor the sample generator")
                continue
            m = re.match(r"voirie/core/([^/]+)/", inc)
            if not m:
                if re.match(r"voirie/core/[^/]+$", inc):
                    problems.append(f"{rel}:{n}: {inc} names no module folder (voirie/core/<module>/...)")
                continue
            used = m.group(1)
            if used not in rank:
                problems.append(f"{rel}:{n}: {inc}: module '{used}' is not declared in app/core/modules.txt")
            elif used not in allowed[mod]:
                way = "upward" if rank[used] > rank[mod] else "sideways"
                problems.append(f"{rel}:{n}: {mod} includes {inc}, an include that goes {way}: {used} is "
                                f"{'above' if way == 'upward' else 'beside'} {mod} and {mod} does not use it "
                                f"(app/core/modules.txt)")
    for top, who in (("sdk", "the SDK"), ("plugins", "a plugin")):
        for path in walk(root, top):
            rel = os.path.relpath(path, root)
            for n, inc in includes(path):
                if re.match(r"voirie/(core|report|gui|sample)/", inc):
                    problems.append(f"{rel}:{n}: {who} includes {inc}: plugins and the SDK see only the SDK "
                                    f"(voirie/plugin_abi.h, voirie/plugin.hpp, ...), never the engine")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    problems = check(os.path.abspath(args.root))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) against the declared order", file=sys.stderr)
        return 1
    print("module order: every include keeps the declared order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
