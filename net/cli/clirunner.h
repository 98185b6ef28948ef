#pragma once

#include "net/cli/clioptions.h"
#include "net/log/logdecoders.h"

#include <QObject>
#include <QTimer>

#include <memory>

class FileSender;
class PeriodicSender;
class QSocketNotifier;
class Session;
class TrafficLog;
struct LogEntry;

// Runs one socklab-cli command: builds the session from the options, prints
// every event, sends what was asked, and ends with finished(exitCode).
class CliRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CliRunner)

public:
    explicit CliRunner(const CliOptions &options, QObject *parent = nullptr);
    ~CliRunner() override;

    void start();
    // Stops the session, prints the counters and finishes with exitCode
    // (or 1 if a runtime error was seen before).
    void shutdown(int exitCode);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void createSession();
    void onStateChanged();
    void onActive();
    void onPeerConnected(quint64 peerId);
    void print(const LogEntry &entry);
    void printError(const QString &message);
    void writeOut(const QByteArray &line);
    void flushOut();
    void startSending();
    void sendingDone();
    void lingerThenExit();
    void readStdin();
    void sendLine(const QByteArray &line);

    CliOptions m_options;
    TrafficLog *m_log = nullptr; // child
    Session *m_session = nullptr; // child
    PeriodicSender *m_periodic = nullptr; // child
    FileSender *m_fileSender = nullptr; // child
    QSocketNotifier *m_stdinNotifier = nullptr; // child
    LogDecoders m_decoders; // of m_log's entries, as they are printed
    QByteArray m_stdinBuffer;
    QList<QByteArray> m_queuedLines;
    QTimer m_durationTimer;
    QTimer m_lingerTimer;
    QByteArray m_out;
    bool m_everActive = false;
    bool m_stdinDone = false;
    bool m_payloadDone = false;
    bool m_shuttingDown = false;
    bool m_interactive = false;
    bool m_failed = false;
    bool m_waitingToClose = false;
    bool m_waitingForTarget = false; // udp --to NAME: nothing is sent until it is looked up
};
