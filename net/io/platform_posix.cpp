#include "net/io/platform.h"

#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace platform {

namespace {

int g_stopPair[2] = { -1, -1 };

// C linkage ignores the namespace: the name is unique for that reason.
extern "C" void socklabOnStopSignal(int number)
{
    // Async-signal-safe: a byte to the pipe, read on the event loop.
    const auto byte = static_cast<unsigned char>(number);
    [[maybe_unused]] const auto written = ::write(g_stopPair[1], &byte, 1);
}

bool makePair(int pair[2])
{
#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
    return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) == 0;
#else
    // macOS: no socket type flags; the same by fcntl.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
        return false;
    for (int i = 0; i < 2; ++i) {
        if (::fcntl(pair[i], F_SETFD, FD_CLOEXEC) != 0
            || ::fcntl(pair[i], F_SETFL, ::fcntl(pair[i], F_GETFL) | O_NONBLOCK) != 0) {
            ::close(pair[0]);
            ::close(pair[1]);
            return false;
        }
    }
    return true;
#endif
}

} // namespace

void raiseOpenFileLimit()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
#ifdef __APPLE__
        // macOS refuses more than OPEN_MAX for the soft limit, whatever the
        // hard one says (RLIM_INFINITY, mostly).
        if (limit.rlim_cur > OPEN_MAX)
            limit.rlim_cur = OPEN_MAX;
#endif
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

void ignoreBrokenPipe()
{
    ::signal(SIGPIPE, SIG_IGN);
}

void keepFreedReadsForReuse()
{
#ifdef __GLIBC__
    ::mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
    ::mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
}

io::SocketHandle openStopRequests()
{
    if (g_stopPair[0] >= 0 || !makePair(g_stopPair))
        return io::SocketHandle::Invalid;
    struct sigaction action
    {
    };
    action.sa_handler = socklabOnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    return static_cast<io::SocketHandle>(g_stopPair[0]);
}

int takeStopRequest()
{
    unsigned char byte = 0;
    if (g_stopPair[0] < 0 || ::read(g_stopPair[0], &byte, 1) != 1)
        return -1;
    return int(byte);
}

void closeStopRequests()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    for (int &fd : g_stopPair) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

} // namespace platform
