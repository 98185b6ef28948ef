#include "net/core/sessionfactory.h"

#include "net/core/sessionconfig.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "net/udp/udpsession.h"

namespace SessionFactory {

Session *create(Session::Kind kind, const QString &name, QObject *parent)
{
    switch (kind) {
    case Session::Kind::TcpServer:
        return new TcpServerSession(name, parent);
    case Session::Kind::TcpClient:
        return new TcpClientSession(name, parent);
    case Session::Kind::Udp:
        return new UdpSession(name, parent);
    }
    Q_UNREACHABLE();
    return nullptr;
}

Session *create(const SessionConfig &config, const QString &name, QObject *parent)
{
    Session *session = create(config.kind, name, parent);
    configure(*session, config);
    return session;
}

void configure(Session &session, const SessionConfig &config)
{
    Q_ASSERT(session.kind() == config.kind);
    if (auto *server = qobject_cast<TcpServerSession *>(&session)) {
        server->setListenAddress(config.localAddress);
        server->setListenPort(config.localPort);
        server->setMaxClients(config.maxClients);
    } else if (auto *client = qobject_cast<TcpClientSession *>(&session)) {
        client->setRemote(config.remoteHost, config.remotePort);
        // "Any" as a local address means no bind to an address, only a port.
        client->setLocalAddress(config.hasLocal && config.localAddress != QHostAddress::Any
                ? config.localAddress
                : QHostAddress());
        client->setLocalPort(config.hasLocal ? config.localPort : 0);
        client->setConnectTimeout(config.connectTimeoutMs);
        client->setAutoReconnect(config.reconnect);
    } else if (auto *udp = qobject_cast<UdpSession *>(&session)) {
        udp->setBindAddress(config.localAddress);
        udp->setBindPort(config.localPort);
        udp->setReplyToSender(config.replyToSender);
        udp->setMulticastInterface(config.multicastInterface);
        udp->setMulticastTtl(config.ttl);
        const QList<QHostAddress> joined = udp->groups();
        for (const QHostAddress &group : joined) {
            if (!config.groups.contains(group))
                udp->leaveGroup(group);
        }
        for (const QHostAddress &group : config.groups) {
            if (!joined.contains(group))
                udp->joinGroup(group);
        }
        if (config.remoteHost.isEmpty())
            udp->clearTarget();
        else
            udp->setTarget(config.remoteHost, config.remotePort);
    }
    session.setEncoding(config.encoding);
    session.setResponder(config.responder);
}

SendFunction repeatFunction(Session &session)
{
    if (auto *server = qobject_cast<TcpServerSession *>(&session)) {
        return [server](const QByteArray &bytes) {
            return server->peerCount() == 0 || server->send(bytes);
        };
    }
    return [&session](const QByteArray &bytes) { return session.send(bytes); };
}

} // namespace SessionFactory
