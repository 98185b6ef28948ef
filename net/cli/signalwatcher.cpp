#include "net/cli/signalwatcher.h"

#include "net/io/platform.h"

#include <QSocketNotifier>

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    const io::SocketHandle requests = platform::openStopRequests();
    if (!io::isValid(requests))
        return;
    m_notifier
        = new QSocketNotifier(qintptr(io::nativeValue(requests)), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        if (const int number = platform::takeStopRequest(); number >= 0)
            Q_EMIT stopRequested(number);
    });
}

SignalWatcher::~SignalWatcher()
{
    // The notifier goes before the socket it watches.
    delete m_notifier;
    m_notifier = nullptr;
    platform::closeStopRequests();
}
