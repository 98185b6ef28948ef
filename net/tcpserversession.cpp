#include "tcpserversession.h"

#include "trafficlog.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QVariant>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Enough for a burst of thousands of clients connecting at once: the default
// of 50 drops SYNs and makes them wait seconds for a retry.
constexpr int ListenBacklog = 4096;

// How long disconnectPeer() lets queued data drain before it aborts.
constexpr int DisconnectGraceMs = 2000;

QString listenErrorText(const QTcpServer &server, const QHostAddress &address, quint16 port)
{
    const QString where = Endpoint { address, port }.toString();
    switch (server.serverError()) {
    case QAbstractSocket::AddressInUseError:
        return u"port %1 is already in use (%2)"_s.arg(port).arg(where);
    case QAbstractSocket::SocketAccessError:
        return u"permission denied to listen on %1 (ports below 1024 need privileges)"_s.arg(where);
    case QAbstractSocket::SocketAddressNotAvailableError:
        return u"cannot listen on %1: %2 is not an address of this machine"_s.arg(
            where, address.toString());
    default:
        return u"cannot listen on %1: %2"_s.arg(where, server.errorString());
    }
}

} // namespace

TcpServerSession::TcpServerSession(const QString &name, QObject *parent)
    : Session(Kind::TcpServer, name, parent)
    , m_server(new QTcpServer(this))
{
    m_server->setListenBacklogSize(ListenBacklog);
    connect(m_server, &QTcpServer::newConnection, this, &TcpServerSession::acceptPending);
    connect(m_server, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        // Typically EMFILE: out of file descriptors. Say so; keep listening.
        reportError(u"cannot accept a connection: %1"_s.arg(m_server->errorString()));
    });
}

TcpServerSession::~TcpServerSession()
{
    // Sockets are children and die with us; no signals to a half-destroyed object.
    for (const auto &connection : std::as_const(m_peers))
        connection.socket->disconnect(this);
}

quint16 TcpServerSession::serverPort() const
{
    return m_server->isListening() ? m_server->serverPort() : 0;
}

Endpoint TcpServerSession::localEndpoint() const
{
    if (!m_server->isListening())
        return {};
    return { m_server->serverAddress(), m_server->serverPort() };
}

void TcpServerSession::start()
{
    if (state() != State::Idle)
        return;
    setState(State::Starting);
    if (!m_server->listen(m_address, m_port)) {
        const QString message = listenErrorText(*m_server, m_address, m_port);
        setState(State::Idle);
        reportError(message);
        return;
    }
    setState(State::Active);
    const Endpoint local = localEndpoint();
    logEvent(LogKind::Listening, 0, local, u"TCP"_s);
}

void TcpServerSession::stop()
{
    if (state() == State::Idle)
        return;
    setState(State::Stopping);
    m_server->close();
    const QList<quint64> ids = m_peers.keys();
    for (const quint64 id : ids) {
        if (auto it = m_peers.find(id); it != m_peers.end()) {
            QTcpSocket *socket = it->socket;
            socket->setProperty("socklabReason", u"server stopped"_s);
            socket->disconnectFromHost();
            if (socket->state() != QAbstractSocket::UnconnectedState)
                socket->abort();
            dropPeer(id, u"server stopped"_s);
        }
    }
    logEvent(LogKind::Info, 0, {}, u"stopped listening"_s);
    setState(State::Idle);
}

void TcpServerSession::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const Endpoint endpoint { plainAddress(socket->peerAddress()), socket->peerPort() };
        if (m_maxClients > 0 && m_peers.size() >= m_maxClients) {
            logEvent(LogKind::Info, 0, endpoint,
                u"refused %1: the limit of %2 clients is reached"_s.arg(endpoint.toString())
                    .arg(m_maxClients));
            socket->abort();
            socket->deleteLater();
            continue;
        }
        const quint64 id = m_nextPeerId++;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
        // UTC: the local time would cost a time-zone lookup (a stat of
        // /etc/localtime) per client; the peer list shows it in local time.
        Connection connection { socket, { id, endpoint, QDateTime::currentDateTimeUtc(), {} } };
        m_peers.insert(id, connection);

        connect(socket, &QTcpSocket::readyRead, this, [this, id] { readFrom(id); });
        connect(socket, &QTcpSocket::disconnected, this, [this, id, socket] {
            // Data that arrived with the FIN is still in the buffer: log it first.
            if (socket->bytesAvailable() > 0)
                readFrom(id);
            QString reason = socket->property("socklabReason").toString();
            if (reason.isEmpty()) {
                reason = socket->error() == QAbstractSocket::RemoteHostClosedError
                        || socket->error() == QAbstractSocket::UnknownSocketError
                    ? u"closed by peer"_s
                    : socket->errorString();
            }
            dropPeer(id, reason);
        });
        connect(socket, &QTcpSocket::bytesWritten, this, &Session::bytesWritten);

        logEvent(LogKind::Connected, id, endpoint, QString());
        Q_EMIT peerConnected(id, endpoint);
        if (socket->bytesAvailable() > 0)
            readFrom(id);
    }
}

