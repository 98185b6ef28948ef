#include "startupreport.h"

#include "net/core/session.h"

#include <QWidget>
#include <QWindow>

#include <ctime>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

double clockMs(clockid_t clock)
{
    timespec now {};
    ::clock_gettime(clock, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// The process's start on the CLOCK_BOOTTIME scale: field 22 of
// /proc/self/stat, in clock ticks since boot. -1 when unknown.
double processStartMs()
{
    QFile stat(u"/proc/self/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    // The command name (field 2) may hold spaces; the fields after it do not.
    const qsizetype nameEnd = line.lastIndexOf(')');
    if (nameEnd < 0)
        return -1;
    const QList<QByteArray> fields = line.mid(nameEnd + 2).split(' ');
    constexpr qsizetype StartTimeField = 22 - 3; // counted from field 3, the state
    bool ok = false;
    const qulonglong ticks = fields.value(StartTimeField).toULongLong(&ok);
    const long perSecond = ::sysconf(_SC_CLK_TCK);
    if (!ok || perSecond <= 0)
        return -1;
    return double(ticks) * 1e3 / double(perSecond);
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
    const double start = processStartMs();
    const double sinceStart = start < 0 ? -1 : clockMs(CLOCK_BOOTTIME) - start;
    m_file.write(QByteArray(milestone) + ' ' + QByteArray::number(sinceStart, 'f', 1) + ' '
        + QByteArray::number(clockMs(CLOCK_MONOTONIC), 'f', 1) + '\n');
}
