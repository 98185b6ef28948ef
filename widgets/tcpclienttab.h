#pragma once

#include "sessiontab.h"

class AddressCombo;
class QCheckBox;
class QLineEdit;
class QSpinBox;
class TcpClientSession;

// A TCP client: remote host and port, optional local address and port, a
// connect timeout and automatic reconnection.
class TcpClientTab final : public SessionTab
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpClientTab)

public:
    TcpClientTab(TcpClientSession *client, TrafficLogModel *model, QWidget *parent = nullptr);

    QString title() const override;
    TcpClientSession *client() const { return m_client; }
    void setRemote(const QString &host, quint16 port);
    void setLocal(const QString &address, quint16 port);
    void setConnectTimeout(int msecs);
    void setAutoReconnect(bool on);

    void saveSettings(QSettings &settings) const override;
    void restoreSettings(QSettings &settings) override;

protected:
    QString fillConfig(SessionConfig &config) const override;
    void showConfig(const SessionConfig &config) override;
    QString validate() const override;
    QString startText() const override { return tr("Connect"); }
    QString stopText() const override { return tr("Disconnect"); }
    QString activeText() const override;
    void setSettingsEnabled(bool enabled) override;

private:
    TcpClientSession *m_client;
    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QCheckBox *m_bindLocal = nullptr;
    AddressCombo *m_localAddress = nullptr;
    QSpinBox *m_localPort = nullptr;
    QSpinBox *m_timeout = nullptr;
    QCheckBox *m_reconnect = nullptr;
};
