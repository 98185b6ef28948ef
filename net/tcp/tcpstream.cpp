#include "net/tcp/tcpstream.h"

#include "net/core/logging.h"

#include <QTimerEvent>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// A wake-up reads what FIONREAD says is there, within these bounds: at least
// enough to see a FIN or an error, at most what one log entry should hold.
constexpr qsizetype MinRead = 4096;
constexpr qsizetype MaxRead = 4 * 1024 * 1024;
// Buffers handed to one gathering send.
constexpr int MaxBuffers = 64;

Endpoint endpointOf(const io::SocketAddress &address)
{
    if (!address.valid)
        return {};
    QHostAddress host;
    if (address.ipv6) {
        Q_IPV6ADDR bytes;
        std::copy(std::begin(address.bytes), std::end(address.bytes), bytes.c);
        host.setAddress(bytes);
        if (address.scopeId != 0)
            host.setScopeId(QString::number(address.scopeId));
    } else {
        host.setAddress(quint32(address.bytes[0]) << 24 | quint32(address.bytes[1]) << 16
            | quint32(address.bytes[2]) << 8 | quint32(address.bytes[3]));
    }
    return { plainAddress(host), address.port };
}

} // namespace

QString halfClosedText(qint64 pending)
{
    return u"the peer half-closed (sent its FIN); still sending it %1 queued bytes"_s.arg(pending);
}

QString tcpErrorText(int error)
{
    switch (io::classify(error)) {
    case io::ErrorKind::Reset:
        return u"connection reset by peer"_s;
    case io::ErrorKind::TimedOut:
        return u"connection timed out"_s;
    default:
        break;
    }
    QString text = qt_error_string(error);
    if (!text.isEmpty())
        text[0] = text.at(0).toLower();
    return text;
}

StreamEnd::Reason endReasonOf(int error)
{
    switch (io::classify(error)) {
    case io::ErrorKind::Reset:
        return StreamEnd::Reason::Reset;
    case io::ErrorKind::TimedOut:
        return StreamEnd::Reason::TimedOut;
    default:
        return StreamEnd::Reason::Error;
    }
}

