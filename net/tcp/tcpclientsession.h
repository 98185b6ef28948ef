#pragma once

#include "net/core/session.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTimer>

class QTcpSocket;
class StreamPoller;
class TcpStream;
struct StreamEnd;

// A TCP client: connects to a host name or address, optionally from a chosen
// local address and port, with a connect timeout and optional reconnection
// with back-off. Tells a clean close by the peer from a reset.
class TcpClientSession final : public Session
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpClientSession)

public:
    explicit TcpClientSession(
        const QString &name = QStringLiteral("tcp-client"), QObject *parent = nullptr);
    ~TcpClientSession() override;

    void setRemote(const QString &host, quint16 port)
    {
        m_host = host;
        m_port = port;
    }
    QString remoteHost() const { return m_host; }
    quint16 remotePort() const { return m_port; }
    void setLocalAddress(const QHostAddress &address) { m_localAddress = address; }
    void setLocalPort(quint16 port) { m_localPort = port; }
    void setConnectTimeout(int msecs) { m_connectTimeoutMs = msecs; }
    int connectTimeout() const { return m_connectTimeoutMs; }
    // Reconnects after a failed attempt or a lost connection, waiting
    // 0.5 s, 1 s, 2 s ... up to 30 s; a successful connection resets the wait.
    void setAutoReconnect(bool on) { m_autoReconnect = on; }
    bool autoReconnect() const { return m_autoReconnect; }

    void start() override;
    void stop() override;
    bool send(const QByteArray &data) override;
    qint64 pendingBytes() const override;

    Endpoint peerEndpoint() const { return m_peer; }
    Endpoint localEndpoint() const;
    // The wait before the next reconnection attempt, 0 when none is scheduled.
    int reconnectDelay() const
    {
        return m_reconnectTimer.isActive() ? m_reconnectTimer.interval() : 0;
    }

protected:
    void reply(quint64 peerId, const Endpoint &peer, const QByteArray &data) override;

private:
    void connectNow();
    void onConnected();
    void onSocketError();
    void onEnded(const StreamEnd &end);
    void closeSocket();
    void closeStream();
    void scheduleReconnect(const QString &why);

    QTcpSocket *m_socket = nullptr; // child, connects; replaced per attempt
    StreamPoller *m_poller = nullptr; // child
    TcpStream *m_stream = nullptr; // child, the connection once made
    QString m_host;
    quint16 m_port = 0;
    QHostAddress m_localAddress;
    quint16 m_localPort = 0;
    int m_connectTimeoutMs = 10'000;
    bool m_autoReconnect = false;
    bool m_stopping = false;
    int m_reconnectAttempt = 0;
    quint64 m_connectionId = 0;
    Endpoint m_peer;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
};
