#include "sessiontab.h"

#include "logview.h"
#include "net/core/session.h"
#include "net/core/sessionconfig.h"
#include "net/core/sessionfactory.h"
#include "net/text/escapes.h"
#include "net/text/textcodec.h"
#include "sendbox.h"
#include "trafficlogmodel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

QString formatBytes(quint64 bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? u"%1 B"_s.arg(bytes)
                     : u"%1 %2"_s.arg(value, 0, 'f', 1).arg(QString::fromLatin1(units[unit]));
}

QString addressComboText(const QHostAddress &address)
{
    if (address == QHostAddress::Any)
        return u"any"_s;
    if (address == QHostAddress::AnyIPv4)
        return u"0.0.0.0"_s;
    if (address == QHostAddress::AnyIPv6)
        return u"::"_s;
    return address.toString();
}

SessionTab::SessionTab(Session *session, TrafficLogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(model)
{
    session->setParent(this);
}

SessionTab::~SessionTab()
{
    // Stop before the widgets that listen to the session go away, telling
    // none of them: the subclass part of this tab is already destroyed, yet
    // its children (the peer list of a server tab) are not and would pass the
    // dropped clients on to it. The log still records the stop (it is written
    // to directly, not through signals).
    const QSignalBlocker blocker(m_session);
    m_session->stop();
}

void SessionTab::build(QWidget *connectionSettings, QWidget *aboveLog)
{
    m_startStop = new QPushButton(startText(), this);
    m_startStop->setObjectName(u"startStopButton"_s);
    m_stateLabel = new QLabel(tr("Stopped"), this);
    m_stateLabel->setObjectName(u"stateLabel"_s);
    m_stateLabel->setWordWrap(true);
    m_error = new QLabel(this);
    m_error->setObjectName(u"errorLabel"_s);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #b71c1c;"_s);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    m_encoding = new QComboBox(this);
    m_encoding->setObjectName(u"encodingCombo"_s);
    for (const QString &name : TextCodec::names()) {
        if (TextCodec::isAvailable(name))
            m_encoding->addItem(name, name);
    }
    m_responderMode = new QComboBox(this);
    m_responderMode->setObjectName(u"responderMode"_s);
    m_responderMode->addItem(tr("Off"), int(Responder::Mode::Off));
    m_responderMode->addItem(tr("Echo"), int(Responder::Mode::Echo));
    m_responderMode->addItem(tr("Fixed reply"), int(Responder::Mode::FixedReply));
    m_responderMode->addItem(tr("Time server"), int(Responder::Mode::TimeServer));
    m_responderMode->setToolTip(
        tr("Time server: the request is a strftime format such as %Y-%m-%d %X"));
    m_reply = new QLineEdit(this);
    m_reply->setObjectName(u"replyEdit"_s);
    m_reply->setPlaceholderText(tr("Reply text (escapes such as \\r\\n allowed)"));
    m_reply->setEnabled(false);
    m_counters = new QLabel(this);
    m_counters->setObjectName(u"countersLabel"_s);
    m_counters->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *resetCounters = new QPushButton(tr("Reset counters"), this);
    resetCounters->setObjectName(u"resetCounters"_s);

    auto *connection = new QGroupBox(tr("Connection"), this);
    auto *connectionLayout = new QVBoxLayout(connection);
    connectionLayout->addWidget(connectionSettings);
    connectionLayout->addWidget(m_startStop);
    connectionLayout->addWidget(m_stateLabel);
    connectionLayout->addWidget(m_error);

    auto *text = new QGroupBox(tr("Encoding and auto-reply"), this);
    auto *textLayout = new QFormLayout(text);
    textLayout->addRow(tr("Encoding:"), m_encoding);
    textLayout->addRow(tr("Auto-reply:"), m_responderMode);
    textLayout->addRow(m_reply);

    auto *counters = new QGroupBox(tr("Counters"), this);
    auto *countersLayout = new QVBoxLayout(counters);
    countersLayout->addWidget(m_counters);
    countersLayout->addWidget(resetCounters);

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(connection);
    sideLayout->addWidget(text);
    sideLayout->addWidget(counters);
    sideLayout->addStretch(1);
    side->setMinimumWidth(260);
    side->setMaximumWidth(380);

    m_logView = new LogView(m_model, m_session->logId(), this);
    m_sendBox = new SendBox(m_session, this);
    auto *right = new QSplitter(Qt::Vertical, this);
    if (aboveLog)
        right->addWidget(aboveLog);
    right->addWidget(m_logView);
    right->addWidget(m_sendBox);
    right->setStretchFactor(right->count() - 2, 3);
    right->setStretchFactor(right->count() - 1, 1);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(side);
    layout->addWidget(right, 1);

    m_counterTimer = new QTimer(this);
    m_counterTimer->setInterval(1000);
    connect(m_counterTimer, &QTimer::timeout, this, &SessionTab::updateCounters);
    m_counterTimer->start();
    updateCounters();

    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (m_session->state() == Session::State::Idle)
            startSession();
        else
            stopSession();
    });
    connect(m_session, &Session::stateChanged, this, &SessionTab::onStateChanged);
    connect(m_session, &Session::errorOccurred, this, &SessionTab::showError);
    connect(m_encoding, &QComboBox::currentIndexChanged, this, [this] {
        const QString name = m_encoding->currentData().toString();
        m_session->setEncoding(name);
        m_sendBox->setEncoding(name);
        m_model->redecodeSession(m_session->logId());
        applyResponder();
    });
    connect(m_responderMode, &QComboBox::currentIndexChanged, this, &SessionTab::applyResponder);
    connect(m_reply, &QLineEdit::textChanged, this, &SessionTab::applyResponder);
    connect(m_logView, &LogView::status, this, &SessionTab::status);
    connect(m_sendBox, &SendBox::status, this, &SessionTab::status);
    connect(resetCounters, &QPushButton::clicked, this, [this] {
        m_session->resetCounters();
        m_lastRx = m_lastTx = 0;
        updateCounters();
    });
    onStateChanged();
}

