// SPDX-License-Identifier: GPL-3.0-or-later
#include "pinnames.h"

namespace Signalbox::Model {

QString basePinName(const QString &pinName)
{
    qsizetype cut = pinName.size();
    for (const QLatin1StringView split : {kDictSplit, kListSplit, kObjectSplit}) {
        const qsizetype at = pinName.indexOf(split);
        if (at >= 0)
            cut = qMin(cut, at);
    }
    return pinName.left(cut);
}

bool isToolPin(const QString &name)
{
    return name == QLatin1String("tools") || name.startsWith(kToolPrefix);
}

QString toolArgumentPin(const QString &node, const QString &input)
{
    return kToolPrefix + node + kToolSplit + input;
}

} // namespace Signalbox::Model
