// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewer.h"

#include <QSettings>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace Signalbox::Engine {

QString Reviewer::loginName()
{
    for (const char *variable : {"USER", "USERNAME", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
#ifdef Q_OS_UNIX
    // Not every session sets USER (a service, a container): the account's name.
    if (const passwd *account = getpwuid(geteuid()); account && account->pw_name)
        return QString::fromLocal8Bit(account->pw_name);
#endif
    return QStringLiteral("unknown");
}

QString Reviewer::settingsKey()
{
    return QStringLiteral("review/reviewerName");
}

Reviewer Reviewer::named(const QString &name)
{
    const QString trimmed = name.trimmed();
    return {trimmed.isEmpty() ? loginName() : trimmed};
}

Reviewer Reviewer::fromSettings(const QSettings &settings)
{
    return named(settings.value(settingsKey()).toString());
}

Reviewer Reviewer::current()
{
    // The desktop's organisation and application names, whichever face asks.
    return fromSettings(QSettings(QStringLiteral("Signalbox"), QStringLiteral("signalbox")));
}

} // namespace Signalbox::Engine
