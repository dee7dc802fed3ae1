// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QTimer;

namespace Signalbox::Ui {

// A short notice in the corner of its parent (a run ended, a run failed)
// that goes by itself after a few seconds; a click acts on it and closes
// it. A new notice replaces the one shown.
class Toast : public QFrame
{
    Q_OBJECT

public:
    enum class Kind { Success, Failure, Info };
    static constexpr int kShownMs = 6000;

    explicit Toast(QWidget *parent);
    void showNotice(const QString &text, Kind kind);
    QString text() const;

Q_SIGNALS:
    void clicked();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void place();

    QLabel *m_label;
    QTimer *m_timer;
};

} // namespace Signalbox::Ui
