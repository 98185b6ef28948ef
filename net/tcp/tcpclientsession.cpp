#include "net/tcp/tcpclientsession.h"

#include "net/core/logging.h"
#include "net/io/nativesocket.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpstream.h"

#include <QTcpSocket>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int FirstReconnectDelayMs = 500;
constexpr int LastReconnectDelayMs = 30'000;
// How long stop() lets queued data drain before it aborts.
constexpr int StopGraceMs = 2000;

} // namespace

TcpClientSession::TcpClientSession(const QString &name, QObject *parent)
    : Session(Kind::TcpClient, name, parent)
    , m_poller(new StreamPoller(this))
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
    if (m_stream)
        m_stream->disconnect(this);
}

Endpoint TcpClientSession::localEndpoint() const
{
    return m_stream && m_stream->isOpen() ? m_stream->local() : Endpoint {};
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
    closeStream();
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
    // QTcpSocket resolves the name, connects and reports why it could not;
    // the connection itself is then read and written by a TcpStream.
    connect(m_socket, &QTcpSocket::connected, this, &TcpClientSession::onConnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpClientSession::onSocketError);

    // An IPv6 literal is written in brackets before its port, as everywhere.
    const QString where = m_host.contains(u':') ? u"[%1]:%2"_s.arg(m_host).arg(m_port)
                                                : u"%1:%2"_s.arg(m_host).arg(m_port);
    logEvent(LogKind::Info, 0, {}, u"connecting to %1"_s.arg(where));
    m_socket->connectToHost(m_host, m_port);
    if (m_connectTimeoutMs > 0)
        m_connectTimer.start(m_connectTimeoutMs);
}

void TcpClientSession::onConnected()
{
    m_connectTimer.stop();
    m_reconnectAttempt = 0;
    // Our own descriptor for the connection; Qt's goes with its socket.
    const io::SocketHandle socket = io::duplicate(io::socketFromQt(m_socket->socketDescriptor()));
    if (!io::isValid(socket)) {
        const QString message
            = u"cannot take over the connection to %1:%2: %3"_s.arg(m_host).arg(m_port).arg(
                qt_error_string(io::lastError()));
        closeSocket();
        setState(State::Idle);
        reportError(message);
        return;
    }
    // Nothing is read before connected(), but should Qt have buffered any
    // bytes, they come first.
    const QByteArray early = m_socket->readAll();
    closeSocket();
    if (!io::setNoDelay(socket, true))
        qCWarning(lcTcp, "TCP_NODELAY to %s:%u: %s", qPrintable(m_host), unsigned(m_port),
            qPrintable(tcpErrorText(io::lastError())));
    m_stream = new TcpStream(socket, m_poller, this); // child, replaced per connection
    m_peer = m_stream->peer();
    connect(m_stream, &TcpStream::received, this,
        [this](const QByteArray &data) { handleReceived(m_connectionId, m_peer, data); });
    connect(m_stream, &TcpStream::peerHalfClosed, this, [this](qint64 pending) {
        logEvent(LogKind::Info, m_connectionId, m_peer, halfClosedText(pending));
    });
    connect(m_stream, &TcpStream::ended, this, &TcpClientSession::onEnded);
    connect(m_stream, &TcpStream::bytesWritten, this, &Session::bytesWritten);
    ++m_connectionId;
    setState(State::Active);
    logEvent(
        LogKind::Connected, m_connectionId, m_peer, u"from %1"_s.arg(localEndpoint().toString()));
    Q_EMIT peerConnected(m_connectionId, m_peer);
    if (!early.isEmpty() && m_stream)
        handleReceived(m_connectionId, m_peer, early);
}

void TcpClientSession::onSocketError()
{
    if (!m_socket || state() != State::Starting)
        return;
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

void TcpClientSession::onEnded(const StreamEnd &end)
{
    const QString reason = end.text;
    const bool reset = !m_stopping && end.reason == StreamEnd::Reason::Reset;
    logEvent(LogKind::Disconnected, m_connectionId, m_peer, reason);
    Q_EMIT peerDisconnected(m_connectionId, m_peer, reason);
    if (reset)
        reportError(u"%1: connection reset by peer"_s.arg(m_peer.toString()));
    closeStream();
    if (m_autoReconnect && !m_stopping)
        scheduleReconnect(reason);
    else
        setState(State::Idle);
}

void TcpClientSession::closeStream()
{
    if (!m_stream)
        return;
    m_stream->disconnect(this);
    m_stream->abort({});
    m_stream->deleteLater();
    m_stream = nullptr;
}

void TcpClientSession::closeSocket()
{
    m_connectTimer.stop();
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
    if (m_stream && state() == State::Stopping) {
        // Asked again while queued data is still going out: stop now. The
        // stream's ended() ends the stop as usual.
        m_stream->abort(u"closed by us"_s);
        return;
    }
    if (m_stream && m_stream->isOpen()) {
        setState(State::Stopping);
        // Queued data still goes out, then our FIN ends it; a server that
        // stops reading is cut off after the grace time.
        m_stream->close(u"closed by us"_s, StopGraceMs);
        return;
    }
    closeStream();
    closeSocket();
    logEvent(LogKind::Info, 0, {}, u"stopped"_s);
    setState(State::Idle);
}

bool TcpClientSession::send(const QByteArray &data)
{
    if (state() != State::Active || !m_stream) {
        reportError(u"not connected"_s);
        return false;
    }
    if (!m_stream->write(data)) {
        reportError(u"cannot send to %1: %2"_s.arg(m_peer.toString(), m_stream->errorString()));
        return false;
    }
    handleSent(m_connectionId, m_peer, data);
    return true;
}

qint64 TcpClientSession::pendingBytes() const
{
    return m_stream ? m_stream->bytesToWrite() : 0;
}

void TcpClientSession::reply(quint64, const Endpoint &, const QByteArray &data)
{
    send(data);
}
