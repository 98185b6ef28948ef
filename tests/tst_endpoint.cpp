#include "net/core/endpoint.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

class TestEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void toString_data();
    void toString();
    void equalityAndHash();

    void parseHostPort_data();
    void parseHostPort();
    void parseHostPortErrors_data();
    void parseHostPortErrors();

    void parsePort_data();
    void parsePort();
    void parsePortErrors_data();
    void parsePortErrors();
    void parsePortWithoutErrorText();

    void parseListenAddress_data();
    void parseListenAddress();
    void parseListenAddressErrors_data();
    void parseListenAddressErrors();
};

void TestEndpoint::toString_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::addColumn<quint16>("port");
    QTest::addColumn<QString>("text");

    const auto address
        = [](const char16_t *text) { return QHostAddress(QString::fromUtf16(text)); };
    QTest::newRow("IPv4") << address(u"127.0.0.1") << quint16(80) << u"127.0.0.1:80"_s;
    QTest::newRow("IPv4 any") << QHostAddress(QHostAddress::AnyIPv4) << quint16(0)
                              << u"0.0.0.0:0"_s;
    QTest::newRow("IPv6 loopback") << address(u"::1") << quint16(80) << u"[::1]:80"_s;
    QTest::newRow("IPv6 any") << QHostAddress(QHostAddress::AnyIPv6) << quint16(8080)
                              << u"[::]:8080"_s;
    QTest::newRow("IPv6 global") << address(u"2001:db8::1") << quint16(65535)
                                 << u"[2001:db8::1]:65535"_s;
    QTest::newRow("IPv4-mapped") << address(u"::ffff:1.2.3.4") << quint16(80) << u"1.2.3.4:80"_s;
    QTest::newRow("IPv4-mapped any") << address(u"::ffff:0.0.0.0") << quint16(7) << u"0.0.0.0:7"_s;
    QTest::newRow("IPv4-compatible stays IPv6")
        << address(u"::1.2.3.4") << quint16(80) << u"[::1.2.3.4]:80"_s;
    QTest::newRow("scope id") << address(u"fe80::1%eth0") << quint16(80) << u"[fe80::1%eth0]:80"_s;
    QTest::newRow("dual-stack any") << QHostAddress(QHostAddress::Any) << quint16(80) << u"*:80"_s;
    QTest::newRow("null") << QHostAddress() << quint16(80) << u"(none):80"_s;
}

void TestEndpoint::toString()
{
    QFETCH(QHostAddress, address);
    QFETCH(quint16, port);
    QFETCH(QString, text);
    QCOMPARE((Endpoint { address, port }.toString()), text);
}

void TestEndpoint::equalityAndHash()
{
    const Endpoint a { QHostAddress(u"10.0.0.1"_s), 80 };
    const Endpoint same { QHostAddress(u"10.0.0.1"_s), 80 };
    const Endpoint otherPort { QHostAddress(u"10.0.0.1"_s), 81 };
    const Endpoint otherAddress { QHostAddress(u"10.0.0.2"_s), 80 };
    const Endpoint mapped { QHostAddress(u"::ffff:10.0.0.1"_s), 80 };
    const Endpoint v6 { QHostAddress(u"::1"_s), 80 };

    QVERIFY(a == same);
    QCOMPARE(qHash(a), qHash(same));
    QCOMPARE(qHash(a, 42), qHash(same, 42));
    QVERIFY(!(a == otherPort));
    QVERIFY(!(a == otherAddress));
    QVERIFY(!(a == mapped)); // strict: a peer seen over IPv6 is a different socket
    QVERIFY(!(a == v6));
    QVERIFY(a.isNull() == false);
    QVERIFY(Endpoint {}.isNull());

    const QSet<Endpoint> set { a, same, otherPort, otherAddress, mapped, v6, v6 };
    QCOMPARE(set.size(), 5);
    QVERIFY(set.contains(Endpoint { QHostAddress(u"10.0.0.1"_s), 81 }));
    QVERIFY(!set.contains(Endpoint { QHostAddress(u"10.0.0.3"_s), 80 }));
}