TcpStream::TcpStream(io::SocketHandle socket, StreamPoller *poller, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_poller(poller)
{
    int error = 0;
    if (!io::prepareStream(socket)) {
        error = io::lastError();
        qCWarning(lcTcp, "cannot make socket %lld non-blocking: %s",
            static_cast<long long>(io::nativeValue(socket)), qPrintable(tcpErrorText(error)));
    }
    m_peer = endpointOf(io::peerAddress(socket));
    m_local = endpointOf(io::localAddress(socket));
    if (error == 0) {
        m_pollKey = m_poller ? m_poller->add(this, socket) : 0;
        if (m_pollKey == 0)
            error = m_poller ? io::lastError() : io::badSocketError();
    }
    if (error != 0) {
        // Cannot be watched (out of memory for epoll): ends on the next pass.
        m_failQueued = true;
        m_failError = error;
        m_error = tcpErrorText(error);
        m_reading = false;
        QMetaObject::invokeMethod(
            this, [this, error] { fail(error); }, Qt::QueuedConnection);
    }
}

TcpStream::~TcpStream()
{
    if (!isOpen())
        return;
    if (m_poller && m_pollKey != 0)
        m_poller->remove(m_pollKey);
    io::closeSocket(m_socket);
}

bool TcpStream::write(const QByteArray &data)
{
    // The connection failed in an earlier write, and ended() comes on the
    // next pass: until then data goes where the kernel's queue went.
    if (m_failQueued)
        return true;
    if (!isOpen() || m_closing) {
        m_error = !isOpen() ? u"the connection is closed"_s : u"the connection is closing"_s;
        return false;
    }
    if (data.isEmpty())
        return true;
    m_linger.stop();
    m_queue.append(data);
    m_queued += data.size();
    if (m_watchWrite)
        return true; // behind what the kernel had no room for yet
    qint64 written = 0;
    if (const int error = flushQueue(&written)) {
        // Taken like any data that dies in the kernel with the connection;
        // the end is reported on the next pass, not from inside write().
        m_error = tcpErrorText(error);
        m_failQueued = true;
        m_failError = error;
        m_reading = false;
        m_queue.clear();
        m_frontOffset = 0;
        m_queued = 0;
        updateInterest();
        QMetaObject::invokeMethod(
            this, [this, error] { fail(error); }, Qt::QueuedConnection);
        return true;
    }
    if (written > 0)
        queueBytesWritten();
    if (m_queue.isEmpty())
        afterDrain();
    return true;
}

void TcpStream::close(const QString &reason, int graceMs)
{
    if (!isOpen() || m_closing)
        return;
    m_closing = true;
    m_closeReason = reason;
    m_linger.stop();
    if (graceMs > 0)
        m_grace.start(graceMs, this);
    if (m_queue.isEmpty())
        afterDrain();
}

void TcpStream::abort(const QString &reason)
{
    finish(StreamEnd::Reason::ClosedLocally, reason);
}

void TcpStream::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_linger.timerId()) {
        m_linger.stop();
        if (!m_queue.isEmpty() || m_closing)
            return;
        // A reset after the peer's FIN wakes no one who waits for nothing
        // (and Qt's notifiers, unlike epoll, do not report it): it is
        // pending on the socket.
        if (const int error = io::takePendingError(m_socket); error > 0) {
            fail(error);
            return;
        }
        finish(StreamEnd::Reason::ClosedByPeer, u"closed by peer"_s);
    } else if (event->timerId() == m_grace.timerId()) {
        m_grace.stop();
        finish(StreamEnd::Reason::ClosedLocally, m_closeReason);
    } else {
        QObject::timerEvent(event);
    }
}

void TcpStream::onReady(Readiness readiness)
{
    if (!isOpen())
        return;
    if (m_failQueued) {
        fail(m_failError); // out of write(), where it was found
        return;
    }
    if (readiness.error) {
        if (const int error = io::takePendingError(m_socket); error > 0) {
            fail(error);
            return;
        }
    }
    const bool broken = readiness.hangUp || readiness.error;
    if (m_reading && (readiness.readable || broken)) {
        onReadable();
        if (!isOpen())
            return;
    }
    if (m_watchWrite && (readiness.writable || broken)) {
        onWritable();
        if (!isOpen())
            return;
    }
    // Both directions over and nothing wanted: a hang-up is reported
    // whatever we wait for, and would come again on every pass.
    if (readiness.hangUp && !m_reading && !m_watchWrite) {
        if (m_closing)
            finish(StreamEnd::Reason::ClosedLocally, m_closeReason);
        else
            finish(StreamEnd::Reason::ClosedByPeer, u"closed by peer"_s);
    }
}

void TcpStream::updateInterest()
{
    if (!isOpen() || m_pollKey == 0 || !m_poller)
        return;
    const bool read = m_reading;
    const bool write = !m_queue.isEmpty();
    if (read == m_watchRead && write == m_watchWrite)
        return;
    if (m_poller->watch(m_pollKey, read, write)) {
        m_watchRead = read;
        m_watchWrite = write;
    }
}

void TcpStream::onReadable()
{
    if (!isOpen())
        return;
    const qsizetype size = std::clamp<qsizetype>(io::bytesAvailable(m_socket), MinRead, MaxRead);
    QByteArray data(size, Qt::Uninitialized);
    std::ptrdiff_t n = 0;
    int error = 0;
    do {
        n = io::receive(m_socket, data.data(), size_t(size));
        error = n < 0 ? io::lastError() : 0;
    } while (n < 0 && io::classify(error) == io::ErrorKind::Interrupted);
    if (n > 0) {
        if (n < size) {
            data.truncate(n);
            data.squeeze();
        }
        Q_EMIT received(data);
        return;
    }
    if (n == 0) {
        onPeerFin();
        return;
    }
    if (io::classify(error) != io::ErrorKind::WouldBlock)
        fail(error);
}

