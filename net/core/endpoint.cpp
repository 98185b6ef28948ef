#include "net/core/endpoint.h"

#include <QHashFunctions>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// ::ffff:a.b.c.d, spelled out: toIPv4Address() also accepts "::" and would
// print the IPv6 "any" address as 0.0.0.0.
std::optional<quint32> mappedIPv4(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return std::nullopt;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 0; i < 10; ++i) {
        if (bytes[i] != 0)
            return std::nullopt;
    }
    if (bytes[10] != 0xff || bytes[11] != 0xff)
        return std::nullopt;
    return (quint32(bytes[12]) << 24) | (quint32(bytes[13]) << 16) | (quint32(bytes[14]) << 8)
        | quint32(bytes[15]);
}

bool isAsciiDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

// QHostAddress stops reading at a NUL and takes any scope id, blanks and
// brackets included: "::1<NUL>junk" would pass as ::1, and "fe80::1%a]b"
// would print as an endpoint that cannot be read back. Addresses and
// interface names are printable ASCII.
bool isAddressText(QStringView text)
{
    return std::all_of(text.begin(), text.end(),
        [](QChar c) { return c.unicode() > u' ' && c.unicode() < 0x7f && c != u'[' && c != u']'; });
}

bool isIPv6Literal(QStringView text)
{
    QHostAddress address;
    return isAddressText(text) && address.setAddress(text.toString())
        && address.protocol() == QAbstractSocket::IPv6Protocol;
}

// Dotted quad only. QHostAddress also takes inet_aton forms ("127.1", "80",
// octal "0177.0.0.1"), which would turn a mistyped port into an address.
std::optional<QHostAddress> parseDottedQuad(QStringView text)
{
    const QList<QStringView> parts = text.split(u'.');
    if (parts.size() != 4)
        return std::nullopt;
    quint32 value = 0;
    for (const QStringView part : parts) {
        if (!isAsciiDigits(part) || part.size() > 3 || (part.size() > 1 && part.front() == u'0'))
            return std::nullopt;
        const uint octet = part.toUInt();
        if (octet > 255)
            return std::nullopt;
        value = (value << 8) | octet;
    }
    return QHostAddress(value);
}

// Digits and dots with at least one dot: meant as an IPv4 address, since no
// host name is all digits (RFC 3696: a top-level domain is never numeric).
bool looksLikeIPv4(QStringView text)
{
    return text.contains(u'.')
        && std::all_of(text.begin(), text.end(), [](QChar c) { return c == u'.' || c.isDigit(); });
}

QString notIPv4(QStringView text)
{
    return u"'%1' is not an IPv4 address (write four numbers 0-255, like 192.168.1.10)"_s.arg(text);
}

void setError(QString *error, QString message)
{
    if (error)
        *error = std::move(message);
}

HostPortResult failure(QString message)
{
    return { std::nullopt, std::move(message) };
}

HostPortResult hostWithPort(QStringView host, QStringView portText, bool allowZeroPort)
{
    QString error;
    const std::optional<quint16> port = parsePort(portText, &error, allowZeroPort);
    if (!port)
        return failure(error);
    return { HostPort { host.toString(), *port }, {} };
}

} // namespace

QString Endpoint::toString() const
{
    const QString portText = QString::number(port);
    if (address.isNull())
        return u"(none):"_s + portText;
    if (address.protocol() == QAbstractSocket::AnyIPProtocol)
        return u"*:"_s + portText; // dual-stack "any", not 0.0.0.0
    if (const std::optional<quint32> ipv4 = mappedIPv4(address))
        return QHostAddress(*ipv4).toString() + u':' + portText;
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return u'[' + address.toString() + u"]:"_s + portText;
    return address.toString() + u':' + portText;
}

// Endpoints compare with StrictConversion, so equal ones have the same
// address bytes; QHostAddress's hash covers exactly those.
size_t qHash(const Endpoint &endpoint, size_t seed) noexcept
{
    return qHashMulti(seed, endpoint.address, endpoint.port);
}

