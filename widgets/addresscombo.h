#pragma once

#include <QComboBox>
#include <QHostAddress>

#include <optional>

// A local address chooser: any (IPv4 and IPv6), any IPv4, any IPv6, then this
// machine's interface addresses; the user may also type one.
class AddressCombo final : public QComboBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddressCombo)

public:
    explicit AddressCombo(QWidget *parent = nullptr);

    void refresh();
    // The chosen address, or nothing with the reason in error.
    std::optional<QHostAddress> address(QString *error) const;
    QString addressText() const; // as typed, for settings
    void setAddressText(const QString &text);
};
