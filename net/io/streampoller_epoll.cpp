// The epoll backend (Linux): one epoll descriptor per poller, watched by one
// QSocketNotifier; a pass takes at most EventsPerPass ready sockets from it.
#include "net/io/streampoller.h"

#include "net/core/logging.h"

#include <QHash>
#include <QPointer>
#include <QSocketNotifier>

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

struct StreamPoller::Backend
{
    struct Entry
    {
        PollTarget *target = nullptr;
        int fd = -1;
    };

    int epoll = -1;
    QSocketNotifier *notifier = nullptr; // child of the poller
    // By key, not by pointer in the epoll event: a socket removed while a
    // pass is under way is then simply not found.
    QHash<Key, Entry> entries;
    Key nextKey = 1;
};

namespace {

quint32 eventsFor(bool read, bool write)
{
    return (read ? quint32(EPOLLIN) : 0u) | (write ? quint32(EPOLLOUT) : 0u);
}

} // namespace

const char *StreamPoller::backendName()
{
    return "epoll";
}

StreamPoller::StreamPoller(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Backend>())
{
    d->epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (d->epoll < 0) {
        // add() fails, and each stream ends saying why.
        qCWarning(lcTcp, "epoll_create1: %s", qPrintable(qt_error_string(errno)));
        return;
    }
    d->notifier = new QSocketNotifier(d->epoll, QSocketNotifier::Read, this);
    connect(d->notifier, &QSocketNotifier::activated, this, [this] {
        epoll_event events[EventsPerPass];
        int count = 0;
        do {
            count = ::epoll_wait(d->epoll, events, EventsPerPass, 0);
        } while (count < 0 && errno == EINTR);
        const QPointer<StreamPoller> self(this);
        for (int i = 0; i < count; ++i) {
            // A target may have removed sockets (or deleted us) meanwhile.
            if (!self)
                return;
            const auto it = d->entries.constFind(events[i].data.u64);
            if (it == d->entries.cend())
                continue;
            const quint32 bits = events[i].events;
            it->target->onReady({ (bits & EPOLLIN) != 0, (bits & EPOLLOUT) != 0,
                (bits & EPOLLHUP) != 0, (bits & EPOLLERR) != 0 });
        }
    });
}

StreamPoller::~StreamPoller()
{
    // Targets that outlive us hold a QPointer and close their own sockets.
    if (d->epoll >= 0)
        ::close(d->epoll);
}

StreamPoller::Key StreamPoller::add(PollTarget *target, io::SocketHandle socket)
{
    if (d->epoll < 0) {
        errno = EBADF;
        return 0;
    }
    const int fd = int(io::nativeValue(socket));
    const Key key = d->nextKey++;
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = key;
    if (::epoll_ctl(d->epoll, EPOLL_CTL_ADD, fd, &event) != 0)
        return 0;
    d->entries.insert(key, { target, fd });
    return key;
}

bool StreamPoller::watch(Key key, bool read, bool write)
{
    const auto it = d->entries.constFind(key);
    if (it == d->entries.cend())
        return false;
    epoll_event event {};
    event.events = eventsFor(read, write);
    event.data.u64 = key;
    if (::epoll_ctl(d->epoll, EPOLL_CTL_MOD, it->fd, &event) != 0) {
        qCWarning(lcTcp, "epoll_ctl(MOD) on %d: %s", it->fd, qPrintable(qt_error_string(errno)));
        return false;
    }
    return true;
}

void StreamPoller::remove(Key key)
{
    const auto it = d->entries.find(key);
    if (it == d->entries.end())
        return;
    const int fd = it->fd;
    d->entries.erase(it);
    if (d->epoll >= 0)
        ::epoll_ctl(d->epoll, EPOLL_CTL_DEL, fd, nullptr);
}
