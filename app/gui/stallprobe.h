#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

// Measures how late the event loop runs a 10 ms timer: the longest stall the
// user could have felt. Benchmarks read it; it costs one timer. With a trace
// file, every tick at least 2 ms late is also written there as a line
// "MONOTONIC_MS LATE_MS" (CLOCK_MONOTONIC), so a benchmark can find the
// longest stall within a window of its own (while 10,000 clients echo, say).
class StallProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallProbe)

public:
    explicit StallProbe(QObject *parent = nullptr);

    qint64 longestStallMs() const { return m_longest; }
    // Appends late ticks to path from now on; false when it cannot be opened.
    bool traceTo(const QString &path);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
    QFile m_trace;
};
