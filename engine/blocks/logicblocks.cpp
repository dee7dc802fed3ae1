// SPDX-License-Identifier: GPL-3.0-or-later
// Logic blocks: comparisons, matching and arithmetic, with Python's rules.
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"
#include "typeconversion.h"

#include <cfenv>
#include <cmath>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;
using namespace BlockInput;

namespace {

// ConditionBlock's conversion: a numeric string becomes a float, any other
// string is stripped.
Value conditionOperand(const Value &value)
{
    if (!value.isString())
        return value;
    const QString stripped = value.toString().trimmed();
    bool ok = false;
    const double number = stripped.toDouble(&ok);
    if (ok)
        return Value(number);
    const QString lower = stripped.toLower();
    if (lower == QLatin1String("inf") || lower == QLatin1String("infinity"))
        return Value(std::numeric_limits<double>::infinity());
    if (lower == QLatin1String("-inf") || lower == QLatin1String("-infinity"))
        return Value(-std::numeric_limits<double>::infinity());
    if (lower == QLatin1String("nan"))
        return Value(std::numeric_limits<double>::quiet_NaN());
    return Value(stripped);
}

Result<void> condition(const ValueMap &input, BlockContext &context)
{
    const Value a = conditionOperand(in(input, "value1"));
    const Value b = conditionOperand(in(input, "value2"));
    const QString op = in(input, "operator").toString();
    bool result = false;
    if (op == QLatin1String("==")) {
        result = Model::pythonEquals(a, b);
    } else if (op == QLatin1String("!=")) {
        result = !Model::pythonEquals(a, b);
    } else {
        const auto order = Model::pythonCompare(a, b);
        if (!order) {
            return blockError(
                QStringLiteral(
                    "Comparison failed: '%1' not supported between instances of '%2' and '%3'")
                    .arg(op, Model::pythonTypeName(a), Model::pythonTypeName(b)));
        }
        // NaN compares false with everything, as in Python.
        const bool nan = (a.isDouble() && std::isnan(a.toDouble()))
            || (b.isDouble() && std::isnan(b.toDouble()));
        if (op == QLatin1String(">"))
            result = !nan && *order > 0;
        else if (op == QLatin1String("<"))
            result = !nan && *order < 0;
        else if (op == QLatin1String(">="))
            result = !nan && *order >= 0;
        else if (op == QLatin1String("<="))
            result = !nan && *order <= 0;
        else
            return blockError(QStringLiteral("Unsupported operator: %1").arg(op));
    }
    const Value yes = isNone(in(input, "yes_value")) ? a : in(input, "yes_value");
    const Value no = isNone(in(input, "no_value")) ? b : in(input, "no_value");
    context.yield(QStringLiteral("result"), result);
    if (result)
        context.yield(QStringLiteral("yes_output"), yes);
    else
        context.yield(QStringLiteral("no_output"), no);
    return {};
}

// The pin type matching a value's Python type, for convert(value, type(x)).
std::optional<Model::PinType> pinTypeOf(const Value &value)
{
    switch (value.type()) {
    case QCborValue::Integer:
        return Model::PinType::Integer;
    case QCborValue::Double:
        return Model::PinType::Number;
    case QCborValue::True:
    case QCborValue::False:
        return Model::PinType::Boolean;
    case QCborValue::String:
        return Model::PinType::String;
    case QCborValue::Array:
        return Model::PinType::List;
    case QCborValue::Map:
        return Model::PinType::Object;
    default:
        return std::nullopt;
    }
}

Result<void> ifInputMatches(const ValueMap &input, BlockContext &context)
{
    const Value subject = in(input, "input");
    Value value = in(input, "value");
    if (!isNone(subject) && !isNone(value) && !Model::pythonEquals(subject, value)) {
        if (const auto type = pinTypeOf(subject))
            value = convertToPinType(value, *type);
    }
    if (Model::pythonEquals(subject, value)) {
        context.yield(QStringLiteral("result"), true);
        context.yield(QStringLiteral("yes_output"), in(input, "yes_value"));
    } else {
        context.yield(QStringLiteral("result"), false);
        context.yield(QStringLiteral("no_output"), in(input, "no_value"));
    }
    return {};
}

Result<void> calculator(const ValueMap &input, BlockContext &context)
{
    const QString operation = in(input, "operation").toString();
    const double a = in(input, "a").toDouble();
    const double b = in(input, "b").toDouble();
    double result = std::numeric_limits<double>::quiet_NaN();
    if (operation == QLatin1String("Add")) {
        result = a + b;
    } else if (operation == QLatin1String("Subtract")) {
        result = a - b;
    } else if (operation == QLatin1String("Multiply")) {
        result = a * b;
    } else if (operation == QLatin1String("Divide")) {
        result = b == 0 ? std::numeric_limits<double>::infinity() : a / b;
    } else if (operation == QLatin1String("Power")) {
        if (a < 0 && std::isfinite(b) && b != std::trunc(b)) {
            // Python gives a complex number, which fails output validation.
            return blockError(QStringLiteral(
                "Block produced an invalid output: a complex number on pin \"result\""));
        }
        if (a == 0 && b < 0)
            result = std::numeric_limits<double>::quiet_NaN(); // ZeroDivisionError
        else
            result = std::pow(a, b);
        if (std::isinf(result) && std::isfinite(a) && std::isfinite(b))
            result = std::numeric_limits<double>::quiet_NaN(); // OverflowError
    }
    if (in(input, "round_result").toBool()) {
        if (std::isnan(result))
            return blockError(QStringLiteral("cannot convert float NaN to integer"));
        if (std::isinf(result))
            return blockError(QStringLiteral("cannot convert float infinity to integer"));
        // Python's round(): halves to even, an int.
        std::fesetround(FE_TONEAREST);
        context.yield(QStringLiteral("result"), qint64(std::nearbyint(result)));
        return {};
    }
    context.yield(QStringLiteral("result"), result);
    return {};
}

} // namespace

void registerLogicBlocks(BlockRegistry &registry)
{
    registry.add(BlockIds::Condition, condition);
    registry.add(BlockIds::IfInputMatches, ifInputMatches);
    registry.add(BlockIds::Calculator, calculator);
}

} // namespace Signalbox::Engine
