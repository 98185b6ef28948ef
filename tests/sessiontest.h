#pragma once

// Watching a net/ Session from a test: everything it reports, in order, and
// the largest send backlog it ever had. Header-only, test use only.

#include "net/core/session.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <concepts>
#include <functional>
#include <optional>
#include <vector>

struct RecordedData
{
    quint64 peerId = 0;
    Endpoint peer;
    QByteArray data;
};

// Records every signal of a session as it comes, in the views the tests
// compare: in order, per peer, and as one sequence of event names.
class SessionRecorder
{
public:
    explicit SessionRecorder(Session *session)
    {
        QObject::connect(session, &Session::stateChanged, &m_context, [this](Session::State s) {
            states.append(s);
            sequence.append(QStringLiteral("state %1").arg(int(s)));
        });
        QObject::connect(
            session, &Session::errorOccurred, &m_context, [this](const QString &message) {
                errors.append(message);
                sequence.append(QStringLiteral("error"));
            });
        QObject::connect(
            session, &Session::peerConnected, &m_context, [this](quint64 id, const Endpoint &peer) {
                connected.append(id);
                peers.append(peer);
                endpoints.insert(id, peer);
                if (m_peerCount)
                    maxPeers = std::max(maxPeers, m_peerCount());
                sequence.append(QStringLiteral("connected"));
            });
        QObject::connect(session, &Session::peerDisconnected, &m_context,
            [this](quint64 id, const Endpoint &peer, const QString &reason) {
                disconnected.append(id);
                reasons.append(reason);
                reasonOf.insert(id, reason);
                disconnectedEndpoints.insert(id, peer);
                rxAtDisconnect.append(rx.size());
                sequence.append(QStringLiteral("disconnected"));
            });
        QObject::connect(session, &Session::received, &m_context,
            [this](quint64 id, const Endpoint &peer, const QByteArray &data) {
                received.push_back({ id, peer, data });
                rx += data;
                rxById[id] += data;
                rxChunks.append(data);
                rxIds.append(id);
                sequence.append(QStringLiteral("rx"));
            });
        QObject::connect(session, &Session::sent, &m_context,
            [this](quint64 id, const Endpoint &peer, const QByteArray &data) {
                sent.push_back({ id, peer, data });
                tx += data;
                txById[id] += data;
            });
    }

    // A session that counts its peers (a server) also has maxPeers: the most
    // it held when one more came, by its own count.
    template<typename SessionType>
    requires std::derived_from<SessionType, Session>
    explicit SessionRecorder(SessionType &session)
        : SessionRecorder(static_cast<Session *>(&session))
    {
        if constexpr (requires { session.peerCount(); })
            m_peerCount = [&session] { return int(session.peerCount()); };
    }

    // For a test's own connections that should end with the recorder's.
    QObject *context() { return &m_context; }

    // The peer whose received bytes are exactly these.
    std::optional<quint64> peerThatSent(const QByteArray &data) const
    {
        for (auto it = rxById.cbegin(); it != rxById.cend(); ++it) {
            if (it.value() == data)
                return it.key();
        }
        return std::nullopt;
    }

    QList<Session::State> states;
    QStringList errors;
    QList<quint64> connected;
    QList<Endpoint> peers; // as they connected
    QHash<quint64, Endpoint> endpoints;
    QList<quint64> disconnected;
    QStringList reasons; // as they disconnected
    QHash<quint64, QString> reasonOf;
    QHash<quint64, Endpoint> disconnectedEndpoints;
    QList<qsizetype> rxAtDisconnect; // rx.size() at each disconnect
    std::vector<RecordedData> received;
    QByteArray rx; // every peer's, in order
    QHash<quint64, QByteArray> rxById;
    QList<QByteArray> rxChunks;
    QList<quint64> rxIds;
    std::vector<RecordedData> sent;
    QByteArray tx;
    QHash<quint64, QByteArray> txById;
    QStringList sequence; // "state N", "error", "connected", "disconnected", "rx"
    int maxPeers = 0;

private:
    std::function<int()> m_peerCount;
    QObject m_context; // last, so the connections go before the lists
};

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
