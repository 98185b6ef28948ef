#include "net/io/platform.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __APPLE__
#include <climits> // OPEN_MAX
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

double msSinceProcessStart()
{
#if defined(__linux__)
    // Field 22 of /proc/self/stat: the start in clock ticks since boot, on
    // the CLOCK_BOOTTIME scale.
    std::FILE *stat = std::fopen("/proc/self/stat", "r");
    if (!stat)
        return -1;
    char line[1024] {};
    const std::size_t length = std::fread(line, 1, sizeof line - 1, stat);
    std::fclose(stat);
    line[length] = '\0';
    // The command name (field 2) may hold spaces; the fields after it do not.
    const char *field = std::strrchr(line, ')');
    if (!field)
        return -1;
    ++field;
    for (int number = 3; number <= 22 && field; ++number) {
        while (*field == ' ')
            ++field;
        if (number == 22)
            break;
        field = std::strchr(field, ' ');
    }
    if (!field || *field < '0' || *field > '9')
        return -1;
    const unsigned long long ticks = std::strtoull(field, nullptr, 10);
    const long perSecond = ::sysconf(_SC_CLK_TCK);
    timespec now {};
    if (perSecond <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return -1;
    const double nowMs = double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
    return nowMs - double(ticks) * 1e3 / double(perSecond);
#else
    return -1;
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

bool stdoutIsTerminal()
{
    return ::isatty(STDOUT_FILENO) == 1;
}

io::SocketHandle openStandardInput()
{
    return static_cast<io::SocketHandle>(STDIN_FILENO);
}

long long readStandardInput(char *buffer, std::size_t size)
{
    const ssize_t got = ::read(STDIN_FILENO, buffer, size);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return -1;
    return got < 0 ? 0 : static_cast<long long>(got);
}

void closeStandardInput()
{
    // Standard input stays open: it is the process's, not ours.
}

} // namespace platform
