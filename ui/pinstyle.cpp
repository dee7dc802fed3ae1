// SPDX-License-Identifier: GPL-3.0-or-later
#include "pinstyle.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QtMath>

namespace Signalbox::Ui {

using Model::PinType;

QColor pinColor(PinType type)
{
    switch (type) {
    case PinType::String:
        return QColor(0x2e, 0x7d, 0x32);
    case PinType::Number:
        return QColor(0x15, 0x65, 0xc0);
    case PinType::Integer:
        return QColor(0x00, 0x83, 0x8f);
    case PinType::Boolean:
        return QColor(0xc6, 0x28, 0x28);
    case PinType::Object:
        return QColor(0x6a, 0x1b, 0x9a);
    case PinType::List:
        return QColor(0xef, 0x6c, 0x00);
    case PinType::Any:
        return QColor(0x61, 0x61, 0x61);
    case PinType::Credentials:
        return QColor(0xa1, 0x88, 0x7f);
    }
    return QColor(Qt::gray);
}

QPainterPath pinShape(PinType type, qreal size)
{
    const qreal r = size / 2;
    QPainterPath path;
    switch (type) {
    case PinType::String:
        path.addEllipse(QPointF(0, 0), r, r);
        break;
    case PinType::Number:
    case PinType::Integer: {
        QPolygonF diamond({QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0)});
        path.addPolygon(diamond);
        path.closeSubpath();
        if (type == PinType::Integer)
            path.addRect(QRectF(-r / 3, -r / 3, 2 * r / 3, 2 * r / 3));
        break;
    }
    case PinType::Boolean:
        path.addRect(QRectF(-r * 0.85, -r * 0.85, 1.7 * r, 1.7 * r));
        break;
    case PinType::Object:
        path.addRoundedRect(QRectF(-r, -r * 0.8, 2 * r, 1.6 * r), r / 2, r / 2);
        break;
    case PinType::List: {
        QPolygonF triangle({QPointF(-r, -r), QPointF(r, 0), QPointF(-r, r)});
        path.addPolygon(triangle);
        path.closeSubpath();
        break;
    }
    case PinType::Any:
        path.addEllipse(QPointF(0, 0), r, r);
        path.addEllipse(QPointF(0, 0), r / 2.2, r / 2.2);
        break;
    case PinType::Credentials: {
        QPolygonF hexagon;
        for (int i = 0; i < 6; ++i) {
            const qreal angle = qDegreesToRadians(60.0 * i);
            hexagon << QPointF(r * qCos(angle), r * qSin(angle));
        }
        path.addPolygon(hexagon);
        path.closeSubpath();
        break;
    }
    }
    return path;
}

QString categoryDisplayName(const QString &category)
{
    // An initialism stays one: "AI".
    if (category.size() <= 2)
        return category.toUpper();
    return category.left(1).toUpper() + category.mid(1).toLower();
}

QIcon categoryIcon(const QString &category)
{
    static const QHash<QString, QColor> colours {
        {QStringLiteral("AGENT"), QColor(0x6a, 0x1b, 0x9a)},
        {QStringLiteral("AI"), QColor(0x00, 0x83, 0x8f)},
        {QStringLiteral("BASIC"), QColor(0x45, 0x5a, 0x64)},
        {QStringLiteral("DATA"), QColor(0x5d, 0x40, 0x37)},
        {QStringLiteral("INPUT"), QColor(0x2e, 0x7d, 0x32)},
        {QStringLiteral("LOGIC"), QColor(0xad, 0x14, 0x57)},
        {QStringLiteral("OUTPUT"), QColor(0x15, 0x65, 0xc0)},
        {QStringLiteral("TEXT"), QColor(0xef, 0x6c, 0x00)},
    };
    static QHash<QString, QIcon> made;
    if (const auto found = made.constFind(category); found != made.cend())
        return *found;
    const QColor colour = colours.value(category, QColor::fromHsv(int(qHash(category) % 360), 140, 150));
    QIcon icon;
    for (const int size : {16, 24, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), size / 5.0, size / 5.0);
        QFont font;
        font.setBold(true);
        font.setPixelSize(size * 5 / 8);
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(QRectF(0, 0, size, size), Qt::AlignCenter,
                         categoryDisplayName(category).left(1));
        painter.end();
        icon.addPixmap(pixmap);
    }
    made.insert(category, icon);
    return icon;
}

} // namespace Signalbox::Ui
