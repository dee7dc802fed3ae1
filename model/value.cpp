// SPDX-License-Identifier: GPL-3.0-or-later
#include "value.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace Signalbox::Model {

namespace {

// A strict JSON parser that builds Values. Recursion is bounded by
// JsonLimits::maxDepth, checked before each descent.
class Parser
{
public:
    Parser(QByteArrayView data, const JsonLimits &limits)
        : m_data(data)
        , m_limits(limits)
    { }

    bool parseDocument(Value &out)
    {
        skipWhitespace();
        if (!parseValue(0, out))
            return false;
        skipWhitespace();
        if (m_pos < m_data.size())
            return fail(m_pos, QStringLiteral("unexpected content after the JSON value"));
        return true;
    }

    QString errorMessage() const { return m_error; }
    qsizetype errorOffset() const { return m_errorPos; }

private:
    bool atEnd() const { return m_pos >= m_data.size(); }
    char peek() const { return m_data[m_pos]; }

    bool fail(qsizetype pos, QString message)
    {
        m_errorPos = pos;
        m_error = std::move(message);
        return false;
    }

    bool failEnd(const char *what)
    {
        return fail(m_data.size(),
                    QStringLiteral("unexpected end of input in %1").arg(QLatin1String(what)));
    }

    void skipWhitespace()
    {
        while (!atEnd()) {
            const char c = peek();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool parseValue(int depth, Value &out)
    {
        if (atEnd())
            return failEnd("a value");
        const char c = peek();
        switch (c) {
        case '{':
        case '[':
            if (depth + 1 > m_limits.maxDepth) {
                return fail(
                    m_pos,
                    QStringLiteral("nesting is deeper than %1 levels").arg(m_limits.maxDepth));
            }
            return c == '{' ? parseObject(depth + 1, out) : parseArray(depth + 1, out);
        case '"': {
            QString text;
            if (!parseString(text))
                return false;
            out = Value(text);
            return true;
        }
        case 't':
            out = Value(true);
            return parseLiteral("true");
        case 'f':
            out = Value(false);
            return parseLiteral("false");
        case 'n':
            out = Value(nullptr);
            return parseLiteral("null");
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return parseNumber(out);
            return fail(m_pos,
                        QStringLiteral("unexpected character '%1'").arg(QChar::fromLatin1(c)));
        }
    }

    bool parseObject(int depth, Value &out)
    {
        ++m_pos; // '{'
        ValueMap map;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            out = map;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() != '"')
                return fail(m_pos, QStringLiteral("expected a string key in an object"));
            const qsizetype keyPos = m_pos;
            QString key;
            if (!parseString(key))
                return false;
            if (map.contains(key))
                return fail(keyPos, QStringLiteral("duplicate key \"%1\" in an object").arg(key));
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() != ':')
                return fail(m_pos, QStringLiteral("expected ':' after an object key"));
            ++m_pos;
            skipWhitespace();
            Value item;
            if (!parseValue(depth, item))
                return false;
            map.insert(key, item);
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                out = map;
                return true;
            }
            return fail(m_pos, QStringLiteral("expected ',' or '}' in an object"));
        }
    }

    bool parseArray(int depth, Value &out)
    {
        ++m_pos; // '['
        ValueList list;
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            out = list;
            return true;
        }
        for (;;) {
            skipWhitespace();
            Value item;
            if (!parseValue(depth, item))
                return false;
            list.append(item);
            skipWhitespace();
            if (atEnd())
                return failEnd("an array");
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                out = list;
                return true;
            }
            return fail(m_pos, QStringLiteral("expected ',' or ']' in an array"));
        }
    }

    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    bool parseString(QString &out)
    {
        const qsizetype start = m_pos;
        ++m_pos; // '"'
        const qsizetype contentStart = m_pos;
        bool hasEscape = false;
        for (;;) {
            if (atEnd())
                return fail(start, QStringLiteral("unterminated string"));
            const char c = peek();
            if (c == '"')
                break;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail(m_pos, QStringLiteral("control character in a string"));
            if (c == '\\') {
                hasEscape = true;
                ++m_pos;
                if (atEnd())
                    return fail(start, QStringLiteral("unterminated string"));
                const char e = peek();
                if (e == 'u') {
                    if (m_pos + 4 >= m_data.size())
                        return fail(start, QStringLiteral("unterminated string"));
                    for (int i = 1; i <= 4; ++i) {
                        if (hexValue(m_data[m_pos + i]) < 0)
                            return fail(m_pos - 1,
                                        QStringLiteral("invalid \\u escape in a string"));
                    }
                    m_pos += 5;
                    continue;
                }
                if (!QByteArrayView("\"\\/bfnrt").contains(e)) {
                    return fail(m_pos - 1,
                                QStringLiteral("invalid escape '\\%1' in a string")
                                    .arg(QChar::fromLatin1(e)));
                }
            }
            ++m_pos;
            if (m_pos - contentStart > m_limits.maxStringBytes)
                return fail(
                    start,
                    QStringLiteral("string is longer than %1 bytes").arg(m_limits.maxStringBytes));
        }
        const QByteArrayView raw = m_data.sliced(contentStart, m_pos - contentStart);
        ++m_pos; // closing '"'
        out = hasEscape ? unescape(raw) : QString::fromUtf8(raw);
        return true;
    }

    // `raw` was validated by parseString.
    static QString unescape(QByteArrayView raw)
    {
        QString out;
        out.reserve(raw.size());
        qsizetype i = 0;
        while (i < raw.size()) {
            const qsizetype next = raw.indexOf('\\', i);
            const qsizetype plainEnd = next < 0 ? raw.size() : next;
            if (plainEnd > i)
                out += QString::fromUtf8(raw.sliced(i, plainEnd - i));
            if (next < 0)
                break;
            const char e = raw[next + 1];
            i = next + 2;
            switch (e) {
            case 'b':
                out += QLatin1Char('\b');
                break;
            case 'f':
                out += QLatin1Char('\f');
                break;
            case 'n':
                out += QLatin1Char('\n');
                break;
            case 'r':
                out += QLatin1Char('\r');
                break;
            case 't':
                out += QLatin1Char('\t');
                break;
            case 'u': {
                char16_t unit = 0;
                for (int k = 0; k < 4; ++k)
                    unit = char16_t(unit * 16 + hexValue(raw[i + k]));
                out += QChar(unit);
                i += 4;
                break;
            }
            default: // " \ /
                out += QLatin1Char(e);
                break;
            }
        }
        return out;
    }

    bool parseLiteral(const char *literal)
    {
        const QByteArrayView word(literal);
        if (m_data.sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return fail(m_pos,
                    QStringLiteral("invalid literal; expected '%1'").arg(QLatin1String(literal)));
    }

    bool skipDigits()
    {
        const qsizetype from = m_pos;
        while (!atEnd() && peek() >= '0' && peek() <= '9')
            ++m_pos;
        return m_pos > from;
    }

    bool parseNumber(Value &out)
    {
        const qsizetype start = m_pos;
        bool isFloat = false;
        if (peek() == '-')
            ++m_pos;
        if (atEnd())
            return fail(start, QStringLiteral("invalid number"));
        if (peek() == '0') {
            ++m_pos;
        } else if (!skipDigits()) {
            return fail(start, QStringLiteral("invalid number"));
        }
        if (!atEnd() && peek() == '.') {
            isFloat = true;
            ++m_pos;
            if (!skipDigits())
                return fail(start, QStringLiteral("invalid number: digits expected after '.'"));
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            isFloat = true;
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (!skipDigits())
                return fail(start,
                            QStringLiteral("invalid number: digits expected in the exponent"));
        }
        const QByteArrayView token = m_data.sliced(start, m_pos - start);
        if (!isFloat) {
            qint64 integer = 0;
            const auto [end, error] = std::from_chars(token.begin(), token.end(), integer);
            if (error == std::errc() && end == token.end()) {
                out = Value(integer);
                return true;
            }
            // Beyond 64 bits: a float, as a JSON reader without big integers does.
        }
        double number = 0;
        std::from_chars(token.begin(), token.end(), number);
        out = Value(number);
        return true;
    }

    QByteArrayView m_data;
    const JsonLimits &m_limits;
    qsizetype m_pos = 0;
    qsizetype m_errorPos = 0;
    QString m_error;
};

