#pragma once

#include <QFile>
#include <QObject>

class QWidget;
class Session;

// How long the window takes to come up, for benchmarks: with
// SOCKLAB_STARTUP_REPORT=PATH the app appends one line to PATH per milestone,
//
//   window-exposed SINCE_START_MS MONOTONIC_MS
//   listening SINCE_START_MS MONOTONIC_MS
//
// window-exposed: the main window's first frame is painted and handed to the
// display (its first expose event, handled); listening: the first session
// given on the command line is active (a server listens, a UDP socket is
// bound, a client is connected). SINCE_START_MS counts from the process's
// start as the kernel records it (to its clock tick, 10 ms here, so it may
// read up to that much high); MONOTONIC_MS is CLOCK_MONOTONIC, for a launcher
// that read the same clock just before starting us. Milliseconds with one
// decimal; each milestone is written once.
class StartupReport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartupReport)

public:
    explicit StartupReport(const QString &path, QObject *parent = nullptr);

    bool isOpen() const { return m_file.isOpen(); }
    // Reports the window's first exposure; call after show().
    void watchWindow(QWidget *window);
    // Reports when the session is first active (now, if it is).
    void watchSession(Session *session);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void record(const char *milestone);

    QFile m_file;
    bool m_exposed = false;
    bool m_listening = false;
};
