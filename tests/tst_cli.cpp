// socklab-cli as a user runs it: the real binary, against real peers on loopback.

#include "testsupport.h"

#include <QCryptographicHash>
#include <QDate>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using Finished = peers::ProgramRun;
using peers::cliPath;

namespace {

// Runs the CLI to completion (it must end by itself, and soon).
Finished runCli(const QStringList &arguments)
{
    return peers::runCli(arguments, {}, 15'000);
}

QJsonObject json(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}

// Reads JSON lines from a running CLI until one has the event; returns it.
std::optional<QJsonObject> waitForEvent(
    peers::Process &cli, const QString &event, int timeoutMs = 10'000)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        const auto line = cli.readLine(int(timeoutMs - clock.elapsed()));
        if (!line)
            return std::nullopt;
        const QJsonObject object = json(*line);
        if (object.value(u"event"_s).toString() == event)
            return object;
    }
    return std::nullopt;
}

// Starts a CLI command that listens or binds on port 0 and returns its port.
std::optional<quint16> startListening(peers::Process &cli, const QStringList &arguments)
{
    if (!cli.start(cliPath(), arguments))
        return std::nullopt;
    const auto listening = waitForEvent(cli, u"listening"_s);
    if (!listening)
        return std::nullopt;
    const int port = listening->value(u"port"_s).toInt();
    if (port <= 0)
        return std::nullopt;
    return quint16(port);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void help();
    void version();
    void usageErrors_data();
    void usageErrors();
    void serverEchoesAndStopsOnSigterm();
    void serverPortInUse();
    void ipv6ConnectingLineHasBrackets();
    void serverSendsGreetingToEachClient();
    void serverQuietPrintsOnlyCounters();
    void clientSendsEscapedRequest();
    void clientRefused();
    void clientDecodesSplitGb2312();
    void clientShowsHex();
    void clientSendsStdinLines();
    void clientSendsFile();
    void udpTimeServer();
    void udpPeriodicSend();
    void humanOutputOneLinePerEvent();
    void logFileJson();
    void serverDecodesSplitGb2312FromTwoPeers();
};

void TestCli::help()
{
    const Finished run = runCli({ u"--help"_s });
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.startsWith("Usage: socklab-cli"));
    for (const char *word :
        { "tcp-server", "tcp-client", "udp", "--encoding", "--time-server", "--json" })
        QVERIFY2(run.out.contains(word), word);
    QVERIFY(run.err.isEmpty());
    QCOMPARE(runCli({ u"tcp-server"_s, u"--help"_s }).exitCode, 0);
}