QString position(QByteArrayView data, qsizetype offset)
{
    int line = 1;
    qsizetype lineStart = 0;
    offset = qMin(offset, data.size());
    for (qsizetype i = 0; i < offset; ++i) {
        if (data[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    // Columns count characters, not bytes: skip UTF-8 continuation bytes.
    int column = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if ((static_cast<unsigned char>(data[i]) & 0xc0) != 0x80)
            ++column;
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

void appendEscaped(QByteArray &out, const QString &text, JsonStyle style)
{
    out.append('"');
    for (const QChar ch : text) {
        const char16_t unit = ch.unicode();
        switch (unit) {
        case u'"':
            out.append("\\\"");
            continue;
        case u'\\':
            out.append("\\\\");
            continue;
        case u'\n':
            out.append("\\n");
            continue;
        case u'\r':
            out.append("\\r");
            continue;
        case u'\t':
            out.append("\\t");
            continue;
        case u'\b':
            out.append("\\b");
            continue;
        case u'\f':
            out.append("\\f");
            continue;
        default:
            break;
        }
        if (unit < 0x20 || (style == JsonStyle::PythonDumps && unit > 0x7e)) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", unsigned(unit));
            out.append(buffer);
        } else if (unit < 0x80) {
            out.append(char(unit));
        } else {
            out.append(QString(ch).toUtf8());
        }
    }
    out.append('"');
}

// Surrogate pairs must be encoded together when writing UTF-8.
void appendString(QByteArray &out, const QString &text, JsonStyle style)
{
    if (style == JsonStyle::PythonDumps) {
        appendEscaped(out, text, style);
        return;
    }
    bool plain = true;
    for (const QChar ch : text) {
        if (ch.unicode() < 0x20 || ch == u'"' || ch == u'\\' || ch.isSurrogate()) {
            plain = false;
            break;
        }
    }
    if (plain) {
        out.append('"').append(text.toUtf8()).append('"');
        return;
    }
    // Escape specials, keep the rest as UTF-8 (pairs encoded whole).
    QByteArray escaped = "\"";
    QString run;
    auto flush = [&] {
        escaped.append(run.toUtf8());
        run.clear();
    };
    for (const QChar ch : text) {
        const char16_t unit = ch.unicode();
        if (unit < 0x20 || unit == u'"' || unit == u'\\') {
            flush();
            QByteArray single;
            appendEscaped(single, QString(ch), style);
            escaped.append(single.sliced(1, single.size() - 2));
        } else {
            run.append(ch);
        }
    }
    flush();
    escaped.append('"');
    out.append(escaped);
}

void write(QByteArray &out, const Value &value, JsonStyle style)
{
    const bool spaced = style == JsonStyle::PythonDumps;
    switch (value.type()) {
    case QCborValue::Null:
    case QCborValue::Undefined:
        out.append("null");
        return;
    case QCborValue::False:
        out.append("false");
        return;
    case QCborValue::True:
        out.append("true");
        return;
    case QCborValue::Integer:
        out.append(QByteArray::number(value.toInteger()));
        return;
    case QCborValue::Double: {
        const double d = value.toDouble();
        // orjson writes non-finite floats as null; Python's json.dumps as
        // NaN and Infinity.
        if (!std::isfinite(d) && (style == JsonStyle::Compact || style == JsonStyle::Canonical))
            out.append("null");
        else if (std::isnan(d))
            out.append("NaN");
        else if (std::isinf(d))
            out.append(d > 0 ? "Infinity" : "-Infinity");
        else
            out.append(pythonFloatRepr(d).toLatin1());
        return;
    }
    case QCborValue::String:
        appendString(out, value.toString(), style);
        return;
    case QCborValue::Array: {
        out.append('[');
        bool first = true;
        for (const Value &item : value.toArray()) {
            if (!first)
                out.append(spaced ? ", " : ",");
            first = false;
            write(out, item, style);
        }
        out.append(']');
        return;
    }
    case QCborValue::Map: {
        out.append('{');
        bool first = true;
        const ValueMap map = value.toMap();
        QList<std::pair<QString, Value>> entries;
        entries.reserve(map.size());
        for (auto it = map.begin(); it != map.end(); ++it)
            entries.append({it.key().toString(), it.value()});
        if (style == JsonStyle::Canonical) {
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
        }
        for (const auto &[key, item] : std::as_const(entries)) {
            if (!first)
                out.append(spaced ? ", " : ",");
            first = false;
            appendString(out, key, style);
            out.append(spaced ? ": " : ":");
            write(out, item, style);
        }
        out.append('}');
        return;
    }
    default:
        out.append("null");
        return;
    }
}

QString pythonStringRepr(const QString &text)
{
    const QChar quote = text.contains(u'\'') && !text.contains(u'"') ? u'"' : u'\'';
    QString out(quote);
    for (const QChar ch : text) {
        if (ch == quote || ch == u'\\')
            out += QLatin1Char('\\') + ch;
        else if (ch == u'\n')
            out += QLatin1String("\\n");
        else if (ch == u'\r')
            out += QLatin1String("\\r");
        else if (ch == u'\t')
            out += QLatin1String("\\t");
        else if (ch.unicode() < 0x20 || ch.unicode() == 0x7f)
            out += QStringLiteral("\\x%1").arg(ch.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += ch;
    }
    return out + quote;
}

QString pythonRepr(const Value &value)
{
    switch (value.type()) {
    case QCborValue::Null:
    case QCborValue::Undefined:
        return QStringLiteral("None");
    case QCborValue::False:
        return QStringLiteral("False");
    case QCborValue::True:
        return QStringLiteral("True");
    case QCborValue::Integer:
        return QString::number(value.toInteger());
    case QCborValue::Double:
        return pythonFloatRepr(value.toDouble());
    case QCborValue::String:
        return pythonStringRepr(value.toString());
    case QCborValue::Array: {
        QStringList items;
        for (const Value &item : value.toArray())
            items.append(pythonRepr(item));
        return QLatin1Char('[') + items.join(QLatin1String(", ")) + QLatin1Char(']');
    }
    case QCborValue::Map: {
        QStringList items;
        const ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            items.append(pythonRepr(it.key()) + QLatin1String(": ") + pythonRepr(it.value()));
        return QLatin1Char('{') + items.join(QLatin1String(", ")) + QLatin1Char('}');
    }
    default:
        return QStringLiteral("None");
    }
}

} // namespace

Result<Value> parseJsonValue(QByteArrayView data, const JsonLimits &limits, const QString &source)
{
    if (data.size() > limits.maxBytes) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: %2 bytes is more than the limit of %3 bytes")
                             .arg(source)
                             .arg(data.size())
                             .arg(limits.maxBytes));
    }
    Parser parser(data, limits);
    Value value;
    if (!parser.parseDocument(value)) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("%1: %2: %3")
                .arg(source, position(data, parser.errorOffset()), parser.errorMessage()));
    }
    return value;
}

