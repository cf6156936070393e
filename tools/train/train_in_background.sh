#!/usr/bin/env bash
# Runs train_segnet.py in the background at the lowest priority, resumable: the same command
# again goes on from OUT/checkpoint.pt. Output in OUT.log beside OUT.
#   tools/train/train_in_background.sh OUT [train_segnet.py options but --out and --resume]
# `nice` alone does not lower a job's share against another terminal's work on kernels with
# autogroups (Debian's default): this job's autogroup is lowered as well.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT [train_segnet.py options]" >&2; exit 2; }
out="$(realpath -m "$1")"; shift
mkdir -p "$(dirname "$out")"
here="$(cd "$(dirname "$0")" && pwd)"
setsid nohup bash -c 'echo 19 > /proc/self/autogroup 2>/dev/null; exec nice -n 19 /usr/bin/python3 "$0" --out "$1" --resume "${@:2}"' \
  "$here/train_segnet.py" "$out" "$@" >> "$out.log" 2>&1 < /dev/null &
echo "training in the background (pid $!): tail -f $out.log"
