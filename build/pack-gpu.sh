#!/usr/bin/env bash
# Packs the landscape CLI and the benchmark for a Linux GPU machine that has PyTorch but no .NET: there both run
# on the libtorch inside the PyTorch installation (CUDA included). Run on a machine with the .NET SDK:
#
#   build/pack-gpu.sh [OUT_DIR]        (default .gpu, in the repository root; keep it out of git)
#
# OUT_DIR gets app.tar.xz (the CLI and the bench, framework-dependent, without libtorch's own native libraries,
# which would clash with PyTorch's), dotnet.tar.xz (this machine's .NET runtime, reused when present), run.sh (the
# CLI) and bench.sh (the bench): about 52 MB in all. On the GPU machine, with the repository and OUT_DIR copied over:
#
#   bash .gpu/run.sh doctor                      # which libtorch, whether CUDA is usable and why not
#   bash .gpu/run.sh train --device cuda ...     # any command
#   bash bench/compare-pytorch.sh                # ours against PyTorch on the same machine
#
# The launchers unpack the runtime into /tmp/dotnet-runtime once (DOTNET_ROOT_FOR_GPU overrides) and the apps into
# OUT_DIR/app (again whenever app.tar.xz changes), find PyTorch's torch/lib through ${PYTHON:-python3} (TORCH_LIB
# overrides) and put it first on LD_LIBRARY_PATH.
#
# PACK_WITHOUT_ORTOOLS=1 leaves out OR-Tools' native libraries (about 17 MB of the 26 MB compressed app): weight and
# activation matching (`landscape match`, the connectivity section of `reproduce`) then fail on that machine, everything
# else works; it makes room for data within the 64 MiB a working tree may carry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.gpu}
mkdir -p "$out"
out=$(cd "$out" && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
rm -rf "$out/app" "$out/app.tar.xz"
for project in src/LossLandscape.Cli/LossLandscape.Cli.csproj bench/LossLandscape.Bench/LossLandscape.Bench.csproj; do
  echo "pack-gpu.sh: publishing $project" >&2
  # Both apps share one folder: their dependencies are the same files, only the entry assemblies differ.
  dotnet publish "$root/$project" -c Release -o "$staging/app" --nologo -v q >/dev/null
done
# libtorch comes from the GPU machine's PyTorch; other platforms' natives are dead weight.
find "$staging/app" \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' -o -name 'libshm*.so*' \
  -o -name 'libnnapi_backend.so' -o -name 'libjitbackend_test.so' -o -name 'libbackend_with_compiler.so' \
  -o -name 'libaoti_custom_ops.so' -o -name 'libtorchbind_test.so' \) -delete
find "$staging/app/runtimes" -mindepth 1 -maxdepth 1 -type d ! -name linux-x64 -exec rm -rf {} +
if [ "${PACK_WITHOUT_ORTOOLS:-0}" = 1 ]; then
  echo "pack-gpu.sh: leaving out OR-Tools' native libraries (no weight or activation matching there)" >&2
  find "$staging/app/runtimes/linux-x64/native" \( -name 'libortools*' -o -name 'google-ortools-native.so' -o -name 'libscip*' -o -name 'libhighs*' \
    -o -name 'libprotobuf*' -o -name 'libClp*' -o -name 'libCbc*' -o -name 'libCgl*' -o -name 'libOsi*' -o -name 'libCoinUtils*' \
    -o -name 'libabsl*' -o -name 'libre2*' -o -name 'libutf8*' \) -delete
fi
for dll in landscape LossLandscape.Bench; do
  [ -f "$staging/app/$dll.dll" ] || { echo "pack-gpu.sh: app/$dll.dll missing after publish" >&2; exit 1; }
done
# Compressed, the pack fits the 64 MiB that a working tree may carry to a lent GPU machine (OR-Tools' natives are most of it).
echo "pack-gpu.sh: compressing the apps" >&2
tar cf - -C "$staging" app | xz -T0 -9 > "$out/app.tar.xz"
if [ ! -f "$out/dotnet.tar.xz" ]; then
  echo "pack-gpu.sh: packing the .NET runtime" >&2
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  framework=$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/* | sort -V | tail -1)
  (cd "$dotnet_root" && tar cf - dotnet host "shared/Microsoft.NETCore.App/$(basename "$framework")") | xz -T0 -6 > "$out/dotnet.tar.xz.part"
  mv "$out/dotnet.tar.xz.part" "$out/dotnet.tar.xz"
fi

launcher() { # launcher FILE DLL
  cat > "$out/$1" <<RUN
#!/usr/bin/env bash
# Runs $2 on this machine's PyTorch libtorch (written by build/pack-gpu.sh).
# TORCH_LIB overrides where libtorch is found, PYTHON which python is asked, DOTNET_ROOT_FOR_GPU where .NET is unpacked.
set -euo pipefail
here=\$(cd "\$(dirname "\$0")" && pwd)
export DOTNET_ROOT=\${DOTNET_ROOT_FOR_GPU:-/tmp/dotnet-runtime}
if [ ! -x "\$DOTNET_ROOT/dotnet" ]; then
  # Unpack beside the target and rename, so that an interrupted unpack is never taken for a runtime.
  mkdir -p "\$(dirname "\$DOTNET_ROOT")"
  unpacking=\$(mktemp -d "\$DOTNET_ROOT.XXXXXX")
  tar xJf "\$here/dotnet.tar.xz" -C "\$unpacking"
  mv -T "\$unpacking" "\$DOTNET_ROOT" 2>/dev/null || rm -rf "\$unpacking"   # another launcher may have won the race
fi
stamp=\$(cksum < "\$here/app.tar.xz")
if [ "\$(cat "\$here/app/.stamp" 2>/dev/null)" != "\$stamp" ]; then
  rm -rf "\$here/app" && tar xJf "\$here/app.tar.xz" -C "\$here" && echo "\$stamp" > "\$here/app/.stamp"
fi
lib=\${TORCH_LIB:-\$("\${PYTHON:-python3}" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
export LD_LIBRARY_PATH="\$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "\$DOTNET_ROOT/dotnet" "\$here/app/$2.dll" "\$@"
RUN
  chmod +x "$out/$1"
}
launcher run.sh landscape
launcher bench.sh LossLandscape.Bench
du -sh "$out" | sed 's/^/pack-gpu.sh: packed /' >&2