Value parseTrustedJson(QByteArrayView data)
{
    JsonLimits unlimited;
    unlimited.maxBytes = std::numeric_limits<qsizetype>::max();
    unlimited.maxDepth = 100000;
    unlimited.maxStringBytes = std::numeric_limits<qsizetype>::max();
    Parser parser(data, unlimited);
    Value value;
    if (!parser.parseDocument(value))
        return Value(nullptr);
    return value;
}

namespace {

// ECMAScript's Number::toString: the shortest digits that read back the
// same, in fixed notation from 1e-6 up to 1e21, in exponent notation beyond.
QByteArray javaScriptNumber(double d)
{
    if (!std::isfinite(d))
        return "null";
    if (d == 0)
        return "0";
    const QString scientific = QString::number(d, 'e', QLocale::FloatingPointShortest);
    const qsizetype e = scientific.indexOf(QLatin1Char('e'));
    QString mantissa = scientific.left(e);
    const int exponent = scientific.mid(e + 1).toInt();
    const bool negative = mantissa.startsWith(QLatin1Char('-'));
    if (negative)
        mantissa.remove(0, 1);
    const QString digits = mantissa.remove(QLatin1Char('.'));
    const qsizetype k = digits.size();
    const qsizetype n = exponent + 1;
    QString text;
    if (k <= n && n <= 21) {
        text = digits + QString(n - k, QLatin1Char('0'));
    } else if (0 < n && n <= 21) {
        text = digits.left(n) + QLatin1Char('.') + digits.mid(n);
    } else if (-6 < n && n <= 0) {
        text = QStringLiteral("0.") + QString(-n, QLatin1Char('0')) + digits;
    } else {
        const QString power = (exponent < 0 ? QStringLiteral("e-") : QStringLiteral("e+"))
            + QString::number(qAbs(exponent));
        text = k == 1 ? QString(digits + power)
                      : QString(digits.left(1) + QLatin1Char('.') + digits.mid(1) + power);
    }
    return (negative ? QByteArray("-") : QByteArray()) + text.toLatin1();
}

void writeIndented(QByteArray &out, const Value &value, int depth)
{
    const auto newline = [&](int level) {
        out.append('\n');
        out.append(QByteArray(2 * level, ' '));
    };
    switch (value.type()) {
    case QCborValue::Double:
        out.append(javaScriptNumber(value.toDouble()));
        return;
    case QCborValue::Array: {
        const ValueList list = value.toArray();
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i > 0)
                out.append(',');
            newline(depth + 1);
            writeIndented(out, list.at(i), depth + 1);
        }
        newline(depth);
        out.append(']');
        return;
    }
    case QCborValue::Map: {
        const ValueMap map = value.toMap();
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        bool first = true;
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!first)
                out.append(',');
            first = false;
            newline(depth + 1);
            appendString(out, it.key().toString(), JsonStyle::Indented);
            out.append(": ");
            writeIndented(out, it.value(), depth + 1);
        }
        newline(depth);
        out.append('}');
        return;
    }
    default:
        write(out, value, JsonStyle::Compact);
        return;
    }
}

} // namespace