void TestCli::version()
{
    const Finished run = runCli({ u"--version"_s });
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.startsWith("socklab-cli " SOCKLAB_VERSION));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no command") << QStringList {} << u"no command given"_s;
    QTest::newRow("unknown command") << QStringList { u"frob"_s } << u"unknown command 'frob'"_s;
    QTest::newRow("server without listen")
        << QStringList { u"tcp-server"_s } << u"needs --listen"_s;
    QTest::newRow("port too big") << QStringList { u"tcp-server"_s, u"--listen"_s,
        u"127.0.0.1:65536"_s } << u"65536"_s;
    QTest::newRow("port not a number")
        << QStringList { u"tcp-server"_s, u"-l"_s, u"127.0.0.1:http"_s } << u"'http'"_s;
    QTest::newRow("client port zero")
        << QStringList { u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:0"_s } << u"port 0"_s;
    QTest::newRow("ambiguous v6") << QStringList { u"tcp-client"_s, u"--connect"_s, u"::1:80"_s }
                                  << u"[::1]:80"_s;
    QTest::newRow("client without host")
        << QStringList { u"tcp-client"_s, u"--connect"_s, u":80"_s } << u"a host is needed"_s;
    QTest::newRow("bad listen address")
        << QStringList { u"tcp-server"_s, u"--listen"_s, u"300.1.1.1:0"_s } << u"300.1.1.1"_s;
    QTest::newRow("odd hex") << QStringList { u"udp"_s, u"--bind"_s, u":0"_s, u"--to"_s,
        u"127.0.0.1:9"_s, u"--send-hex"_s, u"41 4"_s }
                             << u"column 4"_s;
    QTest::newRow("non-hex digit") << QStringList { u"udp"_s, u"--bind"_s, u":0"_s, u"--to"_s,
        u"127.0.0.1:9"_s, u"--send-hex"_s, u"4g"_s }
                                   << u"'g'"_s;
    QTest::newRow("unknown encoding") << QStringList { u"tcp-server"_s, u"-l"_s, u":0"_s, u"-e"_s,
        u"klingon"_s } << u"unknown encoding 'klingon'"_s;
    QTest::newRow("unencodable") << QStringList { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s,
        u"-e"_s, u"gb2312"_s, u"--send"_s, u"ok 😀"_s }
                                 << u"cannot be encoded in GB2312"_s;
    QTest::newRow("bad escape") << QStringList { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s,
        u"--escapes"_s, u"--send"_s, u"a\\q"_s }
                                << u"\\q"_s;
    QTest::newRow("option of another command")
        << QStringList { u"udp"_s, u"--bind"_s, u":0"_s, u"--max-clients"_s, u"3"_s }
        << u"--max-clients does not apply to udp (only to tcp-server)"_s;
    QTest::newRow("short option of another command")
        << QStringList { u"tftp"_s, u"get"_s, u"127.0.0.1:9"_s, u"f"_s, u"-e"_s, u"gbk"_s }
        << u"tftp get: -e does not apply to tftp get (only to tcp-server, tcp-client, udp)"_s;
    QTest::newRow("max clients not a number") << QStringList { u"tcp-server"_s, u"-l"_s, u":0"_s,
        u"--max-clients"_s, u"x"_s } << u"not a number"_s;
    QTest::newRow("two payloads") << QStringList { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s,
        u"--send"_s, u"a"_s, u"--send-hex"_s, u"41"_s }
                                  << u"choose one of --send"_s;
    QTest::newRow("udp send without target") << QStringList { u"udp"_s, u"--bind"_s, u":0"_s,
        u"--send"_s, u"x"_s } << u"--to HOST:PORT"_s;
    QTest::newRow("interval without payload")
        << QStringList { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s, u"--interval"_s, u"10"_s }
        << u"--interval needs"_s;
    QTest::newRow("empty send") << QStringList { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s,
        u"--send"_s, u""_s } << u"nothing to send"_s;
    QTest::newRow("unknown option")
        << QStringList { u"tcp-server"_s, u"-l"_s, u":0"_s, u"--frobnicate"_s } << u"frobnicate"_s;
    QTest::newRow("bad multicast group") << QStringList { u"udp"_s, u"--bind"_s, u":0"_s,
        u"--join"_s, u"10.0.0.1"_s } << u"not a multicast"_s;
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Finished run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.startsWith(u"socklab-cli: "_s), qPrintable(err));
    QVERIFY2(err.contains(message), qPrintable(err));
    QCOMPARE(err.count(u'\n'), 1); // one line
    QVERIFY(run.out.isEmpty());
}