HostPortResult parseHostPort(QStringView text, bool allowZeroPort)
{
    const QStringView input = text.trimmed();
    if (input.isEmpty())
        return failure(u"no address given (write HOST:PORT, [IPv6]:PORT or a port alone)"_s);

    if (input.startsWith(u'[')) {
        const qsizetype close = input.indexOf(u']');
        if (close < 0)
            return failure(u"missing ']' in '%1'"_s.arg(input));
        const QStringView host = input.sliced(1, close - 1);
        if (host.isEmpty())
            return failure(u"no address between '[' and ']' in '%1'"_s.arg(input));
        // QHostAddress skips blanks around an address, but the host is handed
        // on as written: refuse them, as for a host without brackets.
        if (std::any_of(host.begin(), host.end(), [](QChar c) { return c.isSpace(); }))
            return failure(u"address '%1' contains a space"_s.arg(host));
        if (!isIPv6Literal(host)) {
            return failure(u"'%1' is not an IPv6 address (brackets are only for IPv6)"_s.arg(
                input.first(close + 1)));
        }
        const QStringView rest = input.sliced(close + 1);
        if (rest.isEmpty() || rest == u":")
            return failure(u"missing port after '%1' (write [%2]:PORT)"_s.arg(input, host));
        if (!rest.startsWith(u':'))
            return failure(u"expected ':' after ']' in '%1'"_s.arg(input));
        return hostWithPort(host, rest.sliced(1), allowZeroPort);
    }

    const qsizetype colons = input.count(u':');
    if (colons == 0) {
        // A name or an IPv4 address without a port is a mistake worth naming;
        // anything else is taken as a port and parsePort says what is wrong.
        const bool looksLikeHost = std::any_of(
            input.begin(), input.end(), [](QChar c) { return c.isLetter() || c == u'.'; });
        if (looksLikeHost)
            return failure(u"missing port after '%1' (write %1:PORT)"_s.arg(input));
        return hostWithPort({}, input, allowZeroPort);
    }

    const qsizetype lastColon = input.lastIndexOf(u':');
    const QStringView host = input.first(lastColon);
    const QStringView portText = input.sliced(lastColon + 1);
    if (colons == 1) {
        if (portText.isEmpty())
            return failure(u"missing port after '%1'"_s.arg(input));
        if (std::any_of(host.begin(), host.end(), [](QChar c) { return c.isSpace(); }))
            return failure(u"host '%1' contains a space"_s.arg(host));
        // A NUL would cut the name short in the resolver.
        if (std::any_of(host.begin(), host.end(),
                [](QChar c) { return c.category() == QChar::Other_Control; }))
            return failure(u"host contains a control character"_s);
        if (looksLikeIPv4(host) && !parseDottedQuad(host))
            return failure(notIPv4(host));
        return hostWithPort(host, portText, allowZeroPort);
    }

    // Several colons without brackets: an IPv6 address, with or without a
    // port, and no way to tell which. "::1:80" is itself a valid address.
    if (isAsciiDigits(portText) && isIPv6Literal(host)) {
        return failure(u"'%1' is ambiguous: write [%2]:%3 for an IPv6 address with a port"_s.arg(
            input, host, portText));
    }
    if (isIPv6Literal(input))
        return failure(u"missing port after '%1' (write [%1]:PORT)"_s.arg(input));
    return failure(
        u"too many ':' in '%1' (write an IPv6 address with a port as [ADDRESS]:PORT)"_s.arg(input));
}

QString remoteHostError(QStringView host)
{
    if (host.trimmed().isEmpty())
        return u"no host given"_s;
    if (host.startsWith(u'[')) {
        const qsizetype close = host.indexOf(u']');
        if (close < 0)
            return u"missing ']' in '%1'"_s.arg(host);
        if (close != host.size() - 1)
            return u"unexpected text after ']' in '%1' (give the port separately)"_s.arg(host);
        if (close == 1)
            return u"no address between '[' and ']' in '%1'"_s.arg(host);
        if (!isIPv6Literal(host.sliced(1, close - 1)))
            return u"'%1' is not an IPv6 address (brackets are only for IPv6)"_s.arg(host);
        return {};
    }
    if (host.contains(u']'))
        return u"unexpected ']' in '%1'"_s.arg(host);
    if (std::any_of(host.begin(), host.end(), [](QChar c) { return c.isSpace(); }))
        return u"host '%1' contains a space"_s.arg(host);
    if (std::any_of(
            host.begin(), host.end(), [](QChar c) { return c.category() == QChar::Other_Control; }))
        return u"host contains a control character"_s;
    if (looksLikeIPv4(host) && !parseDottedQuad(host))
        return notIPv4(host);
    return {};
}

std::optional<quint16> parsePort(QStringView text, QString *error, bool allowZero)
{
    const QStringView input = text.trimmed();
    if (input.isEmpty()) {
        setError(error, u"missing port"_s);
        return std::nullopt;
    }
    if (!isAsciiDigits(input)) {
        setError(error, u"port '%1' is not a number"_s.arg(input));
        return std::nullopt;
    }
    uint value = 0;
    for (const QChar c : input) {
        value = value * 10 + uint(c.unicode() - u'0');
        if (value > 65535) {
            setError(error, u"port %1 is out of range (0-65535)"_s.arg(input));
            return std::nullopt;
        }
    }
    if (value == 0 && !allowZero) {
        setError(error, u"port 0 is not allowed here"_s);
        return std::nullopt;
    }
    return static_cast<quint16>(value);
}

std::optional<QHostAddress> parseListenAddress(QStringView text, QString *error)
{
    const QStringView input = text.trimmed();
    if (input.isEmpty() || input == u"*" || input.compare(u"any", Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::Any);
    if (input.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);

    QStringView literal = input;
    const bool bracketed = input.startsWith(u'[') && input.endsWith(u']') && input.size() >= 2;
    if (bracketed)
        literal = input.sliced(1, input.size() - 2);

    if (!bracketed) {
        if (const std::optional<QHostAddress> ipv4 = parseDottedQuad(literal)) {
            if (*ipv4 == QHostAddress(QHostAddress::AnyIPv4))
                return QHostAddress(QHostAddress::AnyIPv4);
            return ipv4;
        }
    }
    if (literal.contains(u':') && isAddressText(literal)) {
        QHostAddress address;
        if (address.setAddress(literal.toString())
            && address.protocol() == QAbstractSocket::IPv6Protocol) {
            if (address == QHostAddress(QHostAddress::AnyIPv6))
                return QHostAddress(QHostAddress::AnyIPv6);
            return address;
        }
    }

    const qsizetype lastColon = input.lastIndexOf(u':');
    if (bracketed)
        setError(error, u"'%1' is not an IPv6 address"_s.arg(input));
    else if (lastColon >= 0 && input.count(u':') == 1 && isAsciiDigits(input.sliced(lastColon + 1)))
        setError(error, u"'%1' is not an address: give the port separately"_s.arg(input));
    else if (input.contains(u':'))
        setError(error, u"'%1' is not an IPv6 address"_s.arg(input));
    else if (std::all_of(
                 input.begin(), input.end(), [](QChar c) { return c.isDigit() || c == u'.'; }))
        setError(error, notIPv4(input));
    else
        setError(error,
            u"'%1' is not an IP address (names are not looked up here: use an address, localhost or *)"_s
                .arg(input));
    return std::nullopt;
}
