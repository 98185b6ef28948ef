#include "net/tcp/tcpstream.h"

#include <QSocketNotifier>
#include <QTimerEvent>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

using namespace Qt::StringLiterals;

namespace {

// A wake-up reads what FIONREAD says is there, within these bounds: at least
// enough to see a FIN or an error, at most what one log entry should hold.
constexpr qsizetype MinRead = 4096;
constexpr qsizetype MaxRead = 4 * 1024 * 1024;
// Buffers handed to one sendmsg().
constexpr int MaxIovecs = 64;

Endpoint endpointOf(int fd, bool peer)
{
    sockaddr_storage address {};
    socklen_t length = sizeof address;
    auto *raw = reinterpret_cast<sockaddr *>(&address);
    const int result = peer ? ::getpeername(fd, raw, &length) : ::getsockname(fd, raw, &length);
    if (result != 0)
        return {};
    quint16 port = 0;
    if (address.ss_family == AF_INET)
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
    else if (address.ss_family == AF_INET6)
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    else
        return {};
    return { plainAddress(QHostAddress(raw)), port };
}

} // namespace

QString halfClosedText(qint64 pending)
{
    return u"the peer half-closed (sent its FIN); still sending it %1 queued bytes"_s.arg(pending);
}

QString tcpErrorText(int error)
{
    switch (error) {
    case ECONNRESET:
    case EPIPE:
        return u"connection reset by peer"_s;
    case ETIMEDOUT:
        return u"connection timed out"_s;
    default:
        break;
    }
    QString text = qt_error_string(error);
    if (!text.isEmpty())
        text[0] = text.at(0).toLower();
    return text;
}

StreamPoller::StreamPoller(QObject *parent)
    : QObject(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
{
    if (m_epoll < 0)
        return; // add() fails, and each stream ends saying why
    m_notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StreamPoller::dispatch);
}

StreamPoller::~StreamPoller()
{
    // Streams that outlive us hold a QPointer and close their own descriptors.
    if (m_epoll >= 0)
        ::close(m_epoll);
}

quint64 StreamPoller::add(TcpStream *stream, int fd)
{
    if (m_epoll < 0) {
        errno = EBADF;
        return 0;
    }
    const quint64 key = m_nextKey++;
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = key;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
        return 0;
    m_streams.insert(key, stream);
    return key;
}

bool StreamPoller::watch(quint64 key, int fd, bool read, bool write)
{
    epoll_event event {};
    event.events = (read ? quint32(EPOLLIN) : 0u) | (write ? quint32(EPOLLOUT) : 0u);
    event.data.u64 = key;
    return ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) == 0;
}

void StreamPoller::remove(quint64 key, int fd)
{
    m_streams.remove(key);
    if (fd >= 0)
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void StreamPoller::dispatch()
{
    epoll_event events[EventsPerPass];
    int count = 0;
    do {
        count = ::epoll_wait(m_epoll, events, EventsPerPass, 0);
    } while (count < 0 && errno == EINTR);
    const QPointer<StreamPoller> self(this);
    for (int i = 0; i < count; ++i) {
        // A slot may have ended or deleted streams (or us) meanwhile.
        if (!self)
            return;
        if (TcpStream *stream = m_streams.value(events[i].data.u64))
            stream->onEvents(events[i].events);
    }
}

TcpStream::TcpStream(int fd, StreamPoller *poller, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_poller(poller)
{
    if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    m_peer = endpointOf(fd, true);
    m_local = endpointOf(fd, false);
    m_pollKey = m_poller ? m_poller->add(this, fd) : 0;
    if (m_pollKey == 0) {
        // Cannot be watched (out of memory for epoll): ends on the next pass.
        const int error = m_poller ? errno : EBADF;
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
    if (m_fd < 0)
        return;
    if (m_poller && m_pollKey != 0)
        m_poller->remove(m_pollKey, m_fd);
    ::close(m_fd);
}

bool TcpStream::write(const QByteArray &data)
{
    // The connection failed in an earlier write, and ended() comes on the
    // next pass: until then data goes where the kernel's queue went.
    if (m_failQueued)
        return true;
    if (m_fd < 0 || m_closing) {
        m_error = m_fd < 0 ? u"the connection is closed"_s : u"the connection is closing"_s;
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
    if (m_fd < 0 || m_closing)
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
    finish(reason);
}

void TcpStream::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_linger.timerId()) {
        m_linger.stop();
        if (m_queue.isEmpty() && !m_closing)
            finish(u"closed by peer"_s);
    } else if (event->timerId() == m_grace.timerId()) {
        m_grace.stop();
        finish(m_closeReason);
    } else {
        QObject::timerEvent(event);
    }
}

void TcpStream::onEvents(quint32 events)
{
    if (m_fd < 0)
        return;
    if (m_failQueued) {
        fail(m_failError); // out of write(), where it was found
        return;
    }
    if (events & EPOLLERR) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0) {
            fail(error);
            return;
        }
    }
    if (m_reading && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        onReadable();
        if (m_fd < 0)
            return;
    }
    if (m_watchWrite && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
        onWritable();
        if (m_fd < 0)
            return;
    }
    // Both directions over and nothing wanted: a hang-up is reported
    // whatever we wait for, and would come again on every pass.
    if ((events & EPOLLHUP) && !m_reading && !m_watchWrite)
        finish(m_closing ? m_closeReason : u"closed by peer"_s);
}

