#include "tcpclientsession.h"

#include "trafficlog.h"

#include <QTcpSocket>
#include <QVariant>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int FirstReconnectDelayMs = 500;
constexpr int LastReconnectDelayMs = 30'000;

// The kernel's view of a TCP socket after Qt has seen its end: TCP_CLOSE with
// no FIN from the peer means a reset; CLOSE_WAIT (or LAST_ACK) means the peer
// closed cleanly.
enum class TcpEnd { Unknown, ClosedByPeer, Reset };

TcpEnd tcpEnd(int fd)
{
    if (fd < 0)
        return TcpEnd::Unknown;
    tcp_info info {};
    socklen_t length = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
        return TcpEnd::Unknown;
    switch (info.tcpi_state) {
    case TCP_CLOSE:
        return TcpEnd::Reset;
    case TCP_CLOSE_WAIT:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
    case TCP_CLOSING:
        return TcpEnd::ClosedByPeer;
    default:
        return TcpEnd::Unknown;
    }
}

} // namespace

TcpClientSession::TcpClientSession(const QString &name, QObject *parent)
    : Session(Kind::TcpClient, name, parent)
{
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (state() != State::Starting || !m_socket)
            return;
        const QString message
            = u"connection to %1:%2 timed out after %3 ms"_s.arg(m_host).arg(m_port).arg(
                m_connectTimeoutMs);
        closeSocket();
        if (m_autoReconnect) {
            reportError(message);
            scheduleReconnect(message);
        } else {
            setState(State::Idle);
            reportError(message);
        }
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &TcpClientSession::connectNow);
}

TcpClientSession::~TcpClientSession()
{
    if (m_socket)
        m_socket->disconnect(this);
    if (m_watchFd >= 0)
        ::close(m_watchFd);
}

Endpoint TcpClientSession::localEndpoint() const
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return {};
    return { plainAddress(m_socket->localAddress()), m_socket->localPort() };
}

void TcpClientSession::start()
{
    if (state() != State::Idle)
        return;
    if (m_host.isEmpty() || m_port == 0) {
        reportError(m_host.isEmpty() ? u"no remote host given"_s : u"no remote port given"_s);
        return;
    }
    // Refused here rather than sent to the resolver ("999.1.1.1" is no name).
    if (const QString problem = remoteHostError(m_host); !problem.isEmpty()) {
        reportError(problem);
        return;
    }
    m_stopping = false;
    m_reconnectAttempt = 0;
    connectNow();
}

void TcpClientSession::connectNow()
{
    closeSocket();
    setState(State::Starting);
    m_socket = new QTcpSocket(this);
    // Bound before any signal is connected: a failed bind() emits
    // errorOccurred() at once, and onSocketError() would delete the socket
    // under our feet and report the failure as a connect error.
    if (!m_localAddress.isNull() || m_localPort != 0) {
        const QHostAddress local
            = m_localAddress.isNull() ? QHostAddress(QHostAddress::Any) : m_localAddress;
        if (!m_socket->bind(local, m_localPort, QAbstractSocket::ReuseAddressHint)) {
            const QString message = m_socket->error() == QAbstractSocket::AddressInUseError
                ? u"local port %1 is already in use"_s.arg(m_localPort)
                : u"cannot bind local address %1: %2"_s.arg(
                    Endpoint { local, m_localPort }.toString(), m_socket->errorString());
            closeSocket();
            setState(State::Idle);
            reportError(message);
            return;
        }
    }
    connect(m_socket, &QTcpSocket::connected, this, &TcpClientSession::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &TcpClientSession::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpClientSession::onSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpClientSession::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &Session::bytesWritten);

    logEvent(LogKind::Info, 0, {}, u"connecting to %1:%2"_s.arg(m_host).arg(m_port));
    m_socket->connectToHost(m_host, m_port);
    if (m_connectTimeoutMs > 0)
        m_connectTimer.start(m_connectTimeoutMs);
}

