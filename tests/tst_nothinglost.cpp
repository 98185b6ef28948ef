// Nothing lost when something dies: the streamed log survives a crashed peer
// and a SIGKILLed socklab-cli (it is flushed every batch, 50 ms, not at exit),
// and a download killed in the middle leaves the old file whole and no
// temporary behind. Real peers: tests/peers/tcp_client.py and tftp_evil.py.
// (The window's settings are checked in tst_badinput_gui.)

#include "mounts.h"
#include "net/log/trafficlog.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using peers::cliPath;
using testfiles::entries;
using testfiles::readBytes;
using testfiles::writeBytes;

namespace {

// The lines of a log file, each checked to be whole (ended by a newline).
QList<QByteArray> wholeLines(const QByteArray &content, bool *whole)
{
    *whole = content.isEmpty() || content.endsWith('\n');
    QList<QByteArray> lines = content.split('\n');
    lines.removeLast(); // after the last newline: empty when whole
    return lines;
}

// Files a process has open in folder, as the kernel names them.
QStringList openFilesIn(qint64 pid, const QString &folder)
{
    QStringList found;
    const QDir fds(u"/proc/%1/fd"_s.arg(pid));
    for (const QString &fd : fds.entryList(QDir::System | QDir::Files | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(fds.filePath(fd));
        if (target.startsWith(folder + u'/'))
            found << target.mid(folder.size() + 1);
    }
    return found;
}

} // namespace

class TestNothingLost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void streamedLogSurvivesPeerCrashAndKill_data();
    void streamedLogSurvivesPeerCrashAndKill();
    void trafficLogIsOnDiskEachBatch();
    void downloadKilledMidway_data();
    void downloadKilledMidway();

private:
    QTemporaryDir m_dir;
    int m_folders = 0;
};

void TestNothingLost::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (!mounts::available())
        qWarning("downloads go to %s, not a tmpfs: %s", qPrintable(m_dir.path()),
            qPrintable(mounts::problem()));
}

void TestNothingLost::streamedLogSurvivesPeerCrashAndKill_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("text") << false;
    QTest::newRow("JSON lines") << true;
}

void TestNothingLost::streamedLogSurvivesPeerCrashAndKill()
{
    QFETCH(bool, json);
    const QString path = m_dir.filePath(json ? u"stream.jsonl"_s : u"stream.log"_s);
    QStringList arguments { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--echo"_s,
        u"--json"_s, u"--log-file"_s, path };
    if (json)
        arguments << u"--log-json"_s;
    peers::Process cli;
    QVERIFY(cli.start(cliPath(), arguments));
    const auto listening = cli.waitForLine("{\"event\":\"listening\"");
    QVERIFY(listening);
    const QRegularExpressionMatch port
        = QRegularExpression(u"\"port\":(\\d+)"_s).match(QString::fromUtf8(*listening));
    QVERIFY(port.hasMatch());

    // A peer talks, each message echoed, then crashes.
    constexpr int Messages = 25;
    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port.captured(1) }));
    QVERIFY(peer.waitForLine("local "));
    QList<QByteArray> sent;
    for (int i = 0; i < Messages; ++i) {
        const QByteArray message = "message " + QByteArray::number(i) + '\n';
        sent << message;
        peer.write("send " + message.toHex() + '\n');
        QCOMPARE(peer.waitForLine("got "), std::optional<QByteArray>(message.toHex()));
    }
    peer.signal(SIGKILL);
    QVERIFY(peer.waitForFinished());

    // Every entry reaches the file while socklab-cli runs on: listening,
    // connected, each message in and out, disconnected.
    const int expected = 2 + 2 * Messages + 1;
    auto count = [&] {
        bool whole = false;
        return wholeLines(readBytes(path), &whole).size();
    };
    QVERIFY2(peers::waitUntil([&] { return count() == expected; }),
        qPrintable(u"%1 of %2 entries in the file"_s.arg(count()).arg(expected)));
    const QByteArray before = readBytes(path);
    QCOMPARE(cli.process().state(), QProcess::Running);

    // Killed without a chance to flush anything: the file is as it was.
    cli.signal(SIGKILL);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.process().exitStatus(), QProcess::CrashExit);
    const QByteArray after = readBytes(path);
    QCOMPARE(after, before);
    bool whole = false;
    const QList<QByteArray> lines = wholeLines(after, &whole);
    QVERIFY(whole);
    QList<QByteArray> received;
    QList<QByteArray> echoed;
    QStringList events;
    for (const QByteArray &line : lines) {
        if (json) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            QVERIFY2(!object.isEmpty(), line.constData());
            const QString event = object.value(u"event"_s).toString();
            events << event;
            const QByteArray bytes
                = QByteArray::fromHex(object.value(u"hex"_s).toString().remove(u' ').toLatin1());
            if (event == u"rx"_s)
                received << bytes;
            else if (event == u"tx"_s)
                echoed << bytes;
        } else {
            // 2026-01-01 00:00:00.000 [tcp-server] RX 127.0.0.1:5000 10 B "..." | 6d 65 ...
            const QRegularExpressionMatch match
                = QRegularExpression(u"^\\S+ \\S+ \\[tcp-server\\] ([A-Z]+) (.*)$"_s)
                      .match(QString::fromUtf8(line));
            QVERIFY2(match.hasMatch(), line.constData());
            const QString event = match.captured(1).toLower();
            events << event;
            const QString rest = match.captured(2);
            const QByteArray bytes
                = QByteArray::fromHex(rest.mid(rest.lastIndexOf(u" | "_s) + 3).toLatin1());
            if (event == u"rx"_s)
                received << bytes;
            else if (event == u"tx"_s)
                echoed << bytes;
        }
    }
    QCOMPARE(events.first(), u"listening"_s);
    QCOMPARE(events.at(1), u"connected"_s);
    QCOMPARE(events.last(), u"disconnected"_s);
    QCOMPARE(received, sent);
    QCOMPARE(echoed, sent);
}