void TestEndpoint::parseHostPort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<QString>("host");
    QTest::addColumn<quint16>("port");

    QTest::newRow("IPv4") << u"127.0.0.1:80"_s << false << u"127.0.0.1"_s << quint16(80);
    QTest::newRow("name") << u"example.com:8080"_s << false << u"example.com"_s << quint16(8080);
    QTest::newRow("IPv6") << u"[::1]:80"_s << false << u"::1"_s << quint16(80);
    QTest::newRow("IPv6 scope") << u"[fe80::1%eth0]:443"_s << false << u"fe80::1%eth0"_s
                                << quint16(443);
    QTest::newRow("IPv6 any, port 0") << u"[::]:0"_s << true << u"::"_s << quint16(0);
    QTest::newRow("colon port") << u":80"_s << false << QString() << quint16(80);
    QTest::newRow("port alone") << u"80"_s << false << QString() << quint16(80);
    QTest::newRow("port 0 allowed") << u"0"_s << true << QString() << quint16(0);
    QTest::newRow("highest port") << u"host:65535"_s << false << u"host"_s << quint16(65535);
    QTest::newRow("leading zeros") << u"host:00080"_s << false << u"host"_s << quint16(80);
    QTest::newRow("surrounding space")
        << u"  localhost:7 "_s << false << u"localhost"_s << quint16(7);
    QTest::newRow("star") << u"*:69"_s << false << u"*"_s << quint16(69);
}

void TestEndpoint::parseHostPort()
{
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(QString, host);
    QFETCH(quint16, port);

    const HostPortResult result = ::parseHostPort(text, allowZero);
    QVERIFY2(result.value, qPrintable(result.error));
    QCOMPARE(result.error, QString());
    QCOMPARE(result.value->host, host);
    QCOMPARE(result.value->port, port);
}

void TestEndpoint::parseHostPortErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<QString>("message");

    const QString noInput = u"no address given (write HOST:PORT, [IPv6]:PORT or a port alone)"_s;
    QTest::newRow("empty") << QString() << true << noInput;
    QTest::newRow("blank") << u"  "_s << true << noInput;
    QTest::newRow("bare IPv6 with port")
        << u"::1:80"_s << true
        << u"'::1:80' is ambiguous: write [::1]:80 for an IPv6 address with a port"_s;
    QTest::newRow("bare IPv6 with port, longer")
        << u"2001:db8::1:8080"_s << true
        << u"'2001:db8::1:8080' is ambiguous: write [2001:db8::1]:8080 for an IPv6 address with a port"_s;
    QTest::newRow("bare IPv6 without port")
        << u"fe80::1"_s << true << u"missing port after 'fe80::1' (write [fe80::1]:PORT)"_s;
    QTest::newRow("too many colons")
        << u"a:b:c"_s << true
        << u"too many ':' in 'a:b:c' (write an IPv6 address with a port as [ADDRESS]:PORT)"_s;
    QTest::newRow("port not a number") << u"host:abc"_s << true << u"port 'abc' is not a number"_s;
    QTest::newRow("colon, port not a number")
        << u":abc"_s << true << u"port 'abc' is not a number"_s;
    QTest::newRow("negative port") << u"-5"_s << true << u"port '-5' is not a number"_s;
    QTest::newRow("port too big") << u"host:65536"_s << true
                                  << u"port 65536 is out of range (0-65535)"_s;
    QTest::newRow("port far too big") << u"99999999999999999999"_s << true
                                      << u"port 99999999999999999999 is out of range (0-65535)"_s;
    QTest::newRow("port 0 refused") << u"host:0"_s << false << u"port 0 is not allowed here"_s;
    QTest::newRow("port 0 alone refused") << u"0"_s << false << u"port 0 is not allowed here"_s;
    QTest::newRow("missing port") << u"host:"_s << true << u"missing port after 'host:'"_s;
    QTest::newRow("name alone") << u"localhost"_s << true
                                << u"missing port after 'localhost' (write localhost:PORT)"_s;
    QTest::newRow("IPv4 alone") << u"1.2.3.4"_s << true
                                << u"missing port after '1.2.3.4' (write 1.2.3.4:PORT)"_s;
    QTest::newRow("brackets without port")
        << u"[::1]"_s << true << u"missing port after '[::1]' (write [::1]:PORT)"_s;
    QTest::newRow("brackets, empty port")
        << u"[::1]:"_s << true << u"missing port after '[::1]:' (write [::1]:PORT)"_s;
    QTest::newRow("unclosed bracket") << u"[::1:80"_s << true << u"missing ']' in '[::1:80'"_s;
    QTest::newRow("IPv4 in brackets")
        << u"[1.2.3.4]:80"_s << true
        << u"'[1.2.3.4]' is not an IPv6 address (brackets are only for IPv6)"_s;
    QTest::newRow("name in brackets")
        << u"[host]:80"_s << true
        << u"'[host]' is not an IPv6 address (brackets are only for IPv6)"_s;
    QTest::newRow("empty brackets")
        << u"[]:80"_s << true << u"no address between '[' and ']' in '[]:80'"_s;
    QTest::newRow("junk after bracket")
        << u"[::1]x80"_s << true << u"expected ':' after ']' in '[::1]x80'"_s;
    QTest::newRow("bracketed bad port")
        << u"[::1]:http"_s << true << u"port 'http' is not a number"_s;
    QTest::newRow("space in host")
        << u"my host:80"_s << true << u"host 'my host' contains a space"_s;
    // Found by fuzz_endpoint: QHostAddress skips blanks and stops at a NUL.
    QTest::newRow("space in brackets")
        << u"[\t::1]:80"_s << true << u"address '\t::1' contains a space"_s;
    QTest::newRow("NUL in brackets")
        << u"[::1\0junk]:80"_s << true
        << u"'[::1\0junk]' is not an IPv6 address (brackets are only for IPv6)"_s;
    QTest::newRow("NUL in host") << u"ex\0ample.com:80"_s << true
                                 << u"host contains a control character"_s;
}

