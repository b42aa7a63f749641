#!/usr/bin/env bash
# Writes small clips and images of many containers, codecs and pixel formats into DIR, as seeds
# for the media fuzz target (scripts/fuzz.sh). Encoders this FFmpeg lacks are skipped.
set -uo pipefail
dir="$1"; mkdir -p "$dir"
src="testsrc2=size=32x24:rate=5"
have() { ffmpeg -hide_banner -encoders 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }
# clip NAME CODEC PIX_FMT [ffmpeg output args...]: three frames.
clip() {
  local name="$1" codec="$2" fmt="$3"; shift 3
  have "$codec" || return 0
  ffmpeg -v error -y -f lavfi -i "$src" -frames:v 3 -c:v "$codec" -pix_fmt "$fmt" "$@" "$dir/$name" ||
    { echo "media_seeds: could not write $name" >&2; rm -f "$dir/$name"; }
}
# image NAME PIX_FMT [ffmpeg output args...]: one frame, the encoder from the extension.
image() {
  local name="$1" fmt="$2"; shift 2
  ffmpeg -v error -y -f lavfi -i "$src" -frames:v 1 -pix_fmt "$fmt" "$@" "$dir/$name" ||
    { echo "media_seeds: could not write $name" >&2; rm -f "$dir/$name"; }
}
clip ffv1.mkv ffv1 yuv420p
clip ffv1-10bit.mkv ffv1 yuv420p10le
clip ffv1-gray16.mkv ffv1 gray16le
clip ffv1-yuv444p12.mkv ffv1 yuv444p12le
clip ffv1-yuv411p.mkv ffv1 yuv411p
clip ffv1-rgba.mkv ffv1 bgra
clip h264.mp4 libx264 yuv420p -preset ultrafast -g 2 -bf 1
clip h264-444.mkv libx264 yuv444p -preset ultrafast
clip vp9.webm libvpx-vp9 yuv420p -deadline realtime -cpu-used 8
clip vp8.webm libvpx yuv420p -deadline realtime
clip mpeg4.avi mpeg4 yuv420p -q:v 10
clip mjpeg.avi mjpeg yuvj422p
clip y4m.y4m wrapped_avframe yuv420p
clip y4m-444p10.y4m wrapped_avframe yuv444p10le -strict -1
clip huffyuv.avi huffyuv yuv422p
clip utvideo.mov utvideo gbrp
clip prores.mov prores yuv422p10le
clip qtrle.mov qtrle rgb24
clip rgb24.nut rawvideo rgb24
clip gif-anim.gif gif rgb8
image rgb24.png rgb24
image rgba.png rgba
image gray16.png gray16be
image pal8.png pal8
image jpeg.jpg yuvj420p
image gray.jpg gray
image tiff.tiff rgb24
image tiff-rgb48.tiff rgb48le
image bmp.bmp bgr24
image gif.gif pal8
image ppm.ppm rgb24
image pgm.pgm gray
image targa.tga bgra
image webp.webp yuv420p
image qoi.qoi rgba
image exr.exr gbrpf32le
image dpx.dpx rgb48be
