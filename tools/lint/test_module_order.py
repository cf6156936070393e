#!/usr/bin/python3
"""Tests of module_order.py on small made-up trees, and on the repository itself: the check must
fail on an upward or sideways include, on a file outside any module and on a plugin that reaches
into the engine, and pass on a tree that keeps the order."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "module_order.py")
MODULES = "# test order\nbase:\ngeo: base\nrating: base\nanalysis: geo rating\n"


def run(root):
    p = subprocess.run([sys.executable, CHECK, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout


class ModuleOrder(unittest.TestCase):
    def tree(self, files, modules=MODULES):
        root = tempfile.mkdtemp()
        files = dict(files)
        files["app/core/modules.txt"] = modules
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        return root

    def test_a_tree_that_keeps_the_order_passes(self):
        root = self.tree({
            "app/core/include/voirie/core/base/result.hpp": "#pragma once\n#include <string>\n",
            "app/core/src/geo/frame.cpp": '#include "voirie/core/base/result.hpp"\n#include "private.hpp"\n',
            "app/core/src/analysis/run.cpp": '#include "voirie/core/geo/frame.hpp"\n'
                                             '#include <voirie/core/base/result.hpp>\n',  # through geo
            "plugins/p/p.cpp": '#include "voirie/plugin.hpp"\n'})
        self.assertEqual(run(root), (0, "module order: every include keeps the declared order\n"))

    def test_an_upward_include_fails_and_says_where(self):
        root = self.tree({"app/core/src/base/result.cpp": '// x\n#include "voirie/core/analysis/run.hpp"\n'})
        code, out = run(root)
        self.assertEqual(code, 1)
        self.assertIn("app/core/src/base/result.cpp:2: base includes voirie/core/analysis/run.hpp, "
                      "an include that goes upward", out)

    def test_a_sideways_include_fails(self):
        root = self.tree({"app/core/include/voirie/core/rating/scheme.hpp": '#include "voirie/core/geo/frame.hpp"\n'})
        code, out = run(root)
        self.assertEqual(code, 1)
        self.assertIn("rating includes voirie/core/geo/frame.hpp, an include that goes sideways", out)

    def test_a_file_outside_the_modules_fails(self):
        code, out = run(self.tree({"app/core/src/loose.cpp": "\n"}))
        self.assertEqual(code, 1)
        self.assertIn("app/core/src/loose.cpp: belongs to no module", out)

    def test_an_undeclared_module_fails(self):
        code, out = run(self.tree({"app/core/src/extra/x.cpp": "\n"}))
        self.assertEqual(code, 1)
        self.assertIn("module 'extra' is not declared", out)

    def test_a_declaration_that_uses_a_later_module_fails(self):
        code, out = run(self.tree({}, modules="base: geo\ngeo:\n"))
        self.assertEqual(code, 1)
        self.assertIn("base uses geo, which is not declared above it", out)

    def test_a_plugin_that_includes_the_engine_fails(self):
        code, out = run(self.tree({"plugins/p/p.cpp": '#include "voirie/core/geo/frame.hpp"\n'}))
        self.assertEqual(code, 1)
        self.assertIn("plugins/p/p.cpp:1: a plugin includes voirie/core/geo/frame.hpp", out)

    def test_the_engine_may_not_include_the_gui(self):
        code, out = run(self.tree({"app/core/src/base/x.cpp": "#include <QWidget>\n"}))
        self.assertEqual(code, 1)
        self.assertIn("the engine includes QWidget", out)

    def test_the_repository_keeps_its_order(self):
        code, out = run(os.path.join(HERE, "..", ".."))
        self.assertEqual(code, 0, out)


if __name__ == "__main__":
    unittest.main()
