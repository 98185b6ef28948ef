#pragma once

// The operating system's socket calls that the TCP streams and sessions need,
// behind plain functions: nativesocket_posix.cpp (Linux, macOS, the BSDs) and
// nativesocket_win.cpp (Winsock 2). No Qt and no OS header here, so that the
// Windows file can be checked with a cross compiler alone, and no OS constant
// reaches the callers: errors are classified here, worded by tcpErrorText().

#include <cstddef>
#include <cstdint>

namespace io {

// A socket of the operating system: a descriptor on POSIX, a SOCKET on
// Windows (as Qt's qintptr socketDescriptor() holds either).
enum class SocketHandle : std::intptr_t { Invalid = -1 };

constexpr SocketHandle socketFromQt(std::intptr_t descriptor)
{
    return static_cast<SocketHandle>(descriptor);
}
constexpr std::intptr_t nativeValue(SocketHandle handle)
{
    return static_cast<std::intptr_t>(handle);
}
constexpr bool isValid(SocketHandle handle)
{
    return handle != SocketHandle::Invalid;
}

// What a failed call means to the caller, whatever the platform's code.
enum class ErrorKind {
    None,
    WouldBlock, // nothing now; wait for readiness
    Interrupted, // a signal came; call again
    Reset, // the peer reset the connection (or it broke while we wrote)
    TimedOut,
    Aborted, // a queued connection went (or was refused) before accept took it
    Other,
};

// The error of the last failed call on this thread (errno, WSAGetLastError()).
int lastError();
void setLastError(int error);
ErrorKind classify(int error);
// The code for "bad descriptor", for a socket that cannot be watched at all.
int badSocketError();
// The code for "no such address" (an interface without an IPv4 address).
int addressNotAvailableError();

// An address as bytes, network order: 4 of them for IPv4, 16 for IPv6.
struct SocketAddress
{
    bool valid = false;
    bool ipv6 = false;
    std::uint8_t bytes[16] {};
    std::uint32_t scopeId = 0;
    std::uint16_t port = 0;
};

struct ConstBuffer
{
    const char *data = nullptr;
    std::size_t size = 0;
};

// Each returns false, -1 or Invalid on failure, with lastError() saying why.

// Non-blocking, not inherited by child processes and, where the platform has
// it, never raising SIGPIPE (SO_NOSIGPIPE).
bool prepareStream(SocketHandle socket);
// A connection from a listening socket's queue, prepared as above (Linux's
// epoll backend: accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC).
SocketHandle acceptConnection(SocketHandle listener);
// A second handle of the same socket, to keep when the first one's owner
// (a QTcpSocket) closes it.
SocketHandle duplicate(SocketHandle socket);
void closeSocket(SocketHandle socket);

// Bytes the kernel holds for reading (0 when it cannot say).
std::ptrdiff_t bytesAvailable(SocketHandle socket);
// 0 is the peer's end of stream.
std::ptrdiff_t receive(SocketHandle socket, char *data, std::size_t size);
// One gathering send of up to count buffers; never raises SIGPIPE.
std::ptrdiff_t sendGather(SocketHandle socket, const ConstBuffer *buffers, int count);
bool shutdownWrite(SocketHandle socket);
// SO_ERROR: the error pending on the socket (0 for none), read and cleared;
// -1 when it cannot be read.
int takePendingError(SocketHandle socket);

SocketAddress localAddress(SocketHandle socket);
SocketAddress peerAddress(SocketHandle socket);

bool setNoDelay(SocketHandle socket, bool on);

// The IPv4 multicast options on a socket of both families (Qt sets only the
// IPv6 ones there). interfaceIndex 0 with address 0 means the system's
// choice; interfaceIPv4 is in host order, for the systems that name the
// interface by an address of it (Linux takes the index, Windows too).
bool setIPv4MulticastTtl(SocketHandle socket, int ttl);
bool setIPv4MulticastLoop(SocketHandle socket, bool on);
bool setIPv4MulticastInterface(
    SocketHandle socket, unsigned interfaceIndex, std::uint32_t interfaceIPv4);

} // namespace io