QString payloadDigest(const Value &value)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(toJson(value, JsonStyle::Canonical), QCryptographicHash::Sha256)
            .toHex());
}

QByteArray toJson(const Value &value, JsonStyle style)
{
    QByteArray out;
    if (style == JsonStyle::Indented)
        writeIndented(out, value, 0);
    else
        write(out, value, style);
    return out;
}

QString pythonStr(const Value &value)
{
    return value.isString() ? value.toString() : pythonRepr(value);
}

QString pythonFloatRepr(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    // Shortest round-trip digits, then Python's layout: fixed notation for
    // decimal exponents from -4 to 15, scientific otherwise.
    char buffer[64];
    const auto result
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string_view text(buffer, result.ptr);
    const bool negative = text.front() == '-';
    const size_t ePos = text.find('e');
    std::string digits;
    for (char c : text.substr(negative ? 1 : 0, ePos - (negative ? 1 : 0))) {
        if (c != '.')
            digits.push_back(c);
    }
    const int exponent = std::stoi(std::string(text.substr(ePos + 1)));
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            std::string integer
                = digits.substr(0, std::min<size_t>(digits.size(), size_t(exponent) + 1));
            integer.append(size_t(exponent) + 1 - integer.size(), '0');
            std::string fraction
                = digits.size() > size_t(exponent) + 1 ? digits.substr(size_t(exponent) + 1) : "0";
            out += integer + "." + fraction;
        } else {
            out += "0." + std::string(size_t(-exponent - 1), '0') + digits;
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char exp[16];
        std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        out += exp;
    }
    return QString::fromStdString(out);
}

