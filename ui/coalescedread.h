// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

namespace Signalbox::Ui {

// A view's read through the service, asked for by the change feed, by
// answers and by the user, often several times while one is going. It runs
// once at a time; asked meanwhile, it runs once more after, with the view's
// state then.
class CoalescedRead
{
public:
    explicit CoalescedRead(std::function<void()> start)
        : m_start(std::move(start))
    { }

    void request()
    {
        if (m_going) {
            m_again = true;
            return;
        }
        m_going = true;
        m_start();
    }
    // The read answered. True when nothing was asked meanwhile: the view
    // now shows the latest; otherwise the next read has started.
    bool answered()
    {
        m_going = false;
        if (!m_again)
            return true;
        m_again = false;
        request();
        return false;
    }

private:
    std::function<void()> m_start;
    bool m_going = false;
    bool m_again = false;
};

} // namespace Signalbox::Ui
