#include "net/core/session.h"

#include "net/log/trafficlog.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

Session::Session(Kind kind, const QString &name, QObject *parent)
    : QObject(parent)
    , m_kind(kind)
    , m_name(name)
{ }

Session::~Session() = default;

QString Session::kindName(Kind kind)
{
    switch (kind) {
    case Kind::TcpServer:
        return u"tcp-server"_s;
    case Kind::TcpClient:
        return u"tcp-client"_s;
    case Kind::Udp:
        return u"udp"_s;
    }
    return {};
}

void Session::setLog(TrafficLog *log)
{
    m_log = log;
    m_logId = log ? log->registerSession(m_name) : 0;
    if (log)
        log->setSessionEncoding(m_logId, m_encoding);
}

void Session::setEncoding(const QString &canonical)
{
    m_encoding = canonical;
    if (m_log)
        m_log->setSessionEncoding(m_logId, canonical);
}

void Session::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (state == State::Starting)
        m_error.clear();
    Q_EMIT stateChanged(state);
}

void Session::reportError(const QString &message)
{
    m_error = message;
    logEvent(LogKind::Error, 0, {}, message);
    Q_EMIT errorOccurred(message);
}

void Session::logEvent(LogKind kind, quint64 peerId, const Endpoint &peer, const QString &text)
{
    if (!m_log)
        return;
    m_log->append(
        { QDateTime::currentMSecsSinceEpoch(), m_logId, kind, peerId, peer, text.toUtf8() });
}

void Session::handleReceived(quint64 peerId, const Endpoint &peer, const QByteArray &data)
{
    m_counters.rxBytes += quint64(data.size());
    ++m_counters.rxPackets;
    if (m_log)
        m_log->append(
            { QDateTime::currentMSecsSinceEpoch(), m_logId, LogKind::Rx, peerId, peer, data });
    Q_EMIT received(peerId, peer, data);
    if (m_responder.mode != Responder::Mode::Off) {
        if (const auto answer = m_responder.respond(data, m_encoding); answer && !answer->isEmpty())
            reply(peerId, peer, *answer);
    }
}

void Session::handleSent(quint64 peerId, const Endpoint &peer, const QByteArray &data)
{
    m_counters.txBytes += quint64(data.size());
    ++m_counters.txPackets;
    if (m_log)
        m_log->append(
            { QDateTime::currentMSecsSinceEpoch(), m_logId, LogKind::Tx, peerId, peer, data });
    Q_EMIT sent(peerId, peer, data);
}
