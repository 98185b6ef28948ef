#pragma once

#include <QTimer>

#include <functional>

// How long each attempt waits: the base, then twice the wait before, up to 8
// times the base or 30 s, whichever is less, but never less than the base.
struct TftpBackoff
{
    int baseMs = 1000;

    int timeoutForAttempt(int attempt) const;
    // The waits of attempts 0..attempt together.
    qint64 waitedMs(int attempt) const;
};

// The retransmission timer of one transfer. It ticks a few times per timeout
// and counts quiet ticks, so that a packet that moves the transfer on need
// not restart it (nor read the clock): noteProgress() only sets a flag.
// onTimeout runs when a whole timeout passed without progress; the transfer
// then retransmits (countAttempt(), arm()) or gives up.
class TftpRetryTimer final
{
    Q_DISABLE_COPY_MOVE(TftpRetryTimer)

public:
    explicit TftpRetryTimer(std::function<void()> onTimeout);

    void setBackoff(TftpBackoff backoff) { m_backoff = backoff; }
    const TftpBackoff &backoff() const { return m_backoff; }

    void arm(); // a new wait of currentTimeoutMs() starts now
    void stop() { m_timer.stop(); }

    // The transfer moved on: the wait starts again, and after retransmissions
    // the back-off from its first step.
    void noteProgress()
    {
        m_progressSinceTick = true;
        if (m_attempt > 0) {
            m_attempt = 0;
            arm();
        }
    }

    int attempt() const { return m_attempt; } // retransmissions of the current packet so far
    void countAttempt() { ++m_attempt; }
    void resetAttempts() { m_attempt = 0; }
    int currentTimeoutMs() const { return m_backoff.timeoutForAttempt(m_attempt); }
    qint64 waitedMs() const
    {
        return m_backoff.waitedMs(m_attempt);
    } // since the transfer last moved

private:
    void tick();
    int tickMs() const;

    QTimer m_timer;
    std::function<void()> m_onTimeout;
    TftpBackoff m_backoff;
    int m_attempt = 0;
    bool m_progressSinceTick = false;
    int m_quietTicks = 0; // ticks without progress
};
