// SPDX-License-Identifier: GPL-3.0-or-later
#include "toast.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>

namespace Signalbox::Ui {

Toast::Toast(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("toast"));
    setAccessibleName(tr("Notice"));
    setFrameShape(QFrame::StyledPanel);
    setCursor(Qt::PointingHandCursor);
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_label->setMaximumWidth(380);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->addWidget(m_label);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &QWidget::hide);
    parent->installEventFilter(this);
    hide();
}

void Toast::showNotice(const QString &text, Kind kind)
{
    const QString accent = kind == Kind::Success ? QStringLiteral("#2e7d32")
        : kind == Kind::Failure                  ? QStringLiteral("#c62828")
                                                 : QStringLiteral("#455a64");
    setStyleSheet(QStringLiteral("#toast { background: palette(window); border: 1px solid %1; "
                                 "border-left: 5px solid %1; border-radius: 6px; }")
                      .arg(accent));
    m_label->setText(text);
    adjustSize();
    place();
    show();
    raise();
    m_timer->start(kShownMs);
}

QString Toast::text() const
{
    return m_label->text();
}

void Toast::mousePressEvent(QMouseEvent *)
{
    hide();
    Q_EMIT clicked();
}

bool Toast::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize && isVisible())
        place();
    return QFrame::eventFilter(watched, event);
}

void Toast::place()
{
    // Bottom right, above the status bar.
    const QWidget *area = parentWidget();
    move(area->width() - width() - 16, area->height() - height() - 40);
}

} // namespace Signalbox::Ui
