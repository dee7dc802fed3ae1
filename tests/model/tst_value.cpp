// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/value.h"
#include "model/valuediff.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Model;
using Signalbox::Testing::json;

namespace {

Value parse(const QByteArray &text)
{
    auto parsed = parseJsonValue(text, JsonLimits {}, QStringLiteral("test"));
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error().message));
    return *parsed;
}

} // namespace

class TestValue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void diffNamesWhatChangedWhere()
    {
        // Keys in order, then new ones; arrays by index; numbers as Python compares them.
        const auto changes = diffValues(
            parse(json("{'to': 'ann', 'amount': 5, 'tags': ['a', 'b'], 'n': 1, 'odd key': 1}")),
            parse(json("{'to': 'bob', 'amount': 5.0, 'tags': ['a'], 'n': true, 'odd key': 1, 'cc': [1]}")));
        QStringList seen;
        for (const ValueChange &change : changes) {
            seen.append(QStringLiteral("%1 %2 %3 %4")
                            .arg(change.path)
                            .arg(int(change.kind))
                            .arg(QString::fromUtf8(toJson(change.before)),
                                 QString::fromUtf8(toJson(change.after))));
        }
        QCOMPARE(seen, (QStringList {
                           QStringLiteral("$.to 2 \"ann\" \"bob\""),
                           QStringLiteral("$.tags[1] 1 \"b\" null"),
                           QStringLiteral("$.n 2 1 true"),
                           QStringLiteral("$.cc 0 null [1]"),
                       }));
        QVERIFY(diffValues(parse(json("{'a': [1, {'b': 2}]}")), parse(json("{'a': [1, {'b': 2}]}")))
                    .isEmpty());
        // A key that is not a plain name is quoted; a value of another kind is one change.
        const auto quoted = diffValues(parse(json("{'odd key': {'x': 1}}")), parse(json("{'odd key': [1]}")));
        QCOMPARE(quoted.size(), 1);
        QCOMPARE(quoted.first().path, QStringLiteral("$[\"odd key\"]"));
        QCOMPARE(diffValues(parse(json("'Hello'")), parse(json("'Hi'"))).first().path, QStringLiteral("$"));
    }

    void numberKindsAreKept()
    {
        const ValueList list
            = parse("[1, 1.0, 1e2, -0, 9223372036854775807, 9223372036854775808]").toArray();
        QCOMPARE(list.at(0).type(), QCborValue::Integer);
        QCOMPARE(list.at(1).type(), QCborValue::Double);
        QCOMPARE(list.at(2).type(), QCborValue::Double);
        QCOMPARE(list.at(3).type(), QCborValue::Integer);
        QCOMPARE(list.at(4).toInteger(), std::numeric_limits<qint64>::max());
        QCOMPARE(list.at(5).type(), QCborValue::Double); // beyond 64 bits
        QCOMPARE(toJson(list),
                 QByteArray("[1,1.0,100.0,0,9223372036854775807,9.223372036854776e+18]"));
    }

    void keyOrderIsKept()
    {
        const Value value = parse(json("{'zeta': 1, 'alpha': {'y': 2, 'x': 3}}"));
        QCOMPARE(toJson(value), json("{'zeta':1,'alpha':{'y':2,'x':3}}"));
        QCOMPARE(toJson(value, JsonStyle::PythonDumps),
                 json("{'zeta': 1, 'alpha': {'y': 2, 'x': 3}}"));
    }

    void canonicalFormSortsKeysEverywhere()
    {
        const Value a = parse(json("{'zeta': 1, 'alpha': [{'y': 2, 'x': 3}], '\u00e9': null, 'B': 1.5}"));
        const Value b = parse(json("{'B': 1.5, '\u00e9': null, 'alpha': [{'x': 3, 'y': 2}], 'zeta': 1}"));
        QCOMPARE(toJson(a, JsonStyle::Canonical),
                 QByteArray("{\"B\":1.5,\"alpha\":[{\"x\":3,\"y\":2}],\"zeta\":1,\"\xc3\xa9\":null}"));
        QCOMPARE(toJson(b, JsonStyle::Canonical), toJson(a, JsonStyle::Canonical));
        // Lists keep their order; the compact form keeps key order.
        QVERIFY(toJson(parse(json("[2, 1]")), JsonStyle::Canonical) == "[2,1]");
        QVERIFY(toJson(a) != toJson(b));
    }

    void stringsAndEscapes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("compact");
        QTest::addColumn<QByteArray>("python");
        QTest::newRow("plain") << QStringLiteral("abc") << QByteArray("\"abc\"")
                               << QByteArray("\"abc\"");
        QTest::newRow("accent") << QStringLiteral("caf\u00e9") << QByteArray("\"caf\xc3\xa9\"")
                                << QByteArray("\"caf\\u00e9\"");
        QTest::newRow("emoji") << QString::fromUtf8("\xf0\x9f\x98\x80")
                               << QByteArray("\"\xf0\x9f\x98\x80\"")
                               << QByteArray("\"\\ud83d\\ude00\"");
        QTest::newRow("controls") << QStringLiteral("a\"b\\c\nd\te\x01")
                                  << QByteArray("\"a\\\"b\\\\c\\nd\\te\\u0001\"")
                                  << QByteArray("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
        QTest::newRow("slash") << QStringLiteral("a/b") << QByteArray("\"a/b\"")
                               << QByteArray("\"a/b\"");
    }

    void stringsAndEscapes()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, compact);
        QFETCH(QByteArray, python);
        QCOMPARE(toJson(Value(text)), compact);
        QCOMPARE(toJson(Value(text), JsonStyle::PythonDumps), python);
        QCOMPARE(parse(compact).toString(), text);
        QCOMPARE(parse(python).toString(), text);
    }

    void pythonFloats_data()
    {
        QTest::addColumn<double>("number");
        QTest::addColumn<QString>("repr");
        QTest::newRow("1.0") << 1.0 << QStringLiteral("1.0");
        QTest::newRow("0.1") << 0.1 << QStringLiteral("0.1");
        QTest::newRow("-0.0") << -0.0 << QStringLiteral("-0.0");
        QTest::newRow("2.5") << 2.5 << QStringLiteral("2.5");
        QTest::newRow("1e16") << 1e16 << QStringLiteral("1e+16");
        QTest::newRow("1e15") << 1e15 << QStringLiteral("1000000000000000.0");
        QTest::newRow("1e-05") << 1e-05 << QStringLiteral("1e-05");
        QTest::newRow("0.0001") << 0.0001 << QStringLiteral("0.0001");
        QTest::newRow("2.5e-07") << 2.5e-07 << QStringLiteral("2.5e-07");
        QTest::newRow("1.5e300") << 1.5e300 << QStringLiteral("1.5e+300");
        QTest::newRow("1/3") << 1.0 / 3.0 << QStringLiteral("0.3333333333333333");
        QTest::newRow("123456789.125") << 123456789.125 << QStringLiteral("123456789.125");
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QStringLiteral("inf");
    }

    void pythonFloats()
    {
        QFETCH(double, number);
        QFETCH(QString, repr);
        QCOMPARE(pythonFloatRepr(number), repr);
    }

    void pythonStr()
    {
        const Value value
            = parse(json("{'a': 1, 'b': [true, null, 1.5], 'c': 'it\\u0027s', 'd': 'plain'}"));
        QCOMPARE(Model::pythonStr(value),
                 QStringLiteral("{'a': 1, 'b': [True, None, 1.5], 'c': \"it's\", 'd': 'plain'}"));
        QCOMPARE(Model::pythonStr(Value(QStringLiteral("top"))), QStringLiteral("top"));
        QCOMPARE(Model::pythonStr(Value(false)), QStringLiteral("False"));
    }

    void truthiness_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("truthy");
        for (const char *falsy : {"null", "false", "0", "0.0", "\"\"", "[]", "{}"})
            QTest::newRow(falsy) << QByteArray(falsy) << false;
        for (const char *truthy : {"true", "1", "-0.5", "\"0\"", "[0]", "{\"a\": null}"})
            QTest::newRow(truthy) << QByteArray(truthy) << true;
    }

    void truthiness()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, truthy);
        QCOMPARE(pythonTruthy(parse(text)), truthy);
    }

    void qtJsonBridge()
    {
        const Value value = parse(json("{'b': [1, 2.5, 'x', null, false], 'a': {}}"));
        const QJsonValue qjson = toQJson(value);
        QCOMPARE(qjson.toObject().value(QLatin1String("b")).toArray().at(1).toDouble(), 2.5);
        QCOMPARE(toJson(fromQJson(qjson)), json("{'a':{},'b':[1,2.5,'x',null,false]}"));
        QCOMPARE(parseTrustedJson("{not json"), Value(nullptr));
    }
};

QTEST_GUILESS_MAIN(TestValue)
#include "tst_value.moc"
