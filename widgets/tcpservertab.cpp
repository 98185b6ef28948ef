#include "tcpservertab.h"

#include "addresscombo.h"
#include "net/core/sessionconfig.h"
#include "net/tcp/tcpserversession.h"
#include "peerlistmodel.h"
#include "sendbox.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

TcpServerTab::TcpServerTab(TcpServerSession *server, TrafficLogModel *model, QWidget *parent)
    : SessionTab(server, model, parent)
    , m_server(server)
{
    auto *settings = new QWidget(this);
    m_address = new AddressCombo(settings);
    m_address->setObjectName(u"listenAddress"_s);
    m_port = new QSpinBox(settings);
    m_port->setObjectName(u"listenPort"_s);
    m_port->setRange(0, 65535);
    m_port->setValue(8080);
    m_port->setSpecialValueText(tr("0 (any free port)"));
    m_maxClients = new QSpinBox(settings);
    m_maxClients->setObjectName(u"maxClients"_s);
    m_maxClients->setRange(0, 1'000'000);
    m_maxClients->setSpecialValueText(tr("no limit"));
    auto *form = new QFormLayout(settings);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Address:"), m_address);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("Max clients:"), m_maxClients);

    auto *peersPanel = new QWidget(this);
    m_peers = new PeerListModel(server, this);
    m_peerTable = new QTableView(peersPanel);
    m_peerTable->setObjectName(u"peerTable"_s);
    m_peerTable->setModel(m_peers);
    m_peerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_peerTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_peerTable->verticalHeader()->hide();
    m_peerTable->horizontalHeader()->setStretchLastSection(true);
    m_peerTable->setColumnWidth(PeerListModel::AddressColumn, 200);
    m_peerCount = new QLabel(peersPanel);
    m_peerCount->setObjectName(u"peerCount"_s);
    m_toSelected = new QRadioButton(tr("Send to selected"), peersPanel);
    m_toSelected->setObjectName(u"sendToSelected"_s);
    m_toAll = new QRadioButton(tr("Send to all"), peersPanel);
    m_toAll->setObjectName(u"sendToAll"_s);
    m_toAll->setChecked(true);
    auto *disconnectSelected = new QPushButton(tr("Disconnect selected"), peersPanel);
    disconnectSelected->setObjectName(u"disconnectSelected"_s);
    auto *disconnectAll = new QPushButton(tr("Disconnect all"), peersPanel);
    disconnectAll->setObjectName(u"disconnectAll"_s);
    auto *peerBar = new QHBoxLayout;
    peerBar->addWidget(m_peerCount, 1);
    peerBar->addWidget(m_toSelected);
    peerBar->addWidget(m_toAll);
    peerBar->addWidget(disconnectSelected);
    peerBar->addWidget(disconnectAll);
    auto *peersLayout = new QVBoxLayout(peersPanel);
    peersLayout->setContentsMargins(0, 0, 0, 0);
    peersLayout->addLayout(peerBar);
    peersLayout->addWidget(m_peerTable);

    build(settings, peersPanel);
    sendBox()->setSendFunction([this](const QByteArray &bytes) { return sendToChosen(bytes); });

    auto *refresh = new QTimer(this);
    refresh->setInterval(1000);
    connect(refresh, &QTimer::timeout, m_peers, &PeerListModel::refresh);
    refresh->start();
    connect(m_peers, &QAbstractItemModel::rowsInserted, this, &TcpServerTab::updatePeerCount);
    connect(m_peers, &QAbstractItemModel::rowsRemoved, this, &TcpServerTab::updatePeerCount);
    connect(disconnectSelected, &QPushButton::clicked, this, [this] {
        for (const quint64 id : selectedPeers())
            m_server->disconnectPeer(id);
    });
    connect(disconnectAll, &QPushButton::clicked, m_server, &TcpServerSession::disconnectAll);
    connect(m_peerTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!selectedPeers().isEmpty())
            m_toSelected->setChecked(true);
    });
    connect(m_address, &QComboBox::currentTextChanged, this, &TcpServerTab::settingsEdited);
    connect(m_port, &QSpinBox::valueChanged, this, &TcpServerTab::settingsEdited);
    updatePeerCount();
    settingsEdited();
}

QString TcpServerTab::title() const
{
    const quint16 port = m_server->serverPort();
    return tr("TCP Server :%1").arg(port != 0 ? port : quint16(m_port->value()));
}

void TcpServerTab::setListen(const QString &address, quint16 port)
{
    m_address->setAddressText(address);
    m_port->setValue(port);
}

void TcpServerTab::setMaxClients(int max)
{
    m_maxClients->setValue(max);
}

QString TcpServerTab::validate() const
{
    QString error;
    if (!m_address->address(&error))
        return tr("Address: %1").arg(error);
    return {};
}

QString TcpServerTab::fillConfig(SessionConfig &config) const
{
    QString error;
    const auto address = m_address->address(&error);
    if (!address)
        return tr("Address: %1").arg(error);
    config.localAddress = *address;
    config.localPort = quint16(m_port->value());
    config.hasLocal = true;
    config.maxClients = m_maxClients->value();
    return {};
}

void TcpServerTab::showConfig(const SessionConfig &config)
{
    setListen(addressComboText(config.localAddress), config.localPort);
    setMaxClients(config.maxClients);
}

QString TcpServerTab::activeText() const
{
    return tr("Listening on %1").arg(m_server->localEndpoint().toString());
}

void TcpServerTab::setSettingsEnabled(bool enabled)
{
    m_address->setEnabled(enabled);
    m_port->setEnabled(enabled);
    m_maxClients->setEnabled(enabled);
}

QList<quint64> TcpServerTab::selectedPeers() const
{
    QList<quint64> ids;
    const QModelIndexList rows = m_peerTable->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        ids << m_peers->peerId(row.row());
    return ids;
}

QString TcpServerTab::sendToChosen(const QByteArray &bytes)
{
    if (m_toAll->isChecked())
        return m_server->send(bytes) ? QString() : m_server->errorString();
    const QList<quint64> ids = selectedPeers();
    if (ids.isEmpty())
        return tr("no client selected: select one or more in the list, or choose Send to all");
    return m_server->sendTo(ids, bytes) > 0 ? QString() : m_server->errorString();
}

void TcpServerTab::updatePeerCount()
{
    m_peerCount->setText(tr("%n client(s) connected", nullptr, m_server->peerCount()));
}

void TcpServerTab::saveSettings(QSettings &settings) const
{
    SessionTab::saveSettings(settings);
    settings.setValue(u"address"_s, m_address->addressText());
    settings.setValue(u"port"_s, m_port->value());
    settings.setValue(u"maxClients"_s, m_maxClients->value());
}

void TcpServerTab::restoreSettings(QSettings &settings)
{
    SessionTab::restoreSettings(settings);
    m_address->setAddressText(settings.value(u"address"_s, u"any"_s).toString());
    m_port->setValue(settings.value(u"port"_s, 8080).toInt());
    m_maxClients->setValue(settings.value(u"maxClients"_s, 0).toInt());
}
