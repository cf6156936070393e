#!/usr/bin/env bash
# Installs the Debian 12 packages Voirie needs, only those missing (sudo when not root).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev libgl-dev fonts-dejavu-core
  libopencv-dev
  libgdal-dev gdal-bin
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  libgtest-dev nlohmann-json3-dev libssl-dev
  opencv-data
  poppler-utils   # scripts/render-report.sh: the report's PDF pages as PNG, to look at
  python3
  # tools/train (road-segnet's training tool) and its smoke test: Debian's CPU PyTorch and OpenCV
  python3-torch python3-opencv python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
