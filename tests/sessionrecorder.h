#pragma once

// Records what a session reports, in order: test use only.

#include "net/core/session.h"

#include <QObject>
#include <QStringList>

#include <vector>

struct RecordedData
{
    quint64 peerId = 0;
    Endpoint peer;
    QByteArray data;
};

class SessionRecorder
{
public:
    explicit SessionRecorder(Session *session)
    {
        QObject::connect(session, &Session::received, &m_context,
            [this](quint64 id, const Endpoint &peer, const QByteArray &data) {
                received.push_back({ id, peer, data });
            });
        QObject::connect(session, &Session::sent, &m_context,
            [this](quint64 id, const Endpoint &peer, const QByteArray &data) {
                sent.push_back({ id, peer, data });
            });
        QObject::connect(session, &Session::errorOccurred, &m_context,
            [this](const QString &message) { errors.append(message); });
    }

    std::vector<RecordedData> received;
    std::vector<RecordedData> sent;
    QStringList errors;

private:
    QObject m_context; // last, so the connections go before the lists
};
