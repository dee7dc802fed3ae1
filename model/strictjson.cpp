// SPDX-License-Identifier: GPL-3.0-or-later
#include "strictjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSet>

#include <utility>

namespace Signalbox::Model {

namespace {

// A validating scanner. It builds nothing; recursion is bounded by
// JsonLimits::maxDepth, which is checked before each descent.
class Scanner
{
public:
    Scanner(QByteArrayView data, const JsonLimits &limits)
        : m_data(data)
        , m_limits(limits)
    { }

    bool scanDocument()
    {
        skipWhitespace();
        if (!scanValue(0))
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

    bool scanValue(int depth)
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
            return c == '{' ? scanObject(depth + 1) : scanArray(depth + 1);
        case '"':
            return scanString(nullptr);
        case 't':
            return scanLiteral("true");
        case 'f':
            return scanLiteral("false");
        case 'n':
            return scanLiteral("null");
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return scanNumber();
            return fail(m_pos,
                        QStringLiteral("unexpected character '%1'").arg(QChar::fromLatin1(c)));
        }
    }

    bool scanObject(int depth)
    {
        ++m_pos; // '{'
        QSet<QByteArray> keys;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() != '"')
                return fail(m_pos, QStringLiteral("expected a string key in an object"));
            const qsizetype keyPos = m_pos;
            QByteArray key;
            if (!scanString(&key))
                return false;
            if (keys.contains(key)) {
                return fail(keyPos,
                            QStringLiteral("duplicate key \"%1\" in an object")
                                .arg(QString::fromUtf8(key)));
            }
            keys.insert(key);
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() != ':')
                return fail(m_pos, QStringLiteral("expected ':' after an object key"));
            ++m_pos;
            skipWhitespace();
            if (!scanValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return failEnd("an object");
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return true;
            }
            return fail(m_pos, QStringLiteral("expected ',' or '}' in an object"));
        }
    }

    bool scanArray(int depth)
    {
        ++m_pos; // '['
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (!scanValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return failEnd("an array");
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
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

    // Scans a string; when `decoded` is given (object keys) it receives the
    // UTF-8 of the unescaped text so that "a" and "\u0061" count as one key.
    bool scanString(QByteArray *decoded)
    {
        const qsizetype start = m_pos;
        ++m_pos; // '"'
        QString escapedKey;
        bool hasEscape = false;
        const qsizetype contentStart = m_pos;
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
                if (!QByteArrayView("\"\\/bfnrt").contains(e))
                    return fail(m_pos - 1,
                                QStringLiteral("invalid escape '\\%1' in a string")
                                    .arg(QChar::fromLatin1(e)));
            }
            ++m_pos;
            if (m_pos - contentStart > m_limits.maxStringBytes) {
                return fail(
                    start,
                    QStringLiteral("string is longer than %1 bytes").arg(m_limits.maxStringBytes));
            }
        }
        const qsizetype end = m_pos;
        ++m_pos; // closing '"'
        if (decoded) {
            const QByteArrayView raw = m_data.sliced(start, end - start + 1);
            if (hasEscape) {
                // Small and rare: let Qt unescape the key.
                const QJsonDocument doc = QJsonDocument::fromJson("[" + raw.toByteArray() + "]");
                *decoded = doc.array().at(0).toString().toUtf8();
            } else {
                *decoded = raw.sliced(1, raw.size() - 2).toByteArray();
            }
        }
        return true;
    }

    bool scanLiteral(const char *literal)
    {
        const QByteArrayView word(literal);
        if (m_data.sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return fail(m_pos,
                    QStringLiteral("invalid literal; expected '%1'").arg(QLatin1String(literal)));
    }

    bool scanDigits()
    {
        const qsizetype from = m_pos;
        while (!atEnd() && peek() >= '0' && peek() <= '9')
            ++m_pos;
        return m_pos > from;
    }

    bool scanNumber()
    {
        const qsizetype start = m_pos;
        if (peek() == '-')
            ++m_pos;
        if (atEnd())
            return fail(start, QStringLiteral("invalid number"));
        if (peek() == '0') {
            ++m_pos;
        } else if (!scanDigits()) {
            return fail(start, QStringLiteral("invalid number"));
        }
        if (!atEnd() && peek() == '.') {
            ++m_pos;
            if (!scanDigits())
                return fail(start, QStringLiteral("invalid number: digits expected after '.'"));
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (!scanDigits())
                return fail(start,
                            QStringLiteral("invalid number: digits expected in the exponent"));
        }
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

} // namespace

Result<QJsonValue> parseStrictJson(QByteArrayView data, const JsonLimits &limits,
                                   const QString &source)
{
    if (data.size() > limits.maxBytes) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: %2 bytes is more than the limit of %3 bytes")
                             .arg(source)
                             .arg(data.size())
                             .arg(limits.maxBytes));
    }
    Scanner scanner(data, limits);
    if (!scanner.scanDocument()) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("%1: %2: %3")
                .arg(source, position(data, scanner.errorOffset()), scanner.errorMessage()));
    }
    // The scanner accepted it, so Qt's parser builds the value. Wrapping in an
    // array lets a scalar be a whole document.
    QByteArray wrapped;
    wrapped.reserve(data.size() + 2);
    wrapped.append('[').append(data).append(']');
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: %2: %3")
                             .arg(source, position(data, qMax(0, parseError.offset - 1)),
                                  parseError.errorString()));
    }
    return doc.array().at(0);
}

int jsonDepth(const QJsonValue &value)
{
    int deepest = 0;
    QList<std::pair<QJsonValue, int>> pending {{value, 0}};
    while (!pending.isEmpty()) {
        auto [current, depth] = pending.takeLast();
        if (current.isObject()) {
            deepest = qMax(deepest, depth + 1);
            for (const QJsonValue &child : current.toObject())
                pending.append({child, depth + 1});
        } else if (current.isArray()) {
            deepest = qMax(deepest, depth + 1);
            for (const QJsonValue &child : current.toArray())
                pending.append({child, depth + 1});
        }
    }
    return deepest;
}

} // namespace Signalbox::Model
