// SPDX-License-Identifier: GPL-3.0-or-later
// Each built-in block against its documented behaviour, quirks included.
// Outputs are compared as compact JSON, so number kinds (1 vs 1.0) and key
// order count.
#include "engine/blocks/blockids.h"
#include "engine/blocks/blockregistry.h"
#include "engine/blocks/pythonrandom.h"
#include "engine/blocks/standalonerun.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <QTimeZone>

#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Signalbox::Testing::json;
using Signalbox::Testing::value;

class TestBlocks : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const BlockRegistry> m_registry;

    static void row(const char *name, QLatin1StringView block, const char *input,
                    const char *outputs, const char *error = "")
    {
        QTest::newRow(name) << QString(block) << json(input) << json(outputs)
                            << QString::fromUtf8(error);
    }

    // Runs a block and compares its outputs (as compact JSON) and failure.
    void check(const QString &block, const QByteArray &input, const QByteArray &outputs,
               const QString &error)
    {
        const StandaloneRun run
            = runBlockStandalone(*m_registry, block, Model::parseTrustedJson(input).toMap());
        Model::ValueList produced;
        for (const auto &[pin, output] : run.outputs)
            produced.append(Model::ValueList {pin, output});
        QCOMPARE(Model::toJson(produced), Model::toJson(Model::parseTrustedJson(outputs)));
        if (error.isEmpty()) {
            QVERIFY2(run.completed, qPrintable(run.error));
        } else {
            QVERIFY(!run.completed);
            QVERIFY2(run.error.contains(error), qPrintable(run.error));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto registry = BlockRegistry::builtin();
        QVERIFY2(registry.ok(), qPrintable(registry.error().message));
        m_registry = *registry;
    }

    void blocks_data()
    {
        QTest::addColumn<QString>("block");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("outputs");
        QTest::addColumn<QString>("error");
        using namespace BlockIds;

        // CountdownTimerBlock: int() of each unit, as Python takes it.
        const QLatin1StringView countdown("d67a9c52-5e4e-11e2-bcfd-0800200c9a71");
        row("countdown: a fractional string is int()'s error, naming it", countdown,
            "{'seconds': '0.5', 'input_message': 'm'}", "[]",
            "invalid literal for int() with base 10: '0.5'");
        row("countdown: a float truncates as int() does", countdown,
            "{'seconds': 0.5, 'input_message': 'm'}", "[['output_message','m']]");
        row("countdown: a numeric string", countdown, "{'seconds': ' 0 ', 'input_message': 'm'}",
            "[['output_message','m']]");

        // A list of choices: each item is one of them.
        const QLatin1StringView driveInput("d3b32f15-6fd7-40e3-be52-e083f51b19a2");
        row("list of choices accepts a chosen item", driveInput,
            "{'name': 'f', 'value': {'id': '1'}, 'allowed_views': ['SPREADSHEETS']}",
            "[['result',{'id':'1'}]]");
        row("list of choices refuses an unknown item", driveInput,
            "{'name': 'f', 'value': {'id': '1'}, 'allowed_views': ['NOPE']}", "[]",
            "allowed_views");

        // StoreValueBlock: data or input (Python truthiness).
        row("store value: data", StoreValue, "{'input': 'x', 'data': 'y'}", "[['output','y']]");
        row("store value: falsy data forwards input", StoreValue, "{'input': 'x', 'data': 0}",
            "[['output','x']]");
        row("store value: no data", StoreValue, "{'input': [1.0]}", "[['output',[1.0]]]");
        row("store value: input required", StoreValue, "{'data': 1}", "[]",
            "Unable to execute block with invalid input data");
        row("print to console", PrintToConsole, "{'text': {'b': 1, 'a': 2}}",
            "[['output',{'b':1,'a':2}],['status','printed']]");
        row("note", Note, "{'text': 'remember'}", "[['output','remember']]");

        // Input and output blocks.
        row("agent input", AgentInput, "{'name': 'n', 'value': 5}", "[['result',5]]");
        row("agent input without value", AgentInput, "{'name': 'n'}", "[]");
        row("agent input with null", AgentInput, "{'name': 'n', 'value': null}", "[]");
        row("toggle input defaults to false", AgentToggleInput, "{'name': 't'}",
            "[['result',false]]");
        row("table input defaults to []", AgentTableInput, "{'name': 't'}", "[['result',[]]]");
        row("number input refuses text", AgentNumberInput, "{'name': 'n', 'value': 'x'}", "[]",
            "Unable to execute block with invalid input data");
        row("dropdown input ignores options", AgentDropdownInput,
            "{'name': 'd', 'value': 'other', 'placeholder_values': ['a']}", "[['result','other']]");
        row("agent output", AgentOutput, "{'name': 'out', 'value': 1.5}",
            "[['output',1.5],['name','out']]");

        // UniversalTypeConverterBlock: AutoGPT's convert().
        row("to string: json.dumps", UniversalTypeConverter,
            "{'value': {'a': 1, 'b': '\\u00e9'}, 'type': 'string'}",
            "[['value','{\\'a\\': 1, \\'b\\': \\'\\\\u00e9\\'}']]");
        row("to number", UniversalTypeConverter, "{'value': ' 3.5 ', 'type': 'number'}",
            "[['value',3.5]]");
        row("to number: never fails", UniversalTypeConverter, "{'value': 'abc', 'type': 'number'}",
            "[['value',0.0]]");
        row("to number: length", UniversalTypeConverter, "{'value': [1, 2, 3], 'type': 'number'}",
            "[['value',3.0]]");
        row("to boolean: 'TRUE'", UniversalTypeConverter, "{'value': 'TRUE', 'type': 'boolean'}",
            "[['value',true]]");
        row("to boolean: 'yes' is false", UniversalTypeConverter,
            "{'value': 'yes', 'type': 'boolean'}", "[['value',false]]");
        row("to boolean: truthiness", UniversalTypeConverter, "{'value': [0], 'type': 'boolean'}",
            "[['value',true]]");
        row("to list: dict items", UniversalTypeConverter, "{'value': {'a': 1}, 'type': 'list'}",
            "[['value',[['a',1]]]]");
        row("to list: json text", UniversalTypeConverter, "{'value': ' [1, 2] ', 'type': 'list'}",
            "[['value',[1,2]]]");
        row("to list: wraps", UniversalTypeConverter, "{'value': 'x', 'type': 'list'}",
            "[['value',['x']]]");
        row("to dictionary: list", UniversalTypeConverter,
            "{'value': [5, 6], 'type': 'dictionary'}", "[['value',{'0':5,'1':6}]]");
        row("to dictionary: json scalar", UniversalTypeConverter,
            "{'value': '7', 'type': 'dictionary'}", "[['value',{'value':7}]]");
        row("to dictionary: not json", UniversalTypeConverter,
            "{'value': 'nope', 'type': 'dictionary'}", "[['value',{'value':'nope'}]]");
        row("to unknown type", UniversalTypeConverter, "{'value': 1, 'type': 'bogus'}", "[]",
            "Unable to execute block with invalid input data");

        row("reverse list", ReverseListOrder, "{'input_list': [1, 'a', null]}",
            "[['reversed_list',[null,'a',1]]]");
        row("count: code points", CountItems, "{'collection': 'h\\u00e9llo'}", "[['count',5]]");
        row("count: list", CountItems, "{'collection': [1, 2]}", "[['count',2]]");
        row("count: dict keys", CountItems, "{'collection': {'a': 1}}", "[['count',1]]");
        row("count: a number is -1", CountItems, "{'collection': 5}", "[['count',-1]]");

        // StepThroughItemsBlock: item/key pairs from every non-empty source.
        row("step: list", StepThroughItems, "{'items': [10, 20]}",
            "[['item',10],['key',0],['item',20],['key',1]]");
        row("step: dict keeps order", StepThroughItems, "{'items_object': {'b': 1, 'a': 2}}",
            "[['item',1],['key','b'],['item',2],['key','a']]");
        row("step: all sources", StepThroughItems, "{'items': [1], 'items_str': '[2]'}",
            "[['item',1],['key',0],['item',2],['key',0]]");
        row("step: string iterates characters", StepThroughItems, "{'items_str': '\\'ab\\''}",
            "[['item','a'],['key',0],['item','b'],['key',1]]");
        row("step: scalar is an error", StepThroughItems, "{'items_str': '5'}", "[]",
            "'int' object is not iterable");
        row("step: nothing", StepThroughItems, "{}", "[]");

        // List blocks.
        row("create list", CreateList, "{'values': [1, 2, 3]}", "[['list',[1,2,3]]]");
        row("create list: empty", CreateList, "{'values': []}", "[['list',[]]]");
        row("create list: max_size chunks", CreateList, "{'values': [1, 2, 3], 'max_size': 2}",
            "[['list',[1,2]],['list',[3]]]");
        row("add to list", AddToList, "{'list': [1, 2], 'entry': 3}", "[['updated_list',[1,2,3]]]");
        row("add to list: position", AddToList,
            "{'list': [1, 2], 'entries': [9, 8], 'entry': 7, 'position': 1}",
            "[['updated_list',[1,9,8,7,2]]]");
        row("add to list: negative position", AddToList,
            "{'list': [1, 2], 'entry': 'x', 'position': -1}", "[['updated_list',[1,'x',2]]]");
        row("add to list: position clamps", AddToList,
            "{'list': [1], 'entry': 'x', 'position': 99}", "[['updated_list',[1,'x']]]");
        row("find in list: 1.0 == 1", FindInList, "{'list': [1, '1', true], 'value': 1.0}",
            "[['index',0],['found',true]]");
        row("find in list: True == 1", FindInList, "{'list': [true, 1], 'value': 1}",
            "[['index',0],['found',true]]");
        row("find in list: missing", FindInList, "{'list': ['a'], 'value': 'b'}",
            "[['found',false],['not_found_value','b']]");
        row("get item: negative", GetListItem, "{'list': [1, 2, 3], 'index': -1}", "[['item',3]]");
        row("get item: out of range", GetListItem, "{'list': [1], 'index': 5}", "[]",
            "Index out of range");
        row("remove by index", RemoveFromList,
            "{'list': [1, 2, 3], 'index': 0, 'return_item': true}",
            "[['updated_list',[2,3]],['removed_item',1]]");
        row("remove by value", RemoveFromList, "{'list': [1, 2, 3], 'value': 2}",
            "[['updated_list',[1,3]]]");
        row("remove: index wins", RemoveFromList, "{'list': [1, 2, 3], 'value': 3, 'index': 0}",
            "[['updated_list',[2,3]]]");
        row("remove: not found", RemoveFromList, "{'list': [1], 'value': 5}", "[]",
            "Index or value not found");
        row("remove: nothing named", RemoveFromList, "{'list': [1]}", "[]",
            "Index or value not found");
        row("replace item", ReplaceListItem, "{'list': [1, 2], 'index': 1, 'value': 'x'}",
            "[['updated_list',[1,'x']],['old_item',2]]");
        row("replace item: out of range", ReplaceListItem,
            "{'list': [1, 2], 'index': 2, 'value': 'x'}", "[]", "Index out of range");
        row("list is empty", ListIsEmpty, "{'list': []}", "[['is_empty',true]]");
        row("concatenate", ConcatenateLists, "{'lists': [[1, 2], null, [2, 3]]}",
            "[['concatenated_list',[1,2,2,3]],['length',4]]");
        row("concatenate: deduplicate like Python hashing", ConcatenateLists,
            "{'lists': [[1, true, 1.0], [{'a': 1, 'b': 2}, {'b': 2, 'a': 1}]], 'deduplicate': "
            "true}",
            "[['concatenated_list',[1,true,{'a':1,'b':2}]],['length',3]]");
        row("concatenate: remove none", ConcatenateLists,
            "{'lists': [[null, 1]], 'remove_none': true}",
            "[['concatenated_list',[1]],['length',1]]");
        row("concatenate: not a list", ConcatenateLists, "{'lists': [[1], 5]}", "[]",
            "Invalid input at index 1: expected a list, got int.");
        row("flatten", FlattenList, "{'nested_list': [[1, 2], [3, [4, 5]]]}",
            "[['flattened_list',[1,2,3,4,5]],['length',5],['original_depth',3]]");
        row("flatten: max depth", FlattenList,
            "{'nested_list': [[1, 2], [3, [4, 5]]], 'max_depth': 1}",
            "[['flattened_list',[1,2,3,[4,5]]],['length',4],['original_depth',3]]");
        row("flatten: empty", FlattenList, "{'nested_list': []}",
            "[['flattened_list',[]],['length',0],['original_depth',1]]");
        row("flatten: bad depth", FlattenList, "{'nested_list': [], 'max_depth': -2}", "[]",
            "max_depth must be -1 (unlimited) or a non-negative integer, got -2");
        row("interleave", InterleaveLists, "{'lists': [[1, 2, 3], ['a'], null, [true, false]]}",
            "[['interleaved_list',[1,'a',true,2,false,3]],['length',6]]");
        row("zip", ZipLists, "{'lists': [[1, 2, 3], ['a', 'b']]}",
            "[['zipped_list',[[1,'a'],[2,'b']]],['length',2]]");
        row("zip: pad", ZipLists,
            "{'lists': [[1, 2, 3], ['a', 'b']], 'pad_to_longest': true, 'fill_value': 0}",
            "[['zipped_list',[[1,'a'],[2,'b'],[3,0]]],['length',3]]");
        row("zip: nothing", ZipLists, "{'lists': []}", "[['zipped_list',[]],['length',0]]");
        row("difference", ListDifference,
            "{'list_a': [1, 2, 2, true, {'a': 1}], 'list_b': [2.0, {'a': 1}]}",
            "[['difference',[1,true]],['length',2]]");
        row("difference: symmetric", ListDifference,
            "{'list_a': [1], 'list_b': [1, 'z'], 'symmetric': true}",
            "[['difference',['z']],['length',1]]");
        row("intersection", ListIntersection, "{'list_a': [1, 1, 2, true], 'list_b': [1.0, true]}",
            "[['intersection',[1,true]],['length',2]]");

        // Dictionary blocks.
        row("create dictionary keeps order", CreateDictionary, "{'values': {'b': 1, 'a': 2}}",
            "[['dictionary',{'b':1,'a':2}]]");
        row("create dictionary from dynamic pins", CreateDictionary,
            "{'values_#_x': 1, 'values_#_y': 2}", "[['dictionary',{'x':1,'y':2}]]");
        row("add to dictionary: entries win", AddToDictionary,
            "{'dictionary': {'a': 1}, 'key': 'b', 'value': 2, 'entries': {'a': 9}}",
            "[['updated_dictionary',{'a':9,'b':2}]]");
        row("add to dictionary: empty key ignored", AddToDictionary, "{'key': '', 'value': 1}",
            "[['updated_dictionary',{}]]");
        row("add to dictionary: no value ignored", AddToDictionary, "{'key': 'k'}",
            "[['updated_dictionary',{}]]");
        row("find: key", FindInDictionary, "{'input': {'a': {'b': 1}}, 'key': 'a'}",
            "[['output',{'b':1}]]");
        row("find: json text", FindInDictionary, "{'input': '{\\'a\\': 5}', 'key': 'a'}",
            "[['output',5]]");
        row("find: list index", FindInDictionary, "{'input': [10, 20], 'key': 1}",
            "[['output',20]]");
        row("find: no negative index", FindInDictionary, "{'input': [10, 20], 'key': -1}",
            "[['missing',[10,20]]]");
        row("find: key across objects", FindInDictionary,
            "{'input': [{'a': 1}, {'b': 2}, {'a': 3}], 'key': 'a'}", "[['output',[1,3]]]");
        row("find: key in plain list", FindInDictionary, "{'input': [1, 2], 'key': 'a'}",
            "[['output',[]]]");
        row("find: int key against text key", FindInDictionary, "{'input': {'1': 'x'}, 'key': 1}",
            "[['missing',{'1':'x'}]]");
        row("find: missing gives original text", FindInDictionary,
            "{'input': '{\\'a\\': 5}', 'key': 'z'}", "[['missing','{\\'a\\': 5}']]");
        row("find: bad json text", FindInDictionary, "{'input': 'not json', 'key': 'a'}", "[]",
            "line 1, column 1");
        row("remove key", RemoveFromDictionary,
            "{'dictionary': {'a': 1, 'b': 2}, 'key': 'a', 'return_value': true}",
            "[['updated_dictionary',{'b':2}],['removed_value',1]]");
        row("remove key: missing", RemoveFromDictionary, "{'dictionary': {'a': 1}, 'key': 'z'}",
            "[]", "Key 'z' not found in dictionary");
        row("replace value", ReplaceDictionaryValue,
            "{'dictionary': {'a': 1}, 'key': 'a', 'value': [2]}",
            "[['updated_dictionary',{'a':[2]}],['old_value',1]]");
        row("replace value: missing", ReplaceDictionaryValue,
            "{'dictionary': {}, 'key': 'a', 'value': 1}", "[]", "Key 'a' not found in dictionary");
        row("dictionary is empty", DictionaryIsEmpty, "{'dictionary': {}}", "[['is_empty',true]]");

        // Text, JSON and persistence blocks.
        const QLatin1StringView fill("db7d8f02-2f44-4c55-ab7a-eae0941f0c30");
        row("fill template", fill,
            "{'format': 'Hello, {{ name }}! {{ n * 2 }}', 'values': {'name': 'Ada', 'n': 1.5}}",
            "[['output','Hello, Ada! 3.0']]");
        row("fill template from dynamic pins", fill,
            "{'format': '{{ a }}-{{ b }}', 'values_#_a': 1, 'values_#_b': 'x'}",
            "[['output','1-x']]");
        row("fill template escapes on request", fill,
            "{'format': '{{ v }}', 'values': {'v': '<b>'}, 'escape_html': true}",
            "[['output','&lt;b&gt;']]");
        row("fill template error fails", fill, "{'format': '{{ a.b }}', 'values': {}}", "[]",
            "'a' is undefined");
        row("agent output with format", AgentOutput,
            "{'name': 'score', 'value': 0.5, 'format': 'Score: {{ score }}'}",
            "[['output','Score: 0.5']]");
        row("agent output format error is output", AgentOutput,
            "{'name': 'x', 'value': 1, 'format': '{{ x.y.z }}'}",
            "[['output','Error: line 1: \\u0027int object\\u0027 has no attribute \\u0027y\\u0027, "
            "1']]");
        row("combine texts", QLatin1StringView("e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"),
            "{'input': ['a', 'b'], 'delimiter': ', '}", "[['output','a, b']]");
        row("combine texts from list pins",
            QLatin1StringView("e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"),
            "{'input_$_1': 'b', 'input_$_0': 'a'}", "[['output','ab']]");
        row("split keeps empty fields", QLatin1StringView("d5ea33c8-a575-477a-b42f-2fe3be5055ec"),
            "{'text': ' a ,, b ', 'delimiter': ','}", "[['texts',['a','','b']]]");
        row("split without strip", QLatin1StringView("d5ea33c8-a575-477a-b42f-2fe3be5055ec"),
            "{'text': 'a, b', 'delimiter': ',', 'strip': false}", "[['texts',['a',' b']]]");
        row("split empty text", QLatin1StringView("d5ea33c8-a575-477a-b42f-2fe3be5055ec"),
            "{'text': '', 'delimiter': ','}", "[['texts',[]]]");
        row("split empty separator", QLatin1StringView("d5ea33c8-a575-477a-b42f-2fe3be5055ec"),
            "{'text': 'ab', 'delimiter': ''}", "[]", "empty separator");
        row("replace", QLatin1StringView("7e7c87ab-3469-4bcc-9abe-67705091b713"),
            "{'text': 'a-b-c', 'old': '-', 'new': '+'}", "[['output','a+b+c']]");
        row("replace empty old", QLatin1StringView("7e7c87ab-3469-4bcc-9abe-67705091b713"),
            "{'text': 'ab', 'old': '', 'new': '.'}", "[['output','.a.b.']]");
        row("word and character count", QLatin1StringView("ab2a782d-22cf-4587-8a70-55b59b3f9f90"),
            "{'text': ' two  w\\u00f6rds\\n'}", "[['word_count',2],['character_count',12]]");
        row("json encoder is compact and ordered",
            QLatin1StringView("9a9d20c5-5b4d-4e94-8022-83b6cb72648a"),
            "{'data': {'z': 1.0, 'a': '\u00e9'}}",
            "[['json_str','{\\'z\\':1.0,\\'a\\':\\'\u00e9\\'}']]");
        row("json decoder", QLatin1StringView("2b935639-65bc-48fd-9f88-823cd706fcd9"),
            "{'json_str': '[1, 2.0, null]'}", "[['data',[1,2.0,null]]]");
        row("json decoder error", QLatin1StringView("2b935639-65bc-48fd-9f88-823cd706fcd9"),
            "{'json_str': '{oops'}", "[]", "JSON Decoding Error: ");
        row("retrieve missing gives default",
            QLatin1StringView("d8710fc9-6e29-481e-a7d5-165eb16f8471"),
            "{'key': 'k', 'default_value': 7}", "[['value',7]]");

        // Logic blocks.
        row("condition: numeric text becomes float", Condition,
            "{'value1': '10', 'operator': '>', 'value2': 5}",
            "[['result',true],['yes_output',10.0]]");
        row("condition: strings stripped", Condition,
            "{'value1': 'abc', 'operator': '==', 'value2': ' abc '}",
            "[['result',true],['yes_output','abc']]");
        row("condition: no_value defaults to value2", Condition,
            "{'value1': 3, 'operator': '<', 'value2': 2}", "[['result',false],['no_output',2]]");
        row("condition: True == 1", Condition,
            "{'value1': true, 'operator': '==', 'value2': 1, 'yes_value': 'y'}",
            "[['result',true],['yes_output','y']]");
        row("condition: str > int fails", Condition,
            "{'value1': 'a', 'operator': '>', 'value2': 1}", "[]",
            "Comparison failed: '>' not supported between instances of 'str' and 'int'");
        row("if matches: converts to input's type", IfInputMatches,
            "{'input': 10, 'value': '10', 'yes_value': 'y'}",
            "[['result',true],['yes_output','y']]");
        row("if matches: failed conversion is 0", IfInputMatches,
            "{'input': 0, 'value': 'None', 'yes_value': 'y'}",
            "[['result',true],['yes_output','y']]");
        row("if matches: no", IfInputMatches, "{'input': 'a', 'value': 'b'}",
            "[['result',false],['no_output',null]]");
        row("calculator: floats", Calculator, "{'operation': 'Add', 'a': 1, 'b': 2}",
            "[['result',3.0]]");
        row("calculator: divide by zero is inf", Calculator,
            "{'operation': 'Divide', 'a': 1, 'b': 0}", "[['result',null]]");
        row("calculator: overflow is nan", Calculator, "{'operation': 'Power', 'a': 10, 'b': 400}",
            "[['result',null]]");
        row("calculator: complex result fails", Calculator,
            "{'operation': 'Power', 'a': -8, 'b': 0.5}", "[]", "invalid output");
        row("calculator: round half to even", Calculator,
            "{'operation': 'Add', 'a': 2, 'b': 0.5, 'round_result': true}", "[['result',2]]");
        row("calculator: round 3.5", Calculator,
            "{'operation': 'Add', 'a': 3, 'b': 0.5, 'round_result': true}", "[['result',4]]");
        row("calculator: unknown operation", Calculator, "{'operation': 'Modulo', 'a': 1, 'b': 2}",
            "[]", "Unable to execute block with invalid input data");
    }

    void blocks()
    {
        QFETCH(QString, block);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, outputs);
        QFETCH(QString, error);
        check(block, input, outputs, error);
    }

    void textPatternBlocks_data()
    {
        QTest::addColumn<QString>("block");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("outputs");
        QTest::addColumn<QString>("error");
        QTest::newRow("match: found")
            << QStringLiteral("3060088f-6ed9-4928-9ba7-9c92823a7ccd")
            << QByteArray(
                   "{\"text\": \"Hello World\", \"match\": \"w.rld\", \"case_sensitive\": false}")
            << QByteArray("[[\"positive\", \"Hello World\"]]") << QString::fromUtf8("");
        QTest::newRow("match: data forwarded")
            << QStringLiteral("3060088f-6ed9-4928-9ba7-9c92823a7ccd")
            << QByteArray("{\"text\": \"abc\", \"match\": \"x\", \"data\": {\"k\": 1}}")
            << QByteArray("[[\"negative\", {\"k\": 1}]]") << QString::fromUtf8("");
        QTest::newRow("match: non-text is orjson")
            << QStringLiteral("3060088f-6ed9-4928-9ba7-9c92823a7ccd")
            << QByteArray("{\"text\": {\"a\": 1}, \"match\": \"\\\"a\\\":1\"}")
            << QByteArray("[[\"positive\", {\"a\": 1}]]") << QString::fromUtf8("");
        QTest::newRow("match: case sensitive")
            << QStringLiteral("3060088f-6ed9-4928-9ba7-9c92823a7ccd")
            << QByteArray("{\"text\": \"ABC\", \"match\": \"abc\"}")
            << QByteArray("[[\"negative\", \"ABC\"]]") << QString::fromUtf8("");
        QTest::newRow("extract: first match")
            << QStringLiteral("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0")
            << QByteArray(
                   "{\"text\": \"a1 b22 c333\", \"pattern\": \"(\\\\w)(\\\\d+)\", \"group\": 2}")
            << QByteArray("[[\"positive\", \"1\"], [\"matched_results\", [\"1\"]], "
                          "[\"matched_count\", 1]]")
            << QString::fromUtf8("");
        QTest::newRow("extract: find all")
            << QStringLiteral("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0")
            << QByteArray(
                   "{\"text\": \"a1 b22 c333\", \"pattern\": \"\\\\d+\", \"find_all\": true}")
            << QByteArray(
                   "[[\"positive\", \"1\"], [\"positive\", \"22\"], [\"positive\", \"333\"], "
                   "[\"matched_results\", [\"1\", \"22\", \"333\"]], [\"matched_count\", 3]]")
            << QString::fromUtf8("");
        QTest::newRow("extract: too large group skips")
            << QStringLiteral("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0")
            << QByteArray("{\"text\": \"a1\", \"pattern\": \"\\\\d\", \"group\": 3}")
            << QByteArray(
                   "[[\"negative\", \"a1\"], [\"matched_results\", []], [\"matched_count\", 0]]")
            << QString::fromUtf8("");
        QTest::newRow("extract: invalid pattern finds nothing")
            << QStringLiteral("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0")
            << QByteArray("{\"text\": \"x\", \"pattern\": \"(\"}")
            << QByteArray(
                   "[[\"negative\", \"x\"], [\"matched_results\", []], [\"matched_count\", 0]]")
            << QString();
        // The unmatched input goes out on the string pin "negative": a list fails output
        // validation, as upstream.
        QTest::newRow("extract: non-text without a match")
            << QStringLiteral("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0")
            << QByteArray("{\"text\": [1], \"pattern\": \"z\"}") << QByteArray("[]")
            << QStringLiteral("invalid output");
        QTest::newRow("encode unicode_escape")
            << QStringLiteral("5185f32e-4b65-4ecf-8fbb-873f003f09d6")
            << QByteArray("{\"text\": \"a\\\\b\\tc\\n\xc3\xa9"
                          "\xc4\x80"
                          "\xf0\x9f\x98\x80"
                          " 'q'\"}")
            << QByteArray("[[\"encoded_text\", "
                          "\"a\\\\\\\\b\\\\tc\\\\n\\\\xe9\\\\u0100\\\\U0001f600 'q'\"]]")
            << QString::fromUtf8("");
        QTest::newRow("decode unicode_escape")
            << QStringLiteral("2570e8fe-8447-43ed-84c7-70d657923231")
            << QByteArray("{\"text\": \"x\\\\ny\\\\t\\\\x41\\\\u00e9\\\\U0001f600\\\\101\"}")
            << QByteArray("[[\"decoded_text\", \"x\\ny\\tA\xc3\xa9"
                          "\xf0\x9f\x98\x80"
                          "A\"]]")
            << QString::fromUtf8("");
        QTest::newRow("decode mangles non-ASCII")
            << QStringLiteral("2570e8fe-8447-43ed-84c7-70d657923231")
            << QByteArray("{\"text\": \"\xc3\xa9"
                          "\"}")
            << QByteArray("[[\"decoded_text\", \"\xc3\x83"
                          "\xc2\xa9"
                          "\"]]")
            << QString::fromUtf8("");
        QTest::newRow("decode trailing backslash")
            << QStringLiteral("2570e8fe-8447-43ed-84c7-70d657923231")
            << QByteArray("{\"text\": \"abc\\\\\"}") << QByteArray("[]")
            << QString::fromUtf8("\\ at end of string");
        QTest::newRow("code extraction")
            << QStringLiteral("d3a7d896-3b78-4f44-8b4b-48fbf4f0bcd8")
            << QByteArray("{\"text\": "
                          "\"Intro\\n```py\\nprint(1)\\n```\\n\\nmiddle\\n```html\\n<b>x</"
                          "b>\\n```\\n```python\\nx = 2\\n```\\nend\"}")
            << QByteArray("[[\"html\", \"<b>x</b>\"], [\"python\", \"x = 2\\n\\nprint(1)\"], "
                          "[\"remaining_text\", \"Intro\\nmiddle\\nend\"]]")
            << QString::fromUtf8("");
        QTest::newRow("xml: unique children merge")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"<a><b>1</b><c>2</c></a>\"}")
            << QByteArray("[[\"parsed_xml\", {\"a\": {\"b\": \"1\", \"c\": \"2\"}}]]")
            << QString::fromUtf8("");
        QTest::newRow("xml: repeated children make a list")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"<a><b>1</b><b>2</b></a>\"}")
            << QByteArray("[[\"parsed_xml\", {\"a\": [{\"b\": \"1\"}, {\"b\": \"2\"}]}]]")
            << QString::fromUtf8("");
        QTest::newRow("xml: one child nests")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"<a><b><c>x</c></b></a>\"}")
            << QByteArray("[[\"parsed_xml\", {\"a\": {\"b\": {\"c\": \"x\"}}}]]")
            << QString::fromUtf8("");
        QTest::newRow("xml: tag names and text as gravitasml")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray(
                   "{\"input_xml\": \"<Root>\\n<My Tag> hi <!-- note --> there </My Tag></Root>\"}")
            << QByteArray("[[\"parsed_xml\", {\"root\": {\"my_tag\": \"hithere\"}}]]")
            << QString::fromUtf8("");
        QTest::newRow("xml: two roots")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"<a>1</a><b>2</b>\"}") << QByteArray("[]")
            << QString::fromUtf8("XML must have a single root element.");
        QTest::newRow("xml: mismatched")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"<a><b></a>\"}") << QByteArray("[]")
            << QString::fromUtf8("Mismatched tags: b and a");
        QTest::newRow("xml: unclosed") << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
                                       << QByteArray("{\"input_xml\": \"<a><b>x</b>\"}")
                                       << QByteArray("[]") << QString::fromUtf8("Unclosed tag");
        QTest::newRow("xml: text outside the root")
            << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
            << QByteArray("{\"input_xml\": \"hello <a>x</a>\"}") << QByteArray("[]")
            << QString::fromUtf8("text outside the root");
        QTest::newRow("xml: empty") << QStringLiteral("286380af-9529-4b55-8be0-1d7c854abdb5")
                                    << QByteArray("{\"input_xml\": \"  \"}") << QByteArray("[]")
                                    << QString::fromUtf8("XML input is empty.");
        QTest::newRow("csv: header, strip, blank line, quotes")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"contents\": \"name, age\\nAda, 36\\n\\n\\\"Lin, B\\\",\\\"say "
                          "\\\"\\\"hi\\\"\\\"\\\"\\n\"}")
            << QByteArray("[[\"rows\", [{\"name\": \"Ada\", \"age\": \"36\"}, {}, {\"name\": "
                          "\"Lin, B\", \"age\": \"say \\\"hi\\\"\"}]], [\"row\", {\"name\": "
                          "\"Ada\", \"age\": \"36\"}], [\"row\", {}], [\"row\", {\"name\": \"Lin, "
                          "B\", \"age\": \"say \\\"hi\\\"\"}]]")
            << QString::fromUtf8("");
        QTest::newRow("csv: no header, other delimiter, skip rows")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"contents\": \"a;b\\nc;d\\ne;f\", \"delimiter\": \";\", "
                          "\"has_header\": false, \"skip_rows\": 1, \"strip\": false}")
            << QByteArray("[[\"rows\", [{\"0\": \"c\", \"1\": \"d\"}, {\"0\": \"e\", \"1\": "
                          "\"f\"}]], [\"row\", {\"0\": \"c\", \"1\": \"d\"}], [\"row\", {\"0\": "
                          "\"e\", \"1\": \"f\"}]]")
            << QString::fromUtf8("");
        QTest::newRow("csv: escapes and newlines in quotes")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"contents\": \"k\\r\\n\\\"line1\\r\\nline2\\\"\\r\\nx\\\\,y\\r\\n\", "
                          "\"strip\": false}")
            << QByteArray("[[\"rows\", [{\"k\": \"line1\\r\\nline2\"}, {\"k\": \"x,y\"}]], "
                          "[\"row\", {\"k\": \"line1\\r\\nline2\"}], [\"row\", {\"k\": \"x,y\"}]]")
            << QString::fromUtf8("");
        QTest::newRow("csv: skip_columns never matches")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"contents\": \"a,b\\n1,2\", \"skip_columns\": [\"a\"]}")
            << QByteArray("[[\"rows\", [{\"a\": \"1\", \"b\": \"2\"}]], [\"row\", {\"a\": \"1\", "
                          "\"b\": \"2\"}]]")
            << QString::fromUtf8("");
        QTest::newRow("csv: a row longer than the header fails")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"contents\": \"a\\n1,2\"}") << QByteArray("[]")
            << QString::fromUtf8("list index out of range");
        QTest::newRow("csv: nothing to read")
            << QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015")
            << QByteArray("{\"delimiter\": \",\"}") << QByteArray("[]")
            << QString::fromUtf8("Either 'contents' or 'file_input' must be provided");
    }

    // File blocks, in plain JSON: the inputs carry data URIs.
    void fileBlocks_data()
    {
        QTest::addColumn<QString>("block");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("outputs");
        QTest::addColumn<QString>("error");
        const QString store = QStringLiteral("cbb50872-625b-42f0-8203-a2ae78242d8a");
        const QString read = QStringLiteral("3735a31f-7e18-4aca-9e90-08a7120674bc");
        const QString csv = QStringLiteral("acf7625e-d2cb-4941-bfeb-2819fc6fc015");
        const QString fileInput = QString(BlockIds::AgentFileInput);
        const QString driveInput = QString(BlockIds::AgentGoogleDriveFileInput);
        const auto row = [](const char *name, const QString &block, const char *input,
                            const char *outputs, const char *error = "") {
            QTest::newRow(name) << block << QByteArray(input) << QByteArray(outputs)
                                << QString::fromUtf8(error);
        };
        row("store: base_64 gives the file back as a data URI", store,
            "{\"file_in\": \"data:text/plain;base64,aGVsbG8=\", \"base_64\": true}",
            "[[\"file_out\", \"data:text/plain;base64,aGVsbG8=\"]]");
        row("store: a malformed data URI", store, "{\"file_in\": \"data:text/plain,hello\"}", "[]",
            "Invalid data URI format. Expected data:<mime>;base64,<data>");
        row("store: a path outside the execution's folder", store,
            "{\"file_in\": \"../../../etc/passwd\"}", "[]",
            "Local file path is outside of the temp_base directory.");
        row("store: an absolute path outside", store, "{\"file_in\": \"/etc/passwd\"}", "[]",
            "Local file path is outside of the temp_base directory.");
        row("store: a missing file", store, "{\"file_in\": \"missing.txt\"}", "[]",
            "Local file does not exist");
        row("store: URLs are not downloaded here", store,
            "{\"file_in\": \"https://example.com/a.txt\"}", "[]", "not supported by this build");
        row("read: whole file", read, "{\"file_input\": \"data:text/plain;base64,YQpiCmM=\"}",
            "[[\"content\", \"a\\nb\\nc\"]]");
        row("read: rows are skipped, limited and joined again", read,
            "{\"file_input\": \"data:text/plain;base64,YQpiCmM=\", \"delimiter\": \"\\n\","
            " \"skip_rows\": 1, \"row_limit\": 1}",
            "[[\"content\", \"b\"]]");
        row("read: size_limit splits into chunks", read,
            "{\"file_input\": \"data:text/plain;base64,YWJjZGU=\", \"size_limit\": 2}",
            "[[\"content\", \"ab\"], [\"content\", \"cd\"], [\"content\", \"e\"]]");
        row("read: an empty file yields nothing", read,
            "{\"file_input\": \"data:text/plain;base64,\"}", "[]");
        row("read: no rows left yields an empty text", read,
            "{\"file_input\": \"data:text/plain;base64,YQpiCmM=\", \"delimiter\": \"\\n\","
            " \"skip_rows\": 5}",
            "[[\"content\", \"\"]]");
        row("read: skip_size counts code points", read,
            "{\"file_input\": \"data:text/plain;base64,8J+YgGFi\", \"skip_size\": 1}",
            "[[\"content\", \"ab\"]]");
        row("read: not UTF-8 is read as latin-1", read,
            "{\"file_input\": \"data:text/plain;base64,Y2Fm6Q==\"}",
            "[[\"content\", \"caf\\u00e9\"]]");
        row("read: universal newlines", read,
            "{\"file_input\": \"data:text/plain;base64,eA0KeQ16\"}",
            "[[\"content\", \"x\\ny\\nz\"]]");
        row("file input: empty yields nothing", fileInput, "{\"name\": \"f\", \"value\": \"\"}",
            "[]");
        row("file input: stored, as a data URI with base_64", fileInput,
            "{\"name\": \"f\", \"value\": \"data:text/csv;base64,YSxi\", \"base_64\": true}",
            "[[\"result\", \"data:text/csv;base64,YSxi\"]]");
        row("drive input: the file object as given", driveInput,
            "{\"name\": \"d\", \"value\": {\"id\": \"x1\", \"name\": \"Doc\"}}",
            "[[\"result\", {\"id\": \"x1\", \"name\": \"Doc\"}]]");
        row("drive input: none yields nothing", driveInput, "{\"name\": \"d\"}", "[]");
        row("csv: from a file", csv, "{\"file_input\": \"data:text/csv;base64,YSxiCjEsMgo=\"}",
            "[[\"rows\", [{\"a\": \"1\", \"b\": \"2\"}]], [\"row\", {\"a\": \"1\", \"b\": "
            "\"2\"}]]");
        row("csv: a file wins over contents", csv,
            "{\"file_input\": \"data:text/csv;base64,YSxiCjEsMgo=\", \"contents\": \"x\\n9\"}",
            "[[\"rows\", [{\"a\": \"1\", \"b\": \"2\"}]], [\"row\", {\"a\": \"1\", \"b\": "
            "\"2\"}]]");
        row("csv: Excel files are refused", csv,
            "{\"file_input\": \"data:application/vnd.openxmlformats-officedocument."
            "spreadsheetml.sheet;base64,YSxi\"}",
            "[]", "save the sheet as CSV");
    }

    void fileBlocks()
    {
        QFETCH(QString, block);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, outputs);
        QFETCH(QString, error);
        check(block, input, outputs, error);
    }

    void pythonRandomMatchesCPython()
    {
        // Figures from CPython 3.11's random module with the same seeds.
        PythonRandom random;
        random.seed(42);
        QCOMPARE(*random.sample({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 3), (QList<qint64> {1, 0, 4}));
        QCOMPARE(random.random(), 0.24489185380347622);
        QCOMPARE(*random.randint(0, 5), 1);
        random.seed(0);
        QCOMPARE(random.getrandbits(32), quint64(3626764237U));
        random.seed(7);
        QCOMPARE(random.choices({1.0, 2, 3, 0, 4}, 6), (QList<qint64> {2, 1, 4, 0, 2, 2}));
        QVERIFY(!random.sample({1, 2}, 3));
        QVERIFY(!random.randint(3, 2));
    }

    // Each sampling method against the block's outputs under CPython.
    void dataSamplingMatchesCPython_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("outputs");
        QTest::addColumn<QString>("error");
        QFile file(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/blocks/datasampling.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Model::ValueMap doc = Model::parseTrustedJson(file.readAll()).toMap();
        for (const Model::Value &entry : doc.value(QLatin1String("cases")).toArray()) {
            const Model::ValueMap testCase = entry.toMap();
            QTest::newRow(qPrintable(testCase.value(QLatin1String("name")).toString()))
                << Model::toJson(testCase.value(QLatin1String("input")))
                << Model::toJson(testCase.contains(QLatin1String("outputs"))
                                     ? testCase.value(QLatin1String("outputs"))
                                     : Model::Value(Model::ValueList()))
                << testCase.value(QLatin1String("error")).toString();
        }
    }

    void dataSamplingMatchesCPython()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, outputs);
        QFETCH(QString, error);
        check(QStringLiteral("4a448883-71fa-49cf-91cf-70d793bd7d87"), input, outputs, error);
    }

    void dataSamplingErrorsAndAccumulation()
    {
        const QString block = QStringLiteral("4a448883-71fa-49cf-91cf-70d793bd7d87");
        check(block,
              json("{'data': [{'t': 1}, {'u': 2}], 'sample_size': 1, 'sampling_method': "
                   "'stratified', 'stratify_key': 't'}"),
              "[]", QStringLiteral("Stratify value for key 't' is None"));
        check(block,
              json("{'data': [{'w': 'heavy'}], 'sample_size': 1, 'sampling_method': 'weighted', "
                   "'weight_key': 'w'}"),
              "[]", QStringLiteral("Weight value 'heavy' cannot be converted to a number"));
        check(block,
              json("{'data': [{'w': 0}], 'sample_size': 1, 'sampling_method': 'weighted', "
                   "'weight_key': 'w'}"),
              "[]", QStringLiteral("Total of weights must be greater than zero"));
        check(block, json("{'data': [1], 'sample_size': 1, 'sampling_method': 'stratified'}"), "[]",
              QStringLiteral("Stratify key must be provided for stratified sampling."));
        // accumulate: one buffer for every run of the block, sampled and
        // emptied once it holds sample_size items.
        const char *top = "{'data': %1, 'sample_size': 3, 'sampling_method': 'top', "
                          "'accumulate': true}";
        check(block, json(QByteArray(top).replace("%1", "[1, 2]")), "[]", {});
        check(block, json(QByteArray(top).replace("%1", "{'k': 3}")),
              json("[['sampled_data', [1, 2, {'k': 3}]], ['sample_indices', [0, 1, 2]]]"), {});
        check(block, json(QByteArray(top).replace("%1", "[4]")), "[]", {});
        check(block, json(QByteArray(top).replace("%1", "[5, 6]")),
              json("[['sampled_data', [4, 5, 6]], ['sample_indices', [0, 1, 2]]]"), {});
    }

    void fileStoreGivesAPathInTheExecutionsFolder()
    {
        const StandaloneRun run = runBlockStandalone(
            *m_registry, QStringLiteral("cbb50872-625b-42f0-8203-a2ae78242d8a"),
            value("{'file_in': 'data:application/json;base64,e30='}").toMap());
        QVERIFY2(run.completed, qPrintable(run.error));
        QCOMPARE(run.outputs.size(), 1);
        const QString path = run.outputs.first().second.toString();
        // A fresh name with the extension of the data's type.
        QVERIFY2(
            QRegularExpression(QStringLiteral("^[0-9a-f-]{36}\\.json$")).match(path).hasMatch(),
            qPrintable(path));
    }

    // The same checks as blocks(), with inputs in plain JSON (backslashes matter here).
    void textPatternBlocks()
    {
        QFETCH(QString, block);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, outputs);
        QFETCH(QString, error);
        check(block, input, outputs, error);
    }

    void pythonTimeFormatting()
    {
        const QDateTime time(QDate(2025, 3, 9), QTime(14, 3, 5, 250),
                             QTimeZone(QByteArrayLiteral("Europe/Paris")));
        QCOMPARE(pythonStrftime(time, QStringLiteral("%Y-%m-%d %H:%M:%S")),
                 QStringLiteral("2025-03-09 14:03:05"));
        QCOMPARE(pythonStrftime(time, QStringLiteral("%a %A %b %B %j %I%p %y %% %z")),
                 QStringLiteral("Sun Sunday Mar March 068 02PM 25 % +0100"));
        QCOMPARE(pythonStrftime(time, QStringLiteral("%f")), QStringLiteral("250000"));
        QCOMPARE(pythonIsoFormat(time, false), QStringLiteral("2025-03-09T14:03:05+01:00"));
        QCOMPARE(pythonIsoFormat(time, true), QStringLiteral("2025-03-09T14:03:05.250000+01:00"));
    }

    void timeBlocks()
    {
        const auto run = [&](const char *id, const char *input) {
            return runBlockStandalone(*m_registry, QString::fromLatin1(id), value(input).toMap());
        };
        const QRegularExpression clock(QStringLiteral("^\\d{2}:\\d{2}:\\d{2}$"));
        auto time = run("a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa", "{'trigger': 'go'}");
        QVERIFY2(time.completed, qPrintable(time.error));
        QCOMPARE(time.outputs.first().first, QStringLiteral("time"));
        QVERIFY(clock.match(time.outputs.first().second.toString()).hasMatch());
        auto iso = run(
            "a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa",
            "{'trigger': 'go', 'format_type': {'discriminator': 'iso8601', 'timezone': 'UTC'}}");
        QVERIFY(QRegularExpression(QStringLiteral("^T\\d{2}:\\d{2}:\\d{2}\\+00:00$"))
                    .match(iso.outputs.first().second.toString())
                    .hasMatch());

        // A positive offset is a past date, as AutoGPT's code does (not its docs).
        auto date = run("b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1", "{'trigger': 'go', 'offset': '2'}");
        QVERIFY2(date.completed, qPrintable(date.error));
        QCOMPARE(date.outputs.first().second.toString(),
                 QDateTime::currentDateTimeUtc().addDays(-2).date().toString(Qt::ISODate));
        auto badOffset
            = run("b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1", "{'trigger': 'go', 'offset': 'soon'}");
        QCOMPARE(badOffset.outputs.first().second.toString(),
                 QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));

        auto both = run("716a67b3-6760-42e7-86dc-18645c6e00fc",
                        "{'trigger': 'go', 'format_type': {'discriminator': 'iso8601', 'timezone': "
                        "'Asia/Tokyo'}}");
        QVERIFY(both.outputs.first().second.toString().endsWith(QStringLiteral("+09:00")));
        auto badZone = run("716a67b3-6760-42e7-86dc-18645c6e00fc",
                           "{'trigger': 'go', 'format_type': {'discriminator': 'strftime', "
                           "'format': '%Y', 'timezone': 'Mars/Base'}}");
        QVERIFY(!badZone.completed);
        QCOMPARE(badZone.error, QStringLiteral("Unknown time zone: Mars/Base"));
    }

    void standaloneRunShape()
    {
        const StandaloneRun run = runBlockStandalone(*m_registry, QString(BlockIds::GetListItem),
                                                     value("{'list': [], 'index': 0}").toMap());
        QCOMPARE(Model::toJson(run.toValue()),
                 json("{'status':'FAILED','outputs':[],'error':'Index out of range'}"));
        const StandaloneRun ok = runBlockStandalone(*m_registry, QString(BlockIds::Note),
                                                    value("{'text': 't'}").toMap());
        QCOMPARE(Model::toJson(ok.toValue()),
                 json("{'status':'COMPLETED','outputs':[['output','t']],'error':null}"));
    }

    void unknownAndUnavailableBlocks()
    {
        const StandaloneRun unknown = runBlockStandalone(*m_registry, QStringLiteral("nope"), {});
        QVERIFY(!unknown.completed);
        QCOMPARE(unknown.error, QStringLiteral("Block for nope not found."));
        // A web request outside a graph run keeps the default network
        // policy: this computer's own addresses are refused.
        const StandaloneRun web = runBlockStandalone(
            *m_registry, QStringLiteral("6595ae1f-b924-42cb-9a41-551a0611c4b4"),
            value("{'url': 'http://127.0.0.1:9/', 'method': 'GET'}").toMap());
        QVERIFY(!web.completed);
        QVERIFY2(web.error.contains(QStringLiteral("loopback address")), qPrintable(web.error));
    }

    void badDynamicListIndex()
    {
        const StandaloneRun run = runBlockStandalone(*m_registry, QString(BlockIds::CreateList),
                                                     value("{'values_$_x': 1}").toMap());
        QVERIFY(!run.completed);
        QCOMPARE(run.error,
                 QStringLiteral("Invalid key: values_$_x, #x index must be an integer."));
    }
};

QTEST_GUILESS_MAIN(TestBlocks)
#include "tst_blocks.moc"
