#pragma once

#include "net/core/endpoint.h"
#include "net/core/responder.h"
#include "net/log/trafficlog.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

struct Counters
{
    quint64 rxBytes = 0;
    quint64 txBytes = 0;
    quint64 rxPackets = 0; // reads for TCP, datagrams for UDP
    quint64 txPackets = 0;
};

// What all sessions share: a state, an error text, counters, an encoding for
// the text the session itself interprets (time-server requests), a responder,
// and signals carrying raw bytes with their peer. Everything is event driven
// on the thread the session lives in.
class Session : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class Kind { TcpServer, TcpClient, Udp };
    Q_ENUM(Kind)
    // Active means listening (TCP server), connected (TCP client) or bound (UDP).
    enum class State { Idle, Starting, Active, Stopping };
    Q_ENUM(State)

    ~Session() override;

    Kind kind() const { return m_kind; }
    State state() const { return m_state; }
    QString errorString() const { return m_error; }
    QString name() const { return m_name; }
    static QString kindName(Kind kind); // "tcp-server", "tcp-client", "udp"

    // Entries go to the log under this session's name; the log must outlive
    // the session or be removed first.
    void setLog(TrafficLog *log);
    TrafficLog *log() const { return m_log; }
    int logId() const { return m_logId; }

    void setEncoding(const QString &canonical);
    QString encoding() const { return m_encoding; }

    void setResponder(const Responder &responder) { m_responder = responder; }
    const Responder &responder() const { return m_responder; }

    Counters counters() const { return m_counters; }
    void resetCounters() { m_counters = {}; }

    // Starts with the settings given before; the outcome arrives as
    // stateChanged(Active) or errorOccurred() and stateChanged(Idle).
    virtual void start() = 0;
    virtual void stop() = 0;

    // Sends to the session's default destination: every peer (TCP server), the
    // server (TCP client), the target or else the last sender (UDP). False,
    // with errorString() saying why, when there is nowhere to send.
    virtual bool send(const QByteArray &data) = 0;
    // Bytes accepted by send() and not yet handed to the kernel (the largest
    // backlog of any peer); senders wait for bytesWritten() while it is high.
    virtual qint64 pendingBytes() const = 0;
    // The largest chunk send() takes at once (a datagram's payload for UDP).
    virtual qint64 maxChunk() const { return 64 * 1024; }

Q_SIGNALS:
    void stateChanged(Session::State state);
    void errorOccurred(const QString &message);
    void received(quint64 peerId, const Endpoint &peer, const QByteArray &data);
    void sent(quint64 peerId, const Endpoint &peer, const QByteArray &data);
    void peerConnected(quint64 peerId, const Endpoint &peer);
    void peerDisconnected(quint64 peerId, const Endpoint &peer, const QString &reason);
    void bytesWritten();

protected:
    Session(Kind kind, const QString &name, QObject *parent);

    void setState(State state);
    // Records the error (errorString, log, errorOccurred) without changing state.
    void reportError(const QString &message);
    void logEvent(LogKind kind, quint64 peerId, const Endpoint &peer, const QString &text);
    // Counts, logs and announces data from a peer, then lets the responder answer.
    void handleReceived(quint64 peerId, const Endpoint &peer, const QByteArray &data);
    // Counts, logs and announces data handed to the socket.
    void handleSent(quint64 peerId, const Endpoint &peer, const QByteArray &data);
    // The responder's answer goes back to exactly this peer.
    virtual void reply(quint64 peerId, const Endpoint &peer, const QByteArray &data) = 0;

private:
    Kind m_kind;
    State m_state = State::Idle;
    QString m_name;
    QString m_error;
    QString m_encoding = QStringLiteral("UTF-8");
    Responder m_responder;
    Counters m_counters;
    QPointer<TrafficLog> m_log;
    int m_logId = 0;
};