void TestCli::serverEchoesAndStopsOnSigterm()
{
    peers::Process cli;
    const auto port = startListening(
        cli, { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--json"_s, u"--echo"_s });
    QVERIFY(port);

    peers::Process client;
    QVERIFY(client.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(*port) }));
    const auto connected = waitForEvent(cli, u"connected"_s);
    QVERIFY(connected);
    QCOMPARE(connected->value(u"peer"_s).toString(), u"127.0.0.1"_s);

    client.write("hello\n");
    const auto echoed = client.readLine();
    QVERIFY(echoed);
    QCOMPARE(*echoed, QByteArray("hello"));

    const auto rx = waitForEvent(cli, u"rx"_s);
    QVERIFY(rx);
    QCOMPARE(rx->value(u"text"_s).toString(), u"hello\n"_s);
    QCOMPARE(rx->value(u"bytes"_s).toInt(), 6);
    QCOMPARE(rx->value(u"hex"_s).toString(), u"68 65 6c 6c 6f 0a"_s);
    QVERIFY(waitForEvent(cli, u"tx"_s));

    cli.signal(SIGTERM);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 0);
    const auto counters = waitForEvent(cli, u"counters"_s);
    QVERIFY(counters);
    QCOMPARE(counters->value(u"rx_bytes"_s).toInt(), 6);
    QCOMPARE(counters->value(u"tx_bytes"_s).toInt(), 6);
    QCOMPARE(counters->value(u"rx_packets"_s).toInt(), 1);
}

void TestCli::ipv6ConnectingLineHasBrackets()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHostIPv6, 0))
        QSKIP("no IPv6 loopback here");
    const Finished run = runCli({ u"tcp-client"_s, u"--connect"_s,
        u"[::1]:%1"_s.arg(server.serverPort()), u"--send"_s, u"x"_s, u"--close-after-send"_s });
    QCOMPARE(run.exitCode, 0);
    const QByteArray expected = "connecting to [::1]:" + QByteArray::number(server.serverPort());
    QVERIFY2(run.out.contains(expected), run.out.constData());
}

void TestCli::serverPortInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const Finished run
        = runCli({ u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(occupant.serverPort()) });
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("already in use"), run.err.constData());
    QVERIFY2(run.err.contains(QByteArray::number(occupant.serverPort())), run.err.constData());
}

void TestCli::serverSendsGreetingToEachClient()
{
    peers::Process cli;
    const auto port = startListening(cli,
        { u"tcp-server"_s, u"-l"_s, u"127.0.0.1:0"_s, u"--json"_s, u"-e"_s, u"gb2312"_s,
            u"--escapes"_s, u"--send"_s, u"欢迎\\n"_s });
    QVERIFY(port);
    for (int i = 0; i < 2; ++i) {
        peers::Process client;
        QVERIFY(client.start(u"socat"_s, { u"-u"_s, u"TCP:127.0.0.1:%1"_s.arg(*port), u"-"_s }));
        const auto line = client.readLine();
        QVERIFY(line);
        QCOMPARE(*line, QByteArray("\xbb\xb6\xd3\xad")); // 欢迎 in GB2312
        const auto tx = waitForEvent(cli, u"tx"_s);
        QVERIFY(tx);
        QCOMPARE(tx->value(u"text"_s).toString(), u"欢迎\n"_s);
    }
}

void TestCli::serverQuietPrintsOnlyCounters()
{
    peers::Process cli;
    QVERIFY(cli.start(cliPath(),
        { u"tcp-server"_s, u"-l"_s, u"127.0.0.1:0"_s, u"--quiet"_s, u"--log-file"_s,
            u"/dev/null"_s }));
    // --quiet prints nothing while running, so find the port from the kernel.
    const auto port = peers::listeningTcpPort(cli.pid());
    QVERIFY(port);
    peers::Process client;
    QVERIFY(client.start(u"socat"_s, { u"-u"_s, u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(*port) }));
    client.write("0123456789");
    client.closeWrite();
    QVERIFY(client.waitForFinished());
    cli.signal(SIGINT);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(
        cli.output(), QByteArray("counters: rx 10 bytes in 1 packets, tx 0 bytes in 0 packets\n"));
}