void TcpStream::onPeerFin()
{
    m_peerHalfClosed = true;
    m_reading = false;
    updateInterest();
    if (m_closing) {
        // Our close is under way: the peer's FIN completes it once ours is out.
        if (m_finSent)
            finish(StreamEnd::Reason::ClosedLocally, m_closeReason);
        return;
    }
    if (m_queue.isEmpty()) {
        finish(StreamEnd::Reason::ClosedByPeer, u"closed by peer"_s);
        return;
    }
    Q_EMIT peerHalfClosed(m_queued);
}

void TcpStream::onWritable()
{
    if (!isOpen())
        return;
    qint64 written = 0;
    if (const int error = flushQueue(&written)) {
        fail(error);
        return;
    }
    if (written > 0)
        Q_EMIT bytesWritten(); // a slot may write more, close or abort
    if (isOpen() && m_queue.isEmpty())
        afterDrain();
}

int TcpStream::flushQueue(qint64 *written)
{
    while (!m_queue.isEmpty()) {
        io::ConstBuffer buffers[MaxBuffers];
        int count = 0;
        qsizetype offset = m_frontOffset;
        for (auto it = m_queue.cbegin(); it != m_queue.cend() && count < MaxBuffers; ++it) {
            buffers[count].data = it->constData() + offset;
            buffers[count].size = size_t(it->size() - offset);
            offset = 0;
            ++count;
        }
        const std::ptrdiff_t n = io::sendGather(m_socket, buffers, count);
        if (n < 0) {
            const int error = io::lastError();
            const io::ErrorKind kind = io::classify(error);
            if (kind == io::ErrorKind::Interrupted)
                continue;
            if (kind == io::ErrorKind::WouldBlock)
                break;
            return error;
        }
        *written += n;
        m_queued -= n;
        qsizetype left = n;
        while (left > 0) {
            const qsizetype inFront = m_queue.constFirst().size() - m_frontOffset;
            if (left < inFront) {
                m_frontOffset += left;
                break;
            }
            left -= inFront;
            m_queue.removeFirst();
            m_frontOffset = 0;
        }
    }
    updateInterest();
    return 0;
}

void TcpStream::afterDrain()
{
    if (m_closing) {
        // Everything queued is with the kernel, which sends it and then our
        // FIN. Not waiting for the peer's FIN: a device that never closes
        // would keep a "disconnected" client in the list.
        if (!io::shutdownWrite(m_socket))
            qCDebug(lcTcp, "shutdown(write) to %s: %s", qPrintable(m_peer.toString()),
                qPrintable(tcpErrorText(io::lastError())));
        m_finSent = true;
        finish(StreamEnd::Reason::ClosedLocally, m_closeReason);
        return;
    }
    if (m_peerHalfClosed)
        m_linger.start(HalfCloseLingerMs, this);
}

void TcpStream::fail(int error)
{
    if (!isOpen())
        return;
    m_error = tcpErrorText(error);
    finish(endReasonOf(error), m_error);
}

void TcpStream::finish(StreamEnd::Reason reason, const QString &text)
{
    if (!isOpen())
        return;
    m_linger.stop();
    m_grace.stop();
    if (m_poller && m_pollKey != 0)
        m_poller->remove(m_pollKey);
    m_pollKey = 0;
    io::closeSocket(m_socket);
    m_socket = io::SocketHandle::Invalid;
    m_queue.clear();
    m_frontOffset = 0;
    m_queued = 0;
    Q_EMIT ended({ reason, text });
}

void TcpStream::queueBytesWritten()
{
    if (m_bytesWrittenQueued)
        return;
    m_bytesWrittenQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_bytesWrittenQueued = false;
            if (isOpen())
                Q_EMIT bytesWritten();
        },
        Qt::QueuedConnection);
}
