// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QSettings;

namespace Signalbox::Engine {

// Who decides reviews, recorded the same way whichever face decides: the
// name the user set in Settings (key review/reviewerName of the user's
// Signalbox settings), else the login name.
struct Reviewer
{
    QString name;

    // `name`, or the login name when it is empty.
    static Reviewer named(const QString &name);
    // From `settings`; the login name when no name is set there.
    static Reviewer fromSettings(const QSettings &settings);
    // Where Settings keeps the name.
    static QString settingsKey();
    // From the user's Signalbox settings, which the desktop writes.
    static Reviewer current();
    // The login name, or "unknown" where there is none.
    static QString loginName();
};

} // namespace Signalbox::Engine
