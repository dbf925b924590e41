#!/usr/bin/env bash
# Overhead of the local sweep runner: 8 tiny training tasks (MLP width 32, 1 epoch on 1,000 Fashion-MNIST images),
# run by `landscape sweep --jobs 1` and, as the baseline, by 8 direct `landscape train` calls in a row.
#   bench/sweep-overhead.sh [REPEATS]      prints Markdown rows for docs/BENCHMARKS.md (medians over REPEATS)
# overhead per task = (sweep wall - sum of the tasks' epoch_seconds) / 8: everything that is not training
# (process start, libtorch and data loading, markers, logs); runner cost = (sweep wall - direct wall) / 8.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
dotnet build src/LossLandscape.Cli -c Release --nologo -v q >/dev/null
L=(dotnet "$PWD/src/LossLandscape.Cli/bin/Release/net10.0/landscape.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args="model: mlp, width: 32, epochs: 1, train-size: 1000, test-size: 500, checkpoint-every: 0"
printf 'command: train\nargs: {%s}\ngrid: {seed: [0, 1, 2, 3, 4, 5, 6, 7]}\n' "$args" > "$work/tiny.yaml"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sweeps=(); directs=(); trains=()
for r in $(seq "$repeats"); do
  t0=$(now); "${L[@]}" sweep "$work/tiny.yaml" --out "$work/s$r" --jobs 1 --threads 2 --progress none >/dev/null; t1=$(now)
  "${L[@]}" sweep collect "$work/s$r" >/dev/null
  train=$(awk -F, 'NR==1 {for (i=1;i<=NF;i++) if ($i=="metrics.epoch_seconds") c=i} NR>1 {s+=$c} END {print s}' "$work/s$r/summary.csv")
  t2=$(now)
  for seed in 0 1 2 3 4 5 6 7; do
    "${L[@]}" train --model mlp --width 32 --epochs 1 --train-size 1000 --test-size 500 --checkpoint-every 0 \
      --seed "$seed" --out "$work/d$r-$seed" --threads 2 --progress none >/dev/null
  done
  t3=$(now)
  sweeps+=("$(echo "$t1 - $t0" | bc -l)"); directs+=("$(echo "$t3 - $t2" | bc -l)"); trains+=("$train")
  echo "repeat $r: sweep $(echo "$t1 - $t0" | bc -l | cut -c1-6) s, direct $(echo "$t3 - $t2" | bc -l | cut -c1-6) s, training inside $train s" >&2
done
sweep=$(printf '%s\n' "${sweeps[@]}" | median); direct=$(printf '%s\n' "${directs[@]}" | median); train=$(printf '%s\n' "${trains[@]}" | median)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; threads per task: 2; commit: $(git rev-parse --short HEAD); $(date -u +%F); median of $repeats"
echo "| 8 tiny tasks | sweep wall s | direct train x8 wall s | training inside s | overhead per task s | runner cost per task s |"
echo "|---|---|---|---|---|---|"
printf '| local runner, --jobs 1 | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "$sweep" "$direct" "$train" \
  "$(echo "($sweep - $train) / 8" | bc -l)" "$(echo "($sweep - $direct) / 8" | bc -l)"
