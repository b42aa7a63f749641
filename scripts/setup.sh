#!/usr/bin/env bash
# Installs everything mlrt needs to build on Debian 12 and fetches ONNX Runtime into .deps/.
# Idempotent: a second run only checks. Downloads are cached in .deps/cache.
set -euo pipefail

ORT_VERSION="${MLRT_ORT_VERSION:-1.30.0}"      # runtime library (npm package onnxruntime-node)
ORT_HEADERS_SUITE="${MLRT_ORT_HEADERS_SUITE:-trixie}"  # Debian release that packages libonnxruntime-dev
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/.deps"
cache="$deps/cache"
ort_dir="$deps/onnxruntime"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/setup-common.sh
source "$root/scripts/setup-common.sh"

debian_packages=(
  build-essential cmake ninja-build pkg-config git
  libonnx-dev libprotobuf-dev protobuf-compiler
  libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libswresample-dev libzimg-dev
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libcurl4-openssl-dev libarchive-dev libssl-dev libxxhash-dev  # pulling models: HTTP, archives, checksums
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev python3-numpy python3-pytest pybind11-dev python3-distributed python3-dask
  clang libclang-rt-14-dev
  libvulkan-dev  # Vulkan headers: mlrt lists WebGPU adapters through the loader, opened at run time
  npm dpkg-dev ffmpeg clang-format clang-tidy cppcheck
)

system_ort() {
  # An ONNX Runtime already installed on the system wins over the fetched one.
  for inc in /usr/include/onnxruntime /usr/local/include/onnxruntime /usr/include /usr/local/include; do
    [ -f "$inc/onnxruntime_cxx_api.h" ] || continue
    for lib in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/local/lib /usr/lib; do
      if [ -e "$lib/libonnxruntime.so" ]; then echo "$inc|$lib"; return 0; fi
    done
  done
  return 1
}

npm_arch() {
  case "$(uname -m)" in
    x86_64) echo x64 ;; aarch64|arm64) echo arm64 ;;
    *) die "no prebuilt ONNX Runtime for architecture $(uname -m); install ONNX Runtime on the system" ;;
  esac
}

fetch_ort_runtime() {
  local lib="$ort_dir/lib/libonnxruntime.so.1"
  if [ -f "$lib" ] && [ -f "$ort_dir/lib/.version-$ORT_VERSION" ]; then return; fi
  mkdir -p "$cache" "$ort_dir/lib"
  local tgz="$cache/onnxruntime-node-$ORT_VERSION.tgz"
  if [ ! -s "$tgz" ]; then
    say "fetching ONNX Runtime $ORT_VERSION runtime (npm package onnxruntime-node)"
    command -v npm >/dev/null || die "npm not found; it is needed to fetch ONNX Runtime"
    (cd "$cache" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null) \
      || die "could not fetch npm package onnxruntime-node@$ORT_VERSION (no network to the npm registry?)"
  fi
  local member="package/bin/napi-v6/linux/$(npm_arch)/libonnxruntime.so.1"
  tar -xzf "$tgz" -C "$cache" "$member" || die "$tgz has no $member"
  mv -f "$cache/$member" "$lib"
  rm -rf "$cache/package"
  ln -sf libonnxruntime.so.1 "$ort_dir/lib/libonnxruntime.so"
  rm -f "$ort_dir/lib"/.version-*; touch "$ort_dir/lib/.version-$ORT_VERSION"
}

fetch_ort_headers() {
  [ -f "$ort_dir/include/onnxruntime_cxx_api.h" ] && return
  mkdir -p "$cache"
  local deb; deb=$(ls "$cache"/libonnxruntime-dev_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    say "fetching ONNX Runtime C/C++ headers (Debian $ORT_HEADERS_SUITE libonnxruntime-dev)"
    download_from_suite "$ORT_HEADERS_SUITE" "$cache" libonnxruntime-dev
    deb=$(ls "$cache"/libonnxruntime-dev_*.deb | head -1)
  fi
  local x; x=$(mktemp -d)
  dpkg -x "$deb" "$x"
  mkdir -p "$ort_dir/include"
  cp -r "$x/usr/include/onnxruntime/." "$ort_dir/include/"
  rm -rf "$x"
  [ -f "$ort_dir/include/onnxruntime_cxx_api.h" ] || die "libonnxruntime-dev did not contain onnxruntime_cxx_api.h"
}

install_missing "${debian_packages[@]}"
if [ -z "${MLRT_FETCH_ORT:-}" ] && sys=$(system_ort); then
  say "using the system ONNX Runtime (${sys%%|*}, ${sys##*|})"
  mkdir -p "$deps"; echo "$sys" >"$deps/ort-system"
else
  rm -f "$deps/ort-system"
  fetch_ort_runtime
  fetch_ort_headers
  say "ONNX Runtime $ORT_VERSION in $ort_dir"
fi
