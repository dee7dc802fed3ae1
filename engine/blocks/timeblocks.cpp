// SPDX-License-Identifier: GPL-3.0-or-later
// Time blocks.
#include "blockregistry.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include <cmath>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;

namespace {

const QLatin1StringView kCountdownTimer("d67a9c52-5e4e-11e2-bcfd-0800200c9a71");
const QLatin1StringView kCurrentTime("a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa");
const QLatin1StringView kCurrentDate("b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1");
const QLatin1StringView kCurrentDateAndTime("716a67b3-6760-42e7-86dc-18645c6e00fc");

// Python's int() of a number or a numeric string, or the error it raises.
Result<qint64> pythonInt(const Value &value)
{
    if (value.isInteger())
        return value.toInteger();
    if (value.isBool())
        return qint64(value.toBool() ? 1 : 0);
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isnan(number))
            return blockError(QStringLiteral("cannot convert float NaN to integer"));
        if (!std::isfinite(number) || std::fabs(number) >= 9.2e18)
            return blockError(QStringLiteral("cannot convert float infinity to integer"));
        return qint64(std::trunc(number));
    }
    const QString text = value.isString() ? value.toString() : Model::pythonStr(value);
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (ok && value.isString())
        return number;
    if (!value.isString())
        return blockError(QStringLiteral("int() argument must be a string, a bytes-like object or "
                                         "a real number, not '%1'")
                              .arg(Model::pythonTypeName(value)));
    return blockError(QStringLiteral("invalid literal for int() with base 10: '%1'").arg(text));
}

Result<void> countdownTimer(const ValueMap &input, BlockContext &context)
{
    qint64 total = 0;
    const std::pair<const char *, qint64> units[]
        = {{"seconds", 1}, {"minutes", 60}, {"hours", 3600}, {"days", 86400}};
    for (const auto &[pin, factor] : units) {
        const auto number = pythonInt(input.value(QLatin1String(pin)));
        if (!number)
            return number.error();
        total += *number * factor;
    }
    const qint64 repeat = input.value(QLatin1String("repeat")).toInteger(1);
    for (qint64 i = 0; i < repeat; ++i) {
        // Stopping the run wakes the wait at once.
        if (total > 0 && !context.sleep(total * 1000))
            return {};
        context.yield(QStringLiteral("output_message"),
                      input.value(QLatin1String("input_message")));
    }
    return {};
}

// "now" in the format object's time zone, or the user's when asked for.
Result<QDateTime> nowIn(const ValueMap &format, const BlockContext &context)
{
    const QString zoneName = format.value(QLatin1String("use_user_timezone")).toBool()
        ? context.executionContext().userTimezone
        : format.value(QLatin1String("timezone")).toString(QStringLiteral("UTC"));
    const QTimeZone zone(zoneName.toUtf8());
    if (!zone.isValid())
        return blockError(QStringLiteral("Unknown time zone: %1").arg(zoneName));
    return QDateTime::currentDateTimeUtc().toTimeZone(zone);
}

bool isIso(const ValueMap &format)
{
    return format.value(QLatin1String("discriminator")).toString() == QLatin1String("iso8601");
}

Result<void> currentTime(const ValueMap &input, BlockContext &context)
{
    const ValueMap format = input.value(QLatin1String("format_type")).toMap();
    auto now = nowIn(format, context);
    if (!now)
        return now.error();
    if (isIso(format)) {
        const QString iso
            = pythonIsoFormat(*now, format.value(QLatin1String("include_microseconds")).toBool());
        context.yield(QStringLiteral("time"), iso.mid(iso.indexOf(QLatin1Char('T'))));
        return {};
    }
    context.yield(
        QStringLiteral("time"),
        pythonStrftime(*now,
                       format.value(QLatin1String("format")).toString(QStringLiteral("%H:%M:%S"))));
    return {};
}

Result<void> currentDate(const ValueMap &input, BlockContext &context)
{
    const ValueMap format = input.value(QLatin1String("format_type")).toMap();
    auto now = nowIn(format, context);
    if (!now)
        return now.error();
    // int(offset), 0 when it is not a number; AutoGPT subtracts it.
    const auto parsed = pythonInt(input.value(QLatin1String("offset")));
    const qint64 offset = parsed ? *parsed : 0;
    const QDateTime day = now->addDays(-offset);
    if (isIso(format)) {
        context.yield(QStringLiteral("date"), day.date().toString(Qt::ISODate));
        return {};
    }
    context.yield(
        QStringLiteral("date"),
        pythonStrftime(day,
                       format.value(QLatin1String("format")).toString(QStringLiteral("%Y-%m-%d"))));
    return {};
}

