// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/net/httpclient.h"

#include <QStringList>
#include <QTextStream>

#include <functional>

namespace Signalbox::App {

// What `signalbox models ...` and `signalbox providers ...` are given.
struct ModelsCommand
{
    QString group;  // "models" or "providers"
    QString action; // list, add, remove, default, discover, stream / list, set-url, add, remove
    QStringList arguments;
    QString provider;
    QString title;
    QString baseUrl;
    QString wire;
    QString contextWindow;
    QString maxOutput;
    bool noKey = false;
    bool addFound = false;
    bool json = false;
    Engine::NetworkPolicy policy;
    // The API key of the credentials named by --credentials, for discovery.
    std::function<Result<QString>()> apiKey;
};

// Runs a models or providers command on the settings both faces share
// (Settings → Models). Returns the exit code.
int runModelsCommand(const ModelsCommand &command, QTextStream &out, QTextStream &err);

} // namespace Signalbox::App
