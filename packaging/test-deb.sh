#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package, installs it with apt into a fresh minimal
# Debian 12 root (made with mmdebstrap or debootstrap, cached between runs),
# runs it there, removes it, and checks nothing is left behind.
#
#   packaging/test-deb.sh [BUILD_DIR]
#
# Needs root (for chroot), and mmdebstrap or debootstrap; exits 77 (skipped)
# and says why when it cannot run. SIGNALBOX_ROOT_CACHE moves the cache of
# the minimal root (default: BUILD_DIR/debian-root-cache).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(cd "${1:-$here/build}" && pwd)"
cache="${SIGNALBOX_ROOT_CACHE:-$build_dir/debian-root-cache}"
mirror="${SIGNALBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

skip() {
    echo "SKIPPED: $*"
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to chroot into the test system"
if command -v mmdebstrap >/dev/null; then
    bootstrap=mmdebstrap
elif command -v debootstrap >/dev/null; then
    bootstrap=debootstrap
else
    skip "neither mmdebstrap nor debootstrap is installed (apt-get install mmdebstrap)"
fi

echo "== building the package"
(cd "$build_dir" && cpack -G DEB >/dev/null)
deb="$(ls -t "$build_dir"/signalbox_*.deb | head -n1)"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"
dpkg-deb -f "$deb" Depends | sed 's/^/depends: /'

tarball="$cache/bookworm-minimal.tar"
if [ ! -s "$tarball" ]; then
    echo "== making a minimal Debian 12 root with $bootstrap (cached in $cache)"
    mkdir -p "$cache"
    if [ "$bootstrap" = mmdebstrap ]; then
        mmdebstrap --quiet --variant=apt bookworm "$cache/partial.tar" "$mirror"
        mv "$cache/partial.tar" "$tarball.part"
    else
        staging="$(mktemp -d)"
        debootstrap --variant=minbase bookworm "$staging" "$mirror" >/dev/null
        tar -C "$staging" -cf "$tarball.part" .
        rm -rf "$staging"
    fi
    mv "$tarball.part" "$tarball"
fi

root="$(mktemp -d /tmp/signalbox-deb-root.XXXXXX)"
cleanup() {
    for mount in dev/pts dev proc sys; do
        mountpoint -q "$root/$mount" && umount -l "$root/$mount"
    done
    rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
in_root() {
    chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

before="$(mktemp)"
after="$(mktemp)"
in_root find / -xdev \( -path /proc -o -path /tmp -o -path /var/cache/apt -o -path /var/lib/apt/lists \) -prune -o -print | sort >"$before"

echo "== apt-get install ./$(basename "$deb")"
in_root apt-get update -q >/dev/null
start=$(date +%s%N)
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >/tmp/signalbox-deb-install.log
end=$(date +%s%N)
printf 'installed in %s s (with its dependencies: %s packages)\n' \
    "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')" \
    "$(grep -c '^Setting up' /tmp/signalbox-deb-install.log)"
in_root dpkg -L signalbox >"$root/tmp/files"

echo "== signalbox --version"
in_root signalbox --version

echo "== signalbox run on the bundled example"
in_root signalbox --db /tmp/check.db run /usr/share/signalbox/examples/review-a-greeting.sbx.json \
    --hitl-safe-mode off --input name=Debian >/tmp/signalbox-deb-run.log
grep -q "COMPLETED" /tmp/signalbox-deb-run.log || { cat /tmp/signalbox-deb-run.log; exit 1; }
grep -m1 -i "hello" /tmp/signalbox-deb-run.log || true

echo "== the desktop app for 5 s (offscreen)"
set +e
in_root env QT_QPA_PLATFORM=offscreen timeout 5 signalbox --db /tmp/check.db \
    /usr/share/signalbox/examples/review-a-greeting.sbx.json >/tmp/signalbox-deb-gui.log 2>&1
status=$?
set -e
if [ "$status" -ne 124 ]; then
    echo "the desktop app ended by itself (exit $status):"
    cat /tmp/signalbox-deb-gui.log
    exit 1
fi
echo "still running after 5 s: stopped"

echo "== desktop file and metadata"
in_root test -f /usr/share/applications/io.signalbox.Signalbox.desktop
in_root test -f /usr/share/metainfo/io.signalbox.Signalbox.metainfo.xml
in_root test -f /usr/share/icons/hicolor/256x256/apps/io.signalbox.Signalbox.png
in_root test -f /usr/share/man/man1/signalbox.1.gz

echo "== apt-get purge signalbox, and what it brought"
in_root apt-get purge -y -q signalbox >/dev/null
in_root apt-get autoremove --purge -y -q >/dev/null
if in_root dpkg -s signalbox >/dev/null 2>&1; then
    echo "signalbox is still installed"
    exit 1
fi
left=0
while read -r path; do
    if [ -f "$root$path" ] || [ -L "$root$path" ]; then
        echo "left behind: $path"
        left=1
    fi
done <"$root/tmp/files"
in_root find / -xdev \( -path /proc -o -path /tmp -o -path /var/cache/apt -o -path /var/lib/apt/lists \) -prune -o -print | sort >"$after"
# Besides apt's and dpkg's own records, the system is as it was.
extra="$(comm -13 "$before" "$after" | grep -v -E '^/var/(lib/dpkg|log|cache|lib/apt)|^/etc/ld.so.cache|^/root' || true)"
if [ -n "$extra" ]; then
    echo "new files after removal:"
    echo "$extra"
    left=1
fi
[ "$left" -eq 0 ] || exit 1
echo "nothing left behind"
echo "PASSED"
