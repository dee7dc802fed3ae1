// SPDX-License-Identifier: GPL-3.0-or-later
#include "valuetext.h"

#include <QLocale>

namespace Signalbox::Ui {

QString valuePreview(const Model::Value &value, int maxChars)
{
    QString text;
    if (value.isString())
        text = value.toString();
    else if (value.isBool())
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else if (value.isDouble())
        text = QString::number(value.toDouble(), 'g', 12);
    else if (value.isInteger() || value.isArray() || value.isMap())
        text = QString::fromUtf8(Model::toJson(value));
    text = text.simplified();
    if (maxChars > 0 && text.size() > maxChars)
        text = text.left(maxChars - 1) + QChar(0x2026);
    return text;
}

QString runDuration(const Model::GraphExecutionMeta &run)
{
    if (!run.startedAt.isValid())
        return {};
    const QDateTime end = run.endedAt.isValid() ? run.endedAt : QDateTime::currentDateTimeUtc();
    return QStringLiteral("%1 s").arg(double(run.startedAt.msecsTo(end)) / 1000.0, 0, 'f', 1);
}

QString dateTimeText(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat)
                          : QString();
}

QString spanText(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', ms < 10'000 ? 2 : 1);
    return QStringLiteral("%1 min %2 s").arg(ms / 60'000).arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'));
}

} // namespace Signalbox::Ui