void TestEndpoint::parseHostPortErrors()
{
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(QString, message);

    const HostPortResult result = ::parseHostPort(text, allowZero);
    QVERIFY(!result.value);
    QCOMPARE(result.error, message);
}

void TestEndpoint::parsePort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<quint16>("port");

    QTest::newRow("80") << u"80"_s << false << quint16(80);
    QTest::newRow("0 allowed") << u"0"_s << true << quint16(0);
    QTest::newRow("00 allowed") << u"00"_s << true << quint16(0);
    QTest::newRow("1") << u"1"_s << false << quint16(1);
    QTest::newRow("65535") << u"65535"_s << false << quint16(65535);
    QTest::newRow("spaces") << u" 443 "_s << false << quint16(443);
    QTest::newRow("leading zeros") << u"0000080"_s << false << quint16(80);
}

void TestEndpoint::parsePort()
{
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(quint16, port);

    QString error = u"untouched"_s;
    const std::optional<quint16> result = ::parsePort(text, &error, allowZero);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, port);
}

void TestEndpoint::parsePortErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << QString() << true << u"missing port"_s;
    QTest::newRow("blank") << u" "_s << true << u"missing port"_s;
    QTest::newRow("letters") << u"abc"_s << true << u"port 'abc' is not a number"_s;
    QTest::newRow("plus") << u"+80"_s << true << u"port '+80' is not a number"_s;
    QTest::newRow("minus") << u"-1"_s << true << u"port '-1' is not a number"_s;
    QTest::newRow("hex") << u"0x50"_s << true << u"port '0x50' is not a number"_s;
    QTest::newRow("inner space") << u"8 0"_s << true << u"port '8 0' is not a number"_s;
    QTest::newRow("full-width digits") << u"８０"_s << true << u"port '８０' is not a number"_s;
    QTest::newRow("65536") << u"65536"_s << true << u"port 65536 is out of range (0-65535)"_s;
    QTest::newRow("65536, zero refused")
        << u"65536"_s << false << u"port 65536 is out of range (0-65535)"_s;
    QTest::newRow("huge") << u"123456789012345678901234567890"_s << true
                          << u"port 123456789012345678901234567890 is out of range (0-65535)"_s;
    QTest::newRow("zero refused") << u"0"_s << false << u"port 0 is not allowed here"_s;
    QTest::newRow("zeros refused") << u"000"_s << false << u"port 0 is not allowed here"_s;
}

void TestEndpoint::parsePortErrors()
{
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(QString, message);

    QString error;
    QVERIFY(!::parsePort(text, &error, allowZero));
    QCOMPARE(error, message);
}

void TestEndpoint::parsePortWithoutErrorText()
{
    QVERIFY(!::parsePort(u"abc", nullptr, true));
    QCOMPARE(::parsePort(u"8080", nullptr, false), std::optional<quint16>(8080));
    QVERIFY(!::parseListenAddress(u"example.com", nullptr));
}

