// The TFTP packet layer: every packet type both ways, every way a packet can
// be malformed, and the netascii converters across block boundaries.

#include "net/tftp/tftppacket.h"
#include "net/tftp/tftptransfer.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Tftp::Packet)
Q_DECLARE_METATYPE(Tftp::DecodeError)

namespace {

QByteArray bytes(const char *text, qsizetype size)
{
    return QByteArray(text, size);
}
#define B(literal) bytes(literal, sizeof(literal) - 1)

// Payloads that Data packets in the tables point at: they must outlive the rows.
const QByteArray &bigPayload()
{
    static const QByteArray payload = [] {
        QByteArray data(Tftp::MaxBlockSize, Qt::Uninitialized);
        for (qsizetype i = 0; i < data.size(); ++i)
            data[i] = char(i * 7 + 3);
        return data;
    }();
    return payload;
}

const QByteArray &blockPayload()
{
    static const QByteArray payload(512, 'z');
    return payload;
}

QByteArray decodeNetascii(const QByteArray &wire, const QList<qsizetype> &cuts)
{
    Tftp::NetasciiDecoder decoder;
    QByteArray local;
    qsizetype start = 0;
    for (const qsizetype cut : cuts) {
        decoder.decode(QByteArrayView(wire).sliced(start, cut - start), local);
        start = cut;
    }
    decoder.decode(QByteArrayView(wire).sliced(start), local);
    decoder.finish(local);
    return local;
}

QByteArray encodeNetascii(const QByteArray &local)
{
    QByteArray wire;
    Tftp::NetasciiEncoder().encode(local, wire);
    return wire;
}

} // namespace

class TestTftpPacket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void decodeNormalisesCase();
    void findOptionIgnoresCase();
    void malformed_data();
    void malformed();
    void everyPrefixIsSafe();
    void randomInputIsSafe();
    void errorCodeText_data();
    void errorCodeText();
    void encodeErrorCutsAtNul();
    void modes();

    void netasciiEncode_data();
    void netasciiEncode();
    void netasciiDecode_data();
    void netasciiDecode();
    void netasciiAcrossBoundaries_data();
    void netasciiAcrossBoundaries();
    void netasciiBlockBoundary();
    void netasciiRandomRoundTrip();

    void localName_data();
    void localName();
};

void TestTftpPacket::roundTrip_data()
{
    QTest::addColumn<Tftp::Packet>("packet");
    QTest::addColumn<QByteArray>("wire");

    using namespace Tftp;
    QTest::newRow("rrq plain") << Packet { Request { false, "file.bin", "octet", {} } }
                               << B("\0\1file.bin\0octet\0");
    QTest::newRow("wrq netascii") << Packet { Request { true, "dir/notes.txt", "netascii", {} } }
                                  << B("\0\2dir/notes.txt\0netascii\0");
    QTest::newRow("rrq all options")
        << Packet { Request { false, "f", "octet",
               { { "blksize", "1428" }, { "tsize", "0" }, { "timeout", "3" },
                   { "windowsize", "16" } } } }
        << B("\0\1f\0octet\0blksize\0001428\0tsize\0000\0timeout\0003\0windowsize\00016\0");
    QTest::newRow("rrq empty name")
        << Packet { Request { false, "", "octet", {} } } << B("\0\1\0octet\0");
    QTest::newRow("wrq tsize") << Packet {
        Request { true, "up", "octet", { { "tsize", "34603008" } } }
    } << B("\0\2up\0octet\0tsize\00034603008\0");
    QTest::newRow("data empty") << Packet { Data { 0, {} } } << B("\0\3\0\0");
    QTest::newRow("data 1") << Packet { Data { 1, "hello" } } << B("\0\3\0\1hello");
    QTest::newRow("data 65535 full")
        << Packet { Data { 65535, blockPayload() } } << B("\0\3\xff\xff") + blockPayload();
    QTest::newRow("data largest") << Packet { Data { 258, bigPayload() } }
                                  << B("\0\3\1\2") + bigPayload();
    QTest::newRow("ack 0") << Packet { Ack { 0 } } << B("\0\4\0\0");
    QTest::newRow("ack 65535") << Packet { Ack { 65535 } } << B("\0\4\xff\xff");
    QTest::newRow("ack 256") << Packet { Ack { 256 } } << B("\0\4\1\0");
    const char *messages[] = { "custom", "no such file", "denied", "full", "bad op", "who?",
        "exists", "nobody", "no options" };
    for (quint16 code = 0; code <= 8; ++code) {
        QByteArray wire = B("\0\5\0") + char(code) + QByteArray(messages[code]) + '\0';
        QTest::addRow("error %d", code) << Packet { Error { code, messages[code] } } << wire;
    }
    QTest::newRow("error empty message") << Packet { Error { 1, {} } } << B("\0\5\0\1\0");
    QTest::newRow("error high code") << Packet { Error { 4242, "x" } } << B("\0\5\x10\x92x\0");
    QTest::newRow("oack") << Packet { OptionAck { { { "blksize", "65464" }, { "tsize", "12" } } } }
                          << B("\0\6blksize\00065464\0tsize\00012\0");
    QTest::newRow("oack empty") << Packet { OptionAck {} } << B("\0\6");
}

