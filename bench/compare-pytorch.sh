#!/usr/bin/env bash
# LossLandscape (TorchSharp) against plain PyTorch: the same workloads, on the same machine, libtorch, device and
# thread count, one process per workload and side; prints a Markdown table of medians and ratios.
#
#   build/pack-gpu.sh                  # where the .NET SDK is: packs the CLI and the bench into .gpu/
#   bash bench/compare-pytorch.sh      # on the machine with PyTorch (and a GPU), from anywhere in the repository copy
#
# Workloads (synthetic data of Fashion-MNIST's shapes, so no dataset is needed), per device:
#   train-mlp       training steps of the reference MLP 784-256-256-10, batch 128, SGD momentum 0.9 (ms / step)
#   train-cnn16     the same for CNN-k, k=16, with BatchNorm (ms / step)
#   hvp-mlp         Hessian-vector products (double backprop) of the reference MLP on N samples (ms / product)
#   surface-anchor  loss-surface points the anchor's way: set weights, 10k images in batches of 128, a host sync
#                   per batch (ms / point)
#   surface-ours    our batched surface evaluator, against PyTorch's anchor way (ms / point)
#
# Environment: PACK (default .gpu: uses PACK/bench.sh), PYTHON (default python3), THREADS (default 2),
# DEVICES (default "cpu cuda", cuda only when PyTorch sees a GPU), QUICK=1 (tiny sizes: checks the script, not the
# speed), REPORT (also write the table to this file), LOGS (also copy every process's output into this folder),
# LIMIT (seconds per process, default 300).
# Without a pack, where the .NET SDK is, the C# side runs through a Release build on the build's own libtorch:
# then the two sides do not share a libtorch, and the table says so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-300}
pack=${PACK:-$root/.gpu}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

