// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"
#include "model/value.h"

namespace Signalbox::Engine {

// Renders a Jinja template: the subset Signalbox implements for AutoGPT's
// TextFormatter (a sandboxed Jinja2 environment without globals).
//
// Supported: {{ expression }}, {% if %}/{% elif %}/{% else %}/{% endif %},
// {% for x in xs %} and {% for k, v in d.items() %} with loop.index,
// loop.index0, loop.first, loop.last, loop.length and {% else %},
// {% set name = expression %}, {# comments #}, whitespace control with "-".
// Expressions: literals (strings, numbers, true/false/none, lists, dicts),
// names, .attribute and [subscript], calls of safe methods (items, keys,
// values, get, upper, lower, strip, split, replace, join, startswith,
// endswith, title, capitalize), filters with arguments, "is" tests, "in",
// comparisons, and/or/not, + - * / // % ** and ~, and "a if b else c".
// Filters: abs, capitalize, count, d/default, e/escape, first, float, format
// (AutoGPT's: fmt % float(value)), int, join, last, length, list, lower, max,
// min, replace, reverse, round, safe, sort, string, sum, title, trim,
// truncate, unique, upper, wordcount.
//
// As in Jinja: an undefined name renders as nothing, but using it further
// (an attribute, a call) is an error; values render as Python's str(); a
// single trailing newline of the template is dropped. With autoescape,
// rendered values have & < > " ' escaped.
Result<QString> renderTemplate(const QString &source, const Model::ValueMap &context,
                               bool autoescape = false);

// The context names `source` reads, in order of first use: {{ topic }} and
// {% if topic %} read "topic"; loop variables and {% set %} names are the
// template's own. Empty for a template that does not parse.
QStringList templateVariables(const QString &source);

} // namespace Signalbox::Engine
