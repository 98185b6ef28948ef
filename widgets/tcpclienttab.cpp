#include "tcpclienttab.h"

#include "addresscombo.h"
#include "net/core/sessionconfig.h"
#include "net/tcp/tcpclientsession.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>

#include <limits>

using namespace Qt::StringLiterals;

TcpClientTab::TcpClientTab(TcpClientSession *client, TrafficLogModel *model, QWidget *parent)
    : SessionTab(client, model, parent)
    , m_client(client)
{
    auto *settings = new QWidget(this);
    m_host = new QLineEdit(u"127.0.0.1"_s, settings);
    m_host->setObjectName(u"remoteHost"_s);
    m_host->setPlaceholderText(tr("host name or address"));
    m_port = new QSpinBox(settings);
    m_port->setObjectName(u"remotePort"_s);
    m_port->setRange(1, 65535);
    m_port->setValue(8080);
    m_bindLocal = new QCheckBox(tr("Bind local address"), settings);
    m_bindLocal->setObjectName(u"bindLocal"_s);
    m_localAddress = new AddressCombo(settings);
    m_localAddress->setObjectName(u"localAddress"_s);
    m_localPort = new QSpinBox(settings);
    m_localPort->setObjectName(u"localPort"_s);
    m_localPort->setRange(0, 65535);
    m_localPort->setSpecialValueText(tr("any"));
    m_timeout = new QSpinBox(settings);
    m_timeout->setObjectName(u"connectTimeout"_s);
    m_timeout->setRange(1, std::numeric_limits<int>::max());
    m_timeout->setValue(10'000);
    m_timeout->setSuffix(tr(" ms"));
    m_reconnect = new QCheckBox(tr("Reconnect automatically"), settings);
    m_reconnect->setObjectName(u"autoReconnect"_s);
    auto *form = new QFormLayout(settings);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Host:"), m_host);
    form->addRow(tr("Port:"), m_port);
    form->addRow(m_bindLocal);
    form->addRow(tr("Local address:"), m_localAddress);
    form->addRow(tr("Local port:"), m_localPort);
    form->addRow(tr("Timeout:"), m_timeout);
    form->addRow(m_reconnect);

    build(settings);

    auto localEnabled = [this] {
        const bool on = m_bindLocal->isChecked() && m_host->isEnabled();
        m_localAddress->setEnabled(on);
        m_localPort->setEnabled(on);
    };
    connect(m_bindLocal, &QCheckBox::toggled, this, localEnabled);
    localEnabled();
    connect(m_host, &QLineEdit::textChanged, this, &TcpClientTab::settingsEdited);
    connect(m_port, &QSpinBox::valueChanged, this, &TcpClientTab::settingsEdited);
    connect(m_localAddress, &QComboBox::currentTextChanged, this, &TcpClientTab::settingsEdited);
    connect(m_bindLocal, &QCheckBox::toggled, this, &TcpClientTab::settingsEdited);
    settingsEdited();
}

QString TcpClientTab::title() const
{
    return tr("TCP Client %1:%2").arg(m_host->text()).arg(m_port->value());
}

void TcpClientTab::setRemote(const QString &host, quint16 port)
{
    m_host->setText(host);
    m_port->setValue(port);
}

void TcpClientTab::setLocal(const QString &address, quint16 port)
{
    m_bindLocal->setChecked(true);
    m_localAddress->setAddressText(address);
    m_localPort->setValue(port);
}

void TcpClientTab::setConnectTimeout(int msecs)
{
    m_timeout->setValue(msecs);
}

void TcpClientTab::setAutoReconnect(bool on)
{
    m_reconnect->setChecked(on);
}

QString TcpClientTab::validate() const
{
    const QString host = m_host->text().trimmed();
    if (host.isEmpty())
        return tr("Host: enter a host name or address");
    if (host.contains(u' '))
        return tr("Host: '%1' contains a space").arg(host);
    if (m_bindLocal->isChecked()) {
        QString error;
        if (!m_localAddress->address(&error))
            return tr("Local address: %1").arg(error);
    }
    return {};
}

QString TcpClientTab::fillConfig(SessionConfig &config) const
{
    if (const QString problem = validate(); !problem.isEmpty())
        return problem;
    QString host = m_host->text().trimmed();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    config.remoteHost = host;
    config.remotePort = quint16(m_port->value());
    config.hasLocal = m_bindLocal->isChecked();
    if (config.hasLocal) {
        QString error;
        config.localAddress = m_localAddress->address(&error).value_or(QHostAddress::Any);
        config.localPort = quint16(m_localPort->value());
    }
    config.connectTimeoutMs = m_timeout->value();
    config.reconnect = m_reconnect->isChecked();
    return {};
}

void TcpClientTab::showConfig(const SessionConfig &config)
{
    setRemote(config.remoteHost, config.remotePort);
    if (config.hasLocal)
        setLocal(addressComboText(config.localAddress), config.localPort);
    setConnectTimeout(config.connectTimeoutMs);
    setAutoReconnect(config.reconnect);
}

QString TcpClientTab::activeText() const
{
    return tr("Connected to %1 from %2")
        .arg(m_client->peerEndpoint().toString(), m_client->localEndpoint().toString());
}

void TcpClientTab::setSettingsEnabled(bool enabled)
{
    m_host->setEnabled(enabled);
    m_port->setEnabled(enabled);
    m_bindLocal->setEnabled(enabled);
    m_localAddress->setEnabled(enabled && m_bindLocal->isChecked());
    m_localPort->setEnabled(enabled && m_bindLocal->isChecked());
    m_timeout->setEnabled(enabled);
    // Reconnection can be switched off while it is waiting to reconnect.
    m_reconnect->setEnabled(true);
}

void TcpClientTab::saveSettings(QSettings &settings) const
{
    SessionTab::saveSettings(settings);
    settings.setValue(u"host"_s, m_host->text());
    settings.setValue(u"port"_s, m_port->value());
    settings.setValue(u"bindLocal"_s, m_bindLocal->isChecked());
    settings.setValue(u"localAddress"_s, m_localAddress->addressText());
    settings.setValue(u"localPort"_s, m_localPort->value());
    settings.setValue(u"timeout"_s, m_timeout->value());
    settings.setValue(u"reconnect"_s, m_reconnect->isChecked());
}

void TcpClientTab::restoreSettings(QSettings &settings)
{
    SessionTab::restoreSettings(settings);
    m_host->setText(settings.value(u"host"_s, u"127.0.0.1"_s).toString());
    m_port->setValue(settings.value(u"port"_s, 8080).toInt());
    m_bindLocal->setChecked(settings.value(u"bindLocal"_s, false).toBool());
    m_localAddress->setAddressText(settings.value(u"localAddress"_s, u"any"_s).toString());
    m_localPort->setValue(settings.value(u"localPort"_s, 0).toInt());
    m_timeout->setValue(settings.value(u"timeout"_s, 10'000).toInt());
    m_reconnect->setChecked(settings.value(u"reconnect"_s, false).toBool());
}
