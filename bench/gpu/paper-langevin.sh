#!/usr/bin/env bash
# On a lent GPU machine with PyTorch (see build/pack-gpu.sh): the talk's Langevin section at the paper preset,
# `landscape reproduce --preset paper --only langevin --device cuda`, with Fashion-MNIST carried as .gpudata/*.xz
# (raw IDX files compressed with xz) because that machine reaches no network. Results go to $OUT (or ./gpu-out).
# THREADS (default 2) sets the CPU threads: the toys are tiny CPU work that 16 threads slow down.
#
#   PACK_WITHOUT_ORTOOLS=1 build/pack-gpu.sh .gpu      # here; the pack and the data must fit 64 MiB together
#   bash bench/gpu/paper-langevin.sh                   # there
set -uo pipefail
out=${OUT:-gpu-out}
mkdir -p "$out" /tmp/fashion-mnist
for f in .gpudata/*.xz; do xz -dc "$f" > "/tmp/fashion-mnist/$(basename "$f" .xz)"; done
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; nproc; python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda)'; } > "$out/machine.txt" 2>&1
bash .gpu/run.sh doctor --device cuda > "$out/doctor.txt" 2>&1
start=$(date +%s)
timeout "${LIMIT:-500}" bash .gpu/run.sh reproduce --preset paper --only langevin --device cuda --threads "${THREADS:-2}" \
  --data-dir /tmp/fashion-mnist --out /tmp/paper --progress plain > "$out/reproduce.log" 2>&1
echo "exit $? after $(( $(date +%s) - start )) s" >> "$out/reproduce.log"
cp /tmp/paper/report.html /tmp/paper/report.md "$out/" 2>/dev/null
# The section's own files (JSON, figures, state) travel back as one archive.
tar czf "$out/paper-langevin.tgz" -C /tmp/paper reproduce.json state sections 2>/dev/null
tail -5 "$out/reproduce.log"
