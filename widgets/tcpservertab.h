#pragma once

#include "sessiontab.h"

class AddressCombo;
class PeerListModel;
class QLabel;
class QRadioButton;
class QSpinBox;
class QTableView;
class TcpServerSession;

// A TCP server: listen address and port, a limit on clients, the live list of
// clients, sending to the selected ones or to all, disconnecting some.
class TcpServerTab final : public SessionTab
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpServerTab)

public:
    TcpServerTab(TcpServerSession *server, TrafficLogModel *model, QWidget *parent = nullptr);

    QString title() const override;
    TcpServerSession *server() const { return m_server; }
    QTableView *peerTable() const { return m_peerTable; }
    void setListen(const QString &address, quint16 port);
    void setMaxClients(int max);

    void saveSettings(QSettings &settings) const override;
    void restoreSettings(QSettings &settings) override;

protected:
    QString fillConfig(SessionConfig &config) const override;
    void showConfig(const SessionConfig &config) override;
    QString validate() const override;
    QString startText() const override { return tr("Listen"); }
    QString stopText() const override { return tr("Stop"); }
    QString activeText() const override;
    void setSettingsEnabled(bool enabled) override;

private:
    QString sendToChosen(const QByteArray &data);
    QList<quint64> selectedPeers() const;
    void updatePeerCount();

    TcpServerSession *m_server;
    AddressCombo *m_address = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_maxClients = nullptr;
    PeerListModel *m_peers = nullptr; // child
    QTableView *m_peerTable = nullptr;
    QLabel *m_peerCount = nullptr;
    QRadioButton *m_toSelected = nullptr;
    QRadioButton *m_toAll = nullptr;
};
