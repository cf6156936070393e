#!/usr/bin/env bash
# Renders a report PDF's pages to PNG so people can look at them without a PDF viewer:
#   scripts/render-report.sh build/sample/report.pdf [OUT_DIR] [DPI]
# Writes OUT_DIR/page-1.png ... (default OUT_DIR: beside the PDF, <name>-pages/; DPI 80).
set -euo pipefail
pdf="${1:?usage: $0 REPORT.pdf [OUT_DIR] [DPI]}"
out="${2:-${pdf%.pdf}-pages}"
dpi="${3:-80}"
command -v pdftoppm >/dev/null || { echo "error: pdftoppm is missing: run scripts/install-deps.sh (poppler-utils)" >&2; exit 1; }
[ -f "$pdf" ] || { echo "error: $pdf does not exist" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/page-*.png
pdftoppm -r "$dpi" -png "$pdf" "$out/page"
ls "$out"/page-*.png