say() { printf '[compare %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }

if [ -x "$pack/bench.sh" ] || [ -f "$pack/bench.sh" ]; then
  ours=(bash "$pack/bench.sh")
  same_libtorch=yes
elif command -v dotnet >/dev/null && dotnet --list-sdks 2>/dev/null | grep -q .; then
  say "no pack at $pack: building the bench (Release) on this machine's .NET SDK"
  dotnet build bench/LossLandscape.Bench -c Release --nologo -v q >/dev/null
  ours=(dotnet bench/LossLandscape.Bench/bin/Release/net10.0/LossLandscape.Bench.dll)
  same_libtorch=no
else
  echo "compare-pytorch.sh: no $pack/bench.sh and no .NET SDK; run build/pack-gpu.sh where the SDK is and copy .gpu/ here" >&2
  exit 2
fi
"$PYTHON" -c 'import torch' || { echo "compare-pytorch.sh: $PYTHON cannot import torch (set PYTHON)" >&2; exit 2; }
if [ -z "${DEVICES:-}" ]; then
  DEVICES=cpu
  if [ "$("$PYTHON" -c 'import torch; print(torch.cuda.is_available())')" = True ]; then DEVICES="cpu cuda"; fi
fi

# Sizes: each timed run lasts a fraction of a second to a few seconds; the whole script a few minutes.
sizes() { # sizes DEVICE -> shell assignments
  if [ -n "${QUICK:-}" ]; then
    echo "repeats=1 mlp_steps=5 cnn_steps=2 hvp_samples=512 products=1 points=2 grid=5"
  elif [ "$1" = cuda ]; then
    echo "repeats=5 mlp_steps=200 cnn_steps=200 hvp_samples=4096 products=10 points=24 grid=51"
  else
    echo "repeats=3 mlp_steps=100 cnn_steps=10 hvp_samples=2048 products=3 points=8 grid=11"
  fi
}

run() { # run SIDE LABEL COMMAND...: keeps the result lines, tags them with the side; a failure is recorded, not fatal
  local side=$1 label=$2; shift 2
  say "$label"
  local log="$work/$side-$(echo "$label" | tr -c 'a-zA-Z0-9\n' _).log"
  if timeout "$LIMIT" "$@" >"$log" 2>&1; then
    grep $'^result\t' "$log" | sed "s/^result/$side/" >> "$work/results.tsv" || true
  else
    say "  FAILED (exit $?), last lines:"; tail -5 "$log" | sed 's/^/    /' >&2
  fi
  grep -E '^(machine:|# PyTorch )' "$log" >> "$work/describe.txt" || true
}

: > "$work/results.tsv"
for device in $DEVICES; do
  eval "$(sizes "$device")"
  common=(--device "$device" --threads "$THREADS" --repeats "$repeats")
  run ours "$device: LossLandscape training, reference MLP, $mlp_steps steps" "${ours[@]}" training --synthetic "${common[@]}" --models mlp --steps "$mlp_steps"
  run torch "$device: PyTorch training, reference MLP, $mlp_steps steps" "$PYTHON" bench/python/train_step.py "${common[@]}" --model mlp --steps "$mlp_steps"
  run ours "$device: LossLandscape training, CNN-k k=16, $cnn_steps steps" "${ours[@]}" training --synthetic "${common[@]}" --models cnn16 --steps "$cnn_steps"
  run torch "$device: PyTorch training, CNN-k k=16, $cnn_steps steps" "$PYTHON" bench/python/train_step.py "${common[@]}" --model cnn16 --steps "$cnn_steps"
  run ours "$device: LossLandscape Hessian-vector products, $hvp_samples samples" "${ours[@]}" hvp --synthetic "${common[@]}" --samples "$hvp_samples" --products "$products"
  run torch "$device: PyTorch Hessian-vector products, $hvp_samples samples" "$PYTHON" bench/python/hvp.py "${common[@]}" --samples "$hvp_samples" --products "$products" --check
  run ours "$device: LossLandscape surface, $points points the anchor's way, ${grid}x$grid grid ours" "${ours[@]}" surface --synthetic "${common[@]}" --methods anchor,ours --points "$points" --grid "$grid"
  run torch "$device: PyTorch surface, $points points the anchor's way" "$PYTHON" bench/python/surface_anchor.py "${common[@]}" --points "$points"
done

# The table: one row per workload and device; ratio > 1 means LossLandscape is slower.
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || sed -n 's/.*commit: \([0-9a-f]\{7\}\).*/\1/p' "$work/describe.txt" | head -1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || true)
torch_version=$("$PYTHON" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)')
torch_lib=$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
{
  echo "## LossLandscape against PyTorch"
  echo
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores${gpu:+; GPU: $gpu}; PyTorch $torch_version; threads: $THREADS; commit ${commit:-unknown}; $(date -u +%Y-%m-%d)."
  if [ "$same_libtorch" = no ]; then
    echo "The C# side ran on the build's own libtorch, not PyTorch's: a check of the script, not a fair comparison."
  elif [ -n "${TORCH_LIB:-}" ] && [ "$(cd "$TORCH_LIB" && pwd -P)" != "$(cd "$torch_lib" && pwd -P)" ]; then
    echo "The C# side ran on the libtorch in TORCH_LIB=$TORCH_LIB, PyTorch on its own: not one libtorch, not a fair comparison."
  else
    echo "Both sides ran on the libtorch of that PyTorch installation ($torch_lib)."
  fi
  [ -n "${QUICK:-}" ] && echo "QUICK sizes: the numbers check the script, they are no measurement."
  echo
  echo "| workload | device | unit | LossLandscape ms | PyTorch ms | LossLandscape / PyTorch |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '
    { key = $2 "\t" $3; ms[$1 "\t" key] = $5; unit[key] = $6; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    END {
      name["train-mlp"] = "training step, reference MLP, batch 128"
      name["train-cnn16"] = "training step, CNN-k k=16 (BN), batch 128"
      name["hvp-mlp"] = "Hessian-vector product, reference MLP"
      name["surface-anchor"] = "surface point, the anchor'"'"'s way (both sides)"
      name["surface-ours"] = "surface point, ours batched vs PyTorch the anchor'"'"'s way"
      for (i = 1; i <= n; i++) {
        split(order[i], k, "\t"); w = k[1]; d = k[2]
        if (!(("ours\t" order[i]) in ms)) continue
        a = ms["ours\t" order[i]]
        partner = (w == "surface-ours") ? "surface-anchor\t" d : order[i]
        b = (("torch\t" partner) in ms) ? ms["torch\t" partner] : ""
        ratio = (b != "" && b > 0) ? sprintf("%.2f", a / b) : "-"
        printf "| %s | %s | %s | %.3f | %s | %s |\n", (w in name ? name[w] : w), d, unit[order[i]], a, (b == "" ? "failed" : sprintf("%.3f", b)), ratio
      }
    }' "$work/results.tsv"
  echo
  echo "Medians of $( [ -n "${QUICK:-}" ] && echo 1 || echo "3 (CPU) / 5 (GPU)" ) timed runs after a warm-up, GPU timings stopped after a device synchronisation."
  echo "What each side reported about itself:"
  echo
  echo '```'
  sort -u "$work/describe.txt" | sed 's/; [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$//' | sort -u
  echo '```'
} > "$work/table.md"
cat "$work/table.md"
if [ -n "${REPORT:-}" ]; then cp "$work/table.md" "$REPORT"; fi
if [ -n "${LOGS:-}" ]; then mkdir -p "$LOGS" && cp "$work"/*.log "$work/results.tsv" "$LOGS"/; fi
say "done"
