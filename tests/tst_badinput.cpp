// Bad input, one row per case, at each layer a user meets it: the net/ API
// and the real socklab-cli (the window's rows are in tst_badinput_gui). Each
// row checks the exact message and that nothing was lost: the session still
// works against a real peer, the old file is whole, nothing is left behind.
//
// Full and read-only disks are tmpfs mounts in a private mount namespace the
// test makes for itself (tests/mounts.h); name lookups go to a resolver on
// loopback only. Where that cannot be had (not root), those rows skip and say
// why. Peers: tests/peers/*.py (TCP, UDP, TFTP, a port holder).

#include "mounts.h"
#include "net/core/endpoint.h"
#include "net/log/trafficlog.h"
#include "net/send/filesender.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"
#include "net/tftp/tftptransfer.h"
#include "net/udp/udpsession.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <sys/statvfs.h>

using namespace Qt::StringLiterals;
using CliRun = peers::ProgramRun;
using TftpPeer = peers::ScriptPeer;
using peers::cliPath;
using peers::runCli;
using peers::sha256Of;
using peers::startPeer;
using testfiles::entries;
using testfiles::readBytes;
using testfiles::writeBytes;

namespace {

// Bad inputs tried, for the figure in docs/reliability.md.
int g_tried = 0;

const QString NotIPv4
    = u"'999.1.1.1' is not an IPv4 address (write four numbers 0-255, like 192.168.1.10)"_s;
const QString Encodings = u"UTF-8, GB2312, GBK, GB18030, Big5, Latin-1"_s;

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    for (char &c : bytes)
        c = char(random.bounded(256));
    return bytes;
}