Result<void> currentDateAndTime(const ValueMap &input, BlockContext &context)
{
    const ValueMap format = input.value(QLatin1String("format_type")).toMap();
    auto now = nowIn(format, context);
    if (!now)
        return now.error();
    if (isIso(format)) {
        context.yield(
            QStringLiteral("date_time"),
            pythonIsoFormat(*now, format.value(QLatin1String("include_microseconds")).toBool()));
        return {};
    }
    context.yield(
        QStringLiteral("date_time"),
        pythonStrftime(
            *now,
            format.value(QLatin1String("format")).toString(QStringLiteral("%Y-%m-%d %H:%M:%S"))));
    return {};
}

} // namespace

QString pythonIsoFormat(const QDateTime &time, bool microseconds)
{
    QString text = time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"));
    if (microseconds)
        text += QStringLiteral(".%1").arg(time.time().msec() * 1000, 6, 10, QLatin1Char('0'));
    const int offset = time.offsetFromUtc();
    text += QStringLiteral("%1%2:%3")
                .arg(offset < 0 ? QLatin1Char('-') : QLatin1Char('+'))
                .arg(qAbs(offset) / 3600, 2, 10, QLatin1Char('0'))
                .arg(qAbs(offset) % 3600 / 60, 2, 10, QLatin1Char('0'));
    return text;
}

QString pythonStrftime(const QDateTime &time, const QString &format)
{
    const QLocale c = QLocale::c();
    const QDate date = time.date();
    const QTime clock = time.time();
    QString out;
    for (qsizetype i = 0; i < format.size(); ++i) {
        const QChar ch = format.at(i);
        if (ch != u'%' || i + 1 >= format.size()) {
            out += ch;
            continue;
        }
        const QChar d = format.at(++i);
        auto two = [](int n) {
            return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
        };
        switch (d.unicode()) {
        case u'Y':
            out += QString::number(date.year()).rightJustified(4, u'0');
            break;
        case u'y':
            out += two(date.year() % 100);
            break;
        case u'm':
            out += two(date.month());
            break;
        case u'd':
            out += two(date.day());
            break;
        case u'e':
            out += QString::number(date.day()).rightJustified(2, u' ');
            break;
        case u'H':
            out += two(clock.hour());
            break;
        case u'I':
            out += two(clock.hour() % 12 == 0 ? 12 : clock.hour() % 12);
            break;
        case u'M':
            out += two(clock.minute());
            break;
        case u'S':
            out += two(clock.second());
            break;
        case u'f':
            out += QStringLiteral("%1").arg(clock.msec() * 1000, 6, 10, QLatin1Char('0'));
            break;
        case u'p':
            out += clock.hour() < 12 ? QStringLiteral("AM") : QStringLiteral("PM");
            break;
        case u'a':
            out += c.dayName(date.dayOfWeek(), QLocale::ShortFormat);
            break;
        case u'A':
            out += c.dayName(date.dayOfWeek(), QLocale::LongFormat);
            break;
        case u'b':
            out += c.monthName(date.month(), QLocale::ShortFormat);
            break;
        case u'B':
            out += c.monthName(date.month(), QLocale::LongFormat);
            break;
        case u'j':
            out += QStringLiteral("%1").arg(date.dayOfYear(), 3, 10, QLatin1Char('0'));
            break;
        case u'w':
            out += QString::number(date.dayOfWeek() % 7);
            break;
        case u'u':
            out += QString::number(date.dayOfWeek());
            break;
        case u'z': {
            const int offset = time.offsetFromUtc();
            out += QStringLiteral("%1%2%3")
                       .arg(offset < 0 ? QLatin1Char('-') : QLatin1Char('+'))
                       .arg(qAbs(offset) / 3600, 2, 10, QLatin1Char('0'))
                       .arg(qAbs(offset) % 3600 / 60, 2, 10, QLatin1Char('0'));
            break;
        }
        case u'Z':
            out += time.timeZoneAbbreviation();
            break;
        case u'%':
            out += QLatin1Char('%');
            break;
        default:
            out += QLatin1Char('%') + d;
            break;
        }
    }
    return out;
}

void registerTimeBlocks(BlockRegistry &registry)
{
    registry.add(kCountdownTimer, countdownTimer);
    registry.add(kCurrentTime, currentTime);
    registry.add(kCurrentDate, currentDate);
    registry.add(kCurrentDateAndTime, currentDateAndTime);
}

} // namespace Signalbox::Engine
