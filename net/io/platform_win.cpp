// Windows. Plain C++ and the Windows headers only (no Qt), so that it can be
// checked here with a cross compiler (scripts/test: mingw -fsyntax-only).
#include "net/io/platform.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <atomic>
#include <csignal>

namespace platform {

namespace {

// A connected pair of loopback sockets, Windows having no socketpair(): the
// console's control handler (on a thread of its own) writes to one end, the
// event loop watches the other with a QSocketNotifier, as on POSIX.
SOCKET g_readEnd = INVALID_SOCKET;
SOCKET g_writeEnd = INVALID_SOCKET;
HANDLE g_closed = nullptr; // set once closeStopRequests() ran
std::atomic<bool> g_open { false };

void closeQuietly(SOCKET &socket)
{
    if (socket != INVALID_SOCKET)
        ::closesocket(socket);
    socket = INVALID_SOCKET;
}

bool makePair()
{
    SOCKET listener
        = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
    if (listener == INVALID_SOCKET)
        return false;
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    auto *raw = reinterpret_cast<sockaddr *>(&address);
    bool ok = ::bind(listener, raw, sizeof address) == 0 && ::listen(listener, 1) == 0
        && ::getsockname(listener, raw, &length) == 0;
    if (ok) {
        g_writeEnd = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        ok = g_writeEnd != INVALID_SOCKET && ::connect(g_writeEnd, raw, sizeof address) == 0;
    }
    if (ok) {
        g_readEnd = ::accept(listener, nullptr, nullptr);
        u_long on = 1;
        ok = g_readEnd != INVALID_SOCKET && ::ioctlsocket(g_readEnd, FIONBIO, &on) == 0;
    }
    ::closesocket(listener);
    if (!ok) {
        closeQuietly(g_readEnd);
        closeQuietly(g_writeEnd);
    }
    return ok;
}

BOOL WINAPI onConsoleEvent(DWORD event)
{
    if (!g_open.load())
        return FALSE;
    const bool interrupt = event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT;
    const char byte = static_cast<char>(interrupt ? SIGINT : SIGTERM);
    ::send(g_writeEnd, &byte, 1, 0);
    if (!interrupt && g_closed) {
        // The console is closing (or the user logging off): Windows ends the
        // process once this returns. Give the event loop a moment to stop
        // as it would on SIGTERM (settings saved, files flushed).
        ::WaitForSingleObject(g_closed, 4000);
    }
    return TRUE;
}

} // namespace

void raiseOpenFileLimit()
{
    // Sockets are not counted against a descriptor limit on Windows; the C
    // runtime's stdio limit does not concern them.
}

void ignoreBrokenPipe()
{
    // No SIGPIPE on Windows: a send on a broken connection fails with
    // WSAECONNRESET or WSAECONNABORTED.
}

void keepFreedReadsForReuse()
{
    // The Windows heap keeps its defaults (it is not glibc's malloc).
}

double msSinceProcessStart()
{
    FILETIME created {};
    FILETIME exited {};
    FILETIME kernel {};
    FILETIME user {};
    if (!::GetProcessTimes(::GetCurrentProcess(), &created, &exited, &kernel, &user))
        return -1;
    FILETIME now {};
    ::GetSystemTimeAsFileTime(&now);
    const auto count = [](const FILETIME &time) {
        return (static_cast<unsigned long long>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
    };
    // In units of 100 ns.
    return static_cast<double>(count(now) - count(created)) / 1e4;
}

io::SocketHandle openStopRequests()
{
    if (g_open.load())
        return io::SocketHandle::Invalid;
    WSADATA data {};
    if (::WSAStartup(MAKEWORD(2, 2), &data) != 0)
        return io::SocketHandle::Invalid;
    if (!makePair()) {
        ::WSACleanup();
        return io::SocketHandle::Invalid;
    }
    g_closed = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
    g_open.store(true);
    if (!::SetConsoleCtrlHandler(onConsoleEvent, TRUE)) {
        closeStopRequests();
        return io::SocketHandle::Invalid;
    }
    return static_cast<io::SocketHandle>(static_cast<std::intptr_t>(g_readEnd));
}

int takeStopRequest()
{
    char byte = 0;
    if (g_readEnd == INVALID_SOCKET || ::recv(g_readEnd, &byte, 1, 0) != 1)
        return -1;
    return static_cast<unsigned char>(byte);
}

void closeStopRequests()
{
    if (!g_open.exchange(false))
        return;
    ::SetConsoleCtrlHandler(onConsoleEvent, FALSE);
    if (g_closed)
        ::SetEvent(g_closed);
    closeQuietly(g_readEnd);
    closeQuietly(g_writeEnd);
    ::WSACleanup();
}

} // namespace platform