// Bytes still free on the file system of path.
qint64 freeBytes(const QString &path)
{
    struct statvfs info
    {
    };
    if (::statvfs(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return qint64(info.f_bavail) * qint64(info.f_frsize);
}

struct Run
{
    TftpResult result;
    bool finished = false;
};

// One transfer to its end in a local event loop.
Run runTransfer(const TftpRequest &request, int timeoutMs = 60'000)
{
    Run outcome;
    TftpTransfer transfer(request);
    QEventLoop loop;
    QObject::connect(&transfer, &TftpTransfer::finished, &loop, [&](const TftpResult &result) {
        outcome.result = result;
        outcome.finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    transfer.start();
    if (!outcome.finished)
        loop.exec();
    return outcome;
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void cliUsage_data();
    void cliUsage();
    void parsers_data();
    void parsers();

    void badHost_data();
    void badHost();
    void cliHostNotFound_data();
    void cliHostNotFound();
    void portZero();
    void portInUse_data();
    void portInUse();

    void unreadableSendFile_data();
    void unreadableSendFile();
    void unwritableDownloadFolder_data();
    void unwritableDownloadFolder();
    void unwritableLogFolder();
    void fullDiskDownload_data();
    void fullDiskDownload();
    void fullDiskLog();

    void tftpRemoteNames_data();
    void tftpRemoteNames();
    void tftpReplyFromOtherAddress();
    void tftpSamePortOtherHost();

private:
    QString scratch(const QString &name) const { return m_dir.filePath(name); }
    // A fresh, empty folder for a row.
    QString freshFolder(const QString &name);

    QTemporaryDir m_dir;
    QString m_lookupProblem; // why names cannot be looked up on loopback only
    QString m_empty; // the CLI's working folder: must stay empty
    QString m_served; // what the scripted TFTP servers send
    int m_folders = 0;
};

void TestBadInput::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_lookupProblem = mounts::keepLookupsOnLoopback(scratch(u"resolv.conf"_s));
    if (!mounts::available())
        qWarning("mount rows skip: %s", qPrintable(mounts::problem()));
    if (!m_lookupProblem.isEmpty())
        qWarning("host-not-found rows skip: %s", qPrintable(m_lookupProblem));
    m_empty = scratch(u"cwd"_s);
    QVERIFY(QDir().mkpath(m_empty));
    m_served = scratch(u"served.bin"_s);
    QVERIFY(writeBytes(m_served, randomBytes(20'000, 7)));
}

void TestBadInput::cleanupTestCase()
{
    qInfo("bad inputs tried: %d", g_tried);
}

void TestBadInput::init()
{
    QCOMPARE(entries(m_empty), QStringList());
}

QString TestBadInput::freshFolder(const QString &name)
{
    const QString path = scratch(u"%1-%2"_s.arg(name).arg(++m_folders));
    return QDir().mkpath(path) ? path : QString();
}

// ---- Usage errors: exit 2, one line naming the problem, nothing done --------

void TestBadInput::cliUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    const QStringList client { u"tcp-client"_s, u"--connect"_s };
    const QStringList udp { u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--to"_s };
    const QStringList server { u"tcp-server"_s, u"--listen"_s };
    const QStringList get { u"tftp"_s, u"get"_s };
    const QStringList listening { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s };
    auto row = [](const char *name, const QStringList &arguments, const QString &message) {
        QTest::newRow(name) << arguments << message;
    };

    // Invalid hosts.
    row("client 999.1.1.1", client + QStringList { u"999.1.1.1:80"_s }, u"--connect: "_s + NotIPv4);
    row("udp target 999.1.1.1", udp + QStringList { u"999.1.1.1:9"_s }, u"--to: "_s + NotIPv4);
    row("tftp 999.1.1.1", get + QStringList { u"999.1.1.1"_s, u"f"_s }, u"tftp get: "_s + NotIPv4);
    row("tftp 999.1.1.1:69", get + QStringList { u"999.1.1.1:69"_s, u"f"_s },
        u"tftp get: "_s + NotIPv4);
    row("client [::1", client + QStringList { u"[::1"_s }, u"--connect: missing ']' in '[::1'"_s);
    row("udp target [::1", udp + QStringList { u"[::1"_s }, u"--to: missing ']' in '[::1'"_s);
    row("tftp [::1", get + QStringList { u"[::1"_s, u"f"_s }, u"tftp get: missing ']' in '[::1'"_s);
    row("client [1.2.3.4]", client + QStringList { u"[1.2.3.4]:80"_s },
        u"--connect: '[1.2.3.4]' is not an IPv6 address (brackets are only for IPv6)"_s);

    // Ports: 0 where it is not allowed, past 65535, negative, not a number.
    row("client port 0", client + QStringList { u"127.0.0.1:0"_s },
        u"--connect: port 0 is not allowed here"_s);
    row("udp target port 0", udp + QStringList { u"127.0.0.1:0"_s },
        u"--to: port 0 is not allowed here"_s);
    row("tftp get port 0", get + QStringList { u"127.0.0.1:0"_s, u"f"_s },
        u"tftp get: port 0 is not allowed here"_s);
    row("tftp put port 0", QStringList { u"tftp"_s, u"put"_s, u"127.0.0.1:0"_s, u"f"_s },
        u"tftp put: port 0 is not allowed here"_s);
    const QString tooBig = u"port 65536 is out of range (0-65535)"_s;
    row("client 65536", client + QStringList { u"127.0.0.1:65536"_s }, u"--connect: "_s + tooBig);
    row("udp target 65536", udp + QStringList { u"127.0.0.1:65536"_s }, u"--to: "_s + tooBig);
    row("listen 65536", server + QStringList { u"127.0.0.1:65536"_s }, u"--listen: "_s + tooBig);
    row("bind 65536", QStringList { u"udp"_s, u"--bind"_s, u":65536"_s }, u"--bind: "_s + tooBig);
    row("local 65536",
        client + QStringList { u"127.0.0.1:9"_s, u"--local"_s, u"127.0.0.1:65536"_s },
        u"--local: "_s + tooBig);
    row("tftp 65536", get + QStringList { u"127.0.0.1:65536"_s, u"f"_s }, u"tftp get: "_s + tooBig);
    row("client -1", client + QStringList { u"127.0.0.1:-1"_s },
        u"--connect: port '-1' is not a number"_s);
    row("listen -1", server + QStringList { u"127.0.0.1:-1"_s },
        u"--listen: port '-1' is not a number"_s);
    row("tftp -1", get + QStringList { u"127.0.0.1:-1"_s, u"f"_s },
        u"tftp get: port '-1' is not a number"_s);
    row("client abc", client + QStringList { u"127.0.0.1:abc"_s },
        u"--connect: port 'abc' is not a number"_s);
    row("bind abc", QStringList { u"udp"_s, u"--bind"_s, u"127.0.0.1:abc"_s },
        u"--bind: port 'abc' is not a number"_s);
    row("tftp abc", get + QStringList { u"localhost:abc"_s, u"f"_s },
        u"tftp get: port 'abc' is not a number"_s);

    // Encodings.
    row("unknown encoding", listening + QStringList { u"--encoding"_s, u"klingon"_s },
        u"--encoding: unknown encoding 'klingon' (choose one of %1)"_s.arg(Encodings));
    row("empty encoding", udp.first(3) + QStringList { u"-e"_s, QString() },
        u"--encoding: no encoding given (choose one of %1)"_s.arg(Encodings));

    // Hex: odd digit counts and non-hex digits, with their column.
    row("odd hex", listening + QStringList { u"--send-hex"_s, u"41424"_s },
        u"--send-hex: odd number of hex digits: '4' at column 5 has no partner"_s);
    row("odd hex, spaced", listening + QStringList { u"-e"_s, u"hex"_s, u"--send"_s, u"41 42 4"_s },
        u"--send: odd number of hex digits: '4' at column 7 has no partner"_s);
    row("non-hex digit", listening + QStringList { u"--send-hex"_s, u"41g2"_s },
        u"--send-hex: 'g' at column 3 is not a hex digit"_s);
    row("non-hex reply",
        listening + QStringList { u"-e"_s, u"hex"_s, u"--reply"_s, u"0x41,0xZZ"_s },
        u"--reply: 'Z' at column 8 is not a hex digit"_s);

    // Characters the encoding cannot hold: the message names the character.
    row("euro in Latin-1", listening + QStringList { u"-e"_s, u"latin1"_s, u"--send"_s, u"5€"_s },
        u"--send: character '€' (U+20AC) at position 2 cannot be encoded in Latin-1"_s);
    row("Chinese in Latin-1",
        listening + QStringList { u"-e"_s, u"latin1"_s, u"--reply"_s, u"ok 你好"_s },
        u"--reply: character '你' (U+4F60) at position 4 cannot be encoded in Latin-1"_s);
    row("emoji in GB2312", listening + QStringList { u"-e"_s, u"gb2312"_s, u"--send"_s, u"a😀"_s },
        u"--send: character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"_s);
    row("emoji in Big5, escapes",
        listening + QStringList { u"-e"_s, u"big5"_s, u"--escapes"_s, u"--send"_s, u"\\r😀"_s },
        u"--send: character '😀' (U+1F600) at position 3 cannot be encoded in Big5"_s);

    // TFTP remote names that leave no local name.
    row("tftp remote ..", get + QStringList { u"127.0.0.1:9"_s, u".."_s },
        u"tftp get: cannot make a local name from '..'; give one with -o"_s);
    row("tftp remote dir/", get + QStringList { u"127.0.0.1:9"_s, u"boot/"_s },
        u"tftp get: cannot make a local name from 'boot/'; give one with -o"_s);
    row("tftp remote ../", get + QStringList { u"127.0.0.1:9"_s, u"../"_s },
        u"tftp get: cannot make a local name from '../'; give one with -o"_s);
}

void TestBadInput::cliUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    ++g_tried;
    const CliRun cli = runCli(arguments, m_empty);
    QCOMPARE(QString::fromUtf8(cli.err), u"socklab-cli: "_s + message + u'\n');
    QCOMPARE(cli.exitCode, 2);
    QCOMPARE(cli.out, QByteArray());
    // Nothing was started or written: no file appeared where it ran.
    QCOMPARE(entries(m_empty), QStringList());
}

// ---- The same checks through the net/ API --------------------------------

void TestBadInput::parsers_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qsizetype>("position"); // -1: not reported

    auto row = [](const char *name, const QString &kind, const QString &input,
                   const QString &encoding, const QString &message, qsizetype position = -1) {
        QTest::newRow(name) << kind << input << encoding << message << position;
    };
    const QString remote = u"remote"_s; // parseHostPort(text, false)
    const QString host = u"host"_s; // remoteHostError(text)
    row("remote port 0", remote, u"127.0.0.1:0"_s, {}, u"port 0 is not allowed here"_s);
    row("remote port 65536", remote, u"127.0.0.1:65536"_s, {},
        u"port 65536 is out of range (0-65535)"_s);
    row("remote port -1", remote, u"127.0.0.1:-1"_s, {}, u"port '-1' is not a number"_s);
    row("remote port abc", remote, u"127.0.0.1:abc"_s, {}, u"port 'abc' is not a number"_s);
    row("remote 999.1.1.1", remote, u"999.1.1.1:80"_s, {}, NotIPv4);
    row("remote [::1", remote, u"[::1"_s, {}, u"missing ']' in '[::1'"_s);
    row("host 999.1.1.1", host, u"999.1.1.1"_s, {}, NotIPv4);
    row("host 1.2.3", host, u"1.2.3"_s, {},
        u"'1.2.3' is not an IPv4 address (write four numbers 0-255, like 192.168.1.10)"_s);
    row("host [::1", host, u"[::1"_s, {}, u"missing ']' in '[::1'"_s);
    row("host [1.2.3.4]", host, u"[1.2.3.4]"_s, {},
        u"'[1.2.3.4]' is not an IPv6 address (brackets are only for IPv6)"_s);
    row("host [::1]:80", host, u"[::1]:80"_s, {},
        u"unexpected text after ']' in '[::1]:80' (give the port separately)"_s);
    row("host ::1]", host, u"::1]"_s, {}, u"unexpected ']' in '::1]'"_s);
    row("host with space", host, u"my host"_s, {}, u"host 'my host' contains a space"_s);
    row("encoding klingon", u"encoding"_s, u"klingon"_s, {},
        u"unknown encoding 'klingon' (choose one of %1)"_s.arg(Encodings));
    row("hex odd", u"hex"_s, u"41 42 4"_s, {},
        u"odd number of hex digits: '4' at column 7 has no partner"_s, 6);
    row("hex non-hex", u"hex"_s, u"41 4G"_s, {}, u"'G' at column 5 is not a hex digit"_s, 4);
    row("escape unknown", u"escapes"_s, u"ab\\q"_s, u"UTF-8"_s,
        u"unknown escape '\\q' at column 3 (write \\\\ for a backslash)"_s, 2);
    row("escape bad \\x", u"escapes"_s, u"\\x4"_s, u"UTF-8"_s,
        u"'\\x' at column 1 must be followed by two hex digits"_s, 0);
    row("euro in Latin-1", u"encode"_s, u"5€"_s, u"Latin-1"_s,
        u"character '€' (U+20AC) at position 2 cannot be encoded in Latin-1"_s, 1);
    row("Chinese in Latin-1", u"encode"_s, u"你好"_s, u"Latin-1"_s,
        u"character '你' (U+4F60) at position 1 cannot be encoded in Latin-1"_s, 0);
    row("emoji in GB2312", u"encode"_s, u"a😀"_s, u"GB2312"_s,
        u"character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"_s, 1);
    row("emoji in GBK", u"encode"_s, u"😀b"_s, u"GBK"_s,
        u"character '😀' (U+1F600) at position 1 cannot be encoded in GBK"_s, 0);
    row("euro in GB2312, escapes", u"escapes"_s, u"\\n€"_s, u"GB2312"_s,
        u"character '€' (U+20AC) at position 3 cannot be encoded in GB2312"_s, 2);
}

void TestBadInput::parsers()
{
    QFETCH(QString, kind);
    QFETCH(QString, input);
    QFETCH(QString, encoding);
    QFETCH(QString, message);
    QFETCH(qsizetype, position);
    ++g_tried;

    QString error;
    qsizetype at = -1;
    if (kind == u"remote"_s) {
        const HostPortResult result = parseHostPort(input, false);
        QVERIFY(!result.value);
        error = result.error;
    } else if (kind == u"host"_s) {
        error = remoteHostError(input);
    } else if (kind == u"encoding"_s) {
        error = TextCodec::checkName(input);
    } else {
        const BytesResult result = kind == u"hex"_s ? Hex::parse(input)
            : kind == u"escapes"_s                  ? Escapes::encode(input, encoding)
                                                    : TextCodec::encode(input, encoding);
        QVERIFY(!result.ok());
        QCOMPARE(result.bytes, QByteArray()); // nothing half-made to send
        error = result.error;
        at = result.position;
    }
    QCOMPARE(error, message);
    if (position >= 0)
        QCOMPARE(at, position);
}

// ---- Hosts -----------------------------------------------------------------

void TestBadInput::badHost_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("lookup"); // the message comes from a (loopback) resolver

    const QString notFound = u"host 'no.such.host.invalid' not found"_s;
    for (const QString &kind : { u"tcp-client"_s, u"udp"_s, u"tftp"_s }) {
        const QByteArray prefix = kind.toLatin1() + ' ';
        QTest::newRow(QByteArray(prefix + "999.1.1.1").constData())
            << kind << u"999.1.1.1"_s << NotIPv4 << false;
        QTest::newRow(QByteArray(prefix + "[::1").constData())
            << kind << u"[::1"_s << u"missing ']' in '[::1'"_s << false;
        QTest::newRow(QByteArray(prefix + "no.such.host.invalid").constData())
            << kind << u"no.such.host.invalid"_s << notFound << true;
    }
}

void TestBadInput::badHost()
{
    QFETCH(QString, kind);
    QFETCH(QString, host);
    QFETCH(QString, message);
    QFETCH(bool, lookup);
    if (lookup && !m_lookupProblem.isEmpty())
        QSKIP(qPrintable(u"no loopback-only resolver: "_s + m_lookupProblem));
    ++g_tried;

    if (kind == u"tftp"_s) {
        const QString folder = freshFolder(u"host"_s);
        TftpRequest request;
        request.host = host;
        request.port = 69;
        request.remoteName = u"fw.bin"_s;
        request.localPath = folder;
        const Run run = runTransfer(request);
        QVERIFY(run.finished);
        QCOMPARE(run.result.errorString, message);
        QCOMPARE(run.result.status, lookup ? TftpStatus::NetworkError : TftpStatus::InvalidRequest);
        QCOMPARE(entries(folder), QStringList());
        return;
    }

    if (kind == u"tcp-client"_s) {
        peers::Process server;
        const auto port = startPeer(server, u"tcp_server.py"_s, { u"--echo"_s });
        QVERIFY(port);
        TcpClientSession client;
        QSignalSpy errors(&client, &Session::errorOccurred);
        client.setRemote(host, 80);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 20'000);
        QCOMPARE(errors.first().first().toString(), message);
        QCOMPARE(client.state(), Session::State::Idle);
        // The same session, given a real server, connects and talks.
        QSignalSpy received(&client, &Session::received);
        client.setRemote(u"127.0.0.1"_s, *port);
        client.start();
        QTRY_COMPARE(client.state(), Session::State::Active);
        QVERIFY(client.send("ping"));
        QCOMPARE(server.waitForLine("got "), std::optional<QByteArray>("70696e67"));
        QTRY_COMPARE(received.size(), 1);
        QCOMPARE(received.first().at(2).toByteArray(), QByteArray("ping"));
        return;
    }

    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, {});
    QVERIFY(port);
    UdpSession udp;
    udp.setBindAddress(QHostAddress::LocalHost);
    udp.start();
    QCOMPARE(udp.state(), Session::State::Active);
    const quint16 bound = udp.localEndpoint().port;
    QSignalSpy errors(&udp, &Session::errorOccurred);
    udp.setTarget(host, 9);
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 20'000);
    QCOMPARE(errors.first().first().toString(), message);
    // Still bound where it was; nothing went anywhere; a good target works.
    QCOMPARE(udp.state(), Session::State::Active);
    QCOMPARE(udp.localEndpoint().port, bound);
    QVERIFY(!udp.send("lost"));
    QCOMPARE(udp.counters().txPackets, 0u);
    udp.setTarget(u"127.0.0.1"_s, *port);
    QVERIFY(udp.send("ping"));
    const auto line = receiver.waitForLine("rx ");
    QVERIFY(line);
    QVERIFY2(line->startsWith(QByteArray("127.0.0.1 " + QByteArray::number(bound) + " 4 ")),
        line->constData());
    QVERIFY2(line->endsWith(" 70696e67"), line->constData());
}

void TestBadInput::cliHostNotFound_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString host = u"no.such.host.invalid"_s;
    QTest::newRow("tcp-client") << QStringList { u"tcp-client"_s, u"--connect"_s, host + u":80"_s }
                                << u"host 'no.such.host.invalid' not found"_s;
    QTest::newRow("udp") << QStringList { u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--to"_s,
        host + u":9"_s, u"--duration"_s, u"3000"_s }
                         << u"host 'no.such.host.invalid' not found"_s;
    QTest::newRow("tftp get") << QStringList { u"tftp"_s, u"get"_s, host, u"fw.bin"_s }
                              << u"tftp: host 'no.such.host.invalid' not found"_s;
}

void TestBadInput::cliHostNotFound()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    if (!m_lookupProblem.isEmpty())
        QSKIP(qPrintable(u"no loopback-only resolver: "_s + m_lookupProblem));
    ++g_tried;
    const CliRun cli = runCli(arguments, m_empty);
    QVERIFY2(QString::fromUtf8(cli.err).split(u'\n').contains(u"socklab-cli: "_s + message),
        cli.err.constData());
    QCOMPARE(cli.exitCode, 1);
    QCOMPARE(entries(m_empty), QStringList());
}

// ---- Ports -----------------------------------------------------------------

void TestBadInput::portZero()
{
    // Where the window's spin boxes and the CLI's parser cannot stop it: the API.
    TcpClientSession client;
    QSignalSpy clientErrors(&client, &Session::errorOccurred);
    client.setRemote(u"127.0.0.1"_s, 0);
    client.start();
    QCOMPARE(clientErrors.size(), 1);
    QCOMPARE(clientErrors.first().first().toString(), u"no remote port given"_s);
    QCOMPARE(client.state(), Session::State::Idle);
    ++g_tried;

    UdpSession udp;
    udp.setBindAddress(QHostAddress::LocalHost);
    udp.start();
    QCOMPARE(udp.state(), Session::State::Active);
    QSignalSpy udpErrors(&udp, &Session::errorOccurred);
    udp.setTarget(u"127.0.0.1"_s, 0);
    QVERIFY(!udp.send("x"));
    QCOMPARE(udpErrors.size(), 1);
    QCOMPARE(udpErrors.first().first().toString(), u"no destination: give a host and a port"_s);
    QCOMPARE(udp.state(), Session::State::Active);
    QCOMPARE(udp.counters().txPackets, 0u);
    ++g_tried;

    const QString folder = freshFolder(u"port0"_s);
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = 0;
    request.remoteName = u"fw.bin"_s;
    request.localPath = folder;
    const Run run = runTransfer(request);
    QCOMPARE(run.result.status, TftpStatus::InvalidRequest);
    QCOMPARE(run.result.errorString, u"server port 0 is not valid"_s);
    QCOMPARE(entries(folder), QStringList());
    ++g_tried;
}

void TestBadInput::portInUse_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("cli");
    for (const bool cli : { false, true }) {
        const QByteArray layer = cli ? "socklab-cli " : "net ";
        QTest::newRow(QByteArray(layer + "tcp-server").constData()) << u"tcp-server"_s << cli;
        QTest::newRow(QByteArray(layer + "udp").constData()) << u"udp"_s << cli;
    }
}

