// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

#include <memory>
#include <type_traits>

namespace Signalbox::Ui {

// Runs `work()` on `pool` and then `done(result)` on the GUI thread, unless
// `context` is gone by then: a blocking call (SQL, a keychain) the window
// must not wait on. Work handed to one pool of one thread runs in order.
template<typename Work, typename Done>
void runOffThread(QThreadPool *pool, QObject *context, Work work, Done done)
{
    using R = std::invoke_result_t<Work>;
    QPointer<QObject> guard(context);
    pool->start([guard, work = std::move(work), done = std::move(done)]() mutable {
        auto result = std::make_shared<R>(work());
        QMetaObject::invokeMethod(QCoreApplication::instance(),
                                  [guard, result, done = std::move(done)]() mutable {
                                      if (guard)
                                          done(std::move(*result));
                                  });
    });
}

} // namespace Signalbox::Ui
