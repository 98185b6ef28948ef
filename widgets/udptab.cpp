#include "udptab.h"

#include "addresscombo.h"
#include "net/core/sessionconfig.h"
#include "net/udp/udpsession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

using namespace Qt::StringLiterals;

UdpTab::UdpTab(UdpSession *udp, TrafficLogModel *model, QWidget *parent)
    : SessionTab(udp, model, parent)
    , m_udp(udp)
{
    auto *settings = new QWidget(this);
    m_address = new AddressCombo(settings);
    m_address->setObjectName(u"bindAddress"_s);
    m_port = new QSpinBox(settings);
    m_port->setObjectName(u"bindPort"_s);
    m_port->setRange(0, 65535);
    m_port->setValue(9000);
    m_port->setSpecialValueText(tr("0 (any free port)"));
    m_targetHost = new QLineEdit(u"127.0.0.1"_s, settings);
    m_targetHost->setObjectName(u"targetHost"_s);
    m_targetHost->setPlaceholderText(tr("host, broadcast or multicast address"));
    m_targetPort = new QSpinBox(settings);
    m_targetPort->setObjectName(u"targetPort"_s);
    m_targetPort->setRange(1, 65535);
    m_targetPort->setValue(9001);
    m_broadcast = new QCheckBox(tr("Broadcast (255.255.255.255)"), settings);
    m_broadcast->setObjectName(u"broadcast"_s);
    m_replyToSender = new QCheckBox(tr("Send to the last sender"), settings);
    m_replyToSender->setObjectName(u"replyToSender"_s);
    m_group = new QLineEdit(settings);
    m_group->setObjectName(u"multicastGroup"_s);
    m_group->setPlaceholderText(u"239.255.0.1"_s);
    m_interface = new QComboBox(settings);
    m_interface->setObjectName(u"multicastInterface"_s);
    m_interface->addItem(tr("default interface"), QString());
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        if (interface.flags().testFlag(QNetworkInterface::CanMulticast)
            || interface.type() == QNetworkInterface::Loopback)
            m_interface->addItem(interface.humanReadableName(), interface.name());
    }
    m_ttl = new QSpinBox(settings);
    m_ttl->setObjectName(u"multicastTtl"_s);
    m_ttl->setRange(0, 255);
    m_ttl->setValue(1);
    auto *join = new QPushButton(tr("Join"), settings);
    join->setObjectName(u"joinGroup"_s);
    auto *leave = new QPushButton(tr("Leave"), settings);
    leave->setObjectName(u"leaveGroup"_s);
    m_groups = new QLabel(settings);
    m_groups->setObjectName(u"joinedGroups"_s);
    m_groups->setWordWrap(true);
    auto *groupButtons = new QHBoxLayout;
    groupButtons->addWidget(join);
    groupButtons->addWidget(leave);

    auto *form = new QFormLayout(settings);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Address:"), m_address);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("Target:"), m_targetHost);
    form->addRow(tr("Target port:"), m_targetPort);
    form->addRow(m_broadcast);
    form->addRow(m_replyToSender);
    form->addRow(tr("Multicast:"), m_group);
    form->addRow(tr("Interface:"), m_interface);
    form->addRow(tr("Multicast TTL:"), m_ttl);
    form->addRow(groupButtons);
    form->addRow(m_groups);

    build(settings);

    connect(m_broadcast, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_targetHost->setText(u"255.255.255.255"_s);
        m_targetHost->setEnabled(!on);
        applyTarget();
    });
    connect(m_replyToSender, &QCheckBox::toggled, m_udp, &UdpSession::setReplyToSender);
    // The target can change while bound: the next send goes to the new one.
    connect(m_targetHost, &QLineEdit::editingFinished, this, &UdpTab::applyTarget);
    connect(m_targetPort, &QSpinBox::valueChanged, this, &UdpTab::applyTarget);
    connect(m_targetHost, &QLineEdit::textChanged, this, &UdpTab::settingsEdited);
    connect(m_address, &QComboBox::currentTextChanged, this, &UdpTab::settingsEdited);
    connect(join, &QPushButton::clicked, this, [this] { joinOrLeave(true); });
    connect(leave, &QPushButton::clicked, this, [this] { joinOrLeave(false); });
    connect(m_udp, &Session::stateChanged, this, &UdpTab::updateGroups);
    applyTarget();
    updateGroups();
    settingsEdited();
}

QString UdpTab::title() const
{
    const Endpoint local = m_udp->localEndpoint();
    return tr("UDP :%1").arg(local.port != 0 ? local.port : quint16(m_port->value()));
}

void UdpTab::setBind(const QString &address, quint16 port)
{
    m_address->setAddressText(address);
    m_port->setValue(port);
}

void UdpTab::setTarget(const QString &host, quint16 port)
{
    m_targetHost->setText(host);
    m_targetPort->setValue(port);
    applyTarget();
}

void UdpTab::setReplyToSender(bool on)
{
    m_replyToSender->setChecked(on);
}

void UdpTab::addGroup(const QString &group)
{
    m_group->setText(group);
    joinOrLeave(true);
}

