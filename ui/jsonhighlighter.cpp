// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonhighlighter.h"

namespace Signalbox::Ui {

namespace {

QTextCharFormat charFormat(const QColor &color, bool bold = false)
{
    QTextCharFormat result;
    result.setForeground(color);
    if (bold)
        result.setFontWeight(QFont::Bold);
    return result;
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    // Later rules win where they overlap: a key is a string followed by ':'.
    m_rules = {
        {QRegularExpression(QStringLiteral("[{}\\[\\],:]")), charFormat(QColor(0x60, 0x7d, 0x8b))},
        {QRegularExpression(QStringLiteral("-?\\b\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\b")),
         charFormat(QColor(0x15, 0x65, 0xc0))},
        {QRegularExpression(QStringLiteral("\\b(true|false|null)\\b")),
         charFormat(QColor(0xad, 0x14, 0x57), true)},
        {QRegularExpression(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"")),
         charFormat(QColor(0x2e, 0x7d, 0x32))},
        {QRegularExpression(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"(?=\\s*:)")),
         charFormat(QColor(0x6a, 0x1b, 0x9a), true)},
    };
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    for (const Rule &rule : std::as_const(m_rules)) {
        auto matches = rule.pattern.globalMatch(text);
        while (matches.hasNext()) {
            const auto match = matches.next();
            setFormat(int(match.capturedStart()), int(match.capturedLength()), rule.format);
        }
    }
}

} // namespace Signalbox::Ui
