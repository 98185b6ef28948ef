#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

// One end of a conversation: an address and a port. Printed as 1.2.3.4:80 or
// [::1]:80, never split on ':' to be read back.
struct Endpoint
{
    QHostAddress address;
    quint16 port = 0;

    QString toString() const;
    bool isNull() const { return address.isNull(); }
    friend bool operator==(const Endpoint &a, const Endpoint &b)
    {
        return a.port == b.port && a.address.isEqual(b.address, QHostAddress::StrictConversion);
    }
};

size_t qHash(const Endpoint &endpoint, size_t seed = 0) noexcept;

// An IPv4 peer of a dual-stack socket shows up as ::ffff:a.b.c.d; users know
// it as a.b.c.d.
inline QHostAddress plainAddress(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 && address.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(v4) : address;
}

// A host name or address with a port, as typed by a user.
struct HostPort
{
    QString host; // address literal or name; empty means "any"
    quint16 port = 0;
};

struct HostPortResult
{
    std::optional<HostPort> value;
    QString error;
};

// Parses "HOST:PORT", "[V6]:PORT", ":PORT" and "PORT" (no host). A bare IPv6
// literal with a port after the last colon is refused as ambiguous: write
// [::1]:80. allowZeroPort permits port 0 (listen and bind: "any free port").
HostPortResult parseHostPort(QStringView text, bool allowZeroPort);

// Why a host a user typed for the other end cannot be right, without a
// lookup: a '[' without ']', brackets around something other than an IPv6
// address, blanks or control characters, or digits and dots that are not an
// IPv4 address ("999.1.1.1", "1.2.3": no name is all digits). Empty when the
// host is an address literal or may be a name (brackets around IPv6 allowed).
QString remoteHostError(QStringView host);

// Parses a port number 0..65535 ("port 65536 is out of range (0-65535)").
std::optional<quint16> parsePort(QStringView text, QString *error, bool allowZero);

// A listen or bind address: "", "*", "any" -> QHostAddress::Any (IPv4 and
// IPv6), "0.0.0.0" -> AnyIPv4, "::" -> AnyIPv6, "localhost" -> 127.0.0.1, an
// IPv4 or IPv6 literal (brackets allowed) -> itself. Names are not resolved
// here: a local address must be known without a lookup.
std::optional<QHostAddress> parseListenAddress(QStringView text, QString *error);
