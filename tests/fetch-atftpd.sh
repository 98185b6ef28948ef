#!/bin/sh
# Prints the path of an atftpd binary for the TFTP interop tests.
#   tests/fetch-atftpd.sh CACHE_DIR [PACKAGE [BINARY]]
# atftpd conflicts with tftpd-hpa as a Debian package, so when it is not
# installed its .deb is downloaded (apt-get download, no installation) into
# CACHE_DIR and unpacked there with dpkg -x. Later runs reuse the cache.
# The same works for the atftp client: fetch-atftpd.sh DIR atftp usr/bin/atftp
set -eu

cache=${1:?usage: fetch-atftpd.sh CACHE_DIR [PACKAGE [BINARY]]}
package=${2:-atftpd}
binary=${3:-usr/sbin/atftpd}
name=$(basename "$binary")

if installed=$(command -v "$name" 2>/dev/null) || installed=$(PATH=/usr/sbin:/sbin:$PATH command -v "$name" 2>/dev/null); then
    echo "$installed"
    exit 0
fi

unpacked="$cache/$package/root/$binary"
if [ -x "$unpacked" ]; then
    echo "$unpacked"
    exit 0
fi

mkdir -p "$cache/$package"
cd "$cache/$package"
rm -f ./*.deb
# apt-get download needs package lists; a fresh machine may have none yet.
if ! apt-get download "$package" >/dev/null 2>download.log; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >/dev/null 2>&1 || true
    fi
    if ! apt-get download "$package" >/dev/null 2>download.log; then
        echo "fetch-atftpd: apt-get download $package failed: $(tail -n 1 download.log)" >&2
        exit 1
    fi
fi
deb=$(ls ./"${package}"_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
    echo "fetch-atftpd: no .deb for $package after apt-get download" >&2
    exit 1
fi
rm -rf root
dpkg -x "$deb" root
if [ ! -x "root/$binary" ]; then
    echo "fetch-atftpd: $deb has no $binary" >&2
    exit 1
fi
echo "$cache/$package/root/$binary"
