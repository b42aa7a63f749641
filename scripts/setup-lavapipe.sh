#!/usr/bin/env bash
# TEST set-up only: a private software Vulkan device (Mesa's lavapipe from Debian bookworm-backports;
# bookworm's own Mesa 22.3 is too old for Dawn, ONNX Runtime's WebGPU back end) in .deps/lavapipe/.
# Never touches the system's GPU driver and never installs Mesa system-wide: the ICD is used only
# where VK_ICD_FILENAMES points at it. Idempotent: a second run only checks. Downloads are cached
# in .deps/cache. The last line printed is the ICD file:
#   VK_ICD_FILENAMES="$(bash scripts/setup-lavapipe.sh | tail -1)" vulkaninfo --summary
set -euo pipefail

SUITE="${MLRT_LAVAPIPE_SUITE:-bookworm-backports}"  # Debian suite with a Mesa that Dawn accepts
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.deps/cache"
dir="$root/.deps/lavapipe"
icd="$dir/lvp_icd.json"

say() { printf '[setup-lavapipe] %s\n' "$*"; }
die() { printf '[setup-lavapipe] error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/setup-common.sh
source "$root/scripts/setup-common.sh"

[ "$(uname -m)" = x86_64 ] || die "the lavapipe test device is set up for x86_64 only (this machine: $(uname -m))"
command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs a Debian 12 system (apt-get, dpkg)"

# What libvulkan_lvp.so links (from bookworm; libdrm comes from $SUITE, beside it), and patchelf.
runtime_packages=(
  libvulkan1 libllvm15 libdrm2 libxcb1 libxcb-randr0 libx11-xcb1 libxcb-dri3-0 libxcb-present0
  libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxshmfence1 libwayland-client0 libexpat1 libzstd1
  zlib1g libelf1 patchelf
)

cached_deb() { ls "$cache/$1"_*_amd64.deb 2>/dev/null | sort -V | tail -1 || true; }

fetch_debs() {
  [ -n "$(cached_deb mesa-vulkan-drivers)" ] && [ -n "$(cached_deb libdrm2)" ] && return
  say "fetching mesa-vulkan-drivers and libdrm2 from Debian $SUITE"
  download_from_suite "$SUITE" "$cache" mesa-vulkan-drivers libdrm2
}

unpack() {
  local mesa=$1 drm=$2 x; x=$(mktemp -d)
  say "unpacking lavapipe from $(basename "$mesa") and $(basename "$drm")"
  dpkg -x "$mesa" "$x" && dpkg -x "$drm" "$x" || { rm -rf "$x"; die "could not unpack $mesa / $drm"; }
  local lib="$x/usr/lib/x86_64-linux-gnu" json="$x/usr/share/vulkan/icd.d/lvp_icd.json"
  [ -f "$lib/libvulkan_lvp.so" ] && [ -f "$json" ] || { rm -rf "$x"; die "$(basename "$mesa") has no lavapipe"; }
  rm -rf "$dir"; mkdir -p "$dir"
  cp -a "$lib/libvulkan_lvp.so" "$lib"/libdrm.so.2* "$dir/"
  patchelf --set-rpath '$ORIGIN' "$dir/libvulkan_lvp.so" || { rm -rf "$x"; die "patchelf failed on libvulkan_lvp.so"; }
  sed 's#"library_path": *"[^"]*"#"library_path": "'"$dir"'/libvulkan_lvp.so"#' "$json" >"$icd"
  rm -rf "$x"
  printf '%s %s\n' "$(basename "$mesa")" "$(basename "$drm")" >"$dir/.stamp"
}

check() {
  [ -f "$dir/.stamp" ] && [ -f "$dir/libvulkan_lvp.so" ] && [ -e "$dir/libdrm.so.2" ] || return 1
  grep -q "\"library_path\": \"$dir/libvulkan_lvp.so\"" "$icd" 2>/dev/null || return 1
  [ "$(patchelf --print-rpath "$dir/libvulkan_lvp.so" 2>/dev/null)" = '$ORIGIN' ] || return 1
  local unresolved; unresolved=$(ldd "$dir/libvulkan_lvp.so" | awk '/not found/{print $1}' | tr '\n' ' ')
  [ -z "$unresolved" ] || die "libvulkan_lvp.so cannot find: $unresolved"
  ldd "$dir/libvulkan_lvp.so" | grep -q "libdrm.so.2 => $dir/" || die "libvulkan_lvp.so does not load the libdrm beside it"
}

install_missing "${runtime_packages[@]}"
if check; then
  say "lavapipe present ($(cut -d' ' -f1 "$dir/.stamp"))"
else
  fetch_debs
  unpack "$(cached_deb mesa-vulkan-drivers)" "$(cached_deb libdrm2)"
  check || die "lavapipe in $dir failed its check after unpacking"
  say "lavapipe ready in $dir"
fi
echo "$icd"