void TestBadInput::portInUse()
{
    QFETCH(QString, kind);
    QFETCH(bool, cli);
    ++g_tried;
    const bool tcp = kind == u"tcp-server"_s;
    // Another program holds the port, as a user's other tool would.
    peers::Process holder;
    const auto port = startPeer(holder, u"port_holder.py"_s, { tcp ? u"--tcp"_s : u"--udp"_s });
    QVERIFY(port);
    const QString message = (tcp ? u"port %1 is already in use (127.0.0.1:%1)"_s
                                 : u"UDP port %1 is already in use (127.0.0.1:%1)"_s)
                                .arg(*port);

    if (cli) {
        const CliRun run = runCli(
            { kind, tcp ? u"--listen"_s : u"--bind"_s, u"127.0.0.1:%1"_s.arg(*port) }, m_empty);
        QCOMPARE(QString::fromUtf8(run.err), u"socklab-cli: "_s + message + u'\n');
        QCOMPARE(run.exitCode, 1);
        return;
    }

    std::unique_ptr<Session> session;
    if (tcp) {
        auto *server = new TcpServerSession();
        server->setListenAddress(QHostAddress::LocalHost);
        server->setListenPort(*port);
        session.reset(server);
    } else {
        auto *udp = new UdpSession();
        udp->setBindAddress(QHostAddress::LocalHost);
        udp->setBindPort(*port);
        session.reset(udp);
    }
    QSignalSpy errors(session.get(), &Session::errorOccurred);
    session->start();
    QTRY_COMPARE(errors.size(), 1);
    QCOMPARE(errors.first().first().toString(), message);
    QCOMPARE(session->state(), Session::State::Idle);
    // Once the other program lets go, the same session takes the port.
    holder.closeWrite();
    QVERIFY(holder.waitForLine("released"));
    QVERIFY(holder.waitForFinished());
    session->start();
    QTRY_COMPARE(session->state(), Session::State::Active);
    QCOMPARE(session->errorString(), QString());
}