void TcpClientSession::onConnected()
{
    m_connectTimer.stop();
    m_reconnectAttempt = 0;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
    m_peer = { plainAddress(m_socket->peerAddress()), m_socket->peerPort() };
    if (m_watchFd >= 0)
        ::close(m_watchFd);
    m_watchFd = ::fcntl(int(m_socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    ++m_connectionId;
    setState(State::Active);
    logEvent(
        LogKind::Connected, m_connectionId, m_peer, u"from %1"_s.arg(localEndpoint().toString()));
    Q_EMIT peerConnected(m_connectionId, m_peer);
}

void TcpClientSession::onReadyRead()
{
    if (!m_socket)
        return;
    const QByteArray data = takeBuffered(m_socket);
    if (!data.isEmpty())
        handleReceived(m_connectionId, m_peer, data);
}

void TcpClientSession::onSocketError()
{
    if (!m_socket || state() != State::Starting)
        return; // errors on an open connection end in disconnected()
    m_connectTimer.stop();
    QString message;
    switch (m_socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        message = u"connection to %1:%2 refused"_s.arg(m_host).arg(m_port);
        break;
    case QAbstractSocket::HostNotFoundError:
        message = u"host '%1' not found"_s.arg(m_host);
        break;
    case QAbstractSocket::NetworkError:
        message = u"cannot reach %1:%2: %3"_s.arg(m_host).arg(m_port).arg(m_socket->errorString());
        break;
    default:
        message
            = u"cannot connect to %1:%2: %3"_s.arg(m_host).arg(m_port).arg(m_socket->errorString());
        break;
    }
    closeSocket();
    if (m_autoReconnect && !m_stopping) {
        reportError(message);
        scheduleReconnect(message);
    } else {
        setState(State::Idle);
        reportError(message);
    }
}

QString TcpClientSession::disconnectReason()
{
    if (m_stopping)
        return u"closed by us"_s;
    switch (tcpEnd(m_watchFd)) {
    case TcpEnd::Reset:
        return u"connection reset by peer"_s;
    case TcpEnd::ClosedByPeer:
        return u"closed by peer"_s;
    case TcpEnd::Unknown:
        break;
    }
    return m_socket && m_socket->error() != QAbstractSocket::RemoteHostClosedError
        ? m_socket->errorString()
        : u"closed by peer"_s;
}

void TcpClientSession::onDisconnected()
{
    if (m_socket && m_socket->bytesAvailable() > 0)
        onReadyRead();
    const QString reason = disconnectReason();
    const bool reset = !m_stopping && reason == u"connection reset by peer"_s;
    if (m_watchFd >= 0) {
        ::close(m_watchFd);
        m_watchFd = -1;
    }
    logEvent(LogKind::Disconnected, m_connectionId, m_peer, reason);
    Q_EMIT peerDisconnected(m_connectionId, m_peer, reason);
    if (reset)
        reportError(u"%1: connection reset by peer"_s.arg(m_peer.toString()));
    closeSocket();
    if (m_autoReconnect && !m_stopping)
        scheduleReconnect(reason);
    else
        setState(State::Idle);
}

void TcpClientSession::closeSocket()
{
    m_connectTimer.stop();
    // The duplicate descriptor would keep the connection open after Qt closed its own.
    if (m_watchFd >= 0) {
        ::close(m_watchFd);
        m_watchFd = -1;
    }
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

void TcpClientSession::scheduleReconnect(const QString &why)
{
    const int delay
        = std::min(LastReconnectDelayMs, FirstReconnectDelayMs << std::min(m_reconnectAttempt, 6));
    ++m_reconnectAttempt;
    setState(State::Starting);
    logEvent(LogKind::Info, 0, {}, u"reconnecting in %1 ms (%2)"_s.arg(delay).arg(why));
    m_reconnectTimer.start(delay);
}

void TcpClientSession::stop()
{
    if (state() == State::Idle)
        return;
    m_stopping = true;
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (m_socket && state() == State::Stopping) {
        // Asked again while queued data is still going out: stop now. abort()
        // emits disconnected(), and onDisconnected() ends the stop as usual.
        m_socket->abort();
        if (state() == State::Idle)
            return;
    }
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        setState(State::Stopping);
        QTcpSocket *socket = m_socket;
        // Queued data still goes out, then FIN; disconnected() finishes the stop.
        socket->disconnectFromHost();
        if (m_socket == socket && socket->state() != QAbstractSocket::UnconnectedState) {
            // A peer that stops reading must not keep us from stopping.
            QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
        }
        return;
    }
    closeSocket();
    logEvent(LogKind::Info, 0, {}, u"stopped"_s);
    setState(State::Idle);
}

bool TcpClientSession::send(const QByteArray &data)
{
    if (state() != State::Active || !m_socket) {
        reportError(u"not connected"_s);
        return false;
    }
    if (m_socket->write(data) < 0) {
        reportError(u"cannot send to %1: %2"_s.arg(m_peer.toString(), m_socket->errorString()));
        return false;
    }
    handleSent(m_connectionId, m_peer, data);
    return true;
}

qint64 TcpClientSession::pendingBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void TcpClientSession::reply(quint64, const Endpoint &, const QByteArray &data)
{
    // Into the kernel now (see TcpServerSession::reply): Qt drops what it
    // still buffers when it reads the peer's FIN.
    if (send(data) && m_socket)
        m_socket->flush();
}