void SessionTab::setEncoding(const QString &canonical)
{
    if (const int index = m_encoding->findData(canonical); index >= 0)
        m_encoding->setCurrentIndex(index);
}

void SessionTab::setResponder(Responder::Mode mode, const QString &reply)
{
    m_reply->setText(reply);
    if (const int index = m_responderMode->findData(int(mode)); index >= 0)
        m_responderMode->setCurrentIndex(index);
    applyResponder();
}

QString SessionTab::encoding() const
{
    return m_encoding->currentData().toString();
}

bool SessionTab::startSession()
{
    m_error->hide();
    QString problem;
    const std::optional<SessionConfig> config = sessionConfig(&problem);
    if (!config) {
        showError(problem);
        return false;
    }
    SessionFactory::configure(*m_session, *config);
    m_session->start();
    return true;
}

std::optional<SessionConfig> SessionTab::sessionConfig(QString *error) const
{
    SessionConfig config;
    config.kind = m_session->kind();
    config.encoding = encoding();
    // The responder is applied as it is edited (and switched off while the
    // reply text is not valid): the session's is the tab's.
    config.responder = m_session->responder();
    if (const QString problem = fillConfig(config); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return config;
}

void SessionTab::applyConfig(const SessionConfig &config)
{
    showConfig(config);
    setEncoding(config.encoding);
    if (config.hex)
        m_logView->setShow(LogView::Show::Hex);
    // The reply field reads escapes: the bytes are written so that they read
    // back unchanged (a backslash as \\, what is not text as \xNN).
    setResponder(config.responder.mode,
        config.responder.mode == Responder::Mode::FixedReply
            ? Escapes::escape(config.responder.fixedReply, encoding())
            : QString());
    if (!config.payloadText.isEmpty()) {
        const bool hex = config.payloadKind == SessionConfig::PayloadKind::Hex;
        m_sendBox->setContent(
            config.payloadText, hex ? SendBox::Mode::Hex : SendBox::Mode::Text, config.escapes);
    }
    if (config.intervalMs > 0)
        m_sendBox->setRepeat(config.intervalMs, config.count);
    if (config.chunkSize > 0)
        m_sendBox->setFileChunkSize(config.chunkSize);
}

void SessionTab::stopSession()
{
    m_session->stop();
}

void SessionTab::settingsEdited()
{
    const QString problem = validate();
    if (m_session->state() == Session::State::Idle)
        m_startStop->setEnabled(problem.isEmpty());
    if (problem.isEmpty()) {
        m_error->hide();
    } else {
        m_error->setText(problem);
        m_error->show();
    }
    Q_EMIT titleChanged();
}

void SessionTab::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    Q_EMIT status(u"%1: %2"_s.arg(title(), message));
}

