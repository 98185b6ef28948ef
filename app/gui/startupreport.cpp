#include "startupreport.h"

#include "net/core/session.h"
#include "net/io/platform.h"

#include <QWidget>
#include <QWindow>

#include <chrono>

namespace {

// std::chrono::steady_clock is CLOCK_MONOTONIC on Linux, as a launcher reads it.
double monotonicMs()
{
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration<double, std::milli>(now).count();
}

} // namespace

StartupReport::StartupReport(const QString &path, QObject *parent)
    : QObject(parent)
    , m_file(path)
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
        m_file.setFileName(QString());
}

void StartupReport::watchWindow(QWidget *window)
{
    if (QWindow *handle = window->windowHandle())
        handle->installEventFilter(this);
}

void StartupReport::watchSession(Session *session)
{
    if (session->state() == Session::State::Active) {
        m_listening = true;
        record("listening");
        return;
    }
    connect(session, &Session::stateChanged, this, [this](Session::State state) {
        if (state == Session::State::Active && !m_listening) {
            m_listening = true;
            record("listening");
        }
    });
}

bool StartupReport::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Expose || m_exposed)
        return QObject::eventFilter(watched, event);
    // Handled here and now, so that the time taken is that of the first frame
    // painted and flushed, not of its request.
    watched->event(event);
    auto *window = qobject_cast<QWindow *>(watched);
    if (window && window->isExposed()) {
        m_exposed = true;
        record("window-exposed");
        watched->removeEventFilter(this);
    }
    return true;
}

void StartupReport::record(const char *milestone)
{
    if (!m_file.isOpen())
        return;
    const double sinceStart = platform::msSinceProcessStart();
    m_file.write(QByteArray(milestone) + ' ' + QByteArray::number(sinceStart, 'f', 1) + ' '
        + QByteArray::number(monotonicMs(), 'f', 1) + '\n');
}
