#include "net/cli/clirunner.h"

#include "net/core/sessionfactory.h"
#include "net/io/platform.h"
#include "net/log/trafficlog.h"
#include "net/send/filesender.h"
#include "net/send/periodicsender.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"
#include "net/udp/udpsession.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// The CLI prints entries as they come; it keeps only a short history.
constexpr qsizetype CliLogCap = 1024;
constexpr qint64 CliLogBytes = 1024 * 1024;
constexpr qsizetype StdoutFlushBytes = 64 * 1024;

} // namespace

CliRunner::CliRunner(const CliOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_log(new TrafficLog(this))
    , m_decoders(m_log)
    , m_interactive(platform::stdoutIsTerminal())
{
    m_log->setCap(CliLogCap);
    m_log->setByteCap(CliLogBytes);
    m_durationTimer.setSingleShot(true);
    m_lingerTimer.setSingleShot(true);
    connect(&m_durationTimer, &QTimer::timeout, this, [this] { shutdown(0); });
    connect(&m_lingerTimer, &QTimer::timeout, this, [this] { shutdown(0); });
    connect(m_log, &TrafficLog::appended, this, &CliRunner::print);
    connect(m_log, &TrafficLog::batchReady, this, &CliRunner::flushOut);
    // The log file is part of what was asked for: losing it fails the run
    // (exit status 1 at the end), though the session goes on.
    connect(m_log, &TrafficLog::streamError, this, [this](const QString &message) {
        m_failed = true;
        printError(message);
    });
}

CliRunner::~CliRunner()
{
    flushOut();
}

void CliRunner::start()
{
    if (!m_options.session.logFile.isEmpty()) {
        QString error;
        // --log-json, or else the file's extension, chooses the format.
        const bool started = m_options.session.logJson
            ? m_log->startStreaming(m_options.session.logFile, LogFormat::JsonLines, &error)
            : m_log->startStreaming(m_options.session.logFile, &error);
        if (!started) {
            printError(error);
            m_failed = true;
            Q_EMIT finished(1);
            return;
        }
    }
    createSession();
    if (m_options.session.durationMs > 0)
        m_durationTimer.start(m_options.session.durationMs);
    if (m_options.stdinLines) {
        const io::SocketHandle input = platform::openStandardInput();
        if (!io::isValid(input)) {
            printError(u"cannot read standard input"_s);
            m_failed = true;
            Q_EMIT finished(1);
            return;
        }
        m_stdinNotifier
            = new QSocketNotifier(qintptr(io::nativeValue(input)), QSocketNotifier::Read, this);
        connect(m_stdinNotifier, &QSocketNotifier::activated, this, &CliRunner::readStdin);
    }
    m_session->start();
}

void CliRunner::createSession()
{
    const SessionConfig &config = m_options.session;
    m_session = SessionFactory::create(config, Session::kindName(config.kind), this);
    if (config.kind == Session::Kind::TcpServer)
        connect(m_session, &Session::peerConnected, this, &CliRunner::onPeerConnected);
    if (auto *udp = qobject_cast<UdpSession *>(m_session); udp && !config.remoteHost.isEmpty()) {
        // A name is looked up meanwhile: sending waits for it, and a name
        // that is not found leaves nowhere to send (exit status 1).
        m_waitingForTarget = udp->target().isNull();
        connect(udp, &UdpSession::targetResolved, this, [this] {
            if (!std::exchange(m_waitingForTarget, false))
                return;
            if (m_session->state() == Session::State::Active)
                onActive();
        });
    }
    m_session->setLog(m_log);
    connect(m_session, &Session::stateChanged, this, &CliRunner::onStateChanged);
    connect(m_session, &Session::errorOccurred, this, &CliRunner::printError);
    connect(m_session, &Session::errorOccurred, this, [this] {
        if (std::exchange(m_waitingForTarget, false)) {
            m_failed = true;
            shutdown(1);
        }
    });
    m_periodic = new PeriodicSender(m_session, this);
    m_periodic->setSendFunction(SessionFactory::repeatFunction(*m_session));
    m_fileSender = new FileSender(m_session, this);
    if (m_options.session.chunkSize > 0)
        m_fileSender->setChunkSize(m_options.session.chunkSize);
    connect(m_periodic, &PeriodicSender::finished, this, &CliRunner::sendingDone);
    connect(m_fileSender, &FileSender::finished, this, [this](const SendResult &result) {
        if (!result.ok()) {
            printError(result.message);
            m_failed = true;
        }
        sendingDone();
    });
    connect(m_session, &Session::bytesWritten, this, [this] {
        if (m_waitingToClose && m_session->pendingBytes() == 0)
            lingerThenExit();
    });
}

void CliRunner::onStateChanged()
{
    switch (m_session->state()) {
    case Session::State::Active:
        m_everActive = true;
        onActive();
        break;
    case Session::State::Idle:
        if (m_shuttingDown)
            break;
        // Never came up (port in use, refused ...), or the connection ended.
        if (!m_everActive || !m_session->errorString().isEmpty())
            m_failed = true;
        shutdown(m_failed ? 1 : 0);
        break;
    case Session::State::Starting:
    case Session::State::Stopping:
        break;
    }
}

void CliRunner::onActive()
{
    if (m_waitingForTarget)
        return; // again once the target is known
    const QList<QByteArray> queued = std::exchange(m_queuedLines, {});
    for (const QByteArray &line : queued)
        sendLine(line);
    // A server sends to each client as it connects, unless sending periodically to all.
    if (m_options.session.kind != Session::Kind::TcpServer || m_options.session.intervalMs > 0)
        startSending();
}

void CliRunner::onPeerConnected(quint64 peerId)
{
    auto *server = static_cast<TcpServerSession *>(m_session);
    if (m_options.session.intervalMs > 0)
        return;
    if (!m_options.session.payload.isEmpty())
        server->sendTo(peerId, m_options.session.payload);
    else if (m_options.session.payloadKind == SessionConfig::PayloadKind::File
        && !m_fileSender->isRunning() && !m_payloadDone)
        startSending();
}

void CliRunner::startSending()
{
    if (m_payloadDone)
        return;
    QString error;
    switch (m_options.session.payloadKind) {
    case SessionConfig::PayloadKind::None:
        m_payloadDone = true;
        break;
    case SessionConfig::PayloadKind::Text:
    case SessionConfig::PayloadKind::Hex:
        if (m_options.session.intervalMs > 0) {
            if (!m_periodic->start(m_options.session.payload, m_options.session.intervalMs,
                    m_options.session.count, &error)) {
                printError(error);
                m_failed = true;
                shutdown(1);
            }
            return;
        }
        if (!m_session->send(m_options.session.payload))
            m_failed = true;
        sendingDone();
        break;
    case SessionConfig::PayloadKind::File:
        if (!m_fileSender->start(m_options.session.sendFile, &error)) {
            printError(error);
            m_failed = true;
            shutdown(1);
        }
        break;
    }
}

void CliRunner::sendingDone()
{
    m_payloadDone = true;
    if (!m_options.session.closeAfterSend || m_shuttingDown)
        return;
    if (m_options.stdinLines && !m_stdinDone)
        return;
    m_waitingToClose = true;
    if (m_session->pendingBytes() == 0)
        lingerThenExit();
}

void CliRunner::lingerThenExit()
{
    m_waitingToClose = false;
    if (!m_lingerTimer.isActive())
        m_lingerTimer.start(m_options.session.lingerMs);
}

void CliRunner::readStdin()
{
    char buffer[64 * 1024];
    const long long got = platform::readStandardInput(buffer, sizeof buffer);
    if (got < 0)
        return; // nothing yet
    if (got == 0) {
        m_stdinNotifier->setEnabled(false);
        platform::closeStandardInput();
        m_stdinDone = true;
        if (!m_stdinBuffer.isEmpty())
            sendLine(std::exchange(m_stdinBuffer, {}));
        if (m_payloadDone || m_options.session.payloadKind == SessionConfig::PayloadKind::None) {
            m_payloadDone = true;
            sendingDone();
        }
        return;
    }
    m_stdinBuffer.append(buffer, qsizetype(got));
    qsizetype newline = 0;
    while ((newline = m_stdinBuffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_stdinBuffer.left(newline + 1);
        m_stdinBuffer.remove(0, newline + 1);
        sendLine(line);
    }
}

void CliRunner::sendLine(const QByteArray &line)
{
    if (m_session->state() != Session::State::Active || m_waitingForTarget) {
        m_queuedLines.append(line);
        return;
    }
    BytesResult bytes;
    if (m_options.session.hex) {
        bytes = Hex::parse(QString::fromUtf8(line).trimmed());
    } else {
        // The terminal speaks UTF-8; the peer gets the chosen encoding.
        bytes = m_options.session.escapes
            ? Escapes::encode(QString::fromUtf8(line), m_options.session.encoding)
            : TextCodec::encode(QString::fromUtf8(line), m_options.session.encoding);
    }
    if (!bytes.ok()) {
        printError(u"line not sent: %1"_s.arg(bytes.error));
        return;
    }
    if (!bytes.bytes.isEmpty())
        m_session->send(bytes.bytes);
}

void CliRunner::print(const LogEntry &entry)
{
    if (m_options.output == CliOptions::Output::Quiet)
        return;
    if (entry.kind == LogKind::Error && m_options.output == CliOptions::Output::Human)
        return; // errors go to stderr, once
    QString text;
    if (entry.isData())
        text = m_options.session.hex ? Hex::format(entry.data) : m_decoders.decode(entry);
    const LogWriter writer(m_log,
        m_options.output == CliOptions::Output::Json ? LogFormat::JsonLines : LogFormat::Text);
    writeOut(writer.line(entry, text));
}

void CliRunner::printError(const QString &message)
{
    flushOut();
    std::fprintf(stderr, "socklab-cli: %s\n", message.toUtf8().constData());
    std::fflush(stderr);
}

void CliRunner::writeOut(const QByteArray &line)
{
    m_out.append(line);
    if (m_interactive || m_out.size() >= StdoutFlushBytes)
        flushOut();
}

void CliRunner::flushOut()
{
    if (m_out.isEmpty())
        return;
    std::fwrite(m_out.constData(), 1, size_t(m_out.size()), stdout);
    std::fflush(stdout);
    m_out.clear();
}

void CliRunner::shutdown(int exitCode)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_durationTimer.stop();
    m_lingerTimer.stop();
    if (m_stdinNotifier)
        m_stdinNotifier->setEnabled(false);
    if (m_periodic)
        m_periodic->stop();
    if (m_fileSender)
        m_fileSender->cancel();
    if (m_session)
        m_session->stop();
    const Counters counters = m_session ? m_session->counters() : Counters {};
    if (m_options.output == CliOptions::Output::Json) {
        const QJsonObject object {
            { u"event"_s, u"counters"_s },
            { u"rx_bytes"_s, qint64(counters.rxBytes) },
            { u"rx_packets"_s, qint64(counters.rxPackets) },
            { u"tx_bytes"_s, qint64(counters.txBytes) },
            { u"tx_packets"_s, qint64(counters.txPackets) },
        };
        writeOut(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
    } else {
        writeOut(u"counters: rx %1 bytes in %2 packets, tx %3 bytes in %4 packets\n"_s
                     .arg(counters.rxBytes)
                     .arg(counters.rxPackets)
                     .arg(counters.txBytes)
                     .arg(counters.txPackets)
                     .toUtf8());
    }
    flushOut();
    m_log->stopStreaming();
    Q_EMIT finished(m_failed ? 1 : exitCode);
}
