// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Signalbox::App {

// The desktop application: `signalbox [--db FILE] [GRAPH.sbx.json]...` opens
// the main window with the given graphs. Returns the exit code.
int runDesktop(int &argc, char **argv);

} // namespace Signalbox::App
