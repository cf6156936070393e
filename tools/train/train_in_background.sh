#!/usr/bin/env bash
# Runs a training tool in the background at the lowest priority, resumable: the same command
# again goes on from OUT/checkpoint.pt. Output in OUT.log beside OUT.
#   tools/train/train_in_background.sh [train_boxnet.py] OUT [the tool's options but --out and --resume]
# The tool is train_segnet.py unless a .py is named first. `nice` alone does not lower a job's share
# against another terminal's work on kernels with autogroups (Debian's default): this job's
# autogroup is lowered as well.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="$here/train_segnet.py"
if [[ $# -ge 1 && "$1" == *.py ]]; then tool="$here/$(basename "$1")"; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [train_boxnet.py] OUT [options]" >&2; exit 2; }
[ -f "$tool" ] || { echo "$0: no training tool $tool" >&2; exit 2; }
out="$(realpath -m "$1")"; shift
mkdir -p "$(dirname "$out")"
setsid nohup bash -c 'echo 19 > /proc/self/autogroup 2>/dev/null; exec nice -n 19 /usr/bin/python3 "$0" --out "$1" --resume "${@:2}"' \
  "$tool" "$out" "$@" >> "$out.log" 2>&1 < /dev/null &
echo "training in the background (pid $!): tail -f $out.log"