void TestNothingLost::trafficLogIsOnDiskEachBatch()
{
    // What the window streams goes through the same class: each batch is on
    // disk (where a crash cannot take it) without the stream being stopped.
    const QString path = m_dir.filePath(u"batches.log"_s);
    TrafficLog log;
    const int session = log.registerSession(u"window"_s);
    QString error;
    QVERIFY2(
        log.startStreaming(path, TrafficLog::StreamFormat::JsonLines, &error), qPrintable(error));
    QSignalSpy batches(&log, &TrafficLog::batchReady);
    int appended = 0;
    for (int batch = 1; batch <= 3; ++batch) {
        for (int i = 0; i < 400; ++i, ++appended)
            log.append({ 0, session, LogKind::Rx, 1, {}, QByteArray::number(appended) });
        QVERIFY(batches.wait(5000));
        bool whole = false;
        const QList<QByteArray> lines = wholeLines(readBytes(path), &whole);
        QVERIFY(whole);
        QCOMPARE(lines.size(), appended);
        QCOMPARE(QJsonDocument::fromJson(lines.last()).object().value(u"text"_s).toString(),
            QString::number(appended - 1));
    }
    QVERIFY(log.isStreaming());
}

void TestNothingLost::downloadKilledMidway_data()
{
    QTest::addColumn<bool>("replacing");
    QTest::newRow("replacing an old file") << true;
    QTest::newRow("a new file") << false;
}

void TestNothingLost::downloadKilledMidway()
{
    QFETCH(bool, replacing);
    // On a tmpfs where one can be had: its O_TMPFILE support is certain.
    const QString folder = m_dir.filePath(u"get-%1"_s.arg(++m_folders));
    QVERIFY(QDir().mkpath(folder));
    mounts::Tmpfs tmpfs;
    if (mounts::available())
        QVERIFY2(tmpfs.mount(folder, "size=16m"), qPrintable(tmpfs.error()));
    const QString served = m_dir.filePath(u"served.bin"_s);
    QVERIFY(writeBytes(served, QByteArray(20'000, 's')));
    const QString target = folder + u"/fw.bin"_s;
    const QByteArray old = "the old firmware";
    if (replacing)
        QVERIFY(writeBytes(target, old));
    const QStringList before = entries(folder);

    peers::Process server;
    QVERIFY(server.startScript(u"tftp_evil.py"_s,
        { u"--scenario"_s, u"stall"_s, u"--file"_s, served, u"--stall-after"_s, u"3"_s }));
    const auto port = server.waitForLine("port ");
    QVERIFY(port);
    QStringList arguments { u"tftp"_s, u"get"_s, u"127.0.0.1:"_s + QString::fromLatin1(*port),
        u"fw.bin"_s, u"-o"_s, target, u"--timeout"_s, u"10"_s };
    if (replacing)
        arguments << u"--overwrite"_s;
    peers::Process cli;
    QVERIFY(cli.start(cliPath(), arguments));
    QVERIFY(server.waitForLine("stalled"));

    // Three blocks are written; the temporary holding them has no name in
    // the folder (O_TMPFILE): the kernel shows it as "#inode (deleted)".
    const QStringList open = openFilesIn(cli.pid(), folder);
    QCOMPARE(open.size(), 1);
    const bool unnamed = open.first().startsWith(u'#') && open.first().endsWith(u" (deleted)"_s);
    QCOMPARE(entries(folder), unnamed ? before : before + QStringList { open.first() });

    cli.signal(SIGKILL);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.process().exitStatus(), QProcess::CrashExit);
    if (replacing)
        QCOMPARE(readBytes(target), old);
    if (!unnamed)
        QSKIP(qPrintable(u"this file system has no O_TMPFILE: Qt named the temporary %1, which a "
                         "SIGKILL leaves behind"_s.arg(open.first())));
    QCOMPARE(entries(folder), before);
}

int main(int argc, char *argv[])
{
    mounts::enterPrivateNamespace(); // before any thread
    QCoreApplication app(argc, argv);
    TestNothingLost test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_nothinglost.moc"
