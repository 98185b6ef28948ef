#include "addresscombo.h"

#include "net/core/endpoint.h"

#include <QLineEdit>
#include <QNetworkInterface>

using namespace Qt::StringLiterals;

AddressCombo::AddressCombo(QWidget *parent)
    : QComboBox(parent)
{
    setEditable(true);
    setInsertPolicy(QComboBox::NoInsert);
    refresh();
}

void AddressCombo::refresh()
{
    const QString current = addressText();
    clear();
    addItem(tr("Any (IPv4 and IPv6)"), u"any"_s);
    addItem(tr("Any IPv4 (0.0.0.0)"), u"0.0.0.0"_s);
    addItem(tr("Any IPv6 (::)"), u"::"_s);
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        if (!interface.flags().testFlag(QNetworkInterface::IsUp))
            continue;
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            const QString address = entry.ip().toString();
            addItem(u"%1 (%2)"_s.arg(address, interface.humanReadableName()), address);
        }
    }
    if (!current.isEmpty())
        setAddressText(current);
}

QString AddressCombo::addressText() const
{
    const int index = findText(currentText());
    if (index >= 0)
        return itemData(index).toString();
    return currentText().trimmed();
}

void AddressCombo::setAddressText(const QString &text)
{
    const int index = findData(text);
    if (index >= 0)
        setCurrentIndex(index);
    else
        setEditText(text);
}

std::optional<QHostAddress> AddressCombo::address(QString *error) const
{
    return parseListenAddress(addressText(), error);
}
