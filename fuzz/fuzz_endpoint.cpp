// Address and port parsing on arbitrary text (read as UTF-8): parseHostPort,
// parsePort and parseListenAddress, each with and without port 0 allowed.
// What parses is printed again and must parse to the same value.

#include "fuzzcheck.h"
#include "net/core/endpoint.h"

#include <cstddef>
#include <cstdint>

using namespace Qt::StringLiterals;

namespace {

// How a user would write it back: brackets around an IPv6 literal.
QString formatHostPort(const HostPort &value)
{
    const QString port = QString::number(value.port);
    if (value.host.contains(u':'))
        return u'[' + value.host + u"]:"_s + port;
    return value.host + u':' + port;
}

// How a user would write a listen address back.
QString formatListenAddress(const QHostAddress &address)
{
    if (address == QHostAddress(QHostAddress::Any))
        return u"*"_s;
    return address.toString();
}

// Equal, scope id included.
bool sameAddress(const QHostAddress &a, const QHostAddress &b)
{
    return a.isEqual(b, QHostAddress::StrictConversion) && a.protocol() == b.protocol()
        && a.scopeId() == b.scopeId();
}

std::optional<QHostAddress> checkListenAddress(QStringView text, const QString &shown)
{
    QString error;
    const std::optional<QHostAddress> address = parseListenAddress(text, &error);
    FUZZ_CHECK(address.has_value() == parseListenAddress(text, nullptr).has_value(), shown);
    if (!address) {
        FUZZ_CHECK(!error.isEmpty(), shown);
        return std::nullopt;
    }
    FUZZ_CHECK(error.isEmpty(), shown);
    FUZZ_CHECK(!address->isNull(), shown);

    const QString again = formatListenAddress(*address);
    const std::optional<QHostAddress> reparsed = parseListenAddress(again, nullptr);
    FUZZ_CHECK(reparsed && sameAddress(*reparsed, *address),
        shown + u"\nprinted as "_s + again + u", read back as "_s
            + (reparsed ? reparsed->toString() : u"nothing"_s));
    // IPv6 literals are also accepted in brackets.
    if (address->protocol() == QAbstractSocket::IPv6Protocol) {
        const std::optional<QHostAddress> bracketed
            = parseListenAddress(QString(u'[' + address->toString() + u']'), nullptr);
        FUZZ_CHECK(bracketed && sameAddress(*bracketed, *address), shown);
    }
    return address;
}

void checkPort(QStringView text, bool allowZero, const QString &shown)
{
    QString error;
    const std::optional<quint16> port = parsePort(text, &error, allowZero);
    FUZZ_CHECK(port.has_value() == parsePort(text, nullptr, allowZero).has_value(), shown);
    if (!port) {
        FUZZ_CHECK(!error.isEmpty(), shown);
        return;
    }
    FUZZ_CHECK(error.isEmpty(), shown);
    FUZZ_CHECK(allowZero || *port != 0, shown);
    FUZZ_CHECK(parsePort(QString::number(*port), nullptr, allowZero) == port, shown);
    bool isNumber = false;
    FUZZ_CHECK(text.trimmed().toUInt(&isNumber) == *port && isNumber, shown);
    // Allowing port 0 only ever accepts more.
    if (!allowZero)
        FUZZ_CHECK(parsePort(text, nullptr, true) == port, shown);
}

void checkHostPort(QStringView text, bool allowZero, const QString &shown)
{
    const HostPortResult result = parseHostPort(text, allowZero);
    if (!result.value) {
        FUZZ_CHECK(!result.error.isEmpty(), shown);
        return;
    }
    FUZZ_CHECK(result.error.isEmpty(), shown);
    const HostPort &value = *result.value;
    FUZZ_CHECK(allowZero || value.port != 0, shown);
    // The host goes to a resolver or a socket as it is: no blank, no NUL.
    for (const QChar c : value.host) {
        FUZZ_CHECK(!c.isSpace() && c.category() != QChar::Other_Control,
            shown + u"\nhost: "_s + Fuzz::units(value.host));
    }

    const QString again = formatHostPort(value);
    const HostPortResult reparsed = parseHostPort(again, allowZero);
    FUZZ_CHECK(
        reparsed.value && reparsed.value->host == value.host && reparsed.value->port == value.port,
        shown + u"\nprinted as "_s + again + u": "_s + reparsed.error);
    if (!allowZero) {
        const HostPortResult lenient = parseHostPort(text, true);
        FUZZ_CHECK(
            lenient.value && lenient.value->host == value.host && lenient.value->port == value.port,
            shown);
    }

    // An address literal goes round through Endpoint::toString() too, the
    // form the log and the CLI print.
    if (value.host.isEmpty())
        return;
    const std::optional<QHostAddress> address = parseListenAddress(value.host, nullptr);
    if (!address)
        return;
    const Endpoint endpoint { *address, value.port };
    const QString printed = endpoint.toString();
    const HostPortResult fromPrinted = parseHostPort(printed, true);
    FUZZ_CHECK(fromPrinted.value && fromPrinted.value->port == value.port,
        shown + u"\nendpoint printed as "_s + printed + u": "_s + fromPrinted.error);
    const std::optional<QHostAddress> printedAddress
        = parseListenAddress(fromPrinted.value->host, nullptr);
    // An IPv4-mapped IPv6 address prints as the IPv4 address users know (a
    // scope id means nothing there and is left out).
    const bool asMapped = printedAddress
        && printedAddress->protocol() == QAbstractSocket::IPv4Protocol
        && address->protocol() == QAbstractSocket::IPv6Protocol
        && QHostAddress(u"::ffff:"_s + printedAddress->toString())
               .isEqual(*address, QHostAddress::StrictConversion);
    FUZZ_CHECK(printedAddress && (sameAddress(*printedAddress, *address) || asMapped),
        shown + u"\nendpoint printed as "_s + printed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(QByteArrayView(data, static_cast<qsizetype>(size)));
    const QString shown = u"input: '"_s + text + u"' ("_s + Fuzz::units(text) + u')';

    checkListenAddress(text, shown);
    for (const bool allowZero : { false, true }) {
        checkPort(text, allowZero, shown);
        checkHostPort(text, allowZero, shown);
    }
    return 0;
}
