#include "stallprobe.h"

namespace {
constexpr int TickMs = 10;
} // namespace

StallProbe::StallProbe(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.elapsed();
        m_longest = std::max(m_longest, now - m_last - TickMs);
        m_last = now;
    });
    m_clock.start();
    m_timer.start();
}
