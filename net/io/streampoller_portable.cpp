// The portable backend (Windows, macOS, the BSDs): a QSocketNotifier per
// socket and direction, enabled as the stream's interest changes. What they
// report is queued and handed out at most EventsPerPass per pass of the event
// loop; a notifier whose readiness waits in the queue is off meanwhile, and
// on again once its stream has been told (level-triggered, as epoll is).
// Qt's notifiers do not tell a hang-up or an error from readiness: the
// stream learns of those from its next recv() or send().
#include "net/io/streampoller.h"

#include <QHash>
#include <QList>
#include <QPointer>
#include <QSocketNotifier>

struct StreamPoller::Backend
{
    struct Entry
    {
        PollTarget *target = nullptr;
        QSocketNotifier *read = nullptr; // children of the poller
        QSocketNotifier *write = nullptr;
        bool wantRead = true;
        bool wantWrite = false;
        bool queued = false;
        Readiness seen; // reported by the notifiers, not yet handed out
    };

    explicit Backend(StreamPoller *poller)
        : owner(poller)
    { }

    static void apply(const Entry &entry)
    {
        entry.read->setEnabled(entry.wantRead && !entry.seen.readable);
        entry.write->setEnabled(entry.wantWrite && !entry.seen.writable);
    }

    void noted(Key key, bool isRead)
    {
        const auto it = entries.find(key);
        if (it == entries.end())
            return;
        (isRead ? it->read : it->write)->setEnabled(false);
        (isRead ? it->seen.readable : it->seen.writable) = true;
        if (!it->queued) {
            it->queued = true;
            ready.append(key);
        }
        postDrain();
    }

    void postDrain()
    {
        if (drainPosted)
            return;
        drainPosted = true;
        // Posted: Qt handles the events posted during a pass in the next one,
        // so each pass hands out one slice.
        QMetaObject::invokeMethod(
            owner, [this] { drain(); }, Qt::QueuedConnection);
    }

    void drain()
    {
        drainPosted = false;
        const QPointer<StreamPoller> self(owner);
        for (int handed = 0; handed < EventsPerPass && readyHead < ready.size(); ++handed) {
            const auto it = entries.find(ready.at(readyHead++));
            if (it == entries.end())
                continue; // removed while it waited
            const Readiness readiness = it->seen;
            it->seen = {};
            it->queued = false;
            apply(*it);
            PollTarget *target = it->target;
            target->onReady(readiness);
            // A target may have removed sockets (or deleted the poller) meanwhile.
            if (!self)
                return;
        }
        if (readyHead < ready.size()) {
            postDrain();
        } else {
            ready.clear();
            readyHead = 0;
        }
    }

    StreamPoller *owner;
    QHash<Key, Entry> entries;
    QList<Key> ready; // in the order their readiness came, from readyHead on
    qsizetype readyHead = 0;
    bool drainPosted = false;
    Key nextKey = 1;
};

const char *StreamPoller::backendName()
{
    return "portable";
}

StreamPoller::StreamPoller(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Backend>(this))
{ }

StreamPoller::~StreamPoller() = default;

StreamPoller::Key StreamPoller::add(PollTarget *target, io::SocketHandle socket)
{
    const auto descriptor = qintptr(io::nativeValue(socket));
    auto *read = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    auto *write = new QSocketNotifier(descriptor, QSocketNotifier::Write, this);
    if (!read->isValid() || !write->isValid()) {
        delete read;
        delete write;
        io::setLastError(io::badSocketError());
        return 0;
    }
    write->setEnabled(false);
    const Key key = d->nextKey++;
    Backend::Entry entry;
    entry.target = target;
    entry.read = read;
    entry.write = write;
    d->entries.insert(key, entry);
    Backend *backend = d.get();
    connect(read, &QSocketNotifier::activated, this, [backend, key] { backend->noted(key, true); });
    connect(
        write, &QSocketNotifier::activated, this, [backend, key] { backend->noted(key, false); });
    return key;
}

bool StreamPoller::watch(Key key, bool read, bool write)
{
    const auto it = d->entries.find(key);
    if (it == d->entries.end())
        return false;
    it->wantRead = read;
    it->wantWrite = write;
    Backend::apply(*it);
    return true;
}

void StreamPoller::remove(Key key)
{
    const auto it = d->entries.find(key);
    if (it == d->entries.end())
        return;
    // Off at once (the socket is closed next), deleted later: remove() may
    // come from a slot of one of them.
    for (QSocketNotifier *notifier : { it->read, it->write }) {
        notifier->setEnabled(false);
        notifier->disconnect(this);
        notifier->deleteLater();
    }
    d->entries.erase(it);
}
