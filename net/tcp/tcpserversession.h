#pragma once

#include "net/core/session.h"
#include "net/io/nativesocket.h"

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QTimer>

class QSocketNotifier;
class QTcpServer;
class StreamPoller;
class TcpStream;

struct PeerInfo
{
    quint64 id = 0;
    Endpoint endpoint;
    QDateTime connectedAt;
    Counters counters;
};

// A TCP server: listens on one address (IPv4, IPv6 or both), holds many
// clients at once, each known by an id, and sends to one, some or all.
class TcpServerSession final : public Session
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpServerSession)

public:
    explicit TcpServerSession(
        const QString &name = QStringLiteral("tcp-server"), QObject *parent = nullptr);
    ~TcpServerSession() override;

    void setListenAddress(const QHostAddress &address) { m_address = address; }
    QHostAddress listenAddress() const { return m_address; }
    void setListenPort(quint16 port) { m_port = port; }
    // The port actually listened on (the kernel's choice when 0 was asked for).
    quint16 serverPort() const;
    Endpoint localEndpoint() const;
    // 0 means no limit; a client beyond the limit is accepted and closed at once.
    void setMaxClients(int max) { m_maxClients = max; }
    int maxClients() const { return m_maxClients; }

    void start() override;
    void stop() override;
    bool send(const QByteArray &data) override; // to every peer
    qint64 pendingBytes() const override;

    bool sendTo(quint64 peerId, const QByteArray &data);
    int sendTo(const QList<quint64> &peerIds, const QByteArray &data); // how many got it
    void disconnectPeer(quint64 peerId);
    void disconnectAll();

    int peerCount() const { return int(m_peers.size()); }
    QList<PeerInfo> peers() const; // in connection order
    std::optional<PeerInfo> peer(quint64 peerId) const;

protected:
    void reply(quint64 peerId, const Endpoint &peer, const QByteArray &data) override;

private:
    struct Connection
    {
        TcpStream *stream = nullptr; // owned by the session (child)
        PeerInfo info;
    };

    void acceptSome();
    void accept(io::SocketHandle socket);
    void dropPeer(quint64 peerId, const QString &reason);
    bool writeTo(Connection &connection, const QByteArray &data);

    QTcpServer *m_server = nullptr; // child
    StreamPoller *m_poller = nullptr; // child: readiness of every client's stream
    QSocketNotifier *m_acceptNotifier = nullptr; // child, while listening
    QTimer m_acceptRetry;
    bool m_acceptFailing = false;
    QHostAddress m_address = QHostAddress::Any;
    quint16 m_port = 0;
    int m_maxClients = 0;
    quint64 m_nextPeerId = 1;
    QHash<quint64, Connection> m_peers;
};
