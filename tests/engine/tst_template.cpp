// SPDX-License-Identifier: GPL-3.0-or-later
// The Jinja subset against what Jinja2 renders for the same template.
#include "engine/template/template.h"

#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Signalbox::Testing::value;

class TestTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void renders_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QByteArray>("context");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("autoescape");
        auto row = [](const char *name, const char *source, const char *context,
                      const char *expected, bool escape = false) {
            QTest::newRow(name) << QString::fromUtf8(source) << QByteArray(context)
                                << QString::fromUtf8(expected) << escape;
        };
        row("plain text", "Hello", "{}", "Hello");
        row("variable", "Hello, {{ name }}!", "{'name': 'Ada'}", "Hello, Ada!");
        row("undefined renders empty", "[{{ missing }}]", "{}", "[]");
        row("python str of values", "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}",
            "{'a': true, 'b': null, 'c': 1.0, 'd': [1, 'x'], 'e': {'k': 2}}",
            "True None 1.0 [1, 'x'] {'k': 2}");
        row("attribute and subscript", "{{ user.name }} {{ user['age'] }} {{ xs[1] }} {{ xs[-1] }}",
            "{'user': {'name': 'Lin', 'age': 7}, 'xs': [1, 2, 3]}", "Lin 7 2 3");
        row("filters",
            "{{ name | upper }} {{ name|lower|capitalize }} {{ xs|join(', ') }} {{ xs|length }}",
            "{'name': 'aDa', 'xs': [1, 2]}", "ADA Ada 1, 2 2");
        row("default",
            "{{ missing | default('none') }} {{ '' | default('x', true) }} {{ 0 | d(5) }}", "{}",
            "none x 0");
        row("if elif else", "{% if n > 1 %}big{% elif n == 1 %}one{% else %}small{% endif %}",
            "{'n': 1}", "one");
        row("for with loop",
            "{% for x in xs %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor "
            "%}",
            "{'xs': ['a', 'b', 'c']}", "1:a,2:b,3:c");
        row("for items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
            "{'d': {'z': 1, 'a': 2}}", "z=1;a=2;");
        row("for else", "{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{'xs': []}",
            "empty");
        row("set", "{% set total = a + b %}{{ total }}", "{'a': 1, 'b': 2.5}", "3.5");
        row("arithmetic like python",
            "{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }}", "{}",
            "3.5 3 -4 1 2 1024");
        row("concat and in",
            "{{ 'a' ~ 1 ~ none }} {{ 'b' in 'abc' }} {{ 3 in [1, 2] }} {{ 'k' not in {'k': 1} }}",
            "{}", "a1None True False False");
        row("conditional expression", "{{ 'yes' if flag else 'no' }}", "{'flag': 0}", "no");
        row("tests",
            "{{ x is defined }} {{ y is defined }} {{ x is number }} {{ n is none }} {{ 4 is even "
            "}}",
            "{'x': 1, 'n': null}", "True False True True True");
        row("comments and whitespace control", "a {# note #} b\n{%- if true %}\n  c\n{%- endif %}",
            "{}", "a  b\n  c");
        row("trailing newline dropped", "line\n", "{}", "line");
        row("autoescape", "{{ html }} {{ html | safe }}", "{'html': '<b>\\u0027&\\u0027</b>'}",
            "&lt;b&gt;&#39;&amp;&#39;&lt;/b&gt; <b>'&'</b>", true);
        row("no autoescape by default", "{{ html }}", "{'html': '<i>'}", "<i>");
        row("escape filter", "{{ '<x>' | e }}", "{}", "&lt;x&gt;");
        row("autogpt format filter",
            "{{ price | format('%.2f') }} {{ n | format('%05d') }} {{ v | format }}",
            "{'price': 3.14159, 'n': 42, 'v': 'raw'}", "3.14 00042 raw");
        row("string methods",
            "{{ s.strip().upper() }} {{ s.split(',')|length }} {{ 'a-b'.replace('-', '+') }}",
            "{'s': ' x,y '}", "X,Y 2 a+b");
        row("sort and unique",
            "{{ xs|sort|join }} {{ xs|sort(reverse=true)|first }} {{ xs|unique|list }}",
            "{'xs': [3, 1, 3, 2]}", "1233 3 [3, 1, 2]");
        row("min max sum", "{{ xs|min }} {{ xs|max }} {{ xs|sum }}", "{'xs': [2, 5.5, 1]}",
            "1 5.5 8.5");
        row("int and float filters",
            "{{ '42'|int + 1 }} {{ 'x'|int }} {{ 3|float }} {{ 2.567|round(1) }}", "{}",
            "43 0 3.0 2.6");
        row("title and truncate",
            "{{ 'hello wide world'|title }} {{ 'a b c d e f g h i j k l m n o p'|truncate(10) }}",
            "{}", "Hello Wide World a b c...");
        row("list and dict literals", "{{ [1, 'a'] }} {{ {'k': [true]} }}", "{}",
            "[1, 'a'] {'k': [True]}");

        // Safety is the value's type: no text makes a value safe.
        const char *hostile = "{'v': '\\u0001safe\\u0001<b>', 'xs': ['\\u0001safe\\u0001<i>'], "
                              "'d': {'k': '\\u0001safe\\u0001<u>'}}";
        row("data cannot mark itself safe",
            "{{ v }}|{{ v|lower }}|{{ v + '' }}|{{ v|trim }}|{{ v|replace('b', 'b') }}|{{ v ~ '' }}",
            hostile,
            "\x01safe\x01&lt;b&gt;|\x01safe\x01&lt;b&gt;|\x01safe\x01&lt;b&gt;|"
            "\x01safe\x01&lt;b&gt;|\x01safe\x01&lt;b&gt;|\x01safe\x01&lt;b&gt;",
            true);
        row("loop items and attributes cannot mark themselves safe",
            "{% for x in xs %}{{ x }}{% endfor %} {{ d.k }} {{ d['k']|upper }}", hostile,
            "\x01safe\x01&lt;i&gt; \x01safe\x01&lt;u&gt; \x01SAFE\x01&lt;U&gt;", true);
        row("tilde escapes once", "{{ a ~ b }}", "{'a': '<', 'b': '&'}", "&lt;&amp;", true);
        row("a safe part escapes what joins it",
            "{{ ('<b>'|safe) ~ '<i>' }} {{ ('<b>'|safe) + '<i>' }} {{ '<i>' + ('<b>'|safe) }}",
            "{}", "<b>&lt;i&gt; <b>&lt;i&gt; &lt;i&gt;<b>", true);
        row("escape twice escapes once", "{{ '<x>'|escape|escape }} {{ '<x>'|e|safe }}", "{}",
            "&lt;x&gt; &lt;x&gt;", true);
        row("escape twice without autoescape", "{{ '<x>'|escape|escape }}", "{}", "&lt;x&gt;");
        row("safe survives string filters and set",
            "{% set s = '<B>'|safe %}{{ s|lower }} {{ s|trim }} {{ s }} {{ s|replace('B', '<') }}",
            "{}", "<b> <B> <B> <&lt;>", true);
        row("integers are exact",
            "{{ 2**62 }} {{ 9007199254740993 + 0 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }}",
            "{}", "4611686018427387904 9007199254740993 -4 2 -2");
    }

    void renders()
    {
        QFETCH(QString, source);
        QFETCH(QByteArray, context);
        QFETCH(QString, expected);
        QFETCH(bool, autoescape);
        auto rendered = renderTemplate(source, value(context.constData()).toMap(), autoescape);
        QVERIFY2(rendered.ok(), qPrintable(rendered.error().message));
        QCOMPARE(*rendered, expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("message");
        QTest::newRow("attribute of undefined")
            << QStringLiteral("{{ user.name }}") << QStringLiteral("line 1: 'user' is undefined");
        QTest::newRow("attribute of a missing attribute")
            << QStringLiteral("{{ x.y.z }}")
            << QStringLiteral("line 1: 'int object' has no attribute 'y'");
        QTest::newRow("unclosed tag")
            << QStringLiteral("a\n{% if x %}b")
            << QStringLiteral("line 2: unexpected end of template, expected 'endif'");
        QTest::newRow("unclosed expression")
            << QStringLiteral("{{ x")
            << QStringLiteral("line 1: unexpected end of template, expected '}}'");
        QTest::newRow("unknown filter") << QStringLiteral("{{ x | frobnicate }}")
                                        << QStringLiteral("line 1: no filter named 'frobnicate'");
        QTest::newRow("unknown tag") << QStringLiteral("{% macro m() %}{% endmacro %}")
                                     << QStringLiteral("line 1: unknown tag 'macro'");
        QTest::newRow("bad comparison")
            << QStringLiteral("{{ 'a' < 1 }}")
            << QStringLiteral("line 1: '<' not supported between instances of 'str' and 'int'");
        QTest::newRow("division by zero")
            << QStringLiteral("{{ 1 / 0 }}") << QStringLiteral("line 1: division by zero");
        QTest::newRow("no globals")
            << QStringLiteral("{{ range(3) }}")
            << QStringLiteral("line 1: only methods of values can be called");
        QString deep = QStringLiteral("{{ ") + QString(200, QLatin1Char('(')) + QStringLiteral("1")
            + QString(200, QLatin1Char(')')) + QStringLiteral(" }}");
        QTest::newRow("deep nesting")
            << deep << QStringLiteral("line 1: expression nested too deeply");
        QTest::newRow("power past 64 bits")
            << QStringLiteral("{{ 2 ** 63 }}")
            << QStringLiteral("line 1: the result of ** is too large for a 64-bit integer");
        QTest::newRow("sum past 64 bits")
            << QStringLiteral("{{ 9223372036854775807 + x }}")
            << QStringLiteral("line 1: the result of + is too large for a 64-bit integer");
        QTest::newRow("product past 64 bits")
            << QStringLiteral("{{ 4294967296 * 4294967296 }}")
            << QStringLiteral("line 1: the result of * is too large for a 64-bit integer");
        QTest::newRow("sum filter past 64 bits")
            << QStringLiteral("{{ [9223372036854775807, x]|sum }}")
            << QStringLiteral("line 1: the result of + is too large for a 64-bit integer");
    }

    void errors()
    {
        QFETCH(QString, source);
        QFETCH(QString, message);
        auto rendered = renderTemplate(source, value("{'x': 1}").toMap());
        QVERIFY(!rendered.ok());
        QCOMPARE(rendered.error().message, message);
    }

    void variablesATemplateReads_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QStringList>("names");
        const auto row = [](const char *name, const char *source, QStringList names) {
            QTest::newRow(name) << QString::fromUtf8(source) << names;
        };
        row("plain text", "Write about sea otters", {});
        row("one name", "Write about {{topic}}", {QStringLiteral("topic")});
        row("first use order, once each", "{{ b }} {{ a|upper }} {{ b }}",
            {QStringLiteral("b"), QStringLiteral("a")});
        row("attributes and calls read their object", "{{ user.name }} {{ d.get('k', dflt) }}",
            {QStringLiteral("user"), QStringLiteral("d"), QStringLiteral("dflt")});
        row("filter arguments", "{{ xs|join(sep) }}", {QStringLiteral("xs"), QStringLiteral("sep")});
        row("conditions", "{% if on %}{{ a }}{% elif other %}{% else %}{{ b }}{% endif %}",
            {QStringLiteral("on"), QStringLiteral("a"), QStringLiteral("other"),
             QStringLiteral("b")});
        row("loop variables are the template's own",
            "{% for k, v in d.items() %}{{ k }}={{ v }}{{ loop.index }}{% else %}{{ k }}"
            "{% endfor %}",
            {QStringLiteral("d"), QStringLiteral("k")});
        row("set names are bound after the set", "{{ x }}{% set x = y %}{{ x }}",
            {QStringLiteral("x"), QStringLiteral("y")});
        row("literals are not names", "{{ true }}{{ none }}{{ 'a' ~ 1 }}", {});
        row("a template that does not parse", "{{ topic ", {});
    }

    void variablesATemplateReads()
    {
        QFETCH(QString, source);
        QFETCH(QStringList, names);
        QCOMPARE(templateVariables(source), names);
    }
};

QTEST_GUILESS_MAIN(TestTemplate)
#include "tst_template.moc"