// ---- Files -----------------------------------------------------------------

void TestBadInput::unreadableSendFile_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message"); // FileSender and --send-file
    QTest::addColumn<QString>("tftpMessage"); // tftp put

    // Root reads anything that exists, so permissions prove nothing here:
    // these fail for root too.
    const QString folder = m_dir.path();
    const QString missing = m_dir.filePath(u"missing.bin"_s);
    const QString underFile = m_served + u"/x.bin"_s;
    QTest::newRow("a folder") << folder << u"cannot read %1: it is a directory"_s.arg(folder)
                              << u"%1 is a folder"_s.arg(folder);
    QTest::newRow("missing") << missing
                             << u"cannot read %1: No such file or directory"_s.arg(missing)
                             << u"%1 does not exist"_s.arg(missing);
    QTest::newRow("under a file") << underFile
                                  << u"cannot read %1: Not a directory"_s.arg(underFile)
                                  << u"%1 does not exist"_s.arg(underFile);
    // Opens, but reading fails (address 0 of the reader is not mapped).
    QTest::newRow("/proc/self/mem")
        << u"/proc/self/mem"_s << u"cannot read /proc/self/mem: Input/output error"_s
        << u"cannot read /proc/self/mem: Input/output error"_s;
}

void TestBadInput::unreadableSendFile()
{
    QFETCH(QString, path);
    QFETCH(QString, message);
    QFETCH(QString, tftpMessage);
    g_tried += 3;

    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--idle"_s, u"2"_s });
    QVERIFY(port);

    // net: FileSender through a bound UDP session.
    UdpSession udp;
    udp.setBindAddress(QHostAddress::LocalHost);
    udp.setTarget(u"127.0.0.1"_s, *port);
    udp.start();
    QCOMPARE(udp.state(), Session::State::Active);
    FileSender sender(&udp);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    if (sender.start(path, &error)) {
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).value<SendResult>().ok(), false);
        error = finished.first().at(0).value<SendResult>().message;
    }
    QCOMPARE(error, message);
    QCOMPARE(udp.counters().txPackets, 0u);
    // The session and the sender still work: a readable file arrives whole.
    finished.clear();
    QVERIFY2(sender.start(m_served, &error), qPrintable(error));
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).value<SendResult>().ok(), true);
    const auto total = receiver.waitForLine("total ");
    QVERIFY(total);
    QVERIFY2(total->startsWith("20000 "), total->constData());
    QVERIFY2(total->endsWith(QByteArray(' ' + sha256Of(readBytes(m_served)))), total->constData());

    // socklab-cli --send-file: exit 1, the same message.
    const CliRun cli
        = runCli({ u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--to"_s, u"127.0.0.1:9"_s,
                     u"--send-file"_s, path, u"--close-after-send"_s, u"--quiet"_s },
            m_empty);
    QCOMPARE(QString::fromUtf8(cli.err), u"socklab-cli: "_s + message + u'\n');
    QCOMPARE(cli.exitCode, 1);

    // TFTP upload: refused before contact, or (/proc/self/mem) the server is
    // told with an ERROR.
    TftpPeer server;
    QVERIFY(server.start(
        u"tftp_evil.py"_s, { u"--scenario"_s, u"normal"_s, u"--deadline"_s, u"20"_s }));
    TftpRequest request;
    request.direction = TftpRequest::Direction::Upload;
    request.host = u"127.0.0.1"_s;
    request.port = server.port;
    request.localPath = path;
    request.remoteName = u"up.bin"_s;
    request.timeoutMs = 300;
    const Run run = runTransfer(request);
    QCOMPARE(run.result.errorString, tftpMessage);
    QCOMPARE(run.result.status, TftpStatus::LocalError);
    if (path.startsWith(u"/proc"_s))
        QCOMPARE(server.line("client-error "), QByteArray("0 the client cannot read the file"));
}