void TestCli::clientSendsEscapedRequest()
{
    // A raw HTTP request as the seeds send it, to a socat "server" that prints it.
    peers::Process server;
    QVERIFY(server.start(u"socat"_s, { u"-u"_s, u"TCP-LISTEN:0,bind=127.0.0.1"_s, u"-"_s }));
    const auto port = peers::listeningTcpPort(server.pid());
    QVERIFY(port);
    const Finished run = runCli({ u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(*port),
        u"--escapes"_s, u"--send"_s, u"GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n"_s,
        u"--close-after-send"_s, u"--linger"_s, u"50"_s });
    QCOMPARE(run.exitCode, 0);
    QVERIFY(server.waitForFinished());
    QCOMPARE(server.output(), QByteArray("GET / HTTP/1.0\r\nHost: x\r\n\r\n"));
    QVERIFY2(run.out.contains("TX"), run.out.constData());
    QVERIFY2(run.out.contains("counters: rx 0 bytes in 0 packets, tx 27 bytes in 1 packets"),
        run.out.constData());
}

void TestCli::clientRefused()
{
    // A port that is bound but not listening refuses connections, reliably.
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    const quint16 port = holder.serverPort();
    holder.close();
    const Finished run = runCli({ u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(port) });
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("refused"), run.err.constData());
}

void TestCli::clientDecodesSplitGb2312()
{
    // "你好" in GB2312 is c4 e3 ba c3: split inside the first character.
    peers::Process server;
    QVERIFY(server.startScript(u"cli_tcp_sender.py"_s, { u"c4"_s, u"e3bac3"_s }));
    const auto port = server.waitForLine("port ");
    QVERIFY(port);
    peers::Process cli;
    QVERIFY(cli.start(cliPath(),
        { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:"_s + QString::fromLatin1(*port), u"--json"_s,
            u"-e"_s, u"gb2312"_s }));
    QString text;
    int chunks = 0;
    while (const auto rx = waitForEvent(cli, u"rx"_s)) {
        text += rx->value(u"text"_s).toString();
        ++chunks;
        if (text.size() >= 2)
            break;
    }
    QCOMPARE(chunks, 2);
    QCOMPARE(text, u"你好"_s);
    const auto closed = waitForEvent(cli, u"disconnected"_s);
    QVERIFY(closed);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 0); // a clean close by the server ends the client normally
}

void TestCli::clientShowsHex()
{
    peers::Process server;
    QVERIFY(server.startScript(u"cli_tcp_sender.py"_s, { u"00ff0d0a"_s }));
    const auto port = server.waitForLine("port ");
    QVERIFY(port);
    const Finished run = runCli({ u"tcp-client"_s, u"-c"_s,
        u"127.0.0.1:"_s + QString::fromLatin1(*port), u"-e"_s, u"hex"_s });
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("00 ff 0d 0a"), run.out.constData());
}

void TestCli::clientSendsStdinLines()
{
    peers::Process server;
    QVERIFY(server.start(u"socat"_s, { u"-u"_s, u"TCP-LISTEN:0,bind=127.0.0.1"_s, u"-"_s }));
    const auto port = peers::listeningTcpPort(server.pid());
    QVERIFY(port);
    peers::Process cli;
    QVERIFY(cli.start(cliPath(),
        { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:%1"_s.arg(*port), u"--stdin"_s, u"-e"_s,
            u"gb2312"_s, u"--close-after-send"_s, u"--linger"_s, u"0"_s }));
    cli.write("第一行\n");
    cli.write("second line\nno newline at end");
    cli.closeWrite();
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 0);
    QVERIFY(server.waitForFinished());
    QCOMPARE(
        server.output(), QByteArray("\xb5\xda\xd2\xbb\xd0\xd0\nsecond line\nno newline at end"));
}

