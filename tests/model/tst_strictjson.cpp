// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/strictjson.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using Signalbox::Testing::json;
using namespace Signalbox::Model;

class TestStrictJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QJsonValue>("expected");
        QTest::newRow("object") << QByteArray(json("{'a': 1, 'b': [true, null]}"))
                                << QJsonValue(QJsonObject {
                                       {QStringLiteral("a"), 1},
                                       {QStringLiteral("b"), QJsonArray {true, QJsonValue()}}});
        QTest::newRow("scalar string")
            << QByteArray(json("'hi'")) << QJsonValue(QStringLiteral("hi"));
        QTest::newRow("number") << QByteArray("-1.5e3") << QJsonValue(-1500.0);
        QTest::newRow("escapes") << QByteArray(json("['\\u00e9\\n\\'\\\\']"))
                                 << QJsonValue(QJsonArray {QStringLiteral("\u00e9\n\"\\")});
        QTest::newRow("whitespace") << QByteArray(" \n\t{ }\r\n") << QJsonValue(QJsonObject());
    }

    void accepts()
    {
        QFETCH(QByteArray, json);
        QFETCH(QJsonValue, expected);
        auto parsed = parseStrictJson(json, JsonLimits {}, QStringLiteral("test"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
        QCOMPARE(*parsed, expected);
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated")
            << QByteArray("{\n  \"a\": [1, 2")
            << QStringLiteral("test: line 2, column 13: unexpected end of input in an array");
        QTest::newRow("duplicate key")
            << QByteArray("{\"a\": 1,\n \"a\": 2}")
            << QStringLiteral("test: line 2, column 2: duplicate key \"a\" in an object");
        QTest::newRow("duplicate by escape")
            << QByteArray(json("{'a': 1, '\\u0061': 2}"))
            << QStringLiteral("test: line 1, column 10: duplicate key \"a\" in an object");
        QTest::newRow("trailing comma")
            << QByteArray("[1,]")
            << QStringLiteral("test: line 1, column 4: unexpected character ']'");
        QTest::newRow("bad literal")
            << QByteArray("[tru]")
            << QStringLiteral("test: line 1, column 2: invalid literal; expected 'true'");
        QTest::newRow("leading zero")
            << QByteArray("[01]")
            << QStringLiteral("test: line 1, column 3: expected ',' or ']' in an array");
        QTest::newRow("control char")
            << QByteArray("[\"a\tb\"]")
            << QStringLiteral("test: line 1, column 4: control character in a string");
        QTest::newRow("two values")
            << QByteArray("{} {}")
            << QStringLiteral("test: line 1, column 4: unexpected content after the JSON value");
        QTest::newRow("utf8 column")
            << QByteArray("[\"\xc3\xa9\xc3\xa9\", x]")
            << QStringLiteral("test: line 1, column 8: unexpected character 'x'");
        QTest::newRow("empty") << QByteArray(
            "") << QStringLiteral("test: line 1, column 1: unexpected end of input in a value");
    }

    void rejects()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        auto parsed = parseStrictJson(json, JsonLimits {}, QStringLiteral("test"));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::BadInput);
        QCOMPARE(parsed.error().message, message);
    }

    void limits()
    {
        JsonLimits limits;
        limits.maxDepth = 3;
        QVERIFY(parseStrictJson("[[[1]]]", limits, QStringLiteral("t")).ok());
        auto deep = parseStrictJson("[[[[1]]]]", limits, QStringLiteral("t"));
        QVERIFY(!deep.ok());
        QCOMPARE(deep.error().message,
                 QStringLiteral("t: line 1, column 4: nesting is deeper than 3 levels"));

        limits.maxStringBytes = 4;
        QVERIFY(parseStrictJson(json("['abcd']"), limits, QStringLiteral("t")).ok());
        QVERIFY(!parseStrictJson(json("['abcde']"), limits, QStringLiteral("t")).ok());

        limits.maxBytes = 8;
        auto big = parseStrictJson("[1,2,3,4,5]", limits, QStringLiteral("t"));
        QVERIFY(!big.ok());
        QCOMPARE(big.error().message,
                 QStringLiteral("t: 11 bytes is more than the limit of 8 bytes"));
    }

    void depthIsMeasuredIteratively()
    {
        QJsonValue value = 1;
        for (int i = 0; i < 5000; ++i)
            value = QJsonArray {value};
        QCOMPARE(jsonDepth(value), 5000);
        QCOMPARE(jsonDepth(QJsonValue(QStringLiteral("x"))), 0);
    }
};

QTEST_GUILESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"