void TestTftpPacket::roundTrip()
{
    QFETCH(Tftp::Packet, packet);
    QFETCH(QByteArray, wire);
    QCOMPARE(Tftp::encode(packet), wire);
    const Tftp::Decoded decoded = Tftp::decode(wire);
    QVERIFY2(decoded.ok(), qPrintable(Tftp::decodeErrorText(decoded.error)));
    QVERIFY(decoded.packet == packet);
    QCOMPARE(Tftp::encode(decoded.packet), wire);
}

void TestTftpPacket::decodeNormalisesCase()
{
    const Tftp::Decoded decoded = Tftp::decode(B("\0\1File\0OcTeT\0BLKSIZE\0001024\0TSize\0000\0"));
    QVERIFY(decoded.ok());
    const auto &request = std::get<Tftp::Request>(decoded.packet);
    QCOMPARE(request.filename, "File"); // names are case-sensitive
    QCOMPARE(request.mode, "octet");
    QCOMPARE(request.options.size(), 2);
    QCOMPARE(request.options.at(0), (Tftp::Option { "blksize", "1024" }));
    QCOMPARE(request.options.at(1), (Tftp::Option { "tsize", "0" }));

    const Tftp::Decoded oack = Tftp::decode(B("\0\6WindowSize\0008\0"));
    QVERIFY(oack.ok());
    QCOMPARE(std::get<Tftp::OptionAck>(oack.packet).options.at(0).name, "windowsize");
}

void TestTftpPacket::findOptionIgnoresCase()
{
    const Tftp::Options options { { "blksize", "512" }, { "TSIZE", "0" } };
    QVERIFY(Tftp::findOption(options, "BlkSize"));
    QCOMPARE(Tftp::findOption(options, "tsize")->value, "0");
    QVERIFY(!Tftp::findOption(options, "timeout"));
    QVERIFY(!Tftp::findOption(options, "blksiz"));
}

