#include "net/send/periodicsender.h"

#include "net/core/session.h"

using namespace Qt::StringLiterals;

PeriodicSender::PeriodicSender(Session *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &PeriodicSender::fire);
    if (session) {
        connect(session, &Session::stateChanged, this, [this](Session::State state) {
            if (state != Session::State::Active && isRunning())
                finish(SendResult::Status::SessionEnded,
                    u"the session stopped after %1 sends"_s.arg(m_sent));
        });
    }
}

bool PeriodicSender::start(const QByteArray &payload, int intervalMs, int count, QString *error)
{
    QString problem;
    if (!m_session)
        problem = u"no session to send through"_s;
    else if (payload.isEmpty())
        problem = u"nothing to send: the payload is empty"_s;
    else if (intervalMs < 1)
        problem = u"the interval must be at least 1 ms"_s;
    else if (count < 0)
        problem = u"the count cannot be negative"_s;
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    const bool wasRunning = isRunning();
    m_timer.stop(); // a new start replaces a running one
    m_payload = payload;
    m_count = count;
    m_sent = 0;
    // The first one goes now, the rest every interval. When it cannot go (the
    // session is not running, has nowhere to send) the start fails and says
    // why, rather than succeeding and finishing at once.
    if (!sendOnce()) {
        const QString why = m_session->errorString();
        if (wasRunning)
            Q_EMIT finished({ SendResult::Status::SendFailed, why, 0, 0 });
        if (error)
            *error = why;
        return false;
    }
    m_sent = 1;
    m_timer.start(intervalMs);
    Q_EMIT tick(m_sent);
    if (m_count == 1)
        finish(SendResult::Status::Done, {});
    return true;
}

void PeriodicSender::stop()
{
    if (isRunning())
        finish(SendResult::Status::Stopped, u"stopped after %1 sends"_s.arg(m_sent));
}

bool PeriodicSender::sendOnce()
{
    if (m_send)
        return m_send(m_payload);
    return m_session && m_session->send(m_payload);
}

void PeriodicSender::finish(SendResult::Status status, const QString &message)
{
    if (!m_timer.isActive())
        return;
    m_timer.stop();
    Q_EMIT finished({ status, message, qint64(m_sent) * m_payload.size(), m_sent });
}

void PeriodicSender::fire()
{
    if (!sendOnce()) {
        finish(SendResult::Status::SendFailed,
            m_session ? m_session->errorString() : u"the session is gone"_s);
        return;
    }
    ++m_sent;
    Q_EMIT tick(m_sent);
    if (m_count > 0 && m_sent >= m_count)
        finish(SendResult::Status::Done, {});
}
