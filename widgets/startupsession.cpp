#include "startupsession.h"

#include "mainwindow.h"
#include "net/core/session.h"
#include "net/core/sessionfactory.h"
#include "net/send/periodicsender.h"
#include "net/tcp/tcpserversession.h"
#include "sendbox.h"
#include "sessiontab.h"

SessionTab *StartupSession::open(MainWindow &window, const SessionConfig &config, QString *error)
{
    if (!config.logFile.isEmpty()) {
        QString problem;
        if (!window.streamLogTo(config.logFile, config.logJson, &problem) && error)
            *error = problem;
    }
    SessionTab *tab = window.openSession(config.kind);
    new StartupSession(tab, config);
    tab->startSession();
    return tab;
}

StartupSession::StartupSession(SessionTab *tab, const SessionConfig &config)
    : QObject(tab)
    , m_tab(tab)
    , m_config(config)
{
    tab->applyConfig(config);
    Session *session = tab->session();
    m_duration.setSingleShot(true);
    m_linger.setSingleShot(true);
    connect(&m_duration, &QTimer::timeout, tab, &SessionTab::stopSession);
    connect(&m_linger, &QTimer::timeout, tab, &SessionTab::stopSession);
    connect(session, &Session::stateChanged, this, [this](Session::State state) {
        if (state == Session::State::Active)
            onActive();
        else if (state == Session::State::Idle)
            m_duration.stop();
    });
    connect(session, &Session::peerConnected, this, &StartupSession::onPeerConnected);
    connect(session, &Session::bytesWritten, this, [this] {
        if (m_waitingToClose && m_tab->session()->pendingBytes() == 0)
            lingerThenStop();
    });
    // Only the sends made for the command line count; the user's own later ones do not.
    const auto ours = [this] {
        if (std::exchange(m_sending, false))
            sendingDone();
    };
    connect(tab->sendBox(), &SendBox::repeatFinished, this, ours);
    connect(tab->sendBox(), &SendBox::fileFinished, this, ours);
}

void StartupSession::onActive()
{
    if (std::exchange(m_started, true))
        return; // a client that reconnects does not send again, as in socklab-cli
    if (m_config.durationMs > 0)
        m_duration.start(m_config.durationMs);
    // A server sends to each client as it connects, unless repeating to all.
    if (m_config.kind != Session::Kind::TcpServer || m_config.intervalMs > 0)
        startSending();
}

void StartupSession::onPeerConnected(quint64 peerId)
{
    if (m_config.kind != Session::Kind::TcpServer || m_config.intervalMs > 0)
        return;
    auto *server = static_cast<TcpServerSession *>(m_tab->session());
    if (!m_config.payload.isEmpty())
        server->sendTo(peerId, m_config.payload);
    else if (m_config.payloadKind == SessionConfig::PayloadKind::File && !m_payloadDone)
        startSending();
}

void StartupSession::startSending()
{
    if (m_payloadDone)
        return;
    SendBox *box = m_tab->sendBox();
    switch (m_config.payloadKind) {
    case SessionConfig::PayloadKind::None:
        m_payloadDone = true;
        break;
    case SessionConfig::PayloadKind::Text:
    case SessionConfig::PayloadKind::Hex:
        if (m_config.intervalMs > 0 && m_config.kind == Session::Kind::TcpServer) {
            // As socklab-cli: to whoever is connected at each tick, none
            // being no error (the send box would stop at the first tick
            // without clients).
            auto *periodic = new PeriodicSender(m_tab->session(), this);
            periodic->setSendFunction(SessionFactory::repeatFunction(*m_tab->session()));
            connect(periodic, &PeriodicSender::finished, this, &StartupSession::sendingDone);
            QString error;
            if (!periodic->start(m_config.payload, m_config.intervalMs, m_config.count, &error))
                Q_EMIT m_tab->status(error);
            return;
        }
        if (m_config.intervalMs > 0) {
            m_sending = box->startRepeating(); // its end comes as repeatFinished
            if (!m_sending)
                sendingDone();
            return;
        }
        box->sendNow();
        sendingDone();
        break;
    case SessionConfig::PayloadKind::File:
        m_payloadDone = true; // a server streams the file once, to all
        m_sending = box->sendFile(m_config.sendFile);
        if (!m_sending)
            sendingDone();
        break;
    }
}

void StartupSession::sendingDone()
{
    m_payloadDone = true;
    if (!m_config.closeAfterSend || m_tab->session()->state() != Session::State::Active)
        return;
    m_waitingToClose = true;
    if (m_tab->session()->pendingBytes() == 0)
        lingerThenStop();
}

void StartupSession::lingerThenStop()
{
    m_waitingToClose = false;
    if (!m_linger.isActive())
        m_linger.start(m_config.lingerMs);
}
