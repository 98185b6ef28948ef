#pragma once

#include "net/io/nativesocket.h"

#include <QObject>

#include <memory>

// What a socket is ready for, as a poller saw it.
struct Readiness
{
    bool readable = false;
    bool writable = false;
    bool hangUp = false; // both directions are over
    bool error = false; // an error is pending (read it with io::takePendingError)
};

// Told by a StreamPoller what its socket is ready for.
class PollTarget
{
public:
    virtual ~PollTarget() = default;
    virtual void onReady(Readiness readiness) = 0;
};

// Readiness of many streams, on the owner's event loop, handed out at most
// EventsPerPass at a time: Qt 6.4's dispatcher, when 10,000 sockets are
// readable at once, handles them all in one pass (marking each pending with
// a linear search: quadratic), and the window stalls 150-280 ms. Here the
// others stay ready (level-triggered) for the next pass, with timers and
// painting in between.
//
// One backend is built (SOCKLAB_IO_BACKEND): streampoller_epoll.cpp, one epoll
// descriptor per poller watched by one QSocketNotifier (Linux), or
// streampoller_portable.cpp, a QSocketNotifier per socket and direction
// (Windows, macOS, the BSDs, and Linux too in the tests).
class StreamPoller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamPoller)

public:
    static constexpr int EventsPerPass = 128;
    // The name of the backend built: "epoll" or "portable".
    static const char *backendName();

    using Key = quint64;

    explicit StreamPoller(QObject *parent = nullptr);
    ~StreamPoller() override;

    // A key for the socket, watched for reading; 0 (io::lastError() set) when
    // it cannot be watched. The target is told until remove().
    Key add(PollTarget *target, io::SocketHandle socket);
    // What to wait for: readable, writable (errors and hang-ups always).
    bool watch(Key key, bool read, bool write);
    // Before the socket is closed.
    void remove(Key key);

    struct Backend;

private:
    std::unique_ptr<Backend> d;
};