bool pythonTruthy(const Value &value)
{
    switch (value.type()) {
    case QCborValue::True:
        return true;
    case QCborValue::Integer:
        return value.toInteger() != 0;
    case QCborValue::Double:
        return value.toDouble() != 0.0;
    case QCborValue::String:
        return !value.toString().isEmpty();
    case QCborValue::Array:
        return !value.toArray().isEmpty();
    case QCborValue::Map:
        return !value.toMap().isEmpty();
    default:
        return false;
    }
}

namespace {

bool isPythonNumber(const Value &value)
{
    return value.isInteger() || value.isDouble() || value.isBool();
}

double asDouble(const Value &value)
{
    if (value.isBool())
        return value.toBool() ? 1.0 : 0.0;
    return value.isInteger() ? double(value.toInteger()) : value.toDouble();
}

} // namespace

bool pythonEquals(const Value &a, const Value &b)
{
    if (isPythonNumber(a) && isPythonNumber(b)) {
        if (a.isInteger() && b.isInteger())
            return a.toInteger() == b.toInteger();
        return asDouble(a) == asDouble(b);
    }
    if ((a.isNull() || a.isUndefined()) && (b.isNull() || b.isUndefined()))
        return true;
    if (a.type() != b.type())
        return false;
    if (a.isString())
        return a.toString() == b.toString();
    if (a.isArray()) {
        const ValueList left = a.toArray();
        const ValueList right = b.toArray();
        if (left.size() != right.size())
            return false;
        for (qsizetype i = 0; i < left.size(); ++i) {
            if (!pythonEquals(left.at(i), right.at(i)))
                return false;
        }
        return true;
    }
    if (a.isMap()) {
        const ValueMap left = a.toMap();
        const ValueMap right = b.toMap();
        if (left.size() != right.size())
            return false;
        for (auto it = left.begin(); it != left.end(); ++it) {
            if (!right.contains(it.key()) || !pythonEquals(it.value(), right.value(it.key())))
                return false;
        }
        return true;
    }
    return false;
}

