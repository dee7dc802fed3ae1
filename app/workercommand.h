// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/service/queueworker.h"

#include <QTextStream>

namespace Signalbox::App {

// `signalbox worker`: runs queued runs from the store through `service`
// until SIGINT or SIGTERM, saying on `out` what it takes and how each run
// ends, and on `err` what goes wrong meanwhile. Runs still going at the end
// stay resumable; their leases run out and another worker takes them over.
int runWorker(Engine::RunService &service, const Engine::WorkerOptions &options,
              QTextStream &out, QTextStream &err);

} // namespace Signalbox::App
