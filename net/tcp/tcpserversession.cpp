#include "net/tcp/tcpserversession.h"

#include "net/core/logging.h"
#include "net/io/nativesocket.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpstream.h"

#include <QSocketNotifier>
#include <QTcpServer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Enough for a burst of thousands of clients connecting at once: the default
// of 50 drops SYNs and makes them wait seconds for a retry.
constexpr int ListenBacklog = 4096;

// How long disconnectPeer() lets queued data drain before it aborts.
constexpr int DisconnectGraceMs = 2000;

// Connections accepted per pass of the event loop: a crowd connecting at
// once is taken in slices, with timers and painting in between.
constexpr int AcceptsPerPass = 128;
// Out of descriptors (or memory): the clients wait in the kernel's queue,
// and accepting is tried again after this long.
constexpr int AcceptRetryMs = 250;

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
    , m_poller(new StreamPoller(this))
{
    m_server->setListenBacklogSize(ListenBacklog);
    m_acceptRetry.setSingleShot(true);
    connect(&m_acceptRetry, &QTimer::timeout, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
    });
}

TcpServerSession::~TcpServerSession()
{
    // Before QTcpServer (an older child) closes the descriptor it watches.
    delete m_acceptNotifier;
    // Streams are children and die with us; no signals to a half-destroyed object.
    for (const auto &connection : std::as_const(m_peers))
        connection.stream->disconnect(this);
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
    // QTcpServer listens (and words its errors); we accept, as descriptors
    // for TcpStream, and in slices.
    m_server->pauseAccepting();
    m_acceptNotifier
        = new QSocketNotifier(m_server->socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &TcpServerSession::acceptSome);
    m_acceptFailing = false;
    setState(State::Active);
    const Endpoint local = localEndpoint();
    logEvent(LogKind::Listening, 0, local, u"TCP"_s);
}

void TcpServerSession::acceptSome()
{
    const io::SocketHandle listener = io::socketFromQt(m_server->socketDescriptor());
    for (int taken = 0; taken < AcceptsPerPass && m_acceptNotifier; ++taken) {
        const io::SocketHandle socket = io::acceptConnection(listener);
        if (io::isValid(socket)) {
            if (m_acceptFailing) {
                m_acceptFailing = false;
                logEvent(LogKind::Info, 0, {}, u"accepting connections again"_s);
            }
            accept(socket);
            continue;
        }
        const int error = io::lastError();
        switch (io::classify(error)) {
        case io::ErrorKind::WouldBlock:
            return;
        case io::ErrorKind::Interrupted:
        case io::ErrorKind::Aborted: // that client gave up while queued, or a firewall refused it
        case io::ErrorKind::Reset:
            continue;
        default:
            // Typically EMFILE: out of descriptors. The listening socket
            // stays readable, so waiting here would spin: say so once, and
            // try again a little later (the clients wait in the queue).
            if (!m_acceptFailing) {
                m_acceptFailing = true;
                reportError(u"cannot accept a connection: %1 (%2 clients connected); "
                            "trying again every %3 ms"_s.arg(tcpErrorText(error))
                                .arg(m_peers.size())
                                .arg(AcceptRetryMs));
            }
            m_acceptNotifier->setEnabled(false);
            m_acceptRetry.start(AcceptRetryMs);
            return;
        }
    }
}

void TcpServerSession::stop()
{
    if (state() == State::Idle)
        return;
    setState(State::Stopping);
    m_acceptRetry.stop();
    if (m_acceptNotifier) {
        // Off before the descriptor it watches is closed; deleted later, as
        // stop() may be called from a slot while it is being emitted.
        m_acceptNotifier->setEnabled(false);
        m_acceptNotifier->deleteLater();
        m_acceptNotifier = nullptr;
    }
    m_server->close();
    const QList<quint64> ids = m_peers.keys();
    for (const quint64 id : ids) {
        // abort() ends the stream, and its ended() drops the peer.
        if (auto it = m_peers.find(id); it != m_peers.end())
            it->stream->abort(u"server stopped"_s);
    }
    logEvent(LogKind::Info, 0, {}, u"stopped listening"_s);
    setState(State::Idle);
}

void TcpServerSession::accept(io::SocketHandle socket)
{
    auto *stream = new TcpStream(socket, m_poller, this); // owned here until dropPeer()
    const Endpoint endpoint = stream->peer();
    if (m_maxClients > 0 && m_peers.size() >= m_maxClients) {
        logEvent(LogKind::Info, 0, endpoint,
            u"refused %1: the limit of %2 clients is reached"_s.arg(endpoint.toString())
                .arg(m_maxClients));
        delete stream; // closes the descriptor
        return;
    }
    if (!io::setNoDelay(socket, true))
        qCWarning(lcTcp, "TCP_NODELAY for %s: %s", qPrintable(endpoint.toString()),
            qPrintable(tcpErrorText(io::lastError())));
    const quint64 id = m_nextPeerId++;
    // UTC: the local time would cost a time-zone lookup (a stat of
    // /etc/localtime) per client; the peer list shows it in local time.
    m_peers.insert(id, { stream, { id, endpoint, QDateTime::currentDateTimeUtc(), {} } });

    connect(stream, &TcpStream::received, this, [this, id](const QByteArray &data) {
        const auto it = m_peers.find(id);
        if (it == m_peers.end())
            return;
        it->info.counters.rxBytes += quint64(data.size());
        ++it->info.counters.rxPackets;
        const Endpoint from = it->info.endpoint;
        handleReceived(id, from, data);
    });
    connect(stream, &TcpStream::peerHalfClosed, this, [this, id, endpoint](qint64 pending) {
        logEvent(LogKind::Info, id, endpoint, halfClosedText(pending));
    });
    connect(stream, &TcpStream::ended, this,
        [this, id](const StreamEnd &end) { dropPeer(id, end.text); });
    connect(stream, &TcpStream::bytesWritten, this, &Session::bytesWritten);

    logEvent(LogKind::Connected, id, endpoint, QString());
    Q_EMIT peerConnected(id, endpoint);
}

void TcpServerSession::dropPeer(quint64 peerId, const QString &reason)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return;
    const Connection connection = *it;
    m_peers.erase(it);
    connection.stream->disconnect(this);
    connection.stream->abort(reason);
    connection.stream->deleteLater();
    logEvent(LogKind::Disconnected, peerId, connection.info.endpoint, reason);
    Q_EMIT peerDisconnected(peerId, connection.info.endpoint, reason);
    // The backlog senders wait on may have been this peer's: say it shrank
    // (on the next pass, as a write would).
    QMetaObject::invokeMethod(this, &Session::bytesWritten, Qt::QueuedConnection);
}

bool TcpServerSession::writeTo(Connection &connection, const QByteArray &data)
{
    if (!connection.stream->write(data)) {
        reportError(u"cannot send to %1: %2"_s.arg(
            connection.info.endpoint.toString(), connection.stream->errorString()));
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
    // Graceful: queued data is still written, then our FIN ends it. A client
    // that stops reading is cut off after the grace time: it must not keep
    // the connection (and its entry) forever.
    it->stream->close(u"disconnected by us"_s, DisconnectGraceMs);
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
        most = std::max(most, connection.stream->bytesToWrite());
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
    writeTo(*it, data);
}
