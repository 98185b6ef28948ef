#pragma once

#include "net/core/sessionconfig.h"

#include <QObject>
#include <QTimer>

class MainWindow;
class SessionTab;
struct SendResult;

// A session given on the window's command line (socklab tcp-server --listen
// :9000 --send hi ...), run in its own tab: the tab's fields are filled from
// the config and the session started through them; what socklab-cli would
// send goes through the tab's send box (a TCP server greets each client as it
// connects, unless repeating to all), and --duration, --close-after-send with
// --linger and --log-file do what they do in socklab-cli, except that the
// window stays open: the session stops.
class StartupSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartupSession)

public:
    // Opens the tab and starts it; the StartupSession is the tab's child.
    // Problems (a log file that cannot be written) are in the window's
    // status bar and, when error is given, in *error.
    static SessionTab *open(MainWindow &window, const SessionConfig &config, QString *error = {});

private:
    StartupSession(SessionTab *tab, const SessionConfig &config);

    void onActive();
    void onPeerConnected(quint64 peerId);
    void startSending();
    void sendingDone();
    void lingerThenStop();

    SessionTab *m_tab; // parent
    SessionConfig m_config;
    QTimer m_duration;
    QTimer m_linger;
    bool m_started = false;
    bool m_payloadDone = false;
    bool m_waitingToClose = false;
    bool m_sending = false; // a repeat or a file of ours is under way
};
