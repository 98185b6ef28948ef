#pragma once

#include "sessiontab.h"

class AddressCombo;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class UdpSession;

// A UDP socket: bind address and port, a target (unicast, broadcast or a
// multicast group), replying to whoever sent last, joining and leaving
// multicast groups.
class UdpTab final : public SessionTab
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UdpTab)

public:
    UdpTab(UdpSession *udp, TrafficLogModel *model, QWidget *parent = nullptr);

    QString title() const override;
    UdpSession *udp() const { return m_udp; }
    void setBind(const QString &address, quint16 port);
    void setTarget(const QString &host, quint16 port);
    void setReplyToSender(bool on);
    void addGroup(const QString &group);

    void saveSettings(QSettings &settings) const override;
    void restoreSettings(QSettings &settings) override;

protected:
    QString fillConfig(SessionConfig &config) const override;
    void showConfig(const SessionConfig &config) override;
    QString validate() const override;
    QString startText() const override { return tr("Bind"); }
    QString stopText() const override { return tr("Close"); }
    QString activeText() const override;
    void setSettingsEnabled(bool enabled) override;

private:
    void applyTarget();
    void joinOrLeave(bool join);
    void updateGroups();

    UdpSession *m_udp;
    AddressCombo *m_address = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_targetHost = nullptr;
    QSpinBox *m_targetPort = nullptr;
    QCheckBox *m_broadcast = nullptr;
    QCheckBox *m_replyToSender = nullptr;
    QLineEdit *m_group = nullptr;
    QComboBox *m_interface = nullptr;
    QSpinBox *m_ttl = nullptr;
    QLabel *m_groups = nullptr;
};
