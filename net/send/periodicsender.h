#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "net/send/sendresult.h"

class Session;

// Sends the same bytes through a session every interval, count times (0 =
// until stopped). Refuses an empty payload, so it never loops sending nothing.
class PeriodicSender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeriodicSender)

public:
    using SendFunction = ::SendFunction;

    explicit PeriodicSender(Session *session, QObject *parent = nullptr);

    // Sends through this instead of Session::send (e.g. to the selected peers
    // of a server); it returns false when the send failed.
    void setSendFunction(SendFunction send) { m_send = std::move(send); }

    // False with an error when the payload is empty, the interval below 1 ms
    // or the count negative, or when the first send (made at once) fails.
    bool start(const QByteArray &payload, int intervalMs, int count, QString *error);
    // Ends a running send (finished() with Stopped); nothing when none runs.
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    int sentCount() const { return m_sent; }
    int count() const { return m_count; }

Q_SIGNALS:
    void tick(int sent);
    // Once per start() that succeeded (and once when a new start() replaces a
    // running send and fails): Done when the count was reached.
    void finished(const SendResult &result);

private:
    void fire();
    bool sendOnce();
    void finish(SendResult::Status status, const QString &message);

    QPointer<Session> m_session;
    SendFunction m_send;
    QTimer m_timer;
    QByteArray m_payload;
    int m_count = 0;
    int m_sent = 0;
};
