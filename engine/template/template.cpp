// SPDX-License-Identifier: GPL-3.0-or-later
#include "template.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <cmath>
#include <limits>
#include <memory>
#include <variant>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;

namespace {

constexpr int kMaxDepth = 64;
constexpr qsizetype kMaxOutput = 16 * 1024 * 1024;
constexpr qsizetype kMaxLoopIterations = 1000000;

// A failure while parsing or rendering, with the template line.
struct TemplateError
{
    QString message;
};

// ------------------------------------------------------------ expressions

struct Token
{
    enum class Kind { Name, Number, String, Operator, End };
    Kind kind = Kind::End;
    QString text;
    Value number;
};

class ExprLexer
{
public:
    explicit ExprLexer(const QString &text)
    {
        qsizetype i = 0;
        static const QStringList operators
            = {QStringLiteral("**"), QStringLiteral("//"), QStringLiteral("=="),
               QStringLiteral("!="), QStringLiteral("<="), QStringLiteral(">=")};
        while (i < text.size()) {
            const QChar c = text.at(i);
            if (c.isSpace()) {
                ++i;
                continue;
            }
            if (c.isLetter() || c == u'_') {
                qsizetype j = i;
                while (j < text.size() && (text.at(j).isLetterOrNumber() || text.at(j) == u'_'))
                    ++j;
                m_tokens.append({Token::Kind::Name, text.mid(i, j - i), {}});
                i = j;
                continue;
            }
            if (c.isDigit()) {
                qsizetype j = i;
                bool isFloat = false;
                while (j < text.size() && (text.at(j).isDigit() || text.at(j) == u'_'))
                    ++j;
                if (j + 1 < text.size() && text.at(j) == u'.' && text.at(j + 1).isDigit()) {
                    isFloat = true;
                    ++j;
                    while (j < text.size() && text.at(j).isDigit())
                        ++j;
                }
                if (j < text.size() && (text.at(j) == u'e' || text.at(j) == u'E')) {
                    qsizetype k = j + 1;
                    if (k < text.size() && (text.at(k) == u'+' || text.at(k) == u'-'))
                        ++k;
                    if (k < text.size() && text.at(k).isDigit()) {
                        isFloat = true;
                        j = k;
                        while (j < text.size() && text.at(j).isDigit())
                            ++j;
                    }
                }
                const QString literal = text.mid(i, j - i).remove(u'_');
                m_tokens.append(
                    {Token::Kind::Number, literal,
                     isFloat ? Value(literal.toDouble()) : Value(literal.toLongLong())});
                i = j;
                continue;
            }
            if (c == u'"' || c == u'\'') {
                QString value;
                qsizetype j = i + 1;
                bool closed = false;
                while (j < text.size()) {
                    const QChar d = text.at(j);
                    if (d == c) {
                        closed = true;
                        break;
                    }
                    if (d == u'\\' && j + 1 < text.size()) {
                        const QChar e = text.at(j + 1);
                        value += e == u'n' ? QChar(u'\n') : e == u't' ? QChar(u'\t') : e;
                        j += 2;
                        continue;
                    }
                    value += d;
                    ++j;
                }
                if (!closed)
                    throw TemplateError {QStringLiteral("unterminated string")};
                m_tokens.append({Token::Kind::String, value, {}});
                i = j + 1;
                continue;
            }
            const QString two = text.mid(i, 2);
            if (operators.contains(two)) {
                m_tokens.append({Token::Kind::Operator, two, {}});
                i += 2;
                continue;
            }
            if (QStringLiteral("+-*/%~<>()[]{}.,:|=").contains(c)) {
                m_tokens.append({Token::Kind::Operator, QString(c), {}});
                ++i;
                continue;
            }
            throw TemplateError {QStringLiteral("unexpected char '%1'").arg(c)};
        }
        m_tokens.append({Token::Kind::End, {}, {}});
    }

