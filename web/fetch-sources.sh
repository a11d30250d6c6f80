#!/bin/sh
# Fetches the C sources the WebAssembly build compiles besides stele's own:
# zlib (inflate, for the stored text) and Snowball's libstemmer (the same
# stemmers the host CLI links), both from Debian's source archive and from
# nowhere else.  apt checks them against the archive's signed index.
#
#   web/fetch-sources.sh [DIR]        (default: web/deps, git-ignored)
#
# It leaves the system's apt configuration alone: a private deb-src list,
# package lists and cache live in a temporary directory.  The suite is the
# running system's (VERSION_CODENAME in /etc/os-release, "bookworm" if it
# has none); DEBIAN_MIRROR overrides the archive's address.  After it, DIR
# holds zlib/ and snowball/ (the upstream trees of the Debian packages),
# which `meson setup` finds; an existing DIR is replaced only once both
# downloads have succeeded.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/deps}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/get" "$tmp/out"
echo "deb-src [signed-by=$keyring] $mirror $suite main" >"$tmp/sources.list"
apt_opts="-o Dir::Etc::SourceList=$tmp/sources.list -o Dir::Etc::SourceParts=$tmp/none
 -o Dir::State::Lists=$tmp/lists -o Dir::Cache=$tmp/cache -o Debug::NoLocking=1"
# As root, download as root: the _apt user cannot reach the private lists.
[ "$(id -u)" -ne 0 ] || apt_opts="$apt_opts -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt_opts -qq update
# shellcheck disable=SC2086
(cd "$tmp/get" && apt-get $apt_opts -qq source --download-only zlib snowball)

# The upstream tarballs are all the build needs (Debian's patches touch
# packaging and the build system, not the inflate or stemmer code).
unpack() { # name tarball-glob
    set -- "$1" "$tmp"/get/$2
    [ -f "$2" ] || { echo "fetch-sources: no $1 source tarball downloaded" >&2; exit 1; }
    mkdir "$tmp/out/$1"
    tar -xf "$2" -C "$tmp/out/$1" --strip-components=1
}
unpack zlib 'zlib_*.orig.tar.*'
unpack snowball 'snowball_*.orig.tar.*'
ls "$tmp"/get/*.dsc | sed 's|.*/||' >"$tmp/out/VERSIONS"

rm -rf "$dest.new"
mkdir -p "$(dirname "$dest")"
cp -R "$tmp/out" "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "fetch-sources: $(tr '\n' ' ' <"$dest/VERSIONS")-> $dest"