std::optional<int> pythonCompare(const Value &a, const Value &b)
{
    if (isPythonNumber(a) && isPythonNumber(b)) {
        if (a.isInteger() && b.isInteger())
            return a.toInteger() < b.toInteger() ? -1 : a.toInteger() > b.toInteger() ? 1 : 0;
        const double x = asDouble(a);
        const double y = asDouble(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.isString() && b.isString()) {
        const int order = a.toString().compare(b.toString());
        return order < 0 ? -1 : order > 0 ? 1 : 0;
    }
    if (a.isArray() && b.isArray()) {
        const ValueList left = a.toArray();
        const ValueList right = b.toArray();
        for (qsizetype i = 0; i < qMin(left.size(), right.size()); ++i) {
            if (pythonEquals(left.at(i), right.at(i)))
                continue;
            return pythonCompare(left.at(i), right.at(i));
        }
        return left.size() < right.size() ? -1 : left.size() > right.size() ? 1 : 0;
    }
    return std::nullopt;
}

QString pythonTypeName(const Value &value)
{
    switch (value.type()) {
    case QCborValue::Integer:
        return QStringLiteral("int");
    case QCborValue::Double:
        return QStringLiteral("float");
    case QCborValue::True:
    case QCborValue::False:
        return QStringLiteral("bool");
    case QCborValue::String:
        return QStringLiteral("str");
    case QCborValue::Array:
        return QStringLiteral("list");
    case QCborValue::Map:
        return QStringLiteral("dict");
    default:
        return QStringLiteral("NoneType");
    }
}

QString identityKey(const Value &value)
{
    switch (value.type()) {
    case QCborValue::True:
    case QCborValue::False:
        return value.toBool() ? QStringLiteral("b:1") : QStringLiteral("b:0");
    case QCborValue::Integer:
        return QStringLiteral("n:") + QString::number(value.toInteger());
    case QCborValue::Double: {
        const double d = value.toDouble();
        // Whole floats hash like the integer (1.0 == 1).
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
            return QStringLiteral("n:") + QString::number(qint64(d));
        return QStringLiteral("n:") + pythonFloatRepr(d);
    }
    case QCborValue::String:
        return QStringLiteral("s:") + value.toString();
    case QCborValue::Array: {
        QStringList items;
        for (const Value &item : value.toArray())
            items.append(identityKey(item));
        return QStringLiteral("l:[") + items.join(QChar(0x1f)) + QLatin1Char(']');
    }
    case QCborValue::Map: {
        QStringList items;
        const ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            items.append(identityKey(it.key()) + QChar(0x1e) + identityKey(it.value()));
        items.sort();
        return QStringLiteral("d:{") + items.join(QChar(0x1f)) + QLatin1Char('}');
    }
    default:
        return QStringLiteral("z:None");
    }
}

QJsonValue toQJson(const Value &value)
{
    switch (value.type()) {
    case QCborValue::Array: {
        QJsonArray array;
        for (const Value &item : value.toArray())
            array.append(toQJson(item));
        return array;
    }
    case QCborValue::Map: {
        QJsonObject object;
        const ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            object.insert(it.key().toString(), toQJson(it.value()));
        return object;
    }
    case QCborValue::Integer:
        return QJsonValue(value.toInteger());
    case QCborValue::Double:
        return QJsonValue(value.toDouble());
    case QCborValue::String:
        return QJsonValue(value.toString());
    case QCborValue::True:
        return QJsonValue(true);
    case QCborValue::False:
        return QJsonValue(false);
    default:
        return QJsonValue(QJsonValue::Null);
    }
}

Value fromQJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Array: {
        ValueList list;
        for (const QJsonValue &item : value.toArray())
            list.append(fromQJson(item));
        return list;
    }
    case QJsonValue::Object: {
        ValueMap map;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            map.insert(it.key(), fromQJson(it.value()));
        return map;
    }
    case QJsonValue::Double: {
        const QVariant number = value.toVariant();
        if (number.typeId() == QMetaType::LongLong)
            return Value(number.toLongLong());
        return Value(value.toDouble());
    }
    case QJsonValue::String:
        return Value(value.toString());
    case QJsonValue::Bool:
        return Value(value.toBool());
    default:
        return Value(nullptr);
    }
}

} // namespace Signalbox::Model