void TestBadInput::unwritableDownloadFolder_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("read-only file system") << u"ro"_s;
    QTest::newRow("a file where the folder should be") << u"file"_s;
}

void TestBadInput::unwritableDownloadFolder()
{
    QFETCH(QString, how);
    QString folder = freshFolder(u"download"_s);
    QString message;
    mounts::Tmpfs readOnly;
    if (how == u"ro"_s) {
        if (!readOnly.mount(folder, "ro"))
            QSKIP(qPrintable(readOnly.error()));
        message = u"cannot create a file in %1: Read-only file system"_s.arg(folder);
    } else {
        QVERIFY(writeBytes(folder + u"/notes.txt"_s, "keep"));
        folder += u"/notes.txt"_s;
        message = u"%1 is not a folder"_s.arg(folder);
    }
    g_tried += 2;

    TftpPeer server;
    QVERIFY(server.start(u"tftp_evil.py"_s,
        { u"--scenario"_s, u"normal"_s, u"--file"_s, m_served, u"--deadline"_s, u"20"_s }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = server.port;
    request.remoteName = u"fw.bin"_s;
    request.localPath = folder + u"/fw.bin"_s;
    const Run run = runTransfer(request);
    QCOMPARE(run.result.errorString, message);
    QCOMPARE(run.result.status, TftpStatus::LocalError);

    const CliRun cli = runCli({ u"tftp"_s, u"get"_s, u"127.0.0.1:%1"_s.arg(server.port),
                                  u"fw.bin"_s, u"-o"_s, folder + u"/fw.bin"_s },
        m_empty);
    QCOMPARE(QString::fromUtf8(cli.err), u"socklab-cli: tftp: "_s + message + u'\n');
    QCOMPARE(cli.exitCode, 1);
    if (how == u"file"_s)
        QCOMPARE(readBytes(folder), QByteArray("keep"));
    // Neither asked the server for anything: the problem was found first.
    server.process.stop();
    QVERIFY2(!server.process.output().contains("request"), server.process.output().constData());
}

void TestBadInput::unwritableLogFolder()
{
    const QString folder = freshFolder(u"logs"_s);
    mounts::Tmpfs readOnly;
    if (!readOnly.mount(folder, "ro"))
        QSKIP(qPrintable(readOnly.error()));
    const QString path = folder + u"/traffic.log"_s;
    const QString message = u"cannot write log to %1: Read-only file system"_s.arg(path);
    g_tried += 3;

    TrafficLog log;
    QString error;
    QVERIFY(!log.startStreaming(path, TrafficLog::StreamFormat::Text, &error));
    QCOMPARE(error, message);
    QVERIFY(!log.isStreaming());
    QVERIFY(!log.saveTo(path, TrafficLog::StreamFormat::JsonLines, &error));
    QCOMPARE(error, message);

    const CliRun cli = runCli(
        { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--log-file"_s, path }, m_empty);
    QCOMPARE(QString::fromUtf8(cli.err), u"socklab-cli: "_s + message + u'\n');
    QCOMPARE(cli.exitCode, 1);
    QCOMPARE(entries(folder), QStringList());
}

void TestBadInput::fullDiskDownload_data()
{
    QTest::addColumn<bool>("cli");
    QTest::addColumn<int>("size");
    // Downloads are written in 1 MiB chunks: a 2 MiB file fails in the middle
    // of the transfer, a 400 KiB one when it is complete and being committed.
    QTest::newRow("net, fails mid-transfer") << false << 2 * 1024 * 1024;
    QTest::newRow("net, fails at the end") << false << 400 * 1024;
    QTest::newRow("socklab-cli, fails mid-transfer") << true << 2 * 1024 * 1024;
}

void TestBadInput::fullDiskDownload()
{
    QFETCH(bool, cli);
    QFETCH(int, size);
    const QString folder = freshFolder(u"full"_s);
    mounts::Tmpfs small;
    if (!small.mount(folder, "size=256k"))
        QSKIP(qPrintable(small.error()));
    ++g_tried;
    const QString target = folder + u"/fw.bin"_s;
    const QByteArray old = randomBytes(16 * 1024, 3);
    QVERIFY(writeBytes(target, old));
    const qint64 freeBefore = freeBytes(folder);
    QVERIFY(freeBefore > 0 && freeBefore < size);

    const QString served = scratch(u"big-%1.bin"_s.arg(size));
    QVERIFY(writeBytes(served, randomBytes(size, 11)));
    TftpPeer server;
    QVERIFY(server.start(u"tftp_evil.py"_s,
        { u"--scenario"_s, u"normal"_s, u"--file"_s, served, u"--deadline"_s, u"30"_s }));
    const QString message = u"cannot write %1: No space left on device"_s.arg(target);
    if (cli) {
        const CliRun run
            = runCli({ u"tftp"_s, u"get"_s, u"127.0.0.1:%1"_s.arg(server.port), u"fw.bin"_s,
                         u"-o"_s, target, u"--overwrite"_s, u"--blksize"_s, u"65464"_s },
                m_empty);
        QCOMPARE(QString::fromUtf8(run.err), u"socklab-cli: tftp: "_s + message + u'\n');
        QCOMPARE(run.exitCode, 1);
    } else {
        TftpRequest request;
        request.host = u"127.0.0.1"_s;
        request.port = server.port;
        request.remoteName = u"fw.bin"_s;
        request.localPath = target;
        request.overwrite = true;
        request.blockSize = 65464;
        const Run run = runTransfer(request);
        QCOMPARE(run.result.errorString, message);
        QCOMPARE(run.result.status, TftpStatus::LocalError);
    }
    // Mid-transfer, the server is told why (ERROR 3).
    if (size > 1024 * 1024)
        QCOMPARE(server.line("client-error "), QByteArray("3 cannot write the file"));
    // The old file is whole, no partial file is left, the space is free again.
    QCOMPARE(entries(folder), QStringList { u"fw.bin"_s });
    QCOMPARE(sha256Of(readBytes(target)), sha256Of(old));
    QCOMPARE(freeBytes(folder), freeBefore);
}

void TestBadInput::fullDiskLog()
{
    const QString folder = freshFolder(u"fulllog"_s);
    mounts::Tmpfs small;
    if (!small.mount(folder, "size=64k"))
        QSKIP(qPrintable(small.error()));
    g_tried += 3;

    // Saving the log over an old one on a full disk: an error, the old one whole.
    const QString saved = folder + u"/saved.log"_s;
    QVERIFY(writeBytes(saved, "the old log\n"));
    {
        TrafficLog log;
        const int session = log.registerSession(u"s"_s);
        for (int i = 0; i < 200; ++i)
            log.append({ 0, session, LogKind::Rx, 1, {}, QByteArray(512, char('a' + i % 26)) });
        QString error;
        QVERIFY(!log.saveTo(saved, TrafficLog::StreamFormat::Text, &error));
        QCOMPARE(error, u"cannot write log to %1: No space left on device"_s.arg(saved));
        QCOMPARE(readBytes(saved), QByteArray("the old log\n"));
        QCOMPARE(entries(folder), QStringList { u"saved.log"_s });
    }

    // Streaming: the first write that does not fit ends the stream, says so once.
    const QString streamed = folder + u"/stream.log"_s;
    {
        TrafficLog log;
        const int session = log.registerSession(u"s"_s);
        QString error;
        QVERIFY(log.startStreaming(streamed, TrafficLog::StreamFormat::Text, &error));
        QSignalSpy errors(&log, &TrafficLog::streamError);
        for (int i = 0; i < 200 && errors.isEmpty(); ++i) {
            log.append({ 0, session, LogKind::Rx, 1, {}, QByteArray(512, 'x') });
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE(errors.size(), 1);
        QCOMPARE(errors.first().first().toString(),
            u"cannot write log to %1: No space left on device"_s.arg(streamed));
        QVERIFY(!log.isStreaming());
        QVERIFY(QFile::remove(streamed));
    }

    // socklab-cli --log-file on the full disk: the error on stderr, the
    // session goes on serving, the run ends with status 1.
    const QString cliLog = folder + u"/cli.log"_s;
    peers::Process cli;
    QVERIFY(cli.start(cliPath(),
        { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--echo"_s, u"--json"_s,
            u"--log-file"_s, cliLog }));
    const auto listening = cli.waitForLine("{\"event\":\"listening\"");
    QVERIFY(listening);
    const QRegularExpressionMatch port
        = QRegularExpression(u"\"port\":(\\d+)"_s).match(QString::fromUtf8(*listening));
    QVERIFY(port.hasMatch());
    peers::Process client;
    QVERIFY(client.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port.captured(1) }));
    QVERIFY(client.waitForLine("local "));
    const QByteArray chunk = QByteArray(8 * 1024, 'z').toHex();
    const QByteArray expectedError
        = "socklab-cli: cannot write log to " + cliLog.toUtf8() + ": No space left on device\n";
    // Each chunk makes some 50 KiB of log (text and hex, both ways).
    for (int i = 0; i < 40; ++i) {
        client.write("send " + chunk + '\n');
        if (peers::waitUntil([&] { return cli.errors().contains(expectedError); }, 500))
            break;
    }
    QCOMPARE(cli.errors(), expectedError);
    client.write("send 6166746572\n"); // "after": still echoed
    QVERIFY(peers::waitUntil([&] { return client.output().contains("got 6166746572"); }));
    cli.signal(SIGTERM);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 1);
    QCOMPARE(cli.errors(), expectedError);
}

// ---- TFTP names and addresses ----------------------------------------------

void TestBadInput::tftpRemoteNames_data()
{
    QTest::addColumn<bool>("cli");
    QTest::addColumn<QString>("remote");
    QTest::addColumn<QString>("local"); // the name it gets in the chosen folder
    const QList<std::pair<QString, QString>> names {
        { u"../../etc/passwd"_s, u"passwd"_s },
        { u"/etc/shadow"_s, u"shadow"_s },
        { u"..\\..\\boot\\fw.bin"_s, u"fw.bin"_s },
        { u"a/../../b.bin"_s, u"b.bin"_s },
        { u"../.profile"_s, u".profile"_s },
    };
    for (const bool cli : { false, true }) {
        for (const auto &[remote, local] : names)
            QTest::newRow(qPrintable((cli ? u"socklab-cli "_s : u"net "_s) + remote))
                << cli << remote << local;
    }
}

void TestBadInput::tftpRemoteNames()
{
    QFETCH(bool, cli);
    QFETCH(QString, remote);
    QFETCH(QString, local);
    ++g_tried;
    const QString parent = freshFolder(u"names"_s);
    const QString folder = parent + u"/in"_s;
    QVERIFY(QDir().mkpath(folder));
    TftpPeer server;
    QVERIFY(server.start(u"tftp_evil.py"_s,
        { u"--scenario"_s, u"normal"_s, u"--file"_s, m_served, u"--deadline"_s, u"20"_s }));
    if (cli) {
        const CliRun run = runCli(
            { u"tftp"_s, u"get"_s, u"127.0.0.1:%1"_s.arg(server.port), remote, u"-o"_s, folder },
            m_empty);
        QVERIFY2(run.exitCode == 0, run.err.constData());
    } else {
        TftpRequest request;
        request.host = u"127.0.0.1"_s;
        request.port = server.port;
        request.remoteName = remote;
        request.localPath = folder;
        const Run run = runTransfer(request);
        QVERIFY2(run.result.ok(), qPrintable(run.result.errorString));
        QCOMPARE(run.result.localPath, folder + u'/' + local);
    }
    // The server was asked for exactly what was typed...
    const QByteArray request = server.line("request ");
    QVERIFY2(
        request.startsWith(QByteArray("rrq " + remote.toUtf8() + " octet ")), request.constData());
    // ... and the file went into the chosen folder only.
    QCOMPARE(entries(folder), QStringList { local });
    QCOMPARE(entries(parent), QStringList { u"in"_s });
    QCOMPARE(sha256Of(readBytes(folder + u'/' + local)), sha256Of(readBytes(m_served)));
}

void TestBadInput::tftpReplyFromOtherAddress()
{
    // The request goes to 127.0.0.1; every answer comes from 127.0.0.2. That
    // is not the server (RFC 1350: the server is the host asked; its TID is a
    // port there), so each answer gets ERROR 5 and the request times out,
    // saying where the answers came from.
    g_tried += 2;
    for (const bool cli : { false, true }) {
        const QString folder = freshFolder(u"other"_s);
        TftpPeer server;
        QVERIFY(server.start(u"tftp_other_address.py"_s,
            { u"--scenario"_s, u"other-address"_s, u"--file"_s, m_served, u"--deadline"_s,
                u"20"_s }));
        QString error;
        if (cli) {
            const CliRun run
                = runCli({ u"tftp"_s, u"get"_s, u"127.0.0.1:%1"_s.arg(server.port), u"fw.bin"_s,
                             u"-o"_s, folder, u"--timeout"_s, u"0.2"_s, u"--retries"_s, u"2"_s },
                    m_empty);
            QCOMPARE(run.exitCode, 1);
            error = QString::fromUtf8(run.err);
            QVERIFY2(error.startsWith(u"socklab-cli: tftp: "_s) && error.endsWith(u'\n'),
                qPrintable(error));
            error = error.mid(19).chopped(1);
        } else {
            TftpRequest request;
            request.host = u"127.0.0.1"_s;
            request.port = server.port;
            request.remoteName = u"fw.bin"_s;
            request.localPath = folder;
            request.timeoutMs = 200;
            request.retries = 2;
            const Run run = runTransfer(request);
            QCOMPARE(run.result.status, TftpStatus::TimedOut);
            QVERIFY(run.result.strangerPackets >= 1);
            error = run.result.errorString;
        }
        const QRegularExpression expected(
            u"^no answer from 127\\.0\\.0\\.1:%1 after 2 retransmissions \\([0-9.]+ s\\); "
            "[1-9]\\d* answer\\(s\\) came from 127\\.0\\.0\\.2:\\d+ instead and were refused: "
            "a TFTP server must answer from the address it was asked at$"_s.arg(server.port));
        QVERIFY2(expected.match(error).hasMatch(), qPrintable(error));
        QCOMPARE(server.line("request "), QByteArray("rrq fw.bin octet"));
        QCOMPARE(server.line("stranger-error "), QByteArray("5"));
        QCOMPARE(entries(folder), QStringList());
    }
}

void TestBadInput::tftpSamePortOtherHost()
{
    // Mid-transfer, a packet from 127.0.0.2 with the server's own port number:
    // the port alone does not make the server. Refused, the file intact.
    ++g_tried;
    const QString folder = freshFolder(u"sameport"_s);
    TftpPeer server;
    QVERIFY(server.start(u"tftp_other_address.py"_s,
        { u"--scenario"_s, u"same-port"_s, u"--file"_s, m_served, u"--deadline"_s, u"20"_s }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = server.port;
    request.remoteName = u"fw.bin"_s;
    request.localPath = folder;
    const Run run = runTransfer(request);
    QVERIFY2(run.result.ok(), qPrintable(run.result.errorString));
    QCOMPARE(run.result.strangerPackets, 1);
    QCOMPARE(server.line("stranger-error "), QByteArray("5"));
    QCOMPARE(sha256Of(readBytes(folder + u"/fw.bin"_s)), sha256Of(readBytes(m_served)));
}

int main(int argc, char *argv[])
{
    // Before Qt starts a thread: a process with several cannot unshare.
    mounts::enterPrivateNamespace();
    QCoreApplication app(argc, argv);
    TestBadInput test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_badinput.moc"