void SessionTab::onStateChanged()
{
    switch (m_session->state()) {
    case Session::State::Idle:
        m_startStop->setText(startText());
        m_stateLabel->setText(tr("● Stopped"));
        m_stateLabel->setStyleSheet(u"color: #616161;"_s);
        setSettingsEnabled(true);
        m_startStop->setEnabled(validate().isEmpty());
        break;
    case Session::State::Starting:
        m_startStop->setText(tr("Cancel"));
        m_stateLabel->setText(tr("● Starting…"));
        m_stateLabel->setStyleSheet(u"color: #e65100;"_s);
        setSettingsEnabled(false);
        m_startStop->setEnabled(true);
        break;
    case Session::State::Active:
        m_startStop->setText(stopText());
        m_stateLabel->setText(u"● "_s + activeText());
        m_stateLabel->setStyleSheet(u"color: #1b5e20; font-weight: bold;"_s);
        m_error->hide();
        setSettingsEnabled(false);
        m_startStop->setEnabled(true);
        break;
    case Session::State::Stopping:
        m_startStop->setEnabled(false);
        m_stateLabel->setText(tr("● Stopping…"));
        break;
    }
    Q_EMIT titleChanged();
}

void SessionTab::applyResponder()
{
    Responder responder;
    responder.mode = Responder::Mode(m_responderMode->currentData().toInt());
    m_reply->setEnabled(responder.mode == Responder::Mode::FixedReply);
    if (responder.mode == Responder::Mode::FixedReply) {
        const BytesResult bytes = Escapes::encode(m_reply->text(), encoding());
        if (!bytes.ok()) {
            showError(tr("Reply: %1").arg(bytes.error));
            responder.mode = Responder::Mode::Off;
        } else if (bytes.bytes.isEmpty()) {
            responder.mode = Responder::Mode::Off; // nothing to reply yet
        }
        responder.fixedReply = bytes.bytes;
    }
    m_session->setResponder(responder);
}

void SessionTab::updateCounters()
{
    const Counters counters = m_session->counters();
    const quint64 rxRate = counters.rxBytes >= m_lastRx ? counters.rxBytes - m_lastRx : 0;
    const quint64 txRate = counters.txBytes >= m_lastTx ? counters.txBytes - m_lastTx : 0;
    m_lastRx = counters.rxBytes;
    m_lastTx = counters.txBytes;
    m_counters->setText(tr("RX %1 in %2 packets (%3/s)\nTX %4 in %5 packets (%6/s)")
                            .arg(formatBytes(counters.rxBytes))
                            .arg(counters.rxPackets)
                            .arg(formatBytes(rxRate))
                            .arg(formatBytes(counters.txBytes))
                            .arg(counters.txPackets)
                            .arg(formatBytes(txRate)));
}

void SessionTab::saveSettings(QSettings &settings) const
{
    settings.setValue(u"encoding"_s, encoding());
    settings.setValue(u"responder"_s, m_responderMode->currentData().toInt());
    settings.setValue(u"reply"_s, m_reply->text());
    settings.beginGroup(u"send"_s);
    m_sendBox->saveSettings(settings);
    settings.endGroup();
}

void SessionTab::restoreSettings(QSettings &settings)
{
    setEncoding(settings.value(u"encoding"_s, u"UTF-8"_s).toString());
    m_reply->setText(settings.value(u"reply"_s).toString());
    if (const int index = m_responderMode->findData(settings.value(u"responder"_s, 0).toInt());
        index >= 0)
        m_responderMode->setCurrentIndex(index);
    settings.beginGroup(u"send"_s);
    m_sendBox->restoreSettings(settings);
    settings.endGroup();
}