void TestEndpoint::parseListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QHostAddress>("address");

    const QHostAddress any(QHostAddress::Any);
    QTest::newRow("empty") << QString() << any;
    QTest::newRow("blank") << u"  "_s << any;
    QTest::newRow("star") << u"*"_s << any;
    QTest::newRow("any") << u"any"_s << any;
    QTest::newRow("ANY") << u"ANY"_s << any;
    QTest::newRow("0.0.0.0") << u"0.0.0.0"_s << QHostAddress(QHostAddress::AnyIPv4);
    QTest::newRow("::") << u"::"_s << QHostAddress(QHostAddress::AnyIPv6);
    QTest::newRow("[::]") << u"[::]"_s << QHostAddress(QHostAddress::AnyIPv6);
    QTest::newRow("localhost") << u"localhost"_s << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("LocalHost") << u" LocalHost "_s << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("IPv4") << u"192.168.1.10"_s << QHostAddress(u"192.168.1.10"_s);
    QTest::newRow("IPv4 zero octet") << u"10.0.0.1"_s << QHostAddress(u"10.0.0.1"_s);
    QTest::newRow("IPv6") << u"::1"_s << QHostAddress(QHostAddress::LocalHostIPv6);
    QTest::newRow("IPv6 brackets") << u"[2001:db8::5]"_s << QHostAddress(u"2001:db8::5"_s);
    QTest::newRow("IPv6 scope") << u"fe80::1%lo"_s << QHostAddress(u"fe80::1%lo"_s);
    QTest::newRow("IPv4-mapped") << u"::ffff:10.0.0.1"_s << QHostAddress(u"::ffff:10.0.0.1"_s);
}

void TestEndpoint::parseListenAddress()
{
    QFETCH(QString, text);
    QFETCH(QHostAddress, address);

    QString error;
    const std::optional<QHostAddress> result = ::parseListenAddress(text, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(result->protocol(), address.protocol());
    QVERIFY2(
        result->isEqual(address, QHostAddress::StrictConversion), qPrintable(result->toString()));
    QCOMPARE(result->scopeId(), address.scopeId());
}

void TestEndpoint::parseListenAddressErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    const auto notAddress = [](const QString &text) {
        return u"'%1' is not an IP address (names are not looked up here: use an address, localhost or *)"_s
            .arg(text);
    };
    const auto notIPv4 = [](const QString &text) {
        return u"'%1' is not an IPv4 address (write four numbers 0-255, like 192.168.1.10)"_s.arg(
            text);
    };
    QTest::newRow("name") << u"example.com"_s << notAddress(u"example.com"_s);
    QTest::newRow("short IPv4") << u"127.1"_s << notIPv4(u"127.1"_s);
    QTest::newRow("port as address") << u"80"_s << notIPv4(u"80"_s);
    QTest::newRow("octet too big") << u"1.2.3.256"_s << notIPv4(u"1.2.3.256"_s);
    QTest::newRow("leading zero") << u"010.0.0.1"_s << notIPv4(u"010.0.0.1"_s);
    QTest::newRow("five parts") << u"1.2.3.4.5"_s << notIPv4(u"1.2.3.4.5"_s);
    QTest::newRow("IPv4 in brackets") << u"[1.2.3.4]"_s << u"'[1.2.3.4]' is not an IPv6 address"_s;
    QTest::newRow("localhost in brackets")
        << u"[localhost]"_s << u"'[localhost]' is not an IPv6 address"_s;
    QTest::newRow("bad IPv6") << u"1:2:3:4:5:6:7:8:9"_s
                              << u"'1:2:3:4:5:6:7:8:9' is not an IPv6 address"_s;
    QTest::newRow("with port") << u"127.0.0.1:80"_s
                               << u"'127.0.0.1:80' is not an address: give the port separately"_s;
    QTest::newRow("NUL in IPv6") << u"::1\0junk"_s << u"'::1\0junk' is not an IPv6 address"_s;
    QTest::newRow("bracket in scope id")
        << u"fe80::1%a]b"_s << u"'fe80::1%a]b' is not an IPv6 address"_s;
}

void TestEndpoint::parseListenAddressErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, message);

    QString error;
    QVERIFY(!::parseListenAddress(text, &error));
    QCOMPARE(error, message);
}

QTEST_APPLESS_MAIN(TestEndpoint)
#include "tst_endpoint.moc"
