// SPDX-License-Identifier: GPL-3.0-or-later
// XMLParserBlock: AutoGPT parses with gravitasml, a tag-only markup parser
// (no attributes, no entities, no DTDs). This reproduces its token rules and
// the dict shape it builds.
#include "blockinput.h"
#include "blockregistry.h"

#include <QRegularExpression>

#include <memory>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kXmlParser("286380af-9529-4b55-8be0-1d7c854abdb5");
constexpr qsizetype kMaxXml = 10 * 1024 * 1024;

struct Token
{
    enum class Kind { Escape, Open, Close, Text };
    Kind kind;
    QString value;
};

// Tag names are trimmed, inner whitespace becomes "_", and lower case;
// "<tag | filter>" filters are dropped (no_parse is not supported).
QString tagName(QString text)
{
    const qsizetype pipe = text.indexOf(QLatin1Char('|'));
    if (pipe >= 0)
        text.truncate(pipe);
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    return text.trimmed().replace(spaces, QStringLiteral("_")).toLower();
}

QList<Token> tokenize(const QString &markup)
{
    static const QRegularExpression pattern(
        QStringLiteral("(?<escape>\\\\.)|(?<comment><!--.*?-->)|(?<open><\\s*[^>/"
                       "]+\\s*>)|(?<close></\\s*[^>]+\\s*>)|(?<text>[^<]+)"),
        QRegularExpression::DotMatchesEverythingOption);
    QList<Token> tokens;
    for (auto it = pattern.globalMatch(markup); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        if (match.capturedLength(u"comment") > 0)
            continue;
        if (match.capturedLength(u"escape") > 0) {
            tokens.append({Token::Kind::Escape, match.captured(u"escape")});
        } else if (match.capturedLength(u"open") > 0) {
            const QString raw = match.captured(u"open");
            const QString name = tagName(raw.mid(1, raw.size() - 2));
            if (!name.isEmpty())
                tokens.append({Token::Kind::Open, name});
        } else if (match.capturedLength(u"close") > 0) {
            const QString raw = match.captured(u"close");
            const QString name = tagName(raw.mid(2, raw.size() - 3));
            if (!name.isEmpty())
                tokens.append({Token::Kind::Close, name});
        } else {
            const QString text = match.captured(u"text").trimmed();
            if (!text.isEmpty())
                tokens.append({Token::Kind::Text, text});
        }
    }
    return tokens;
}

struct Element
{
    QString tag;
    QString text;
    std::vector<std::unique_ptr<Element>> children;
};

// gravitasml's to_dict: one child nests, unique children merge, repeated
// tags make a list; an element without children is its text.
Value toValue(const Element &element)
{
    ValueMap result;
    if (element.children.empty()) {
        result.insert(element.tag, element.text);
        return result;
    }
    if (element.children.size() == 1) {
        result.insert(element.tag, toValue(*element.children.front()));
        return result;
    }
    QSet<QString> tags;
    for (const auto &child : element.children)
        tags.insert(child->tag);
    if (tags.size() == qsizetype(element.children.size())) {
        ValueMap merged;
        for (const auto &child : element.children) {
            const ValueMap entry = toValue(*child).toMap();
            for (auto it = entry.begin(); it != entry.end(); ++it)
                merged.insert(it.key(), it.value());
        }
        result.insert(element.tag, merged);
    } else {
        ValueList list;
        for (const auto &child : element.children)
            list.append(toValue(*child));
        result.insert(element.tag, list);
    }
    return result;
}

Result<void> xmlParser(const ValueMap &input, BlockContext &context)
{
    const QString xml = in(input, "input_xml").toString();
    if (xml.size() > kMaxXml)
        return blockError(QStringLiteral("XML input is larger than %1 characters").arg(kMaxXml));
    const QList<Token> tokens = tokenize(xml);
    if (tokens.isEmpty())
        return blockError(QStringLiteral("XML input is empty."));

    // The block's own checks, then the parse (iterative: any depth is safe).
    Element root;
    QList<Element *> open {&root};
    bool seenRoot = false;
    for (const Token &token : tokens) {
        const bool atTop = open.size() == 1;
        switch (token.kind) {
        case Token::Kind::Open: {
            if (atTop && seenRoot)
                return blockError(QStringLiteral("XML must have a single root element."));
            seenRoot = true;
            auto child = std::make_unique<Element>();
            child->tag = token.value;
            Element *raw = child.get();
            open.last()->children.push_back(std::move(child));
            open.append(raw);
            break;
        }
        case Token::Kind::Close:
            if (atTop)
                return blockError(
                    QStringLiteral("Error in input xml syntax: unexpected closing tag </%1>")
                        .arg(token.value));
            if (open.last()->tag != token.value) {
                return blockError(
                    QStringLiteral("Error in input xml syntax: Mismatched tags: %1 and %2")
                        .arg(open.last()->tag, token.value));
            }
            open.removeLast();
            break;
        case Token::Kind::Text:
        case Token::Kind::Escape:
            if (atTop)
                return blockError(QStringLiteral("XML has text outside the root element: %1")
                                      .arg(token.value.left(50)));
            // gravitasml keeps text only; escapes are dropped by its parser.
            if (token.kind == Token::Kind::Text)
                open.last()->text += token.value;
            break;
        }
    }
    if (open.size() > 1)
        return blockError(QStringLiteral("Error in input xml syntax: Unclosed tag"));
    context.yield(QStringLiteral("parsed_xml"), toValue(*root.children.front()));
    return {};
}

} // namespace

void registerXmlBlocks(BlockRegistry &registry)
{
    registry.add(kXmlParser, xmlParser);
}

} // namespace Signalbox::Engine
