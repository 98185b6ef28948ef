#pragma once

// What the peer scripts in tests/peers/ report about a transfer, read back
// by the tests, and a watch on a session's send backlog. Shared by the
// sender and fault tests.

#include "peers.h"
#include "net/core/session.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <optional>

namespace peers {

inline QByteArray sha256Of(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

// A port number as a script prints it ("port N").
inline std::optional<quint16> toPort(const std::optional<QByteArray> &text)
{
    if (!text)
        return std::nullopt;
    bool ok = false;
    const uint value = text->trimmed().toUInt(&ok);
    if (!ok || value == 0 || value > 65535)
        return std::nullopt;
    return quint16(value);
}

// One "rx ADDRESS PORT LENGTH MS TTL HEX" line of udp_receiver.py.
struct RxLine
{
    quint16 port = 0;
    qint64 millis = 0;
    QByteArray data;
};

inline std::optional<RxLine> parseRx(const QByteArray &rest)
{
    const QList<QByteArray> fields = rest.split(' ');
    if (fields.size() != 6)
        return std::nullopt;
    return RxLine { quint16(fields.at(1).toUInt()), fields.at(3).toLongLong(),
        fields.at(5) == "-" ? QByteArray() : QByteArray::fromHex(fields.at(5)) };
}

// Every "rx" line up to "end", then the "total" line's fields.
struct Received
{
    QList<RxLine> datagrams;
    qint64 bytes = -1;
    qint64 count = -1;
    QByteArray sha256;
    QByteArray end;
};

// Reads a script's report: "rx ..." lines (udp_receiver.py), then
// "total BYTES COUNT SHA256" or "total BYTES SHA256" (the TCP scripts), then
// "end REASON". Other lines are passed over; "timeout" or silence for
// timeoutMs gives nothing.
inline std::optional<Received> collect(Process &peer, int timeoutMs = 30'000)
{
    Received result;
    while (const auto line = peer.readLine(timeoutMs)) {
        if (line->startsWith("rx ")) {
            const auto rx = parseRx(line->mid(3));
            if (!rx)
                return std::nullopt;
            result.datagrams.append(*rx);
        } else if (line->startsWith("total ")) {
            const QList<QByteArray> fields = line->mid(6).split(' ');
            if (fields.size() == 3) {
                result.bytes = fields.at(0).toLongLong();
                result.count = fields.at(1).toLongLong();
                result.sha256 = fields.at(2);
            } else if (fields.size() == 2) {
                result.bytes = fields.at(0).toLongLong();
                result.sha256 = fields.at(1);
            }
        } else if (line->startsWith("end ")) {
            result.end = line->mid(4);
            return result;
        } else if (*line == "timeout") {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

// Records the largest backlog a session ever reports while it runs, checked
// on every signal that can change it and on a short timer besides.
class BacklogWatch
{
public:
    explicit BacklogWatch(Session *session)
        : m_session(session)
    {
        QObject::connect(session, &Session::bytesWritten, &m_context, [this] { sample(); });
        QObject::connect(&m_timer, &QTimer::timeout, &m_context, [this] { sample(); });
        m_timer.start(5);
    }
    void sample() { m_max = std::max(m_max, m_session->pendingBytes()); }
    qint64 max() const { return m_max; }

private:
    Session *m_session;
    qint64 m_max = 0;
    QTimer m_timer;
    QObject m_context;
};

} // namespace peers
