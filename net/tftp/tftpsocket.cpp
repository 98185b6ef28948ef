#include "net/tftp/tftpsocket.h"

#include "net/core/endpoint.h"
#include "net/core/logging.h"
#include "net/tftp/tftppacket.h"

#include <QNetworkProxy>
#include <QUdpSocket>
#include <QVariant>

#include <algorithm>

// The raw path is for UNIX with the native I/O backend; the portable backend
// (SOCKLAB_IO_PORTABLE, the default off Linux) keeps to QUdpSocket, so that
// what Windows and macOS run is what that build tests.
#if defined(Q_OS_UNIX) && !defined(SOCKLAB_IO_PORTABLE)
#define SOCKLAB_TFTP_RAW 1
#endif

#ifdef SOCKLAB_TFTP_RAW
#include <QEvent>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace {

// Socket buffers get at least this much (the usual default is 208 KiB).
constexpr int MinSocketBuffer = 256 * 1024;

} // namespace

#ifdef SOCKLAB_TFTP_RAW
// QUdpSocket owns and binds the socket, but each datagram through it costs
// two QHostAddress allocations, three signals and a notifier toggle, more
// than the system calls themselves at 512 bytes per block. So DATA and ACK
// go through a duplicate of its descriptor, watched by a notifier of our
// own, with the peer kept as a sockaddr to compare and send to. Requests and
// errors still go through QUdpSocket.
namespace {

// Calls its handler straight from the event, without emitting activated()
// (two signals, each with its arguments marshalled, for every datagram).
class ReadNotifier final : public QSocketNotifier
{
public:
    ReadNotifier(qintptr descriptor, const std::function<void()> &handler)
        : QSocketNotifier(descriptor, QSocketNotifier::Read)
        , m_handler(handler)
    { }

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::SockAct)
            return QSocketNotifier::event(event);
        m_handler();
        return true;
    }

private:
    const std::function<void()> &m_handler; // the TftpSocket's, which outlives this
};

bool sameSocketAddress(const sockaddr_storage &a, const sockaddr_storage &b)
{
    if (a.ss_family != b.ss_family)
        return false;
    if (a.ss_family == AF_INET) {
        const auto &x = reinterpret_cast<const sockaddr_in &>(a);
        const auto &y = reinterpret_cast<const sockaddr_in &>(b);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    if (a.ss_family == AF_INET6) {
        const auto &x = reinterpret_cast<const sockaddr_in6 &>(a);
        const auto &y = reinterpret_cast<const sockaddr_in6 &>(b);
        return x.sin6_port == y.sin6_port
            && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
    }
    return false;
}

socklen_t toSocketAddress(const QHostAddress &host, quint16 port, sockaddr_storage &out)
{
    out = {};
    bool isV4 = false;
    const quint32 v4 = host.toIPv4Address(&isV4);
    if (isV4 && host.protocol() == QAbstractSocket::IPv4Protocol) {
        auto &in = reinterpret_cast<sockaddr_in &>(out);
        in.sin_family = AF_INET;
        in.sin_port = htons(port);
        in.sin_addr.s_addr = htonl(v4);
        return sizeof in;
    }
    auto &in6 = reinterpret_cast<sockaddr_in6 &>(out);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    const Q_IPV6ADDR bytes = host.toIPv6Address();
    std::memcpy(&in6.sin6_addr, &bytes, sizeof in6.sin6_addr);
    const QString scope = host.scopeId();
    if (!scope.isEmpty()) {
        bool numeric = false;
        in6.sin6_scope_id = scope.toUInt(&numeric);
        if (!numeric)
            in6.sin6_scope_id = ::if_nametoindex(scope.toLocal8Bit().constData());
    }
    return sizeof in6;
}

quint16 portOf(const sockaddr_storage &address)
{
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in &>(address).sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 &>(address).sin6_port);
    return 0;
}

} // namespace

struct TftpSocket::Native
{
    int fd = -1;
    std::unique_ptr<QSocketNotifier> notifier;
    sockaddr_storage peer {};
    socklen_t peerLength = 0;
    sockaddr_storage sender {}; // of the last datagram received

    Native() = default;
    Q_DISABLE_COPY_MOVE(Native)
    ~Native()
    {
        notifier.reset(); // before its descriptor goes
        if (fd >= 0)
            ::close(fd);
    }
};
#else
namespace {

bool sameHost(const QHostAddress &a, const QHostAddress &b)
{
    return a.isEqual(b, QHostAddress::TolerantConversion);
}

} // namespace

struct TftpSocket::Native
{
    QHostAddress sender; // of the last datagram received
    quint16 senderPort = 0;
};
#endif

TftpSocket::TftpSocket(QObject *owner, std::function<void()> onReadable)
    : m_socket(new QUdpSocket(owner))
    , m_onReadable(std::move(onReadable))
{
    // No proxy can carry TFTP, and asking for the system's starts a thread.
    m_socket->setProxy(QNetworkProxy::NoProxy);
}

TftpSocket::~TftpSocket()
{
    m_native.reset();
    delete m_socket;
}

