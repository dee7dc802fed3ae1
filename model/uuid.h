// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Signalbox::Model {

// A time-ordered UUID in the version-7 layout (48-bit Unix milliseconds first,
// then a per-process counter and random bits), as a lowercase string. Ids made
// by one process sort in creation order, which keeps SQLite's B-tree inserts
// at the right edge. Thread-safe.
QString createTimeOrderedUuid();

// A random (version-4) UUID string, for ids that must not reveal time.
QString createRandomUuid();

// True if text is a UUID string of any version.
bool isUuid(const QString &text);

} // namespace Signalbox::Model