void TestCli::clientSendsFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray content;
    for (int i = 0; i < 200'000; ++i)
        content += QByteArray::number(i) + ' ';
    QFile file(dir.filePath(u"payload.bin"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();

    const QString received = dir.filePath(u"received.bin"_s);
    peers::Process server;
    QVERIFY(server.start(
        u"socat"_s, { u"-u"_s, u"TCP-LISTEN:0,bind=127.0.0.1"_s, u"CREATE:"_s + received }));
    const auto port = peers::listeningTcpPort(server.pid());
    QVERIFY(port);
    const Finished run
        = runCli({ u"tcp-client"_s, u"-c"_s, u"127.0.0.1:%1"_s.arg(*port), u"--send-file"_s,
            file.fileName(), u"--close-after-send"_s, u"--linger"_s, u"0"_s, u"--quiet"_s });
    QCOMPARE(run.exitCode, 0);
    QVERIFY(server.waitForFinished());
    QFile got(received);
    QVERIFY(got.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(got.readAll(), QCryptographicHash::Sha256),
        QCryptographicHash::hash(content, QCryptographicHash::Sha256));

    const Finished missing = runCli({ u"tcp-client"_s, u"-c"_s, u"127.0.0.1:%1"_s.arg(*port),
        u"--send-file"_s, dir.filePath(u"nope"_s) });
    QVERIFY(missing.exitCode != 0);
}

void TestCli::udpTimeServer()
{
    peers::Process cli;
    const auto port = startListening(
        cli, { u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--time-server"_s, u"--json"_s });
    QVERIFY(port);
    peers::Process client;
    QVERIFY(
        client.start(u"socat"_s, { u"-t"_s, u"2"_s, u"-"_s, u"UDP:127.0.0.1:%1"_s.arg(*port) }));
    client.write("%Y\n");
    const auto year = client.readLine();
    QVERIFY(year);
    QCOMPARE(*year, QByteArray::number(QDate::currentDate().year()));
    const auto rx = waitForEvent(cli, u"rx"_s);
    QVERIFY(rx);
    QCOMPARE(rx->value(u"text"_s).toString(), u"%Y\n"_s);
    QVERIFY(rx->value(u"port"_s).toInt() > 0);
}

void TestCli::udpPeriodicSend()
{
    peers::Process sink;
    QVERIFY(sink.startScript(u"cli_udp_sink.py"_s, { u"--count"_s, u"3"_s }));
    const auto port = sink.waitForLine("port ");
    QVERIFY(port);
    const Finished run = runCli({ u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--to"_s,
        u"127.0.0.1:"_s + QString::fromLatin1(*port), u"--send-hex"_s, u"0x01,0x02"_s,
        u"--interval"_s, u"20"_s, u"--count"_s, u"3"_s, u"--close-after-send"_s, u"--linger"_s,
        u"0"_s });
    QCOMPARE(run.exitCode, 0);
    for (int i = 0; i < 3; ++i) {
        const auto got = sink.waitForLine("got ");
        QVERIFY(got);
        QVERIFY2(got->startsWith("0102 from "), got->constData());
    }
    QVERIFY2(run.out.contains("tx 6 bytes in 3 packets"), run.out.constData());
}

void TestCli::humanOutputOneLinePerEvent()
{
    peers::Process server;
    QVERIFY(server.startScript(u"cli_tcp_sender.py"_s, { u"6c696e65310d0a6c696e6532"_s }));
    const auto port = server.waitForLine("port ");
    QVERIFY(port);
    const Finished run
        = runCli({ u"tcp-client"_s, u"-c"_s, u"127.0.0.1:"_s + QString::fromLatin1(*port) });
    QCOMPARE(run.exitCode, 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    // connecting, connected, rx, disconnected, counters: the CR LF inside the
    // data is escaped so the received chunk stays on one line.
    QByteArray rxLine;
    for (const QByteArray &line : lines) {
        if (line.contains(" RX "))
            rxLine = line;
    }
    QVERIFY2(!rxLine.isEmpty(), run.out.constData());
    QVERIFY2(rxLine.contains(QByteArray(QByteArray("127.0.0.1:") + *port)), rxLine.constData());
    QVERIFY2(rxLine.contains("line1\\r\\nline2"), rxLine.constData());
}

void TestCli::logFileJson()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"traffic.jsonl"_s);
    peers::Process server;
    QVERIFY(server.startScript(u"cli_tcp_sender.py"_s, { u"616263"_s }));
    const auto port = server.waitForLine("port ");
    QVERIFY(port);
    const Finished run
        = runCli({ u"tcp-client"_s, u"-c"_s, u"127.0.0.1:"_s + QString::fromLatin1(*port),
            u"--quiet"_s, u"--log-file"_s, log, u"--log-json"_s });
    QCOMPARE(run.exitCode, 0);
    QFile file(log);
    QVERIFY(file.open(QIODevice::ReadOnly));
    bool sawRx = false;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject object = json(line);
        QVERIFY2(!object.isEmpty(), line.constData());
        if (object.value(u"event"_s).toString() == u"rx"_s) {
            QCOMPARE(object.value(u"text"_s).toString(), u"abc"_s);
            sawRx = true;
        }
    }
    QVERIFY(sawRx);

    const Finished unwritable
        = runCli({ u"tcp-client"_s, u"-c"_s, u"127.0.0.1:"_s + QString::fromLatin1(*port),
            u"--log-file"_s, dir.filePath(u"no/such/dir/log"_s) });
    QCOMPARE(unwritable.exitCode, 1);
    QVERIFY2(unwritable.err.contains("cannot write log"), unwritable.err.constData());
}

// 中 is d6 d0 and 文 is ce c4 in GB2312. Two clients each send one in two
// writes, interleaved, each write waited for: what the CLI prints and the log
// file it streams (CSV, by its extension in upper case) show them whole.
void TestCli::serverDecodesSplitGb2312FromTwoPeers()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString logFile = dir.filePath(u"traffic.CSV"_s);
    peers::Process cli;
    const auto port = startListening(cli,
        { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--json"_s, u"-e"_s, u"gb2312"_s,
            u"--log-file"_s, logFile });
    QVERIFY(port);

    peers::Process first;
    peers::Process second;
    QList<int> peerPorts;
    for (peers::Process *client : { &first, &second }) {
        QVERIFY(client->start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(*port) }));
        const auto connected = waitForEvent(cli, u"connected"_s);
        QVERIFY(connected);
        peerPorts << connected->value(u"port"_s).toInt();
    }
    QVERIFY(peerPorts.at(0) != peerPorts.at(1));

    const QList<std::pair<peers::Process *, QByteArray>> writes { { &first, "\xd6" },
        { &second, "\xce" }, { &first, "\xd0" }, { &second, "\xc4" } };
    const QStringList texts { QString(), QString(), u"中"_s, u"文"_s };
    for (qsizetype i = 0; i < writes.size(); ++i) {
        writes.at(i).first->write(writes.at(i).second);
        const auto rx = waitForEvent(cli, u"rx"_s);
        QVERIFY(rx);
        QCOMPARE(rx->value(u"port"_s).toInt(), peerPorts.at(i % 2));
        QCOMPARE(rx->value(u"text"_s).toString(), texts.at(i));
    }

    cli.signal(SIGTERM);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 0);
    QFile file(logFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(!lines.isEmpty());
    QCOMPARE(lines.at(0), QByteArray("time,session,direction,peer,port,bytes,text,hex"));
    QStringList rxTexts;
    QList<int> rxPorts;
    for (const QByteArray &line : lines.mid(1)) {
        const QStringList fields = QString::fromUtf8(line).split(u',');
        if (fields.size() == 8 && fields.at(2) == u"rx"_s) {
            rxTexts << fields.at(6);
            rxPorts << fields.at(4).toInt();
        }
    }
    QCOMPARE(rxTexts, texts);
    QCOMPARE(rxPorts,
        (QList<int> { peerPorts.at(0), peerPorts.at(1), peerPorts.at(0), peerPorts.at(1) }));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
