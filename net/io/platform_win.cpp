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

bool makePair(SOCKET &readEnd, SOCKET &writeEnd)
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
        writeEnd = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        ok = writeEnd != INVALID_SOCKET && ::connect(writeEnd, raw, sizeof address) == 0;
    }
    if (ok) {
        readEnd = ::accept(listener, nullptr, nullptr);
        u_long on = 1;
        ok = readEnd != INVALID_SOCKET && ::ioctlsocket(readEnd, FIONBIO, &on) == 0;
    }
    ::closesocket(listener);
    if (!ok) {
        closeQuietly(readEnd);
        closeQuietly(writeEnd);
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

// Standard input's copy: the thread reads the console or pipe (blocking, as
// only it can) and sends what it reads to g_inputWrite; the event loop reads
// g_inputRead. The thread is left blocked in ReadFile at exit: the process's
// end takes it, and closing our end makes its next send fail, ending it.
SOCKET g_inputRead = INVALID_SOCKET;
SOCKET g_inputWrite = INVALID_SOCKET;
bool g_inputStarted = false;

DWORD WINAPI copyStandardInput(LPVOID)
{
    const HANDLE input = ::GetStdHandle(STD_INPUT_HANDLE);
    char buffer[16 * 1024];
    DWORD got = 0;
    while (input != INVALID_HANDLE_VALUE && ::ReadFile(input, buffer, sizeof buffer, &got, nullptr)
        && got > 0) {
        const char *next = buffer;
        while (got > 0) {
            const int sent = ::send(g_inputWrite, next, static_cast<int>(got), 0);
            if (sent <= 0)
                return 0;
            next += sent;
            got -= static_cast<DWORD>(sent);
        }
    }
    // The end of the input (or a broken pipe): the reader sees the end.
    ::shutdown(g_inputWrite, SD_SEND);
    return 0;
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
    if (!makePair(g_readEnd, g_writeEnd)) {
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

bool stdoutIsTerminal()
{
    DWORD mode = 0;
    return ::GetConsoleMode(::GetStdHandle(STD_OUTPUT_HANDLE), &mode) != 0;
}

io::SocketHandle openStandardInput()
{
    if (g_inputStarted)
        return io::SocketHandle::Invalid;
    WSADATA data {};
    if (::WSAStartup(MAKEWORD(2, 2), &data) != 0)
        return io::SocketHandle::Invalid;
    if (!makePair(g_inputRead, g_inputWrite)) {
        ::WSACleanup();
        return io::SocketHandle::Invalid;
    }
    const HANDLE thread = ::CreateThread(nullptr, 0, copyStandardInput, nullptr, 0, nullptr);
    if (!thread) {
        closeQuietly(g_inputRead);
        closeQuietly(g_inputWrite);
        ::WSACleanup();
        return io::SocketHandle::Invalid;
    }
    ::CloseHandle(thread); // it runs on, detached
    g_inputStarted = true;
    return static_cast<io::SocketHandle>(static_cast<std::intptr_t>(g_inputRead));
}

long long readStandardInput(char *buffer, std::size_t size)
{
    if (g_inputRead == INVALID_SOCKET)
        return 0;
    const int chunk = size > 1u << 30 ? 1 << 30 : static_cast<int>(size);
    const int got = ::recv(g_inputRead, buffer, chunk, 0);
    if (got < 0 && ::WSAGetLastError() == WSAEWOULDBLOCK)
        return -1;
    return got < 0 ? 0 : got;
}

void closeStandardInput()
{
    if (!g_inputStarted)
        return;
    g_inputStarted = false;
    closeQuietly(g_inputRead); // the thread's next send fails; it ends
    ::WSACleanup();
}

} // namespace platform