void TestTftpPacket::malformed_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<Tftp::DecodeError>("error");
    using E = Tftp::DecodeError;

    QTest::newRow("empty") << QByteArray() << E::Truncated;
    QTest::newRow("one byte") << B("\0") << E::Truncated;
    QTest::newRow("data without block") << B("\0\3") << E::Truncated;
    QTest::newRow("data half block") << B("\0\3\0") << E::Truncated;
    QTest::newRow("ack half block") << B("\0\4\0") << E::Truncated;
    QTest::newRow("ack trailing") << B("\0\4\0\1\0") << E::TrailingBytes;
    QTest::newRow("error without code") << B("\0\5\0") << E::Truncated;
    QTest::newRow("error without message") << B("\0\5\0\1") << E::MissingNul;
    QTest::newRow("error message without nul") << B("\0\5\0\1oops") << E::MissingNul;
    QTest::newRow("error trailing") << B("\0\5\0\1oops\0x") << E::TrailingBytes;
    QTest::newRow("rrq nothing") << B("\0\1") << E::MissingNul;
    QTest::newRow("rrq name without nul") << B("\0\1file") << E::MissingNul;
    QTest::newRow("rrq without mode") << B("\0\1file\0") << E::MissingNul;
    QTest::newRow("rrq mode without nul") << B("\0\1file\0octet") << E::MissingNul;
    QTest::newRow("wrq option without value") << B("\0\2file\0octet\0blksize\0") << E::MissingNul;
    QTest::newRow("wrq option name without nul") << B("\0\2file\0octet\0blksize") << E::MissingNul;
    QTest::newRow("rrq value without nul")
        << B("\0\1file\0octet\0blksize\0001024") << E::MissingNul;
    QTest::newRow("rrq empty option name")
        << B("\0\1file\0octet\0\0001024\0") << E::EmptyOptionName;
    QTest::newRow("oack name without nul") << B("\0\6blksize") << E::MissingNul;
    QTest::newRow("oack value without nul") << B("\0\6blksize\000512") << E::MissingNul;
    QTest::newRow("oack empty option name") << B("\0\6\0\000512\0") << E::EmptyOptionName;
    QTest::newRow("opcode 0") << B("\0\0\0\1") << E::UnknownOpcode;
    QTest::newRow("opcode 7") << B("\0\7\0\1") << E::UnknownOpcode;
    QTest::newRow("opcode 0xffff") << B("\xff\xff") << E::UnknownOpcode;
    QTest::newRow("opcode 0x0103") << B("\1\3\0\1") << E::UnknownOpcode;
    QTest::newRow("data oversized")
        << B("\0\3\0\1") + QByteArray(Tftp::MaxBlockSize + 1, 'x') << E::Oversized;
    QTest::newRow("ack oversized") << B("\0\4\0\1") + QByteArray(65500, '\0') << E::Oversized;
    QTest::newRow("udp maximum") << QByteArray(65507, '\0') << E::Oversized;
}

void TestTftpPacket::malformed()
{
    QFETCH(QByteArray, wire);
    QFETCH(Tftp::DecodeError, error);
    const Tftp::Decoded decoded = Tftp::decode(wire);
    QCOMPARE(decoded.error, error);
    QVERIFY(!decoded.ok());
    QVERIFY(!Tftp::decodeErrorText(error).isEmpty());
}

void TestTftpPacket::everyPrefixIsSafe()
{
    // Every cut of a valid packet is either a valid packet or an error.
    const QList<QByteArray> valid {
        B("\0\1f\0octet\0blksize\0001428\0tsize\0000\0"),
        B("\0\5\0\1not found\0"),
        B("\0\6blksize\0001024\0windowsize\0004\0"),
        B("\0\3\0\7data"),
        B("\0\4\1\1"),
    };
    for (const QByteArray &packet : valid) {
        for (qsizetype size = 0; size <= packet.size(); ++size) {
            const QByteArray prefix = packet.first(size);
            const Tftp::Decoded decoded = Tftp::decode(prefix);
            if (decoded.ok())
                QCOMPARE(Tftp::decode(Tftp::encode(decoded.packet)).ok(), true);
        }
    }
}

void TestTftpPacket::randomInputIsSafe()
{
    QRandomGenerator random(20240601);
    for (int round = 0; round < 20'000; ++round) {
        QByteArray input(qsizetype(random.bounded(40)), Qt::Uninitialized);
        for (char &c : input)
            c = char(random.bounded(256));
        // Most inputs get a plausible opcode, so the parsers are exercised.
        if (input.size() >= 2 && random.bounded(4) != 0) {
            input[0] = '\0';
            input[1] = char(random.bounded(1, 7));
        }
        const Tftp::Decoded decoded = Tftp::decode(input);
        if (!decoded.ok())
            continue;
        // Whatever decodes, re-encodes into something that decodes the same.
        const QByteArray again = Tftp::encode(decoded.packet);
        const Tftp::Decoded second = Tftp::decode(again);
        QVERIFY(second.ok());
        QVERIFY(second.packet == decoded.packet);
    }
}

