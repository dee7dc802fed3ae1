// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QString>

namespace Signalbox::Engine {

// AutoGPT's store_media_file for the files of one graph execution. Each
// execution has its own folder under the system's temporary folder; files
// are referred to by paths relative to it, or carried whole as data URIs.
namespace MediaFile {

// Where the files of graph execution `graphExecId` live.
QString executionFolder(const QString &graphExecId);

// Puts `file` in the execution's folder and returns its path relative to
// the folder, or with `returnContent` the file as a data URI. `file` is a
// data URI ("data:<mime>;base64,<data>", decoded into a new file), or a path
// inside the execution's folder. http(s) URLs are refused: downloading
// goes through the web-request blocks' client, which this build has not.
Result<QString> store(const QString &graphExecId, const QString &file, bool returnContent);

// The bytes of a stored file (a path `store` returned).
Result<QByteArray> read(const QString &graphExecId, const QString &relativePath);

// Python's bytes.decode('utf-8'), falling back to latin-1 on invalid input.
QString decodeText(const QByteArray &bytes);

// Removes the execution's folder and everything in it.
void removeExecutionFolder(const QString &graphExecId);

} // namespace MediaFile

} // namespace Signalbox::Engine
