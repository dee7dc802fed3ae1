// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <optional>
#include <utility>

namespace Signalbox {

// What kind of expected failure happened; the CLI maps these to exit codes.
enum class ErrorCode {
    BadInput, // unreadable or invalid input: a graph file, an argument, a value
    NotFound, // the thing asked for does not exist
    Conflict, // a refused status change, a decision already taken otherwise
    Storage, // the database is missing, locked, read-only, full or damaged
    Internal, // a broken invariant; a bug
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    // Each individual problem when several were found at once.
    QStringList details;

    QString text() const
    {
        if (details.isEmpty())
            return message;
        return message + QLatin1String("\n  ") + details.join(QLatin1String("\n  "));
    }
};

inline Error makeError(ErrorCode code, QString message, QStringList details = {})
{
    return Error {code, std::move(message), std::move(details)};
}

// A value or the reason there is none. Expected failures travel as Results;
// exceptions never cross a module boundary.
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    { }
    Result(Error error)
        : m_error(std::move(error))
    { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    // Reading the value of a failed Result is a bug: it stops the program
    // with the error's message rather than reading garbage.
    T &value() & { return checked(); }
    const T &value() const & { return checked(); }
    T &&value() && { return std::move(checked()); }
    T &operator*() & { return checked(); }
    const T &operator*() const & { return checked(); }
    T *operator->() { return &checked(); }
    const T *operator->() const { return &checked(); }

    const Error &error() const { return m_error; }

private:
    T &checked() const
    {
        if (!m_value)
            qFatal("value of a failed Result: %s", qPrintable(m_error.message));
        return const_cast<T &>(*m_value);
    }

    std::optional<T> m_value;
    Error m_error;
};

template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_failed(true)
        , m_error(std::move(error))
    { }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    bool m_failed = false;
    Error m_error;
};

} // namespace Signalbox