void TcpStream::updateInterest()
{
    if (m_fd < 0 || m_pollKey == 0 || !m_poller)
        return;
    const bool read = m_reading;
    const bool write = !m_queue.isEmpty();
    if (read == m_watchRead && write == m_watchWrite)
        return;
    if (m_poller->watch(m_pollKey, m_fd, read, write)) {
        m_watchRead = read;
        m_watchWrite = write;
    }
}

void TcpStream::onReadable()
{
    if (m_fd < 0)
        return;
    int available = 0;
    if (::ioctl(m_fd, FIONREAD, &available) != 0)
        available = 0;
    const qsizetype size = std::clamp<qsizetype>(available, MinRead, MaxRead);
    QByteArray data(size, Qt::Uninitialized);
    ssize_t n = 0;
    do {
        n = ::recv(m_fd, data.data(), size_t(size), 0);
    } while (n < 0 && errno == EINTR);
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
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        fail(errno);
}

void TcpStream::onPeerFin()
{
    m_peerHalfClosed = true;
    m_reading = false;
    updateInterest();
    if (m_closing) {
        // Our close is under way: the peer's FIN completes it once ours is out.
        if (m_finSent)
            finish(m_closeReason);
        return;
    }
    if (m_queue.isEmpty()) {
        finish(u"closed by peer"_s);
        return;
    }
    Q_EMIT peerHalfClosed(m_queued);
}

void TcpStream::onWritable()
{
    if (m_fd < 0)
        return;
    qint64 written = 0;
    if (const int error = flushQueue(&written)) {
        fail(error);
        return;
    }
    if (written > 0)
        Q_EMIT bytesWritten(); // a slot may write more, close or abort
    if (m_fd >= 0 && m_queue.isEmpty())
        afterDrain();
}

int TcpStream::flushQueue(qint64 *written)
{
    while (!m_queue.isEmpty()) {
        iovec vectors[MaxIovecs];
        int count = 0;
        qsizetype offset = m_frontOffset;
        for (auto it = m_queue.cbegin(); it != m_queue.cend() && count < MaxIovecs; ++it) {
            vectors[count].iov_base = const_cast<char *>(it->constData() + offset);
            vectors[count].iov_len = size_t(it->size() - offset);
            offset = 0;
            ++count;
        }
        msghdr message {};
        message.msg_iov = vectors;
        message.msg_iovlen = size_t(count);
        const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return errno;
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
        ::shutdown(m_fd, SHUT_WR);
        m_finSent = true;
        finish(m_closeReason);
        return;
    }
    if (m_peerHalfClosed)
        m_linger.start(HalfCloseLingerMs, this);
}

void TcpStream::fail(int error)
{
    if (m_fd < 0)
        return;
    m_error = tcpErrorText(error);
    finish(m_error);
}

void TcpStream::finish(const QString &reason)
{
    if (m_fd < 0)
        return;
    m_linger.stop();
    m_grace.stop();
    if (m_poller && m_pollKey != 0)
        m_poller->remove(m_pollKey, m_fd);
    m_pollKey = 0;
    ::close(m_fd);
    m_fd = -1;
    m_queue.clear();
    m_frontOffset = 0;
    m_queued = 0;
    Q_EMIT ended(reason);
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
            if (m_fd >= 0)
                Q_EMIT bytesWritten();
        },
        Qt::QueuedConnection);
}
