#include "net/io/nativesocket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/io/socketaddress_native.h"

#include <cerrno>
#include <cstring>

namespace io {

namespace {

// Buffers handed to one sendmsg(); more are sent by the next call.
constexpr int MaxIovecs = 64;

int fdOf(SocketHandle socket)
{
    return static_cast<int>(nativeValue(socket));
}

SocketAddress addressOf(int fd, bool peer)
{
    sockaddr_storage storage {};
    socklen_t length = sizeof storage;
    auto *raw = reinterpret_cast<sockaddr *>(&storage);
    if ((peer ? ::getpeername(fd, raw, &length) : ::getsockname(fd, raw, &length)) != 0)
        return {};
    return fromNative(storage);
}

bool setIntOption(int fd, int level, int name, int value)
{
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

} // namespace

int lastError()
{
    return errno;
}

void setLastError(int error)
{
    errno = error;
}

ErrorKind classify(int error)
{
    switch (error) {
    case 0:
        return ErrorKind::None;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
        return ErrorKind::WouldBlock;
    case EINTR:
        return ErrorKind::Interrupted;
    case ECONNRESET:
    case EPIPE: // Linux's word for a reset that came after the peer's FIN
        return ErrorKind::Reset;
    case ETIMEDOUT:
        return ErrorKind::TimedOut;
    case ECONNABORTED:
    case EPROTO:
    case EPERM: // a firewall rule refused it
        return ErrorKind::Aborted;
    default:
        return ErrorKind::Other;
    }
}

int badSocketError()
{
    return EBADF;
}

int addressNotAvailableError()
{
    return EADDRNOTAVAIL;
}

bool prepareStream(SocketHandle socket)
{
    const int fd = fdOf(socket);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (!(flags & O_NONBLOCK) && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0))
        return false;
    const int fdFlags = ::fcntl(fd, F_GETFD);
    if (fdFlags < 0 || (!(fdFlags & FD_CLOEXEC) && ::fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) != 0))
        return false;
#ifdef SO_NOSIGPIPE
    // macOS and the BSDs have no MSG_NOSIGNAL: the socket itself is told.
    if (!setIntOption(fd, SOL_SOCKET, SO_NOSIGPIPE, 1))
        return false;
#endif
    return true;
}

SocketHandle acceptConnection(SocketHandle listener)
{
#if defined(SOCKLAB_IO_EPOLL)
    const int fd = ::accept4(fdOf(listener), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return fd >= 0 ? static_cast<SocketHandle>(fd) : SocketHandle::Invalid;
#else
    const int fd = ::accept(fdOf(listener), nullptr, nullptr);
    if (fd < 0)
        return SocketHandle::Invalid;
    if (!prepareStream(static_cast<SocketHandle>(fd))) {
        const int error = errno;
        ::close(fd);
        errno = error;
        return SocketHandle::Invalid;
    }
    return static_cast<SocketHandle>(fd);
#endif
}

SocketHandle duplicate(SocketHandle socket)
{
    const int fd = ::fcntl(fdOf(socket), F_DUPFD_CLOEXEC, 0);
    return fd >= 0 ? static_cast<SocketHandle>(fd) : SocketHandle::Invalid;
}

void closeSocket(SocketHandle socket)
{
    if (isValid(socket))
        ::close(fdOf(socket));
}

std::ptrdiff_t bytesAvailable(SocketHandle socket)
{
    int available = 0;
    if (::ioctl(fdOf(socket), FIONREAD, &available) != 0)
        return 0;
    return available;
}

std::ptrdiff_t receive(SocketHandle socket, char *data, std::size_t size)
{
    return ::recv(fdOf(socket), data, size, 0);
}

std::ptrdiff_t sendGather(SocketHandle socket, const ConstBuffer *buffers, int count)
{
    iovec vectors[MaxIovecs];
    const int used = count < MaxIovecs ? count : MaxIovecs;
    for (int i = 0; i < used; ++i) {
        vectors[i].iov_base = const_cast<char *>(buffers[i].data);
        vectors[i].iov_len = buffers[i].size;
    }
    msghdr message {};
    message.msg_iov = vectors;
    message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(used);
#ifdef MSG_NOSIGNAL
    constexpr int Flags = MSG_NOSIGNAL;
#else
    constexpr int Flags = 0; // SO_NOSIGPIPE, set by prepareStream()
#endif
    return ::sendmsg(fdOf(socket), &message, Flags);
}

bool shutdownWrite(SocketHandle socket)
{
    return ::shutdown(fdOf(socket), SHUT_WR) == 0;
}

int takePendingError(SocketHandle socket)
{
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fdOf(socket), SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return -1;
    return error;
}

SocketAddress localAddress(SocketHandle socket)
{
    return addressOf(fdOf(socket), false);
}

SocketAddress peerAddress(SocketHandle socket)
{
    return addressOf(fdOf(socket), true);
}

bool setNoDelay(SocketHandle socket, bool on)
{
    return setIntOption(fdOf(socket), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

bool setIPv4MulticastTtl(SocketHandle socket, int ttl)
{
    return setIntOption(fdOf(socket), IPPROTO_IP, IP_MULTICAST_TTL, ttl);
}

bool setIPv4MulticastLoop(SocketHandle socket, bool on)
{
#if defined(__linux__)
    return setIntOption(fdOf(socket), IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0);
#else
    // The BSDs and macOS take a u_char here.
    const unsigned char loop = on ? 1 : 0;
    return ::setsockopt(fdOf(socket), IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) == 0;
#endif
}

bool setIPv4MulticastInterface(
    SocketHandle socket, unsigned interfaceIndex, std::uint32_t interfaceIPv4)
{
#if defined(__linux__)
    // Linux names the interface by its index, which needs no IPv4 address on it.
    (void)interfaceIPv4;
    ip_mreqn request {};
    request.imr_ifindex = static_cast<int>(interfaceIndex);
    return ::setsockopt(fdOf(socket), IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request) == 0;
#else
    // Elsewhere by an IPv4 address of the interface.
    if (interfaceIndex != 0 && interfaceIPv4 == 0) {
        errno = EADDRNOTAVAIL;
        return false;
    }
    in_addr address {};
    address.s_addr = htonl(interfaceIPv4);
    return ::setsockopt(fdOf(socket), IPPROTO_IP, IP_MULTICAST_IF, &address, sizeof address) == 0;
#endif
}

} // namespace io
