#pragma once

#include "net/core/session.h"

#include <QHash>
#include <QHostAddress>
#include <QList>

class QUdpSocket;
class QNetworkInterface;

// A UDP socket: binds an address and port, sends datagrams to a target
// (unicast, broadcast or multicast) or back to the last sender, joins and
// leaves multicast groups. Each datagram is one log entry with its source.
class UdpSession final : public Session
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UdpSession)

public:
    // IPv4 65,507, IPv6 65,527: the most a datagram can carry.
    static constexpr qint64 MaxDatagramIPv4 = 65'507;
    static constexpr qint64 MaxDatagramIPv6 = 65'527;

    explicit UdpSession(const QString &name = QStringLiteral("udp"), QObject *parent = nullptr);
    ~UdpSession() override;

    void setBindAddress(const QHostAddress &address) { m_bindAddress = address; }
    void setBindPort(quint16 port) { m_bindPort = port; }
    Endpoint localEndpoint() const;

    // The default destination of send(); an address literal is used at once,
    // a name is resolved when set (targetResolved or errorOccurred follows).
    void setTarget(const QString &host, quint16 port);
    Endpoint target() const { return m_target; }
    void clearTarget();
    // send() goes to the last sender instead of the target once one has spoken.
    void setReplyToSender(bool on) { m_replyToSender = on; }
    bool replyToSender() const { return m_replyToSender; }
    Endpoint lastSender() const { return m_lastSender; }

    // Datagrams to multicast groups leave with this TTL and on this interface
    // (name, e.g. "lo"); empty means the system's choice.
    void setMulticastInterface(const QString &name) { m_multicastInterface = name; }
    void setMulticastTtl(int ttl) { m_multicastTtl = ttl; }
    void setMulticastLoopback(bool on) { m_multicastLoopback = on; }
    // Groups are joined on start() or at once when already bound.
    bool joinGroup(const QHostAddress &group);
    bool leaveGroup(const QHostAddress &group);
    QList<QHostAddress> groups() const { return m_groups; }

    void start() override;
    void stop() override;
    bool send(const QByteArray &data) override;
    qint64 pendingBytes() const override { return 0; }
    qint64 maxChunk() const override;

    bool sendTo(const Endpoint &to, const QByteArray &data);
    bool replyToLast(const QByteArray &data);

Q_SIGNALS:
    void targetResolved(const Endpoint &target);

protected:
    void reply(quint64 peerId, const Endpoint &peer, const QByteArray &data) override;

private:
    void readPending();
    quint64 peerIdFor(const Endpoint &endpoint);
    bool joinNow(const QHostAddress &group);
    std::optional<QNetworkInterface> multicastInterface() const;
    void applyMulticastOptions();

    QUdpSocket *m_socket = nullptr; // child
    QHostAddress m_bindAddress = QHostAddress::Any;
    quint16 m_bindPort = 0;
    Endpoint m_target;
    QString m_pendingTargetHost;
    int m_lookupId = -1;
    bool m_replyToSender = false;
    Endpoint m_lastSender;
    QString m_multicastInterface;
    int m_multicastTtl = 1;
    bool m_multicastLoopback = true;
    QList<QHostAddress> m_groups;
    QHash<Endpoint, quint64> m_peerIds;
    quint64 m_nextPeerId = 1;
};