    const Token &peek(qsizetype ahead = 0) const
    {
        return m_tokens.at(qMin(m_pos + ahead, m_tokens.size() - 1));
    }
    Token next() { return m_tokens.at(qMin(m_pos++, m_tokens.size() - 1)); }
    bool atEnd() const { return peek().kind == Token::Kind::End; }
    bool acceptOperator(const char *op)
    {
        if (peek().kind == Token::Kind::Operator && peek().text == QLatin1String(op)) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool acceptName(const char *name)
    {
        if (peek().kind == Token::Kind::Name && peek().text == QLatin1String(name)) {
            ++m_pos;
            return true;
        }
        return false;
    }
    void expectOperator(const char *op)
    {
        if (!acceptOperator(op))
            throw TemplateError {
                QStringLiteral("expected '%1', got '%2'").arg(QLatin1String(op), peek().text)};
    }

private:
    QList<Token> m_tokens;
    qsizetype m_pos = 0;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr
{
    enum class Kind {
        Literal,
        Name,
        List,
        Dict,
        Attribute,
        Subscript,
        Call,
        Filter,
        Test,
        Unary,
        Binary,
        Conditional
    };
    Kind kind;
    Value literal;
    QString name; // name, attribute, filter, test or operator
    QList<ExprPtr> children;
    QList<std::pair<QString, ExprPtr>> keywords;
    bool negated = false;
};

ExprPtr makeExpr(Expr expr)
{
    return std::make_shared<const Expr>(std::move(expr));
}

class ExprParser
{
public:
    explicit ExprParser(ExprLexer &lexer)
        : m_lexer(lexer)
    { }

    ExprPtr parse()
    {
        ExprPtr expr = conditional();
        return expr;
    }

private:
    struct DepthGuard
    {
        explicit DepthGuard(int &depth)
            : m_depth(depth)
        {
            if (++m_depth > kMaxDepth)
                throw TemplateError {QStringLiteral("expression nested too deeply")};
        }
        ~DepthGuard() { --m_depth; }
        int &m_depth;
    };

    ExprPtr conditional()
    {
        DepthGuard guard(m_depth);
        ExprPtr value = orExpr();
        if (m_lexer.acceptName("if")) {
            ExprPtr condition = orExpr();
            ExprPtr otherwise = m_lexer.acceptName("else")
                ? conditional()
                : makeExpr({Expr::Kind::Literal, Value()});
            return makeExpr({Expr::Kind::Conditional, {}, {}, {condition, value, otherwise}});
        }
        return value;
    }

    ExprPtr orExpr()
    {
        ExprPtr left = andExpr();
        while (m_lexer.acceptName("or"))
            left = makeExpr({Expr::Kind::Binary, {}, QStringLiteral("or"), {left, andExpr()}});
        return left;
    }

    ExprPtr andExpr()
    {
        ExprPtr left = notExpr();
        while (m_lexer.acceptName("and"))
            left = makeExpr({Expr::Kind::Binary, {}, QStringLiteral("and"), {left, notExpr()}});
        return left;
    }

    ExprPtr notExpr()
    {
        DepthGuard guard(m_depth);
        if (m_lexer.acceptName("not"))
            return makeExpr({Expr::Kind::Unary, {}, QStringLiteral("not"), {notExpr()}});
        return comparison();
    }

    ExprPtr comparison()
    {
        ExprPtr left = concat();
        for (;;) {
            const Token &token = m_lexer.peek();
            if (token.kind == Token::Kind::Operator
                && QStringList {QStringLiteral("=="), QStringLiteral("!="), QStringLiteral("<"),
                                QStringLiteral(">"), QStringLiteral("<="), QStringLiteral(">=")}
                       .contains(token.text)) {
                const QString op = m_lexer.next().text;
                left = makeExpr({Expr::Kind::Binary, {}, op, {left, concat()}});
            } else if (m_lexer.acceptName("in")) {
                left = makeExpr({Expr::Kind::Binary, {}, QStringLiteral("in"), {left, concat()}});
            } else if (m_lexer.peek().kind == Token::Kind::Name
                       && m_lexer.peek().text == QLatin1String("not")
                       && m_lexer.peek(1).kind == Token::Kind::Name
                       && m_lexer.peek(1).text == QLatin1String("in")) {
                m_lexer.next();
                m_lexer.next();
                left = makeExpr(
                    {Expr::Kind::Unary,
                     {},
                     QStringLiteral("not"),
                     {makeExpr({Expr::Kind::Binary, {}, QStringLiteral("in"), {left, concat()}})}});
            } else if (m_lexer.acceptName("is")) {
                Expr test {Expr::Kind::Test, {}, {}, {left}};
                test.negated = m_lexer.acceptName("not");
                const Token name = m_lexer.next();
                if (name.kind != Token::Kind::Name)
                    throw TemplateError {QStringLiteral("expected a test name after 'is'")};
                test.name = name.text;
                left = makeExpr(std::move(test));
            } else {
                return left;
            }
        }
    }

    ExprPtr concat()
    {
        ExprPtr left = additive();
        while (m_lexer.acceptOperator("~"))
            left = makeExpr({Expr::Kind::Binary, {}, QStringLiteral("~"), {left, additive()}});
        return left;
    }

    ExprPtr additive()
    {
        ExprPtr left = multiplicative();
        for (;;) {
            if (m_lexer.acceptOperator("+"))
                left = makeExpr(
                    {Expr::Kind::Binary, {}, QStringLiteral("+"), {left, multiplicative()}});
            else if (m_lexer.acceptOperator("-"))
                left = makeExpr(
                    {Expr::Kind::Binary, {}, QStringLiteral("-"), {left, multiplicative()}});
            else
                return left;
        }
    }

    ExprPtr multiplicative()
    {
        ExprPtr left = unary();
        for (;;) {
            QString op;
            for (const char *candidate : {"//", "*", "/", "%"}) {
                if (m_lexer.acceptOperator(candidate)) {
                    op = QLatin1String(candidate);
                    break;
                }
            }
            if (op.isEmpty())
                return left;
            left = makeExpr({Expr::Kind::Binary, {}, op, {left, unary()}});
        }
    }

    ExprPtr unary()
    {
        DepthGuard guard(m_depth);
        if (m_lexer.acceptOperator("-"))
            return makeExpr({Expr::Kind::Unary, {}, QStringLiteral("-"), {unary()}});
        if (m_lexer.acceptOperator("+"))
            return unary();
        return power();
    }

    ExprPtr power()
    {
        ExprPtr base = filtered();
        if (m_lexer.acceptOperator("**"))
            return makeExpr({Expr::Kind::Binary, {}, QStringLiteral("**"), {base, unary()}});
        return base;
    }

    ExprPtr filtered()
    {
        ExprPtr value = postfix();
        while (m_lexer.acceptOperator("|")) {
            const Token name = m_lexer.next();
            if (name.kind != Token::Kind::Name)
                throw TemplateError {QStringLiteral("expected a filter name after '|'")};
            Expr filter {Expr::Kind::Filter, {}, name.text, {value}};
            if (m_lexer.acceptOperator("("))
                arguments(filter);
            value = makeExpr(std::move(filter));
        }
        return value;
    }

    void arguments(Expr &call)
    {
        if (m_lexer.acceptOperator(")"))
            return;
        for (;;) {
            if (m_lexer.peek().kind == Token::Kind::Name
                && m_lexer.peek(1).kind == Token::Kind::Operator
                && m_lexer.peek(1).text == QLatin1String("=")) {
                const QString key = m_lexer.next().text;
                m_lexer.next();
                call.keywords.append({key, conditional()});
            } else {
                call.children.append(conditional());
            }
            if (m_lexer.acceptOperator(")"))
                return;
            m_lexer.expectOperator(",");
        }
    }

    ExprPtr postfix()
    {
        ExprPtr value = primary();
        for (;;) {
            if (m_lexer.acceptOperator(".")) {
                const Token name = m_lexer.next();
                if (name.kind != Token::Kind::Name && name.kind != Token::Kind::Number)
                    throw TemplateError {QStringLiteral("expected an attribute name after '.'")};
                value = makeExpr({Expr::Kind::Attribute, {}, name.text, {value}});
            } else if (m_lexer.acceptOperator("[")) {
                ExprPtr key = conditional();
                m_lexer.expectOperator("]");
                value = makeExpr({Expr::Kind::Subscript, {}, {}, {value, key}});
            } else if (m_lexer.acceptOperator("(")) {
                Expr call {Expr::Kind::Call, {}, {}, {value}};
                arguments(call);
                value = makeExpr(std::move(call));
            } else {
                return value;
            }
        }
    }

    ExprPtr primary()
    {
        DepthGuard guard(m_depth);
        const Token token = m_lexer.next();
        switch (token.kind) {
        case Token::Kind::Number:
            return makeExpr({Expr::Kind::Literal, token.number});
        case Token::Kind::String: {
            QString text = token.text;
            // Adjacent string literals concatenate.
            while (m_lexer.peek().kind == Token::Kind::String)
                text += m_lexer.next().text;
            return makeExpr({Expr::Kind::Literal, Value(text)});
        }
        case Token::Kind::Name:
            if (token.text == QLatin1String("true") || token.text == QLatin1String("True"))
                return makeExpr({Expr::Kind::Literal, Value(true)});
            if (token.text == QLatin1String("false") || token.text == QLatin1String("False"))
                return makeExpr({Expr::Kind::Literal, Value(false)});
            if (token.text == QLatin1String("none") || token.text == QLatin1String("None"))
                return makeExpr({Expr::Kind::Literal, Value(nullptr)});
            return makeExpr({Expr::Kind::Name, {}, token.text});
        case Token::Kind::Operator:
            if (token.text == QLatin1String("(")) {
                ExprPtr inner = conditional();
                m_lexer.expectOperator(")");
                return inner;
            }
            if (token.text == QLatin1String("[")) {
                Expr list {Expr::Kind::List};
                if (!m_lexer.acceptOperator("]")) {
                    for (;;) {
                        list.children.append(conditional());
                        if (m_lexer.acceptOperator("]"))
                            break;
                        m_lexer.expectOperator(",");
                        if (m_lexer.acceptOperator("]"))
                            break;
                    }
                }
                return makeExpr(std::move(list));
            }
            if (token.text == QLatin1String("{")) {
                Expr dict {Expr::Kind::Dict};
                if (!m_lexer.acceptOperator("}")) {
                    for (;;) {
                        dict.children.append(conditional());
                        m_lexer.expectOperator(":");
                        dict.children.append(conditional());
                        if (m_lexer.acceptOperator("}"))
                            break;
                        m_lexer.expectOperator(",");
                    }
                }
                return makeExpr(std::move(dict));
            }
            break;
        case Token::Kind::End:
            throw TemplateError {QStringLiteral("unexpected end of expression")};
        }
        throw TemplateError {QStringLiteral("unexpected '%1'").arg(token.text)};
    }

    ExprLexer &m_lexer;
    int m_depth = 0;
};

ExprPtr parseExpression(const QString &text)
{
    ExprLexer lexer(text);
    ExprParser parser(lexer);
    ExprPtr expr = parser.parse();
    if (!lexer.atEnd())
        throw TemplateError {QStringLiteral("unexpected '%1'").arg(lexer.peek().text)};
    return expr;
}

// ------------------------------------------------------------ statements

struct Node;
using Body = QList<std::shared_ptr<const Node>>;

struct Node
{
    enum class Kind { Text, Output, If, For, Set };
    Kind kind;
    QString text;
    ExprPtr expr;
    QList<std::pair<ExprPtr, Body>> branches; // if/elif; for: one branch
    Body elseBody;
    QStringList targets;
    int line = 1;
};

struct Segment
{
    enum class Kind { Text, Expr, Stmt };
    Kind kind;
    QString text;
    int line;
};

QList<Segment> splitTemplate(QString source)
{
    // Jinja drops a single trailing newline (keep_trailing_newline=False).
    if (source.endsWith(QLatin1Char('\n')))
        source.chop(1);
    QList<Segment> segments;
    qsizetype pos = 0;
    int line = 1;
    bool trimNext = false;
    while (pos < source.size()) {
        qsizetype open = -1;
        for (const char *marker : {"{{", "{%", "{#"}) {
            const qsizetype at = source.indexOf(QLatin1String(marker), pos);
            if (at >= 0 && (open < 0 || at < open))
                open = at;
        }
        QString text = source.mid(pos, (open < 0 ? source.size() : open) - pos);
        if (trimNext) {
            qsizetype i = 0;
            while (i < text.size() && text.at(i).isSpace())
                ++i;
            text = text.mid(i);
        }
        const bool trimBefore
            = open >= 0 && open + 2 < source.size() && source.at(open + 2) == u'-';
        if (trimBefore) {
            qsizetype end = text.size();
            while (end > 0 && text.at(end - 1).isSpace())
                --end;
            text.truncate(end);
        }
        if (!text.isEmpty())
            segments.append({Segment::Kind::Text, text, line});
        line += source.mid(pos, (open < 0 ? source.size() : open) - pos).count(u'\n');
        if (open < 0)
            break;
        const QChar type = source.at(open + 1);
        const QString closeMarker = type == u'{' ? QStringLiteral("}}")
            : type == u'%'                       ? QStringLiteral("%}")
                                                 : QStringLiteral("#}");
        const qsizetype close = source.indexOf(closeMarker, open + 2);
        if (close < 0)
            throw TemplateError {
                QStringLiteral("line %1: unexpected end of template, expected '%2'")
                    .arg(line)
                    .arg(closeMarker)};
        QString inner = source.mid(open + 2, close - open - 2);
        trimNext = inner.endsWith(u'-');
        if (inner.startsWith(u'-'))
            inner.remove(0, 1);
        if (trimNext)
            inner.chop(1);
        if (type == u'{')
            segments.append({Segment::Kind::Expr, inner.trimmed(), line});
        else if (type == u'%')
            segments.append({Segment::Kind::Stmt, inner.trimmed(), line});
        line += source.mid(open, close + 2 - open).count(u'\n');
        pos = close + 2;
    }
    return segments;
}

class TemplateParser
{
public:
    explicit TemplateParser(QList<Segment> segments)
        : m_segments(std::move(segments))
    { }

    Body parseAll()
    {
        Body body = parseBody({});
        if (m_pos < m_segments.size())
            throw TemplateError {QStringLiteral("line %1: unexpected '%2'")
                                     .arg(m_segments.at(m_pos).line)
                                     .arg(m_segments.at(m_pos).text)};
        return body;
    }

private:
    static QString keyword(const QString &statement) { return statement.section(u' ', 0, 0); }

    // Parses until one of `stops` (a statement keyword), which is left unread.
    Body parseBody(const QStringList &stops)
    {
        if (++m_depth > kMaxDepth)
            throw TemplateError {QStringLiteral("blocks nested too deeply")};
        Body body;
        while (m_pos < m_segments.size()) {
            const Segment &segment = m_segments.at(m_pos);
            try {
                if (segment.kind == Segment::Kind::Text) {
                    body.append(std::make_shared<Node>(
                        Node {Node::Kind::Text, segment.text, {}, {}, {}, {}, segment.line}));
                    ++m_pos;
                } else if (segment.kind == Segment::Kind::Expr) {
                    body.append(std::make_shared<Node>(Node {Node::Kind::Output,
                                                             {},
                                                             parseExpression(segment.text),
                                                             {},
                                                             {},
                                                             {},
                                                             segment.line}));
                    ++m_pos;
                } else {
                    const QString word = keyword(segment.text);
                    if (stops.contains(word))
                        break;
                    if (word == QLatin1String("if"))
                        body.append(parseIf());
                    else if (word == QLatin1String("for"))
                        body.append(parseFor());
                    else if (word == QLatin1String("set"))
                        body.append(parseSet());
                    else
                        throw TemplateError {QStringLiteral("unknown tag '%1'").arg(word)};
                }
            } catch (const TemplateError &error) {
                if (error.message.startsWith(QLatin1String("line ")))
                    throw;
                throw TemplateError {
                    QStringLiteral("line %1: %2").arg(segment.line).arg(error.message)};
            }
        }
        --m_depth;
        return body;
    }

    void expectEnd(const char *tag, int line)
    {
        if (m_pos >= m_segments.size() || m_segments.at(m_pos).kind != Segment::Kind::Stmt)
            throw TemplateError {
                QStringLiteral("line %1: unexpected end of template, expected '%2'")
                    .arg(line)
                    .arg(QLatin1String(tag))};
    }

    std::shared_ptr<const Node> parseIf()
    {
        const Segment start = m_segments.at(m_pos++);
        Node node {Node::Kind::If, {}, {}, {}, {}, {}, start.line};
        ExprPtr condition = parseExpression(start.text.mid(2).trimmed());
        for (;;) {
            Body body = parseBody(
                {QStringLiteral("elif"), QStringLiteral("else"), QStringLiteral("endif")});
            node.branches.append({condition, body});
            expectEnd("endif", start.line);
            const Segment &stop = m_segments.at(m_pos++);
            const QString word = keyword(stop.text);
            if (word == QLatin1String("elif")) {
                condition = parseExpression(stop.text.mid(4).trimmed());
                continue;
            }
            if (word == QLatin1String("else")) {
                node.elseBody = parseBody({QStringLiteral("endif")});
                expectEnd("endif", start.line);
                ++m_pos;
            }
            break;
        }
        return std::make_shared<Node>(std::move(node));
    }

    std::shared_ptr<const Node> parseFor()
    {
        const Segment start = m_segments.at(m_pos++);
        static const QRegularExpression header(
            QStringLiteral("^for\\s+([A-Za-z_]\\w*)(?:\\s*,\\s*([A-Za-z_]\\w*))?\\s+in\\s+(.+)$"),
            QRegularExpression::DotMatchesEverythingOption);
        const QRegularExpressionMatch match = header.match(start.text);
        if (!match.hasMatch())
            throw TemplateError {QStringLiteral("expected 'for name in expression'")};
        Node node {Node::Kind::For, {}, parseExpression(match.captured(3)), {}, {}, {}, start.line};
        node.targets.append(match.captured(1));
        if (!match.captured(2).isEmpty())
            node.targets.append(match.captured(2));
        node.branches.append(
            {nullptr, parseBody({QStringLiteral("else"), QStringLiteral("endfor")})});
        expectEnd("endfor", start.line);
        if (keyword(m_segments.at(m_pos++).text) == QLatin1String("else")) {
            node.elseBody = parseBody({QStringLiteral("endfor")});
            expectEnd("endfor", start.line);
            ++m_pos;
        }
        return std::make_shared<Node>(std::move(node));
    }

    std::shared_ptr<const Node> parseSet()
    {
        const Segment start = m_segments.at(m_pos++);
        static const QRegularExpression header(QStringLiteral("^set\\s+([A-Za-z_]\\w*)\\s*=(.+)$"),
                                               QRegularExpression::DotMatchesEverythingOption);
        const QRegularExpressionMatch match = header.match(start.text);
        if (!match.hasMatch())
            throw TemplateError {QStringLiteral("expected 'set name = expression'")};
        Node node {Node::Kind::Set,     {},        parseExpression(match.captured(2)), {}, {},
                   {match.captured(1)}, start.line};
        return std::make_shared<Node>(std::move(node));
    }

    QList<Segment> m_segments;
    qsizetype m_pos = 0;
    int m_depth = 0;
};

// ------------------------------------------------------------ evaluation

bool isUndefined(const Value &value)
{
    return value.isUndefined();
}

QString htmlEscape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            out += QLatin1String("&amp;");
            break;
        case u'<':
            out += QLatin1String("&lt;");
            break;
        case u'>':
            out += QLatin1String("&gt;");
            break;
        case u'"':
            out += QLatin1String("&#34;");
            break;
        case u'\'':
            out += QLatin1String("&#39;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

// A value as the renderer holds it. Strings made by |safe and |escape are
// Jinja's Markup: their safety is part of the value's type here, never of
// its text, so no data can make itself safe.
struct Item
{
    Value value;
    bool safe = false;
};

// Python's integers are unbounded; ours are 64 bits. A result that does not
// fit is an error, never a wrapped number.
[[noreturn]] void integerOverflow(int line, const QString &op)
{
    throw TemplateError {QStringLiteral("line %1: the result of %2 is too large for a 64-bit "
                                        "integer")
                             .arg(line)
                             .arg(op)};
}

qint64 checkedAdd(qint64 a, qint64 b, int line)
{
    qint64 r = 0;
    if (__builtin_add_overflow(a, b, &r))
        integerOverflow(line, QStringLiteral("+"));
    return r;
}

qint64 checkedSub(qint64 a, qint64 b, int line)
{
    qint64 r = 0;
    if (__builtin_sub_overflow(a, b, &r))
        integerOverflow(line, QStringLiteral("-"));
    return r;
}

qint64 checkedMul(qint64 a, qint64 b, int line)
{
    qint64 r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        integerOverflow(line, QStringLiteral("*"));
    return r;
}

qint64 checkedPow(qint64 base, qint64 exponent, int line)
{
    qint64 result = 1;
    while (exponent > 0) {
        if (exponent & 1) {
            if (__builtin_mul_overflow(result, base, &result))
                integerOverflow(line, QStringLiteral("**"));
        }
        exponent >>= 1;
        if (exponent > 0 && __builtin_mul_overflow(base, base, &base))
            integerOverflow(line, QStringLiteral("**"));
    }
    return result;
}

bool isNumber(const Value &v)
{
    return v.isInteger() || v.isDouble() || v.isBool();
}

double toDouble(const Value &v)
{
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    return v.isInteger() ? double(v.toInteger()) : v.toDouble();
}

qint64 toInteger(const Value &v)
{
    return v.isBool() ? (v.toBool() ? 1 : 0) : v.toInteger();
}

// The filters that Jinja's Markup keeps safe (its string methods).
const QSet<QString> kMarkupFilters {QStringLiteral("upper"),      QStringLiteral("lower"),
                                    QStringLiteral("trim"),       QStringLiteral("capitalize"),
                                    QStringLiteral("title"),      QStringLiteral("replace"),
                                    QStringLiteral("truncate"),   QStringLiteral("string")};

class Renderer
{
public:
    Renderer(const ValueMap &context, bool autoescape)
        : m_autoescape(autoescape)
    {
        m_scopes.append(context);
        m_safeNames.append(QSet<QString>());
    }

    void render(const Body &body, QString &out)
    {
        if (++m_depth > kMaxDepth * 4)
            throw TemplateError {QStringLiteral("template nested too deeply")};
        for (const auto &node : body) {
            switch (node->kind) {
            case Node::Kind::Text:
                out += node->text;
                break;
            case Node::Kind::Output:
                out += display(evaluateItem(*node->expr, node->line));
                break;
            case Node::Kind::If: {
                bool taken = false;
                for (const auto &[condition, branch] : node->branches) {
                    if (truthy(evaluate(*condition, node->line))) {
                        render(branch, out);
                        taken = true;
                        break;
                    }
                }
                if (!taken)
                    render(node->elseBody, out);
                break;
            }
            case Node::Kind::For:
                renderFor(*node, out);
                break;
            case Node::Kind::Set: {
                const Item item = evaluateItem(*node->expr, node->line);
                const QString &name = node->targets.first();
                m_scopes.last().insert(name, item.value);
                if (item.safe)
                    m_safeNames.last().insert(name);
                else
                    m_safeNames.last().remove(name);
                break;
            }
            }
            if (out.size() > kMaxOutput)
                throw TemplateError {
                    QStringLiteral("rendered text is larger than %1 bytes").arg(kMaxOutput)};
        }
        --m_depth;
    }

private:
    static QString plainText(const Value &value)
    {
        return isUndefined(value) ? QString() : Model::pythonStr(value);
    }

    // How a value is written out: escaped with autoescape, unless safe.
    QString display(const Item &item) const
    {
        const QString text = plainText(item.value);
        return m_autoescape && !item.safe ? htmlEscape(text) : text;
    }

    // A value's text as a safe string's part: escaped unless safe already.
    static QString markupText(const Item &item)
    {
        return item.safe ? plainText(item.value) : htmlEscape(plainText(item.value));
    }

    // Evaluates with Jinja's Markup rules: safety survives the filters and
    // operators that keep it, and what joins a safe string is escaped.
    Item evaluateItem(const Expr &expr, int line)
    {
        switch (expr.kind) {
        case Expr::Kind::Name: {
            const Value value = lookup(expr.name);
            return {value, value.isString() && isSafeName(expr.name)};
        }
        case Expr::Kind::Filter:
            return filterItem(expr, line);
        case Expr::Kind::Conditional:
            return truthy(evaluate(*expr.children.at(0), line))
                ? evaluateItem(*expr.children.at(1), line)
                : evaluateItem(*expr.children.at(2), line);
        case Expr::Kind::Binary: {
            const QString &op = expr.name;
            if (op == QLatin1String("and") || op == QLatin1String("or")) {
                const Item left = evaluateItem(*expr.children.at(0), line);
                if (truthy(left.value) == (op == QLatin1String("or")))
                    return left;
                return evaluateItem(*expr.children.at(1), line);
            }
            if (op != QLatin1String("~") && op != QLatin1String("+"))
                break;
            const Item a = evaluateItem(*expr.children.at(0), line);
            const Item b = evaluateItem(*expr.children.at(1), line);
            const bool strings = a.value.isString() && b.value.isString();
            if (op == QLatin1String("~")) {
                // markup_join: with autoescape, a safe part makes the whole
                // safe and the other parts are escaped; else plain text.
                if (m_autoescape && (a.safe || b.safe))
                    return {Value(markupText(a) + markupText(b)), true};
                return {Value(plainText(a.value) + plainText(b.value)), false};
            }
            // Markup + str escapes the str, whichever side it is on.
            if (strings && (a.safe || b.safe))
                return {Value(markupText(a) + markupText(b)), true};
            return {binaryValues(op, a.value, b.value, line), false};
        }
        default:
            break;
        }
        return {evaluate(expr, line), false};
    }

    bool isSafeName(const QString &name) const
    {
        for (qsizetype i = m_scopes.size() - 1; i >= 0; --i) {
            if (m_scopes.at(i).contains(name))
                return m_safeNames.at(i).contains(name);
        }
        return false;
    }

    Item filterItem(const Expr &expr, int line)
    {
        const Item input = evaluateItem(*expr.children.first(), line);
        const QString &name = expr.name;
        if (name == QLatin1String("safe"))
            return {Value(plainText(input.value)), true};
        if (name == QLatin1String("escape") || name == QLatin1String("e"))
            return {Value(markupText(input)), true};
        QList<Value> args;
        QList<Item> argItems;
        for (qsizetype i = 1; i < expr.children.size(); ++i) {
            argItems.append(evaluateItem(*expr.children.at(i), line));
            args.append(argItems.last().value);
        }
        QHash<QString, Value> keywords;
        for (const auto &[key, argument] : expr.keywords)
            keywords.insert(key, evaluate(*argument, line));
        if (name == QLatin1String("default") || name == QLatin1String("d")) {
            if (!usesDefault(input.value, args, keywords))
                return input;
            return argItems.isEmpty() ? Item {Value(QString())} : argItems.first();
        }
        if (input.safe && input.value.isString() && kMarkupFilters.contains(name)) {
            // Markup's string methods return Markup; replace escapes what it inserts.
            if (name == QLatin1String("replace") && m_autoescape) {
                for (qsizetype i = 0; i < args.size() && i < 2; ++i)
                    args[i] = Value(markupText(argItems.at(i)));
            }
            return {applyFilter(name, input.value, args, keywords, line), true};
        }
        return {applyFilter(name, input.value, args, keywords, line), false};
    }

    static bool truthy(const Value &value)
    {
        return !isUndefined(value) && Model::pythonTruthy(value);
    }

    void renderFor(const Node &node, QString &out)
    {
        const Value iterable = evaluate(*node.expr, node.line);
        QList<Value> items;
        if (iterable.isArray()) {
            for (const Value &item : iterable.toArray())
                items.append(item);
        } else if (iterable.isMap()) {
            const Model::ValueMap map = iterable.toMap();
            for (auto it = map.begin(); it != map.end(); ++it)
                items.append(it.key());
        } else if (iterable.isString()) {
            for (const uint point : iterable.toString().toUcs4()) {
                const char32_t c = point;
                items.append(Value(QString::fromUcs4(&c, 1)));
            }
        } else if (!isUndefined(iterable)) {
            throw TemplateError {QStringLiteral("line %1: '%2' object is not iterable")
                                     .arg(node.line)
                                     .arg(Model::pythonTypeName(iterable))};
        }
        if (items.size() > kMaxLoopIterations)
            throw TemplateError {
                QStringLiteral("line %1: too many loop iterations").arg(node.line)};
        if (items.isEmpty()) {
            render(node.elseBody, out);
            return;
        }
        m_scopes.append(ValueMap());
        m_safeNames.append(QSet<QString>());
        for (qsizetype i = 0; i < items.size(); ++i) {
            ValueMap &scope = m_scopes.last();
            if (node.targets.size() == 2) {
                const ValueList pair = items.at(i).toArray();
                if (pair.size() != 2)
                    throw TemplateError {
                        QStringLiteral("line %1: cannot unpack into two names").arg(node.line)};
                scope.insert(node.targets.at(0), pair.at(0));
                scope.insert(node.targets.at(1), pair.at(1));
            } else {
                scope.insert(node.targets.first(), items.at(i));
            }
            ValueMap loop;
            loop.insert(QStringLiteral("index"), qint64(i + 1));
            loop.insert(QStringLiteral("index0"), qint64(i));
            loop.insert(QStringLiteral("revindex"), qint64(items.size() - i));
            loop.insert(QStringLiteral("revindex0"), qint64(items.size() - i - 1));
            loop.insert(QStringLiteral("first"), i == 0);
            loop.insert(QStringLiteral("last"), i == items.size() - 1);
            loop.insert(QStringLiteral("length"), qint64(items.size()));
            scope.insert(QStringLiteral("loop"), loop);
            render(node.branches.first().second, out);
        }
        m_scopes.removeLast();
        m_safeNames.removeLast();
    }

    Value lookup(const QString &name) const
    {
        for (qsizetype i = m_scopes.size() - 1; i >= 0; --i) {
            if (m_scopes.at(i).contains(name))
                return m_scopes.at(i).value(name);
        }
        return Value(); // undefined
    }

    [[noreturn]] void undefinedError(const Expr &expr, int line) const
    {
        if (expr.kind == Expr::Kind::Name)
            throw TemplateError {
                QStringLiteral("line %1: '%2' is undefined").arg(line).arg(expr.name)};
        throw TemplateError {QStringLiteral("line %1: %2").arg(line).arg(m_missing)};
    }

    Value attribute(const Value &object, const QString &name)
    {
        if (object.isMap() && object.toMap().contains(name))
            return object.toMap().value(name);
        // Undefined, as Jinja's getattr/getitem fallback; using it further
        // reports what was missing.
        m_missing = QStringLiteral("'%1 object' has no attribute '%2'")
                        .arg(Model::pythonTypeName(object), name);
        return Value();
    }

    Value evaluate(const Expr &expr, int line)
    {
        switch (expr.kind) {
        case Expr::Kind::Literal:
            return expr.literal;
        case Expr::Kind::Name:
            return lookup(expr.name);
        case Expr::Kind::List: {
            ValueList list;
            for (const auto &child : expr.children)
                list.append(evaluate(*child, line));
            return list;
        }
        case Expr::Kind::Dict: {
            ValueMap map;
            for (qsizetype i = 0; i + 1 < expr.children.size(); i += 2)
                map.insert(Model::pythonStr(evaluate(*expr.children.at(i), line)),
                           evaluate(*expr.children.at(i + 1), line));
            return map;
        }
        case Expr::Kind::Attribute: {
            const Value object = evaluate(*expr.children.first(), line);
            if (isUndefined(object))
                undefinedError(*expr.children.first(), line);
            return attribute(object, expr.name);
        }
        case Expr::Kind::Subscript: {
            const Value object = evaluate(*expr.children.at(0), line);
            const Value key = evaluate(*expr.children.at(1), line);
            if (isUndefined(object))
                undefinedError(*expr.children.first(), line);
            if (object.isArray() && key.isInteger()) {
                const ValueList list = object.toArray();
                qint64 index = key.toInteger();
                if (index < 0)
                    index += list.size();
                return index >= 0 && index < list.size() ? list.at(index) : Value();
            }
            if (object.isString() && key.isInteger()) {
                const QList<uint> points = object.toString().toUcs4();
                qint64 index = key.toInteger();
                if (index < 0)
                    index += points.size();
                if (index < 0 || index >= points.size())
                    return Value();
                const char32_t c = points.at(index);
                return Value(QString::fromUcs4(&c, 1));
            }
            return attribute(object, Model::pythonStr(key));
        }
        case Expr::Kind::Call:
            return call(expr, line);
        case Expr::Kind::Filter:
            return filter(expr, line);
        case Expr::Kind::Test: {
            const bool result = test(expr, line);
            return Value(expr.negated ? !result : result);
        }
        case Expr::Kind::Unary: {
            const Value operand = evaluate(*expr.children.first(), line);
            if (expr.name == QLatin1String("not"))
                return Value(!truthy(operand));
            if (operand.isInteger())
                return Value(checkedSub(0, operand.toInteger(), line));
            if (isNumber(operand))
                return Value(-toDouble(operand));
            throw TemplateError {QStringLiteral("line %1: bad operand type for unary -: '%2'")
                                     .arg(line)
                                     .arg(Model::pythonTypeName(operand))};
        }
        case Expr::Kind::Binary:
            return binary(expr, line);
        case Expr::Kind::Conditional:
            return truthy(evaluate(*expr.children.at(0), line))
                ? evaluate(*expr.children.at(1), line)
                : evaluate(*expr.children.at(2), line);
        }
        return Value();
    }

    Value binary(const Expr &expr, int line)
    {
        const QString &op = expr.name;
        if (op == QLatin1String("and")) {
            const Value left = evaluate(*expr.children.at(0), line);
            return truthy(left) ? evaluate(*expr.children.at(1), line) : left;
        }
        if (op == QLatin1String("or")) {
            const Value left = evaluate(*expr.children.at(0), line);
            return truthy(left) ? left : evaluate(*expr.children.at(1), line);
        }
        const Value a = evaluate(*expr.children.at(0), line);
        const Value b = evaluate(*expr.children.at(1), line);
        return binaryValues(op, a, b, line);
    }

    Value binaryValues(const QString &op, const Value &a, const Value &b, int line)
    {
        if (op == QLatin1String("~"))
            return Value(plainText(a) + plainText(b));
        if (op == QLatin1String("=="))
            return Value(Model::pythonEquals(a, b));
        if (op == QLatin1String("!="))
            return Value(!Model::pythonEquals(a, b));
        if (op == QLatin1String("in")) {
            if (b.isString())
                return Value(b.toString().contains(Model::pythonStr(a)));
            if (b.isMap())
                return Value(a.isString() && b.toMap().contains(a.toString()));
            if (b.isArray()) {
                for (const Value &item : b.toArray()) {
                    if (Model::pythonEquals(item, a))
                        return Value(true);
                }
                return Value(false);
            }
            throw TemplateError {QStringLiteral("line %1: argument of type '%2' is not iterable")
                                     .arg(line)
                                     .arg(Model::pythonTypeName(b))};
        }
        const auto typeError = [&] {
            return TemplateError {
                QStringLiteral("line %1: unsupported operand type(s) for %2: '%3' and '%4'")
                    .arg(line)
                    .arg(op, Model::pythonTypeName(a), Model::pythonTypeName(b))};
        };
        if (op == QLatin1String("<") || op == QLatin1String(">") || op == QLatin1String("<=")
            || op == QLatin1String(">=")) {
            const auto order = Model::pythonCompare(a, b);
            if (!order)
                throw TemplateError {
                    QStringLiteral("line %1: '%2' not supported between instances of '%3' and '%4'")
                        .arg(line)
                        .arg(op, Model::pythonTypeName(a), Model::pythonTypeName(b))};
            if (op == QLatin1String("<"))
                return Value(*order < 0);
            if (op == QLatin1String(">"))
                return Value(*order > 0);
            if (op == QLatin1String("<="))
                return Value(*order <= 0);
            return Value(*order >= 0);
        }
        if (op == QLatin1String("+")) {
            if (a.isString() && b.isString())
                return Value(a.toString() + b.toString());
            if (a.isArray() && b.isArray()) {
                ValueList joined = a.toArray();
                for (const Value &item : b.toArray())
                    joined.append(item);
                return joined;
            }
        }
        if (op == QLatin1String("*")
            && ((a.isString() && b.isInteger()) || (a.isInteger() && b.isString()))) {
            const QString text = a.isString() ? a.toString() : b.toString();
            const qint64 times = a.isInteger() ? a.toInteger() : b.toInteger();
            if (times * text.size() > kMaxOutput)
                throw TemplateError {
                    QStringLiteral("line %1: repeated string too large").arg(line)};
            return Value(text.repeated(qMax<qint64>(0, times)));
        }
        if (!isNumber(a) || !isNumber(b))
            throw typeError();
        const bool integers = !a.isDouble() && !b.isDouble();
        const double x = toDouble(a);
        const double y = toDouble(b);
        // Integers (and booleans) are computed as integers, exactly.
        const qint64 i = integers ? toInteger(a) : 0;
        const qint64 j = integers ? toInteger(b) : 0;
        if (op == QLatin1String("+"))
            return integers ? Value(checkedAdd(i, j, line)) : Value(x + y);
        if (op == QLatin1String("-"))
            return integers ? Value(checkedSub(i, j, line)) : Value(x - y);
        if (op == QLatin1String("*"))
            return integers ? Value(checkedMul(i, j, line)) : Value(x * y);
        if (y == 0
            && (op == QLatin1String("/") || op == QLatin1String("//") || op == QLatin1String("%")))
            throw TemplateError {QStringLiteral("line %1: division by zero").arg(line)};
        if (op == QLatin1String("/"))
            return Value(x / y);
        if (integers && (op == QLatin1String("//") || op == QLatin1String("%"))) {
            if (i == std::numeric_limits<qint64>::min() && j == -1) {
                if (op == QLatin1String("%"))
                    return Value(qint64(0));
                integerOverflow(line, op);
            }
            // Python rounds the quotient down and gives the remainder the divisor's sign.
            qint64 quotient = i / j;
            qint64 remainder = i % j;
            if (remainder != 0 && ((remainder < 0) != (j < 0))) {
                quotient -= 1;
                remainder += j;
            }
            return Value(op == QLatin1String("//") ? quotient : remainder);
        }
        if (op == QLatin1String("//"))
            return Value(std::floor(x / y));
        if (op == QLatin1String("%"))
            return Value(x - y * std::floor(x / y)); // Python's sign rule
        if (op == QLatin1String("**"))
            return integers && j >= 0 ? Value(checkedPow(i, j, line)) : Value(std::pow(x, y));
        throw typeError();
    }

    Value call(const Expr &expr, int line)
    {
        const Expr &callee = *expr.children.first();
        if (callee.kind != Expr::Kind::Attribute)
            throw TemplateError {
                QStringLiteral("line %1: only methods of values can be called").arg(line)};
        const Value object = evaluate(*callee.children.first(), line);
        if (isUndefined(object))
            undefinedError(*callee.children.first(), line);
        QList<Value> args;
        for (qsizetype i = 1; i < expr.children.size(); ++i)
            args.append(evaluate(*expr.children.at(i), line));
        const QString &method = callee.name;
        if (object.isMap()) {
            const ValueMap map = object.toMap();
            if (method == QLatin1String("items")) {
                ValueList pairs;
                for (auto it = map.begin(); it != map.end(); ++it)
                    pairs.append(ValueList {it.key(), it.value()});
                return pairs;
            }
            if (method == QLatin1String("keys") || method == QLatin1String("values")) {
                ValueList list;
                for (auto it = map.begin(); it != map.end(); ++it)
                    list.append(method == QLatin1String("keys") ? it.key() : it.value());
                return list;
            }
            if (method == QLatin1String("get")) {
                const QString key = args.isEmpty() ? QString() : Model::pythonStr(args.first());
                return map.contains(key) ? map.value(key)
                                         : (args.size() > 1 ? args.at(1) : Value(nullptr));
            }
        }
        if (object.isString()) {
            const QString text = object.toString();
            if (method == QLatin1String("upper"))
                return Value(text.toUpper());
            if (method == QLatin1String("lower"))
                return Value(text.toLower());
            if (method == QLatin1String("strip"))
                return Value(text.trimmed());
            if (method == QLatin1String("title") || method == QLatin1String("capitalize"))
                return applyFilter(method, object, {}, {}, line);
            if (method == QLatin1String("startswith"))
                return Value(text.startsWith(Model::pythonStr(args.value(0))));
            if (method == QLatin1String("endswith"))
                return Value(text.endsWith(Model::pythonStr(args.value(0))));
            if (method == QLatin1String("replace"))
                return Value(QString(text).replace(Model::pythonStr(args.value(0)),
                                                   Model::pythonStr(args.value(1))));
            if (method == QLatin1String("split")) {
                ValueList parts;
                const QStringList pieces = args.isEmpty() || args.first().isNull()
                    ? text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)
                    : text.split(Model::pythonStr(args.first()));
                for (const QString &piece : pieces)
                    parts.append(piece);
                return parts;
            }
            if (method == QLatin1String("join") && !args.isEmpty() && args.first().isArray()) {
                QStringList pieces;
                for (const Value &item : args.first().toArray())
                    pieces.append(Model::pythonStr(item));
                return Value(pieces.join(text));
            }
        }
        throw TemplateError {QStringLiteral("line %1: '%2' object has no callable attribute '%3'")
                                 .arg(line)
                                 .arg(Model::pythonTypeName(object), method)};
    }

    bool test(const Expr &expr, int line)
    {
        const Value value = evaluate(*expr.children.first(), line);
        const QString &name = expr.name;
        if (name == QLatin1String("defined"))
            return !isUndefined(value);
        if (name == QLatin1String("undefined"))
            return isUndefined(value);
        if (name == QLatin1String("none"))
            return value.isNull();
        if (name == QLatin1String("string"))
            return value.isString();
        if (name == QLatin1String("number"))
            return value.isInteger() || value.isDouble();
        if (name == QLatin1String("integer"))
            return value.isInteger();
        if (name == QLatin1String("float"))
            return value.isDouble();
        if (name == QLatin1String("boolean"))
            return value.isBool();
        if (name == QLatin1String("mapping"))
            return value.isMap();
        if (name == QLatin1String("sequence") || name == QLatin1String("iterable"))
            return value.isArray() || value.isString() || value.isMap();
        if (name == QLatin1String("even") || name == QLatin1String("odd")) {
            if (!value.isInteger())
                throw TemplateError {
                    QStringLiteral("line %1: the %2 test needs an integer").arg(line).arg(name)};
            return (value.toInteger() % 2 == 0) == (name == QLatin1String("even"));
        }
        throw TemplateError {QStringLiteral("line %1: no test named '%2'").arg(line).arg(name)};
    }

    Value filter(const Expr &expr, int line)
    {
        const Value value = evaluate(*expr.children.first(), line);
        QList<Value> args;
        for (qsizetype i = 1; i < expr.children.size(); ++i)
            args.append(evaluate(*expr.children.at(i), line));
        QHash<QString, Value> keywords;
        for (const auto &[key, argument] : expr.keywords)
            keywords.insert(key, evaluate(*argument, line));
        return applyFilter(expr.name, value, args, keywords, line);
    }

    // Whether |default(value, boolean) gives its argument instead of the value.
    static bool usesDefault(const Value &value, const QList<Value> &args,
                            const QHash<QString, Value> &keywords)
    {
        const bool boolean = args.size() > 1 ? truthy(args.at(1))
                                             : truthy(keywords.value(QStringLiteral("boolean")));
        return isUndefined(value) || (boolean && !truthy(value));
    }

    static QList<Value> asList(const Value &value)
    {
        QList<Value> items;
        if (value.isArray()) {
            for (const Value &item : value.toArray())
                items.append(item);
        } else if (value.isMap()) {
            const Model::ValueMap map = value.toMap();
            for (auto it = map.begin(); it != map.end(); ++it)
                items.append(it.key());
        } else if (value.isString()) {
            for (const uint point : value.toString().toUcs4()) {
                const char32_t c = point;
                items.append(Value(QString::fromUcs4(&c, 1)));
            }
        }
        return items;
    }

    Value applyFilter(const QString &name, const Value &value, const QList<Value> &args,
                      const QHash<QString, Value> &keywords, int line)
    {
        const auto text = [&] {
            return isUndefined(value) ? QString() : Model::pythonStr(value);
        };
        if (name == QLatin1String("default") || name == QLatin1String("d")) {
            if (usesDefault(value, args, keywords))
                return args.isEmpty() ? Value(QString()) : args.first();
            return value;
        }
        if (name == QLatin1String("upper"))
            return Value(text().toUpper());
        if (name == QLatin1String("lower"))
            return Value(text().toLower());
        if (name == QLatin1String("trim"))
            return Value(text().trimmed());
        if (name == QLatin1String("capitalize")) {
            const QString t = text();
            return Value(t.isEmpty() ? t : t.left(1).toUpper() + t.mid(1).toLower());
        }
        if (name == QLatin1String("title")) {
            QString t = text().toLower();
            bool start = true;
            for (QChar &c : t) {
                if (c.isLetter()) {
                    if (start)
                        c = c.toUpper();
                    start = false;
                } else {
                    start = true;
                }
            }
            return Value(t);
        }
        if (name == QLatin1String("length") || name == QLatin1String("count"))
            return Value(qint64(asList(value).size()));
        if (name == QLatin1String("wordcount"))
            return Value(
                qint64(text()
                           .split(QRegularExpression(QStringLiteral("\\W+")), Qt::SkipEmptyParts)
                           .size()));
        if (name == QLatin1String("join")) {
            QStringList pieces;
            const QString attribute = keywords.value(QStringLiteral("attribute")).toString();
            for (const Value &item : asList(value))
                pieces.append(
                    plainText(attribute.isEmpty() ? item : this->attribute(item, attribute)));
            return Value(pieces.join(args.isEmpty() ? QString() : Model::pythonStr(args.first())));
        }
        if (name == QLatin1String("first") || name == QLatin1String("last")) {
            const QList<Value> items = asList(value);
            if (items.isEmpty())
                return Value();
            return name == QLatin1String("first") ? items.first() : items.last();
        }
        if (name == QLatin1String("list")) {
            ValueList list;
            for (const Value &item : asList(value))
                list.append(item);
            return list;
        }
        if (name == QLatin1String("reverse")) {
            if (value.isString()) {
                QString t = value.toString();
                std::reverse(t.begin(), t.end());
                return Value(t);
            }
            ValueList list;
            const QList<Value> items = asList(value);
            for (qsizetype i = items.size() - 1; i >= 0; --i)
                list.append(items.at(i));
            return list;
        }
        if (name == QLatin1String("sort")) {
            QList<Value> items = asList(value);
            const bool reverse = truthy(keywords.value(QStringLiteral("reverse")))
                || (!args.isEmpty() && truthy(args.first()));
            std::stable_sort(items.begin(), items.end(), [&](const Value &a, const Value &b) {
                const auto order = Model::pythonCompare(a, b);
                if (!order)
                    throw TemplateError {
                        QStringLiteral("line %1: cannot sort mixed values").arg(line)};
                return reverse ? *order > 0 : *order < 0;
            });
            ValueList list;
            for (const Value &item : items)
                list.append(item);
            return list;
        }
        if (name == QLatin1String("unique")) {
            ValueList list;
            QSet<QString> seen;
            for (const Value &item : asList(value)) {
                const QString key
                    = Model::identityKey(item.isString() ? Value(item.toString().toLower()) : item);
                if (!seen.contains(key)) {
                    seen.insert(key);
                    list.append(item);
                }
            }
            return list;
        }
        if (name == QLatin1String("sum") || name == QLatin1String("min")
            || name == QLatin1String("max")) {
            const QList<Value> items = asList(value);
            if (name == QLatin1String("sum")) {
                Value total = args.isEmpty() ? Value(qint64(0)) : args.first();
                for (const Value &item : items) {
                    if (!isNumber(item) || !isNumber(total))
                        throw TemplateError {
                            QStringLiteral("line %1: sum needs numbers").arg(line)};
                    total = total.isDouble() || item.isDouble()
                        ? Value(toDouble(total) + toDouble(item))
                        : Value(checkedAdd(toInteger(total), toInteger(item), line));
                }
                return total;
            }
            if (items.isEmpty())
                return Value();
            Value best = items.first();
            for (const Value &item : items) {
                const auto order = Model::pythonCompare(item, best);
                if (!order)
                    throw TemplateError {
                        QStringLiteral("line %1: cannot compare mixed values").arg(line)};
                if ((name == QLatin1String("min") && *order < 0)
                    || (name == QLatin1String("max") && *order > 0))
                    best = item;
            }
            return best;
        }
        if (name == QLatin1String("replace")) {
            return Value(text().replace(args.value(0).toString(), args.value(1).toString()));
        }
        if (name == QLatin1String("truncate")) {
            const qint64 length = args.isEmpty() ? 255 : args.first().toInteger(255);
            const QString t = text();
            if (t.size() <= length + 5) // Jinja's leeway
                return Value(t);
            return Value(t.left(length - 3).section(u' ', 0, -2, QString::SectionSkipEmpty)
                         + QStringLiteral("..."));
        }
        if (name == QLatin1String("int")) {
            if (value.isInteger())
                return value;
            if (isNumber(value))
                return Value(qint64(std::trunc(toDouble(value))));
            bool ok = false;
            const double parsed = text().trimmed().toDouble(&ok);
            return Value(ok ? qint64(std::trunc(parsed))
                            : args.value(0, Value(qint64(0))).toInteger());
        }
        if (name == QLatin1String("float")) {
            if (isNumber(value))
                return Value(toDouble(value));
            bool ok = false;
            const double parsed = text().trimmed().toDouble(&ok);
            return Value(ok ? parsed : args.value(0, Value(0.0)).toDouble());
        }
        if (name == QLatin1String("abs")) {
            if (value.isInteger())
                return Value(value.toInteger() < 0 ? checkedSub(0, value.toInteger(), line)
                                                   : value.toInteger());
            return Value(std::fabs(toDouble(value)));
        }
        if (name == QLatin1String("round")) {
            const qint64 precision = args.value(0, Value(qint64(0))).toInteger();
            const double factor = std::pow(10.0, double(precision));
            return Value(std::nearbyint(toDouble(value) * factor) / factor);
        }
        if (name == QLatin1String("string"))
            return Value(text());
        // Their safety is kept by filterItem; nested elsewhere they are text.
        if (name == QLatin1String("escape") || name == QLatin1String("e"))
            return Value(htmlEscape(text()));
        if (name == QLatin1String("safe"))
            return Value(text());
        if (name == QLatin1String("format")) {
            // AutoGPT's custom filter: fmt % float(value), or the value itself.
            if (args.isEmpty())
                return value;
            return Value(printfFloat(Model::pythonStr(args.first()), toDouble(value), line));
        }
        throw TemplateError {QStringLiteral("line %1: no filter named '%2'").arg(line).arg(name)};
    }

    // Python's `fmt % float(value)` for one %-conversion.
    static QString printfFloat(const QString &format, double value, int line)
    {
        static const QRegularExpression spec(
            QStringLiteral("%([-+ 0#]*)(\\d*)(?:\\.(\\d+))?([diouxXeEfFgG%])"));
        QString out;
        qsizetype pos = 0;
        int conversions = 0;
        for (auto it = spec.globalMatch(format); it.hasNext();) {
            const QRegularExpressionMatch match = it.next();
            out += format.mid(pos, match.capturedStart() - pos);
            pos = match.capturedEnd();
            const QChar type = match.captured(4).at(0);
            if (type == u'%') {
                out += QLatin1Char('%');
                continue;
            }
            if (++conversions > 1)
                throw TemplateError {
                    QStringLiteral("line %1: not enough arguments for format string").arg(line)};
            const QByteArray c
                = QStringLiteral("%%1%2%3%4")
                      .arg(match.captured(1), match.captured(2),
                           match.captured(3).isEmpty() ? QString()
                                                       : QLatin1Char('.') + match.captured(3),
                           QString(QStringLiteral("dioux").contains(type) ? QStringLiteral("lld")
                                                                          : QString(type)))
                      .toLatin1();
            char buffer[512];
            if (QStringLiteral("diou").contains(type))
                std::snprintf(buffer, sizeof buffer, c.constData(),
                              static_cast<long long>(std::trunc(value)));
            else
                std::snprintf(buffer, sizeof buffer, c.constData(), value);
            out += QString::fromLatin1(buffer);
        }
        out += format.mid(pos);
        return out;
    }

    QList<ValueMap> m_scopes;
    // The names in each scope that hold safe strings.
    QList<QSet<QString>> m_safeNames;
    bool m_autoescape;
    int m_depth = 0;
    QString m_missing;
};

// The names a template reads from its context, in order of first use:
// names bound by {% for %} (and its `loop`) inside its body, and by
// {% set %} after it, are the template's own.
class FreeNames
{
public:
    QStringList names;

    void body(const Body &nodes, QSet<QString> bound)
    {
        for (const auto &node : nodes) {
            switch (node->kind) {
            case Node::Kind::Text:
                break;
            case Node::Kind::Output:
                expr(node->expr, bound);
                break;
            case Node::Kind::If:
                for (const auto &[condition, branch] : node->branches) {
                    expr(condition, bound);
                    body(branch, bound);
                }
                body(node->elseBody, bound);
                break;
            case Node::Kind::For: {
                expr(node->expr, bound);
                QSet<QString> inner = bound;
                for (const QString &target : node->targets)
                    inner.insert(target);
                inner.insert(QStringLiteral("loop"));
                body(node->branches.first().second, inner);
                body(node->elseBody, bound);
                break;
            }
            case Node::Kind::Set:
                expr(node->expr, bound);
                bound.insert(node->targets.first());
                break;
            }
        }
    }

private:
    void expr(const ExprPtr &e, const QSet<QString> &bound)
    {
        if (!e)
            return;
        if (e->kind == Expr::Kind::Name && !bound.contains(e->name) && !names.contains(e->name))
            names.append(e->name);
        for (const ExprPtr &child : e->children)
            expr(child, bound);
        for (const auto &keyword : e->keywords)
            expr(keyword.second, bound);
    }
};

} // namespace

Result<QString> renderTemplate(const QString &source, const ValueMap &context, bool autoescape)
{
    try {
        TemplateParser parser(splitTemplate(source));
        const Body body = parser.parseAll();
        Renderer renderer(context, autoescape);
        QString out;
        renderer.render(body, out);
        return out;
    } catch (const TemplateError &error) {
        return makeError(ErrorCode::BadInput, error.message);
    }
}

QStringList templateVariables(const QString &source)
{
    try {
        TemplateParser parser(splitTemplate(source));
        FreeNames free;
        free.body(parser.parseAll(), {});
        return free.names;
    } catch (const TemplateError &) {
        return {};
    }
}

} // namespace Signalbox::Engine