bool TftpSocket::bind(const QHostAddress &address, quint16 port, QString *error)
{
    if (!m_socket->bind(address, port)) {
        *error = u"cannot open a UDP socket: %1"_s.arg(m_socket->errorString());
        return false;
    }
    m_native = std::make_unique<Native>();
#ifdef SOCKLAB_TFTP_RAW
    m_native->fd = ::fcntl(int(m_socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (m_native->fd < 0) {
        *error = u"cannot duplicate the UDP socket: %1"_s.arg(qt_error_string(errno));
        return false;
    }
    // QUdpSocket's own read notifier would be polled and woken for every
    // datagram too, for nothing: nothing reads through QUdpSocket. Only a
    // read through it turns the notifier on again. (Should Qt ever keep it
    // elsewhere, it is merely not found, and costs what it did.)
    const QList<QSocketNotifier *> internal = m_socket->findChildren<QSocketNotifier *>();
    for (QSocketNotifier *notifier : internal) {
        if (notifier->type() == QSocketNotifier::Read)
            notifier->setEnabled(false);
    }
    m_native->notifier = std::make_unique<ReadNotifier>(m_native->fd, m_onReadable);
#else
    QObject::connect(m_socket, &QUdpSocket::readyRead, m_socket, [this] { m_onReadable(); });
#endif
    return true;
}

bool TftpSocket::isBound() const
{
    return m_socket->state() == QAbstractSocket::BoundState;
}

quint16 TftpSocket::localPort() const
{
    return m_socket->localPort();
}

void TftpSocket::setBufferSizes(int blockSize, int windowSize, bool sendsData)
{
    // A whole window must fit in the receive buffer, twice for good measure:
    // a window that overflows it is lost and costs a timeout.
    const qint64 wanted
        = std::max<qint64>(2LL * windowSize * (blockSize + Tftp::HeaderSize), MinSocketBuffer);
    const int bytes = int(std::min<qint64>(wanted, 64LL * 1024 * 1024));
    m_socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(bytes));
    if (sendsData)
        m_socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, QVariant(bytes));
#if defined(SOCKLAB_TFTP_RAW) && defined(Q_OS_LINUX)
    // Linux reports twice what was set; less than asked means net.core.rmem_max
    // capped it, which a privileged process may lift.
    const int got
        = m_socket->socketOption(QAbstractSocket::ReceiveBufferSizeSocketOption).toInt() / 2;
    if (got < bytes) {
        const auto fd = static_cast<int>(m_socket->socketDescriptor());
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
            qCInfo(lcTftp) << "receive buffer is" << got << "bytes, wanted" << bytes;
    }
#endif
}

void TftpSocket::setPeer(const QHostAddress &address, quint16 port)
{
    m_peer = address;
    m_peerPort = port;
    m_hasPeer = true;
#ifdef SOCKLAB_TFTP_RAW
    m_native->peerLength = toSocketAddress(address, port, m_native->peer);
#endif
}

qint64 TftpSocket::receive(char *at, bool *fromPeer)
{
#ifdef SOCKLAB_TFTP_RAW
    socklen_t length = sizeof m_native->sender;
    ssize_t got = 0;
    do {
        got = ::recvfrom(m_native->fd, at, size_t(ReceiveSize), MSG_DONTWAIT,
            reinterpret_cast<sockaddr *>(&m_native->sender), &length);
    } while (got < 0 && errno == EINTR);
    *fromPeer = got >= 0 && m_hasPeer && sameSocketAddress(m_native->sender, m_native->peer);
    return got;
#else
    const qint64 size
        = m_socket->readDatagram(at, ReceiveSize, &m_native->sender, &m_native->senderPort);
    *fromPeer = size >= 0 && m_hasPeer && m_native->senderPort == m_peerPort
        && sameHost(m_native->sender, m_peer);
    return size;
#endif
}

QHostAddress TftpSocket::senderAddress() const
{
#ifdef SOCKLAB_TFTP_RAW
    return QHostAddress(reinterpret_cast<const sockaddr *>(&m_native->sender));
#else
    return m_native->sender;
#endif
}

quint16 TftpSocket::senderPort() const
{
#ifdef SOCKLAB_TFTP_RAW
    return portOf(m_native->sender);
#else
    return m_native->senderPort;
#endif
}

TftpSocket::SendStatus TftpSocket::sendToPeer(const char *data, qint64 size)
{
#ifdef SOCKLAB_TFTP_RAW
    ssize_t sent = 0;
    do {
        sent = ::sendto(m_native->fd, data, size_t(size), 0,
            reinterpret_cast<const sockaddr *>(&m_native->peer), m_native->peerLength);
    } while (sent < 0 && errno == EINTR);
    if (sent >= 0)
        return SendStatus::Sent;
    // A full buffer is a lost packet, and timeouts deal with those.
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ECONNREFUSED)
        return SendStatus::Dropped;
    m_errorString = u"cannot send to %1: %2"_s.arg(
        Endpoint { m_peer, m_peerPort }.toString(), qt_error_string(errno));
    return SendStatus::Failed;
#else
    return sendTo(data, size, m_peer, m_peerPort);
#endif
}

TftpSocket::SendStatus TftpSocket::sendTo(
    const char *data, qint64 size, const QHostAddress &address, quint16 port)
{
    if (m_socket->writeDatagram(data, size, address, port) >= 0)
        return SendStatus::Sent;
    // A full buffer is a lost packet, and timeouts deal with those.
    switch (m_socket->error()) {
    case QAbstractSocket::TemporaryError:
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::UnknownSocketError:
        return SendStatus::Dropped;
    default:
        break;
    }
    m_errorString = u"cannot send to %1: %2"_s.arg(
        Endpoint { address, port }.toString(), m_socket->errorString());
    return SendStatus::Failed;
}

void TftpSocket::sendQuietly(QByteArrayView packet, const QHostAddress &address, quint16 port)
{
    if (isBound())
        m_socket->writeDatagram(packet.data(), packet.size(), address, port);
}

void TftpSocket::stopReading()
{
    m_socket->disconnect(m_socket);
#ifdef SOCKLAB_TFTP_RAW
    if (m_native && m_native->notifier)
        m_native->notifier->setEnabled(false);
#endif
}

void TftpSocket::close()
{
    m_native.reset();
    m_socket->close();
}
