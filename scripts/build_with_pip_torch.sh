#!/usr/bin/env bash
# Builds speechleak against a pip-installed PyTorch's libtorch (e.g. a CUDA machine whose image has PyTorch but no
# Debian packages), with Debian 12's C libraries unpacked from .debs. Used once to check the CUDA paths
# (docs/results.md, "GPU"); the supported build is scripts/setup.sh with Debian's libtorch.
#
#   on a Debian 12 machine:  scripts/build_with_pip_torch.sh download DEBS_DIR
#   on the target machine:   scripts/build_with_pip_torch.sh build DEBS_DIR BUILD_DIR
#   then run with:           export LD_LIBRARY_PATH=/tmp/speechleak-deps/usr/lib/x86_64-linux-gnu \
#                              ESPEAK_DATA_PATH=/tmp/speechleak-deps/usr/lib/x86_64-linux-gnu \
#                              LD_PRELOAD=$(g++ -print-file-name=libstdc++.so.6)
#                            BUILD_DIR/speechleak ...
# LD_PRELOAD: pip's libtorch.so exports its own std::filesystem functions; without the system libstdc++ first, the
# program's calls bind to them and crash.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  download)
    mkdir -p "$2" && cd "$2"
    apt-get download libsndfile1-dev libsndfile1 libsoxr-dev libsoxr0 libespeak-ng-dev libespeak-ng1 espeak-ng-data \
      libsonic0 nlohmann-json3-dev libcli11-dev libflac12 libflac-dev libogg0 libogg-dev libvorbis0a libvorbis-dev \
      libvorbisenc2 libopus0 libopus-dev libmpg123-0 libmpg123-dev libmp3lame0 libmp3lame-dev pkgconf pkgconf-bin \
      libpkgconf3 ;;
  build)
    debs=$2 build=$3 deps=/tmp/speechleak-deps
    mkdir -p "$deps/usr/lib/x86_64-linux-gnu"
    for f in "$debs"/*.deb; do dpkg -x "$f" "$deps"; done
    # libespeak-ng links libpcaudio (playback through ALSA/PulseAudio); speechleak only synthesises into buffers.
    printf '%s\n' '#include <stddef.h>' 'struct a; struct a *create_audio_device_object(const char *d, const char *b, const char *n) { return NULL; }' \
      'int audio_object_open(struct a *o, int f, unsigned r, unsigned char c) { return -1; }' \
      'void audio_object_close(struct a *o) {}' 'void audio_object_destroy(struct a *o) {}' \
      'int audio_object_write(struct a *o, const void *d, size_t b) { return -1; }' \
      'int audio_object_drain(struct a *o) { return -1; }' 'int audio_object_flush(struct a *o) { return -1; }' \
      'const char *audio_object_strerror(struct a *o, int e) { return "no audio output"; }' > "$deps/pcaudio_stub.c"
    gcc -shared -fPIC -Wl,-soname,libpcaudio.so.0 -o "$deps/usr/lib/x86_64-linux-gnu/libpcaudio.so.0" "$deps/pcaudio_stub.c"
    pc=$deps/usr/lib/x86_64-linux-gnu/pkgconfig
    sed -i "s|^prefix=/usr|prefix=$deps/usr|" "$pc"/*.pc
    export PKG_CONFIG_PATH=$pc:$deps/usr/share/pkgconfig LD_LIBRARY_PATH=$deps/usr/lib/x86_64-linux-gnu
    torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPEECHLEAK_BUILD_TESTS=OFF \
      -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" -DPKG_CONFIG_EXECUTABLE="$(command -v pkg-config || echo "$deps/usr/bin/pkgconf")"
    cmake --build "$build" --target speechleak_cli ;;
  *) sed -n 2,14p "$0"; exit 2 ;;
esac
