#include "net/tftp/tftpbackoff.h"

#include <algorithm>

namespace {

constexpr int MaxBackoffMs = 30'000;
// The timer ticks this often per timeout, so that it need not be restarted
// (nor the clock read) for every packet that arrives.
constexpr int TicksPerTimeout = 4;

} // namespace

int TftpBackoff::timeoutForAttempt(int attempt) const
{
    const qint64 base = baseMs;
    const qint64 cap = std::max(base, std::min(8 * base, qint64(MaxBackoffMs)));
    const qint64 wait = base << std::min(attempt, 20);
    return int(std::min(wait, cap));
}

qint64 TftpBackoff::waitedMs(int attempt) const
{
    qint64 total = 0;
    for (int i = 0; i <= attempt; ++i)
        total += timeoutForAttempt(i);
    return total;
}

TftpRetryTimer::TftpRetryTimer(std::function<void()> onTimeout)
    : m_onTimeout(std::move(onTimeout))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
}

int TftpRetryTimer::tickMs() const
{
    return std::max(1, currentTimeoutMs() / TicksPerTimeout);
}

void TftpRetryTimer::arm()
{
    m_quietTicks = 0;
    m_progressSinceTick = false;
    m_timer.start(tickMs());
}

void TftpRetryTimer::tick()
{
    // A timeout is TicksPerTimeout quiet ticks in a row; any progress since
    // the last tick starts the count again.
    if (m_progressSinceTick) {
        m_progressSinceTick = false;
        m_quietTicks = 0;
        m_timer.start(tickMs());
        return;
    }
    if (++m_quietTicks < TicksPerTimeout) {
        m_timer.start(tickMs());
        return;
    }
    m_onTimeout();
}
