#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up a Debian 12 machine for Signalbox, builds it, and then either runs
# Signalbox's main job or the whole test suite.
#
#   scripts/signalbox.sh run    install what is missing, build, start the desktop app
#                               with the example graph (on Xvfb when there is no display)
#   scripts/signalbox.sh test   install what is missing, build, run every test
#
# Environment: BUILD_DIR (default: build), JOBS (default: nproc).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$here/build}"
jobs="${JOBS:-$(nproc)}"
mode="${1:-}"

# Debian packages needed to build and run Signalbox and its tests.
packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libgl-dev libvalijson-dev libgraphviz-dev tzdata
    qt6-networkauth-dev qtkeychain-qt6-dev libsodium-dev sqlite3
)

usage() {
    echo "usage: $0 run|test" >&2
    exit 2
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: installing packages needs root or sudo: $*" >&2
        exit 1
    fi
}

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "== installing: ${missing[*]}"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

build() {
    echo "== configuring in $build_dir"
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    echo "== building with $jobs jobs"
    cmake --build "$build_dir" --parallel "$jobs"
}

case "$mode" in
run)
    install_missing
    build
    db="${SIGNALBOX_DB:-$build_dir/signalbox-demo.db}"
    example="$here/resources/examples/review-a-greeting.sbx.json"
    echo "== signalbox graphs import $example"
    "$build_dir/app/signalbox" graphs import "$example" --db "$db"
    app=("$build_dir/app/signalbox" --db "$db" "$example")
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
        echo "== starting the desktop app with the example graph"
        exec "${app[@]}"
    fi
    # No display: run on a virtual one (Xvfb), e.g. on a server or in CI.
    packages=(xvfb xauth)
    install_missing
    echo "== no display: starting the desktop app on a virtual X display (xvfb-run)"
    exec xvfb-run -a -s "-screen 0 1600x1000x24" "${app[@]}"
    ;;
test)
    # The packaging tests: validators, and a fresh Debian root to install into.
    packages+=(file mmdebstrap appstream desktop-file-utils)
    # Team mode's tests start a PostgreSQL server of their own and reach it through QPSQL.
    packages+=(postgresql libqt6sql6-psql)
    install_missing
    build
    echo "== running the test suite"
    cd "$build_dir"
    QTEST_DISABLE_STACK_DUMP=1 ctest --output-on-failure --parallel "$jobs" --timeout 600
    ;;
*)
    usage
    ;;
esac
