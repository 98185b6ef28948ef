// Winsock 2. Plain C++ and the Windows headers only (no Qt), so that it can
// be checked here with a cross compiler (scripts/test: mingw -fsyntax-only).
#include "net/io/nativesocket.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include "net/io/socketaddress_native.h"

#include <cstring>

namespace io {

namespace {

constexpr int MaxBuffers = 64;

SOCKET socketOf(SocketHandle handle)
{
    return static_cast<SOCKET>(nativeValue(handle));
}

SocketHandle handleOf(SOCKET socket)
{
    return socket == INVALID_SOCKET ? SocketHandle::Invalid
                                    : static_cast<SocketHandle>(static_cast<std::intptr_t>(socket));
}

SocketAddress addressOf(SOCKET socket, bool peer)
{
    sockaddr_storage storage {};
    int length = sizeof storage;
    auto *raw = reinterpret_cast<sockaddr *>(&storage);
    if ((peer ? ::getpeername(socket, raw, &length) : ::getsockname(socket, raw, &length)) != 0)
        return {};
    return fromNative(storage);
}

bool setIntOption(SOCKET socket, int level, int name, int value)
{
    return ::setsockopt(socket, level, name, reinterpret_cast<const char *>(&value), sizeof value)
        == 0;
}

} // namespace

int lastError()
{
    return ::WSAGetLastError();
}

void setLastError(int error)
{
    ::WSASetLastError(error);
}

ErrorKind classify(int error)
{
    switch (error) {
    case 0:
        return ErrorKind::None;
    case WSAEWOULDBLOCK:
        return ErrorKind::WouldBlock;
    case WSAEINTR:
        return ErrorKind::Interrupted;
    case WSAECONNRESET:
    case WSAENETRESET:
    case WSAECONNABORTED: // the stack gave the connection up (a reset, mostly)
        return ErrorKind::Reset;
    case WSAETIMEDOUT:
        return ErrorKind::TimedOut;
    default:
        return ErrorKind::Other;
    }
}

int badSocketError()
{
    return WSAENOTSOCK;
}

int addressNotAvailableError()
{
    return WSAEADDRNOTAVAIL;
}

bool prepareStream(SocketHandle handle)
{
    const SOCKET socket = socketOf(handle);
    u_long on = 1;
    if (::ioctlsocket(socket, FIONBIO, &on) != 0)
        return false;
    // Not inherited by child processes (what FD_CLOEXEC says on POSIX).
    // Windows has no SIGPIPE: a send to a broken connection just fails.
    if (!::SetHandleInformation(reinterpret_cast<HANDLE>(socket), HANDLE_FLAG_INHERIT, 0)) {
        ::WSASetLastError(static_cast<int>(::GetLastError()));
        return false;
    }
    return true;
}

SocketHandle acceptConnection(SocketHandle listener)
{
    const SOCKET socket = ::accept(socketOf(listener), nullptr, nullptr);
    if (socket == INVALID_SOCKET)
        return SocketHandle::Invalid;
    // It inherits the listener's WSAAsyncSelect events (Qt's notifier on the
    // listener); the stream's own notifiers replace them.
    if (!prepareStream(handleOf(socket))) {
        const int error = ::WSAGetLastError();
        ::closesocket(socket);
        ::WSASetLastError(error);
        return SocketHandle::Invalid;
    }
    return handleOf(socket);
}

SocketHandle duplicate(SocketHandle handle)
{
    WSAPROTOCOL_INFOW info {};
    if (::WSADuplicateSocketW(socketOf(handle), ::GetCurrentProcessId(), &info) != 0)
        return SocketHandle::Invalid;
    const SOCKET copy = ::WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
        &info, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    return handleOf(copy);
}

void closeSocket(SocketHandle handle)
{
    if (isValid(handle))
        ::closesocket(socketOf(handle));
}

std::ptrdiff_t bytesAvailable(SocketHandle handle)
{
    u_long available = 0;
    if (::ioctlsocket(socketOf(handle), FIONREAD, &available) != 0)
        return 0;
    return static_cast<std::ptrdiff_t>(available);
}

std::ptrdiff_t receive(SocketHandle handle, char *data, std::size_t size)
{
    const int length = size > 0x7fffffff ? 0x7fffffff : static_cast<int>(size);
    const int n = ::recv(socketOf(handle), data, length, 0);
    return n == SOCKET_ERROR ? -1 : n;
}

std::ptrdiff_t sendGather(SocketHandle handle, const ConstBuffer *buffers, int count)
{
    WSABUF vectors[MaxBuffers];
    const int used = count < MaxBuffers ? count : MaxBuffers;
    for (int i = 0; i < used; ++i) {
        vectors[i].buf = const_cast<char *>(buffers[i].data);
        vectors[i].len
            = buffers[i].size > 0xffffffffu ? 0xffffffffu : static_cast<ULONG>(buffers[i].size);
    }
    DWORD sent = 0;
    if (::WSASend(socketOf(handle), vectors, static_cast<DWORD>(used), &sent, 0, nullptr, nullptr)
        != 0)
        return -1;
    return static_cast<std::ptrdiff_t>(sent);
}

bool shutdownWrite(SocketHandle handle)
{
    return ::shutdown(socketOf(handle), SD_SEND) == 0;
}

int takePendingError(SocketHandle handle)
{
    int error = 0;
    int length = sizeof error;
    if (::getsockopt(
            socketOf(handle), SOL_SOCKET, SO_ERROR, reinterpret_cast<char *>(&error), &length)
        != 0)
        return -1;
    return error;
}

SocketAddress localAddress(SocketHandle handle)
{
    return addressOf(socketOf(handle), false);
}

SocketAddress peerAddress(SocketHandle handle)
{
    return addressOf(socketOf(handle), true);
}

bool setNoDelay(SocketHandle handle, bool on)
{
    return setIntOption(socketOf(handle), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

bool setIPv4MulticastTtl(SocketHandle handle, int ttl)
{
    return setIntOption(socketOf(handle), IPPROTO_IP, IP_MULTICAST_TTL, ttl);
}

bool setIPv4MulticastLoop(SocketHandle handle, bool on)
{
    return setIntOption(socketOf(handle), IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0);
}

bool setIPv4MulticastInterface(
    SocketHandle handle, unsigned interfaceIndex, std::uint32_t interfaceIPv4)
{
    // Windows takes the interface's index as an address 0.x.x.x in network
    // order (IP_MULTICAST_IF), which needs no IPv4 address on it.
    DWORD value = interfaceIndex != 0 ? ::htonl(static_cast<u_long>(interfaceIndex))
                                      : ::htonl(static_cast<u_long>(interfaceIPv4));
    return ::setsockopt(socketOf(handle), IPPROTO_IP, IP_MULTICAST_IF,
               reinterpret_cast<const char *>(&value), sizeof value)
        == 0;
}

} // namespace io
