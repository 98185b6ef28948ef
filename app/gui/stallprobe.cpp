#include "stallprobe.h"

#include <algorithm>
#include <chrono>

namespace {
constexpr int TickMs = 10;
// Lateness worth a trace line: smaller is timer jitter.
constexpr qint64 TraceMinMs = 2;
} // namespace

StallProbe::StallProbe(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::tick);
    m_clock.start();
    m_timer.start();
}

bool StallProbe::traceTo(const QString &path)
{
    m_trace.setFileName(path);
    return m_trace.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

void StallProbe::tick()
{
    const qint64 now = m_clock.elapsed();
    const qint64 late = now - m_last - TickMs;
    m_longest = std::max(m_longest, late);
    m_last = now;
    if (late >= TraceMinMs && m_trace.isOpen()) {
        // steady_clock is CLOCK_MONOTONIC on Linux, the clock benchmarks read.
        const auto monotonic = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now().time_since_epoch());
        m_trace.write(
            QByteArray::number(qint64(monotonic.count())) + ' ' + QByteArray::number(late) + '\n');
    }
}
