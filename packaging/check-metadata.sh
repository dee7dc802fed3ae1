#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Validates the desktop entry and the AppStream metadata; exits 77 (skipped)
# when the validators are not installed.
set -euo pipefail
linux="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/linux"
if ! command -v appstreamcli >/dev/null || ! command -v desktop-file-validate >/dev/null; then
    echo "SKIPPED: appstreamcli and desktop-file-validate are needed (apt-get install appstream desktop-file-utils)"
    exit 77
fi
desktop-file-validate "$linux/io.signalbox.Signalbox.desktop"
echo "desktop-file-validate: ok"
appstreamcli validate --no-net --explain "$linux/io.signalbox.Signalbox.metainfo.xml"