void TestTftpPacket::errorCodeText_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << 0 << u"Not defined, see error message"_s;
    QTest::newRow("1") << 1 << u"File not found"_s;
    QTest::newRow("2") << 2 << u"Access violation"_s;
    QTest::newRow("3") << 3 << u"Disk full or allocation exceeded"_s;
    QTest::newRow("4") << 4 << u"Illegal TFTP operation"_s;
    QTest::newRow("5") << 5 << u"Unknown transfer ID"_s;
    QTest::newRow("6") << 6 << u"File already exists"_s;
    QTest::newRow("7") << 7 << u"No such user"_s;
    QTest::newRow("8") << 8 << u"Option negotiation refused"_s;
    QTest::newRow("9") << 9 << u"unknown error code 9"_s;
    QTest::newRow("65535") << 65535 << u"unknown error code 65535"_s;
}

void TestTftpPacket::errorCodeText()
{
    QFETCH(int, code);
    QFETCH(QString, text);
    QCOMPARE(Tftp::errorCodeText(quint16(code)), text);
}

void TestTftpPacket::encodeErrorCutsAtNul()
{
    QCOMPARE(Tftp::encodeError(0, B("abc\0def")), B("\0\5\0\0abc\0"));
}

void TestTftpPacket::modes()
{
    QVERIFY(Tftp::parseMode("octet") == Tftp::Mode::Octet);
    QVERIFY(Tftp::parseMode("NetASCII") == Tftp::Mode::Netascii);
    QVERIFY(!Tftp::parseMode("mail"));
    QVERIFY(!Tftp::parseMode("binary"));
    QCOMPARE(Tftp::modeName(Tftp::Mode::Netascii), "netascii");
    QCOMPARE(Tftp::modeName(Tftp::Mode::Octet), "octet");
}

void TestTftpPacket::netasciiEncode_data()
{
    QTest::addColumn<QByteArray>("local");
    QTest::addColumn<QByteArray>("wire");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("plain") << B("abc") << B("abc");
    QTest::newRow("lf") << B("a\nb") << B("a\r\nb");
    QTest::newRow("cr") << B("a\rb") << B("a\r\0b");
    QTest::newRow("crlf") << B("a\r\nb") << B("a\r\0\r\nb");
    QTest::newRow("lf lf") << B("\n\n") << B("\r\n\r\n");
    QTest::newRow("trailing cr") << B("x\r") << B("x\r\0");
    QTest::newRow("nul kept") << B("a\0b") << B("a\0b");
}

void TestTftpPacket::netasciiEncode()
{
    QFETCH(QByteArray, local);
    QFETCH(QByteArray, wire);
    QCOMPARE(encodeNetascii(local), wire);
    QCOMPARE(Tftp::NetasciiEncoder::encodedSize(local), qint64(wire.size()));
    // Encoding is per byte, so chunks do not matter.
    QByteArray chunked;
    for (const char c : local)
        Tftp::NetasciiEncoder().encode(QByteArrayView(&c, 1), chunked);
    QCOMPARE(chunked, wire);
}

void TestTftpPacket::netasciiDecode_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("local");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("plain") << B("abc") << B("abc");
    QTest::newRow("crlf") << B("a\r\nb") << B("a\nb");
    QTest::newRow("crnul") << B("a\r\0b") << B("a\rb");
    QTest::newRow("cr other kept") << B("a\rb") << B("a\rb");
    QTest::newRow("cr cr lf") << B("\r\r\n") << B("\r\n");
    QTest::newRow("cr at end") << B("x\r") << B("x\r");
    QTest::newRow("crnul crlf") << B("\r\0\r\n") << B("\r\n");
    QTest::newRow("bare lf kept") << B("a\nb") << B("a\nb");
}

void TestTftpPacket::netasciiDecode()
{
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, local);
    QCOMPARE(decodeNetascii(wire, {}), local);
}

void TestTftpPacket::netasciiAcrossBoundaries_data()
{
    QTest::addColumn<QByteArray>("local");
    QTest::newRow("lines") << B("line one\nline two\n");
    QTest::newRow("crs") << B("a\rb\r\rc\r");
    QTest::newRow("mixed") << B("\r\n\n\r\r\n\0x\r");
    QTest::newRow("only lf") << B("\n\n\n\n");
    QTest::newRow("only cr") << B("\r\r\r\r");
}