void TcpServerSession::readFrom(quint64 peerId)
{
    auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return;
    const QByteArray data = takeBuffered(it->socket);
    if (data.isEmpty())
        return;
    it->info.counters.rxBytes += quint64(data.size());
    ++it->info.counters.rxPackets;
    const Endpoint endpoint = it->info.endpoint;
    handleReceived(peerId, endpoint, data);
}

void TcpServerSession::dropPeer(quint64 peerId, const QString &reason)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return;
    const Connection connection = *it;
    m_peers.erase(it);
    connection.socket->disconnect(this);
    connection.socket->deleteLater();
    logEvent(LogKind::Disconnected, peerId, connection.info.endpoint, reason);
    Q_EMIT peerDisconnected(peerId, connection.info.endpoint, reason);
}

bool TcpServerSession::writeTo(Connection &connection, const QByteArray &data)
{
    if (connection.socket->write(data) < 0) {
        reportError(u"cannot send to %1: %2"_s.arg(
            connection.info.endpoint.toString(), connection.socket->errorString()));
        return false;
    }
    connection.info.counters.txBytes += quint64(data.size());
    ++connection.info.counters.txPackets;
    handleSent(connection.info.id, connection.info.endpoint, data);
    return true;
}

bool TcpServerSession::send(const QByteArray &data)
{
    if (m_peers.isEmpty()) {
        reportError(u"no client is connected"_s);
        return false;
    }
    QList<quint64> ids = m_peers.keys();
    std::sort(ids.begin(), ids.end());
    return sendTo(ids, data) > 0;
}

bool TcpServerSession::sendTo(quint64 peerId, const QByteArray &data)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end()) {
        reportError(u"client #%1 is no longer connected"_s.arg(peerId));
        return false;
    }
    return writeTo(*it, data);
}

int TcpServerSession::sendTo(const QList<quint64> &peerIds, const QByteArray &data)
{
    int delivered = 0;
    for (const quint64 id : peerIds) {
        // Look up each time: a write may report an error that drops a peer.
        if (const auto it = m_peers.find(id); it != m_peers.end() && writeTo(*it, data))
            ++delivered;
    }
    return delivered;
}

void TcpServerSession::disconnectPeer(quint64 peerId)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return;
    QTcpSocket *socket = it->socket;
    socket->setProperty("socklabReason", u"disconnected by us"_s);
    // Graceful: queued data is still written, then FIN. disconnected() follows.
    socket->disconnectFromHost();
    // A peer that stops reading must not keep the connection (and its entry)
    // forever; abort() emits disconnected() with the reason set above.
    if (socket->state() != QAbstractSocket::UnconnectedState)
        QTimer::singleShot(DisconnectGraceMs, socket, [socket] { socket->abort(); });
}

void TcpServerSession::disconnectAll()
{
    const QList<quint64> ids = m_peers.keys();
    for (const quint64 id : ids)
        disconnectPeer(id);
}

qint64 TcpServerSession::pendingBytes() const
{
    qint64 most = 0;
    for (const auto &connection : m_peers)
        most = std::max(most, connection.socket->bytesToWrite());
    return most;
}

QList<PeerInfo> TcpServerSession::peers() const
{
    QList<PeerInfo> list;
    list.reserve(m_peers.size());
    for (const auto &connection : m_peers)
        list.append(connection.info);
    std::sort(
        list.begin(), list.end(), [](const PeerInfo &a, const PeerInfo &b) { return a.id < b.id; });
    return list;
}

std::optional<PeerInfo> TcpServerSession::peer(quint64 peerId) const
{
    const auto it = m_peers.constFind(peerId);
    if (it == m_peers.cend())
        return std::nullopt;
    return it->info;
}

void TcpServerSession::reply(quint64 peerId, const Endpoint &, const QByteArray &data)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return;
    const QPointer<QTcpSocket> socket = it->socket;
    // Into the kernel now, not on the event loop's next pass: a peer that
    // sends its request and half-closes (nc -N) makes Qt close the socket
    // as soon as it reads that FIN, dropping whatever it still buffers.
    if (writeTo(*it, data) && socket)
        socket->flush();
}
