#!/bin/sh
# Makes a sysroot of the libraries stele links (zlib, libstemmer, jansson)
# for a foreign Debian architecture, for the cross files in cross/.
#
#   tools/cross-sysroot.sh ARCH [DIR]     (ARCH: armhf, s390x, ...;
#                                          default DIR: scratch/sysroot/ARCH)
#
# The C library and the compiler come from Debian's cross toolchain
# (gcc-arm-linux-gnueabihf, gcc-s390x-linux-gnu, which bring
# libc6-dev-ARCH-cross under /usr/TRIPLET).  The other libraries are the
# archive's own packages for ARCH, fetched with `apt-get download` and
# unpacked with `dpkg-deb -x`, never installed: so the host's package
# database is left alone.  apt can only download packages of an
# architecture it knows, so as root the script adds ARCH with
# `dpkg --add-architecture` (a foreign architecture only widens what apt
# may fetch; nothing of it is installed) and updates the package lists.
# Run it again after an apt-get upgrade of the host's libraries: the
# versions must stay those of the host's headers.
set -eu
arch=${1:?usage: tools/cross-sysroot.sh ARCH [DIR]}
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${2:-$here/scratch/sysroot/$arch}
packages="zlib1g zlib1g-dev libstemmer0d libstemmer-dev libjansson4 libjansson-dev"

if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "cross-sysroot: run as root once (dpkg --add-architecture $arch; apt-get update)" >&2
        exit 1
    fi
    dpkg --add-architecture "$arch"
    apt-get update -qq
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
list=""
for p in $packages; do list="$list $p:$arch"; done
# As root, download as root: the _apt sandbox user may not write here.
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get -qq -o APT::Sandbox::User=root download $list); then
    # The lists may predate the architecture or be stale: refresh once.
    apt-get update -qq
    # shellcheck disable=SC2086
    (cd "$tmp" && apt-get -qq -o APT::Sandbox::User=root download $list)
fi
mkdir "$tmp/root"
for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$tmp/root"
done
# Absolute links (libz.so -> /lib/TRIPLET/libz.so.1) would point into the
# host: make them relative, inside the sysroot.
find "$tmp/root" -type l | while read -r link; do
    target=$(readlink "$link")
    case $target in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$tmp/root$target")" "$link" ;;
    esac
done
# Debian's libstemmer-dev ships no pkg-config file; the cross files find
# it with cc.find_library in the sysroot's multiarch directory.
rm -rf "$dest.new"
mkdir -p "$(dirname "$dest")"
cp -R "$tmp/root" "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"
# The sysroot's absolute path for the cross files, which take it as the
# first of two --cross-file arguments (see cross/ARCH-linux.txt).
printf "[constants]\nsysroot = '%s'\n" "$dest" >"$dest/sysroot.ini"
(cd "$tmp" && ls ./*.deb | sed 's|^\./||') >"$dest/PACKAGES"
echo "cross-sysroot: $arch -> $dest ($(wc -l <"$dest/PACKAGES") packages)"