void TestTftpPacket::netasciiAcrossBoundaries()
{
    QFETCH(QByteArray, local);
    const QByteArray wire = encodeNetascii(local);
    // One cut anywhere, two cuts anywhere, and byte by byte.
    for (qsizetype cut = 0; cut <= wire.size(); ++cut)
        QCOMPARE(decodeNetascii(wire, { cut }), local);
    for (qsizetype first = 0; first <= wire.size(); ++first) {
        for (qsizetype second = first; second <= wire.size(); ++second)
            QCOMPARE(decodeNetascii(wire, { first, second }), local);
    }
    QList<qsizetype> every;
    for (qsizetype i = 1; i < wire.size(); ++i)
        every.append(i);
    QCOMPARE(decodeNetascii(wire, every), local);
}

void TestTftpPacket::netasciiBlockBoundary()
{
    // A CR LF and a CR NUL split by the 512-byte block boundary.
    const QByteArray local = QByteArray(511, 'a') + '\n' + QByteArray(511, 'b') + '\r' + "tail";
    const QByteArray wire = encodeNetascii(local);
    QCOMPARE(wire.at(511), '\r');
    QCOMPARE(wire.at(512), '\n');
    QCOMPARE(wire.at(1024), '\r');
    QCOMPARE(wire.at(1025), '\0');
    Tftp::NetasciiDecoder decoder;
    QByteArray out;
    for (qsizetype start = 0; start < wire.size(); start += 512) {
        decoder.decode(
            QByteArrayView(wire).sliced(start, std::min<qsizetype>(512, wire.size() - start)), out);
        if (start == 0)
            QVERIFY(decoder.hasPendingCr());
    }
    decoder.finish(out);
    QCOMPARE(out, local);
}

void TestTftpPacket::netasciiRandomRoundTrip()
{
    QRandomGenerator random(7440);
    const char alphabet[] = { 'a', '\r', '\n', '\0', 'z' };
    for (int round = 0; round < 500; ++round) {
        QByteArray local(qsizetype(random.bounded(200)), Qt::Uninitialized);
        for (char &c : local)
            c = alphabet[random.bounded(5)];
        const QByteArray wire = encodeNetascii(local);
        QList<qsizetype> cuts;
        qsizetype at = 0;
        while (true) {
            at += random.bounded(1, 9);
            if (at >= wire.size())
                break;
            cuts.append(at);
        }
        QCOMPARE(decodeNetascii(wire, cuts), local);
    }
}

void TestTftpPacket::localName_data()
{
    QTest::addColumn<QString>("remote");
    QTest::addColumn<QString>("local"); // empty: none
    QTest::newRow("plain") << u"file.bin"_s << u"file.bin"_s;
    QTest::newRow("path") << u"images/v2/fw.bin"_s << u"fw.bin"_s;
    QTest::newRow("absolute") << u"/etc/passwd"_s << u"passwd"_s;
    QTest::newRow("escape") << u"../../../etc/shadow"_s << u"shadow"_s;
    QTest::newRow("backslashes") << u"C:\\boot\\pxe.0"_s << u"pxe.0"_s;
    QTest::newRow("dotdot") << u"a/.."_s << QString();
    QTest::newRow("dot") << u"."_s << QString();
    QTest::newRow("only dotdot") << u".."_s << QString();
    QTest::newRow("trailing slash") << u"dir/"_s << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("blank") << u"dir/  "_s << QString();
    QTest::newRow("control") << u"a\nb\tc"_s << u"a_b_c"_s;
    QTest::newRow("hidden kept") << u"x/.config"_s << u".config"_s;
    QTest::newRow("dots inside") << u"a..b"_s << u"a..b"_s;
    QTest::newRow("unicode") << u"固件/版本.bin"_s << u"版本.bin"_s;
}

void TestTftpPacket::localName()
{
    QFETCH(QString, remote);
    QFETCH(QString, local);
    const std::optional<QString> name = tftpLocalName(remote);
    if (local.isEmpty()) {
        QVERIFY2(!name, qPrintable(name.value_or(QString())));
    } else {
        QVERIFY(name);
        QCOMPARE(*name, local);
        QVERIFY(!name->contains(u'/'));
    }
}

QTEST_APPLESS_MAIN(TestTftpPacket)
#include "tst_tftppacket.moc"