QString UdpTab::validate() const
{
    QString error;
    if (!m_address->address(&error))
        return tr("Address: %1").arg(error);
    if (m_targetHost->text().trimmed().contains(u' '))
        return tr("Target: '%1' contains a space").arg(m_targetHost->text().trimmed());
    return {};
}

QString UdpTab::fillConfig(SessionConfig &config) const
{
    QString error;
    const auto address = m_address->address(&error);
    if (!address)
        return tr("Address: %1").arg(error);
    config.localAddress = *address;
    config.localPort = quint16(m_port->value());
    config.hasLocal = true;
    config.multicastInterface = m_interface->currentData().toString();
    config.ttl = m_ttl->value();
    config.replyToSender = m_replyToSender->isChecked();
    // Groups are joined and left with their buttons, at once.
    config.groups = m_udp->groups();
    config.remoteHost = m_targetHost->text().trimmed();
    config.remotePort = quint16(m_targetPort->value());
    return {};
}

void UdpTab::showConfig(const SessionConfig &config)
{
    setBind(addressComboText(config.localAddress), config.localPort);
    setTarget(config.remoteHost,
        config.remoteHost.isEmpty() ? quint16(m_targetPort->value()) : config.remotePort);
    setReplyToSender(config.replyToSender);
    m_ttl->setValue(config.ttl);
    if (!config.multicastInterface.isEmpty()) {
        int index = m_interface->findData(config.multicastInterface);
        if (index < 0) {
            // Not listed (down, or named otherwise): the session still takes it by name.
            m_interface->addItem(config.multicastInterface, config.multicastInterface);
            index = m_interface->count() - 1;
        }
        m_interface->setCurrentIndex(index);
    }
    for (const QHostAddress &group : config.groups)
        addGroup(group.toString());
}

void UdpTab::applyTarget()
{
    const QString host = m_targetHost->text().trimmed();
    if (host.isEmpty())
        m_udp->clearTarget();
    else
        m_udp->setTarget(host, quint16(m_targetPort->value()));
}

void UdpTab::joinOrLeave(bool join)
{
    const QHostAddress group(m_group->text().trimmed());
    if (group.isNull() || !group.isMulticast()) {
        showError(tr("'%1' is not a multicast group address (224.0.0.0/4 or ff00::/8)")
                      .arg(m_group->text().trimmed()));
        return;
    }
    m_udp->setMulticastInterface(m_interface->currentData().toString());
    if (join)
        m_udp->joinGroup(group);
    else
        m_udp->leaveGroup(group);
    updateGroups();
}

void UdpTab::updateGroups()
{
    QStringList names;
    for (const QHostAddress &group : m_udp->groups())
        names << group.toString();
    if (names.isEmpty())
        m_groups->setText(tr("No multicast groups"));
    else if (m_udp->state() == Session::State::Active)
        m_groups->setText(tr("Joined: %1").arg(names.join(u", "_s)));
    else
        m_groups->setText(tr("Will join when bound: %1").arg(names.join(u", "_s)));
}

QString UdpTab::activeText() const
{
    return tr("Bound to %1").arg(m_udp->localEndpoint().toString());
}

void UdpTab::setSettingsEnabled(bool enabled)
{
    m_address->setEnabled(enabled);
    m_port->setEnabled(enabled);
    m_interface->setEnabled(enabled);
    m_ttl->setEnabled(enabled);
}

void UdpTab::saveSettings(QSettings &settings) const
{
    SessionTab::saveSettings(settings);
    settings.setValue(u"address"_s, m_address->addressText());
    settings.setValue(u"port"_s, m_port->value());
    settings.setValue(u"targetHost"_s, m_targetHost->text());
    settings.setValue(u"targetPort"_s, m_targetPort->value());
    settings.setValue(u"broadcast"_s, m_broadcast->isChecked());
    settings.setValue(u"replyToSender"_s, m_replyToSender->isChecked());
    settings.setValue(u"group"_s, m_group->text());
    settings.setValue(u"interface"_s, m_interface->currentData().toString());
    settings.setValue(u"ttl"_s, m_ttl->value());
}

void UdpTab::restoreSettings(QSettings &settings)
{
    SessionTab::restoreSettings(settings);
    m_address->setAddressText(settings.value(u"address"_s, u"any"_s).toString());
    m_port->setValue(settings.value(u"port"_s, 9000).toInt());
    m_targetHost->setText(settings.value(u"targetHost"_s, u"127.0.0.1"_s).toString());
    m_targetPort->setValue(settings.value(u"targetPort"_s, 9001).toInt());
    m_broadcast->setChecked(settings.value(u"broadcast"_s, false).toBool());
    m_replyToSender->setChecked(settings.value(u"replyToSender"_s, false).toBool());
    m_group->setText(settings.value(u"group"_s).toString());
    if (const int index = m_interface->findData(settings.value(u"interface"_s).toString());
        index >= 0)
        m_interface->setCurrentIndex(index);
    m_ttl->setValue(settings.value(u"ttl"_s, 1).toInt());
    applyTarget();
}
