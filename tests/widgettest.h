#pragma once

// Driving the window's widgets from a test as a user would: keys and clicks
// on children found by object name, under QT_QPA_PLATFORM=offscreen.
// Header-only, test use only.

#include <QComboBox>
#include <QLineEdit>
#include <QString>
#include <QTest>
#include <QVariant>
#include <QWidget>

namespace widgettest {

// Replaces the text of a line edit, text edit or spin box by typing.
inline void typeInto(QWidget *widget, const QString &text)
{
    QTest::keyClick(widget, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(widget, Qt::Key_Delete);
    QTest::keyClicks(widget, text);
}

inline void typeInto(QComboBox *editable, const QString &text)
{
    typeInto(editable->lineEdit(), text);
}

// Picks the item with this data with the keyboard (Home, then Down).
inline bool choose(QComboBox *box, const QVariant &data)
{
    QTest::keyClick(box, Qt::Key_Home);
    for (int i = 0; i < box->count() && box->currentData() != data; ++i)
        QTest::keyClick(box, Qt::Key_Down);
    return box->currentData() == data;
}

inline void click(QWidget *widget)
{
    QTest::mouseClick(widget, Qt::LeftButton);
}

// The offscreen platform warns on every top-level layout; it is not news.
// Installed for the whole test program, from initTestCase() to
// cleanupTestCase(), so that the warnings a test looks for stand out.
class OffscreenNoiseFilter
{
public:
    static void install() { previous() = qInstallMessageHandler(&filter); }
    static void uninstall() { qInstallMessageHandler(previous()); }

private:
    static QtMessageHandler &previous()
    {
        static QtMessageHandler handler = nullptr;
        return handler;
    }
    static void filter(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (type == QtWarningMsg
            && message == QStringLiteral("This plugin does not support propagateSizeHints()"))
            return;
        previous()(type, context, message);
    }
};

} // namespace widgettest
