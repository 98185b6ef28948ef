#include "net/log/logwriter.h"
#include "net/log/trafficlog.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using testfiles::readBytes;

namespace {

Endpoint localPeer(quint16 port)
{
    return Endpoint { QHostAddress(QHostAddress::LocalHost), port };
}

LogEntry makeEntry(LogKind kind, QByteArray data, quint64 peerId = 1, int session = 1)
{
    LogEntry entry;
    entry.msecsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    entry.session = session;
    entry.kind = kind;
    entry.peerId = peerId;
    if (peerId != 0)
        entry.peer = localPeer(quint16(5000 + peerId));
    entry.data = std::move(data);
    return entry;
}

// 2026-11-21 23:58:36.123 in local time.
qint64 fixedTime()
{
    return QDateTime(QDate(2026, 11, 21), QTime(23, 58, 36, 123)).toMSecsSinceEpoch();
}

QList<QJsonObject> parseJsonLines(const QByteArray &contents)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : contents.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return {}; // the caller's count check then fails
        objects.append(document.object());
    }
    return objects;
}

} // namespace

class TestTrafficLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kindNames();
    void sessions();
    void defaultCap();
    void ringWrapAround();
    void setCapShrinkGrow();
    void byteCap();
    void clear();
    void appendedSignal();
    void batchAfterBurst();
    void batchesDuringFlood();
    void formatText_data();
    void formatText();
    void formatTextBinaryIsOneLine();
    void formatJson_data();
    void formatJson();
    void streamText();
    void streamSplitCharacters();
    void streamUnwritablePath();
    void streamWriteError();
    void saveTo();
    void saveToUnwritablePath();
    void formatForPath_data();
    void formatForPath();
    void streamAndSaveSplitGb2312ByExtension_data();
    void streamAndSaveSplitGb2312ByExtension();
    void streamCsvAppendsWithoutASecondHeader();
};

void TestTrafficLog::kindNames()
{
    QCOMPARE(logKindName(LogKind::Rx), u"rx"_s);
    QCOMPARE(logKindName(LogKind::Tx), u"tx"_s);
    QCOMPARE(logKindName(LogKind::Listening), u"listening"_s);
    QCOMPARE(logKindName(LogKind::Connected), u"connected"_s);
    QCOMPARE(logKindName(LogKind::Disconnected), u"disconnected"_s);
    QCOMPARE(logKindName(LogKind::Error), u"error"_s);
    QCOMPARE(logKindName(LogKind::Info), u"info"_s);
}

void TestTrafficLog::sessions()
{
    TrafficLog log;
    QCOMPARE(log.registerSession(u"tcp-server"_s), 1);
    QCOMPARE(log.registerSession(u"udp"_s), 2);
    QCOMPARE(log.sessionName(1), u"tcp-server"_s);
    QCOMPARE(log.sessionName(2), u"udp"_s);
    QCOMPARE(log.sessionName(0), u"session 0"_s);
    QCOMPARE(log.sessionName(3), u"session 3"_s);
    QCOMPARE(log.sessionEncoding(1), u"UTF-8"_s);
    log.setSessionEncoding(2, u"GB2312"_s);
    QCOMPARE(log.sessionEncoding(2), u"GB2312"_s);
    QCOMPARE(log.sessionEncoding(1), u"UTF-8"_s);
    log.setSessionEncoding(9, u"GB2312"_s); // unknown: ignored
    QCOMPARE(log.sessionEncoding(9), u"UTF-8"_s);
}

void TestTrafficLog::defaultCap()
{
    TrafficLog log;
    QCOMPARE(log.cap(), TrafficLog::DefaultCap);
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.firstSequence(), 0u);
    QVERIFY(!log.isStreaming());
}

void TestTrafficLog::ringWrapAround()
{
    TrafficLog log;
    log.setCap(3);
    for (int i = 0; i < 3; ++i)
        log.append(makeEntry(LogKind::Rx, QByteArray::number(i)));
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.at(0).data, QByteArray("0"));
    QCOMPARE(log.firstSequence(), 0u);

    for (int i = 3; i < 8; ++i)
        log.append(makeEntry(LogKind::Rx, QByteArray::number(i)));
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.totalAppended(), 8u);
    QCOMPARE(log.firstSequence(), 5u);
    // at(i) carries sequence firstSequence() + i, whose payload is that number.
    for (qsizetype i = 0; i < log.size(); ++i)
        QCOMPARE(log.at(i).data, QByteArray::number(log.firstSequence() + quint64(i)));
}

void TestTrafficLog::setCapShrinkGrow()
{
    TrafficLog log;
    log.setCap(5);
    for (int i = 0; i < 7; ++i) // the ring has wrapped: head is not at slot 0
        log.append(makeEntry(LogKind::Tx, QByteArray::number(i)));
    QCOMPARE(log.size(), 5);
    QCOMPARE(log.at(0).data, QByteArray("2"));

    log.setCap(3);
    QCOMPARE(log.cap(), 3);
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.firstSequence(), 4u);
    QCOMPARE(log.at(0).data, QByteArray("4"));
    QCOMPARE(log.at(2).data, QByteArray("6"));

    log.setCap(10);
    QCOMPARE(log.cap(), 10);
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.at(0).data, QByteArray("4"));
    for (int i = 7; i < 12; ++i)
        log.append(makeEntry(LogKind::Tx, QByteArray::number(i)));
    QCOMPARE(log.size(), 8);
    QCOMPARE(log.firstSequence(), 4u);
    for (qsizetype i = 0; i < log.size(); ++i)
        QCOMPARE(log.at(i).data, QByteArray::number(4 + i));

    log.setCap(0); // clamped: a log keeps at least the newest entry
    QCOMPARE(log.cap(), 1);
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.at(0).data, QByteArray("11"));
    QCOMPARE(log.firstSequence(), 11u);
    log.setCap(-5);
    QCOMPARE(log.cap(), 1);
    log.append(makeEntry(LogKind::Tx, "12"));
    QCOMPARE(log.at(0).data, QByteArray("12"));
}

void TestTrafficLog::byteCap()
{
    TrafficLog log;
    QCOMPARE(log.byteCap(), TrafficLog::DefaultByteCap);
    QCOMPARE(log.bytes(), 0);
    for (int i = 0; i < 5; ++i)
        log.append(makeEntry(LogKind::Rx, QByteArray::number(1000 + i)));
    QCOMPARE(log.bytes(), 20);
    log.append(makeEntry(LogKind::Connected, {}));
    QCOMPARE(log.bytes(), 20);

    log.setByteCap(10); // trims at once, oldest first
    QCOMPARE(log.byteCap(), 10);
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.bytes(), 8);
    QCOMPARE(log.firstSequence(), 3u);
    QCOMPARE(log.at(0).data, QByteArray("1003"));

    log.append(makeEntry(LogKind::Tx, "abcd"));
    QCOMPARE(log.bytes(), 8);
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.at(0).data, QByteArray("1004"));
    QCOMPARE(log.at(1).kind, LogKind::Connected);
    QCOMPARE(log.at(2).data, QByteArray("abcd"));

    // The newest entry is kept whatever its size.
    log.append(makeEntry(LogKind::Rx, QByteArray(25, 'x')));
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.bytes(), 25);
    QCOMPARE(log.firstSequence(), 7u);

    // setCap and clear keep the count right.
    log.setByteCap(1000);
    log.setCap(3);
    for (int i = 0; i < 4; ++i)
        log.append(makeEntry(LogKind::Rx, "12345"));
    QCOMPARE(log.bytes(), 15);
    log.setCap(2);
    QCOMPARE(log.bytes(), 10);
    log.clear();
    QCOMPARE(log.bytes(), 0);
    log.setByteCap(-1);
    QCOMPARE(log.byteCap(), 0);
    log.append(makeEntry(LogKind::Rx, "a"));
    log.append(makeEntry(LogKind::Rx, "b"));
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.at(0).data, QByteArray("b"));
}

void TestTrafficLog::clear()
{
    TrafficLog log;
    log.setCap(4);
    QSignalSpy cleared(&log, &TrafficLog::cleared);
    for (int i = 0; i < 6; ++i)
        log.append(makeEntry(LogKind::Rx, QByteArray::number(i)));
    log.clear();
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.cap(), 4);
    QCOMPARE(log.totalAppended(), 6u);
    QCOMPARE(log.firstSequence(), 6u); // numbers never repeat

    log.append(makeEntry(LogKind::Rx, "6"));
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.at(0).data, QByteArray("6"));
    QCOMPARE(log.firstSequence(), 6u);
}

void TestTrafficLog::appendedSignal()
{
    TrafficLog log;
    log.registerSession(u"s"_s);
    QList<LogEntry> seen;
    connect(
        &log, &TrafficLog::appended, this, [&seen](const LogEntry &entry) { seen.append(entry); });
    QSignalSpy batches(&log, &TrafficLog::batchReady);

    LogEntry entry = makeEntry(LogKind::Rx, "hello", 7);
    log.append(entry);
    QCOMPARE(seen.size(), 1); // synchronously
    QCOMPARE(seen.at(0).data, QByteArray("hello"));
    QCOMPARE(seen.at(0).peerId, 7u);
    QCOMPARE(seen.at(0).peer, entry.peer);
    QCOMPARE(batches.count(), 0); // only from the event loop
    QTRY_COMPARE(batches.count(), 1);
}

void TestTrafficLog::batchAfterBurst()
{
    TrafficLog log;
    QSignalSpy appended(&log, &TrafficLog::appended);
    QSignalSpy batches(&log, &TrafficLog::batchReady);
    for (int i = 0; i < 10'000; ++i)
        log.append(makeEntry(LogKind::Rx, QByteArray::number(i)));
    QCOMPARE(appended.count(), 10'000);
    QCOMPARE(batches.count(), 0);
    QTRY_COMPARE(batches.count(), 1);

    log.append(makeEntry(LogKind::Rx, "again"));
    QTRY_COMPARE(batches.count(), 2);
}

void TestTrafficLog::batchesDuringFlood()
{
    // The timer is started when idle, not restarted by each entry: a flood that
    // lets the event loop run gets a batch per interval, not one at its end.
    TrafficLog log;
    QSignalSpy batches(&log, &TrafficLog::batchReady);
    QElapsedTimer clock;
    clock.start();
    int appended = 0;
    for (;;) {
        log.append(makeEntry(LogKind::Rx, "x"));
        ++appended;
        if (appended % 100 != 0)
            continue;
        if (appended >= 10'000 && clock.elapsed() >= 300)
            break; // right after an append: one batch is pending
        QCoreApplication::processEvents();
    }
    const qint64 elapsed = clock.elapsed();
    const qsizetype during = batches.count();
    QVERIFY2(during >= 2, qPrintable(u"%1 batches in %2 ms"_s.arg(during).arg(elapsed)));
    QVERIFY2(
        during <= elapsed / 40 + 2, qPrintable(u"%1 batches in %2 ms"_s.arg(during).arg(elapsed)));
    QTRY_COMPARE(batches.count(), during + 1);
    QCOMPARE(log.totalAppended(), quint64(appended));
}

void TestTrafficLog::formatText_data()
{
    QTest::addColumn<LogEntry>("entry");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    const QString time = u"2026-11-21 23:58:36.123"_s;
    LogEntry rx = makeEntry(LogKind::Rx, "hello");
    rx.msecsSinceEpoch = fixedTime();
    rx.peer = localPeer(5000);
    QTest::newRow("rx") << rx << u"hello"_s
                        << time
            + u" [tcp-server] RX 127.0.0.1:5000 5 B \"hello\" | 68 65 6c 6c 6f"_s;

    LogEntry tx = rx;
    tx.kind = LogKind::Tx;
    tx.data.clear();
    QTest::newRow("tx empty") << tx << QString()
                              << time + u" [tcp-server] TX 127.0.0.1:5000 0 B \"\" |"_s;

    LogEntry escapes = rx;
    escapes.data = "a\r\nb\t\x01\"\\\x7f";
    QTest::newRow("escapes") << escapes << QString::fromUtf8(escapes.data)
                             << time
            + u" [tcp-server] RX 127.0.0.1:5000 9 B \"a\\r\\nb\\t\\x01\\\"\\\\\\x7f\" | 61 0d 0a 62 09 01 22 5c 7f"_s;

    LogEntry binary = rx;
    binary.data = QByteArray("\0\xff", 2);
    QTest::newRow("nul and invalid")
        << binary << u"\0\uFFFD"_s
        << time + u" [tcp-server] RX 127.0.0.1:5000 2 B \"\\x00\uFFFD\" | 00 ff"_s;

    LogEntry separators = rx;
    separators.data = "\xc2\x85\xe2\x80\xa8";
    QTest::newRow("unicode line breaks")
        << separators << u"\u0085\u2028"_s
        << time + u" [tcp-server] RX 127.0.0.1:5000 5 B \"\\u0085\\u2028\" | c2 85 e2 80 a8"_s;

    LogEntry v6 = rx;
    v6.peer = Endpoint { QHostAddress(QHostAddress::LocalHostIPv6), 80 };
    QTest::newRow("ipv6 peer") << v6 << u"hello"_s
                               << time
            + u" [tcp-server] RX [::1]:80 5 B \"hello\" | 68 65 6c 6c 6f"_s;

    LogEntry listening = makeEntry(LogKind::Listening, "0.0.0.0:5000", 0);
    listening.msecsSinceEpoch = fixedTime();
    QTest::newRow("listening") << listening << QString()
                               << time + u" [tcp-server] LISTENING - 0.0.0.0:5000"_s;

    LogEntry connected = rx;
    connected.kind = LogKind::Connected;
    connected.data.clear();
    QTest::newRow("connected") << connected << QString()
                               << time + u" [tcp-server] CONNECTED 127.0.0.1:5000"_s;

    LogEntry disconnected = connected;
    disconnected.kind = LogKind::Disconnected;
    disconnected.data = "remote host closed";
    QTest::newRow("disconnected") << disconnected << QString()
                                  << time
            + u" [tcp-server] DISCONNECTED 127.0.0.1:5000 remote host closed"_s;

    LogEntry error = listening;
    error.kind = LogKind::Error;
    error.data = "refused\nagain";
    QTest::newRow("error") << error << QString()
                           << time + u" [tcp-server] ERROR - refused\\nagain"_s;

    LogEntry info = listening;
    info.kind = LogKind::Info;
    info.session = 7;
    info.data = "sent \"a\" in 年";
    QTest::newRow("info, unknown session")
        << info << QString() << time + u" [session 7] INFO - sent \"a\" in 年"_s;
}

void TestTrafficLog::formatText()
{
    QFETCH(LogEntry, entry);
    QFETCH(QString, text);
    QFETCH(QString, expected);

    TrafficLog log;
    log.registerSession(u"tcp-server"_s);
    const QString line = LogWriter(&log, LogFormat::Text).formatText(entry, text);
    QCOMPARE(line, expected);
}

void TestTrafficLog::formatTextBinaryIsOneLine()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all += char(i);
    TrafficLog log;
    log.registerSession(u"bin\nary"_s);
    const LogEntry entry = makeEntry(LogKind::Rx, all);
    const QString line
        = LogWriter(&log, LogFormat::Text).formatText(entry, TextCodec::decode(all, u"Latin-1"));
    for (const QChar c : line)
        QVERIFY2(c.unicode() >= 0x20 && c.unicode() != 0x7f
                && (c.unicode() < 0x80 || c.unicode() >= 0xa0),
            qPrintable(QString::number(c.unicode(), 16)));
    QVERIFY(line.contains(u"[bin\\nary] RX"_s));
    QVERIFY(line.contains(u" 256 B \""_s));
    QVERIFY(line.endsWith(u"fd fe ff"_s));
}

void TestTrafficLog::formatJson_data()
{
    QTest::addColumn<LogEntry>("entry");
    QTest::addColumn<QString>("text");

    LogEntry rx = makeEntry(LogKind::Rx,
        QByteArray("\0\xff"
                   "A\n",
            4));
    rx.msecsSinceEpoch = fixedTime();
    QTest::newRow("rx binary") << rx << u"\0\uFFFDA\n"_s;

    LogEntry tx = rx;
    tx.kind = LogKind::Tx;
    tx.peer = Endpoint { QHostAddress(QHostAddress::LocalHostIPv6), 65535 };
    tx.data = "hello";
    QTest::newRow("tx ipv6") << tx << u"hello"_s;

    LogEntry error = makeEntry(LogKind::Error, "cannot \"bind\"\n: 年", 0);
    error.msecsSinceEpoch = fixedTime() + 1;
    QTest::newRow("error without peer") << error << QString();

    LogEntry connected = makeEntry(LogKind::Connected, {}, 3);
    QTest::newRow("connected") << connected << QString();
}

void TestTrafficLog::formatJson()
{
    QFETCH(LogEntry, entry);
    QFETCH(QString, text);

    TrafficLog log;
    log.registerSession(u"tcp-server"_s);
    const QByteArray json = LogWriter(&log, LogFormat::JsonLines).formatJson(entry, text);
    QVERIFY(!json.contains('\n'));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QVERIFY(document.isObject());
    const QJsonObject object = document.object();

    const QString time = object.value(u"time"_s).toString();
    const QRegularExpression iso(QRegularExpression::anchoredPattern(
        u"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d\\d:\\d\\d"_s));
    QVERIFY2(iso.match(time).hasMatch(), qPrintable(time));
    QCOMPARE(
        QDateTime::fromString(time, Qt::ISODateWithMs).toMSecsSinceEpoch(), entry.msecsSinceEpoch);

    QCOMPARE(object.value(u"session"_s).toString(), u"tcp-server"_s);
    QCOMPARE(object.value(u"event"_s).toString(), logKindName(entry.kind));
    if (entry.peer.isNull()) {
        QVERIFY(object.value(u"peer"_s).isNull());
        QVERIFY(object.value(u"port"_s).isNull());
    } else {
        QCOMPARE(object.value(u"peer"_s).toString(), entry.peer.address.toString());
        QCOMPARE(object.value(u"port"_s).toInt(-1), int(entry.peer.port));
    }
    if (entry.isData()) {
        QCOMPARE(object.value(u"bytes"_s).toInteger(-1), entry.data.size());
        QCOMPARE(object.value(u"text"_s).toString(), text);
        QCOMPARE(object.value(u"hex"_s).toString(), Hex::format(entry.data));
        QVERIFY(!object.contains(u"message"_s));
    } else {
        QCOMPARE(object.value(u"message"_s).toString(), QString::fromUtf8(entry.data));
        QVERIFY(!object.contains(u"bytes"_s));
        QVERIFY(!object.contains(u"hex"_s));
        QVERIFY(!object.contains(u"text"_s));
    }
}

void TestTrafficLog::streamText()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"traffic.log"_s);
    {
        QFile previous(path);
        QVERIFY(previous.open(QIODevice::WriteOnly));
        previous.write("earlier line\n");
    }

    TrafficLog log;
    const int session = log.registerSession(u"tcp-server"_s);
    QSignalSpy batches(&log, &TrafficLog::batchReady);
    QSignalSpy errors(&log, &TrafficLog::streamError);
    QString error = u"stale"_s;
    QVERIFY(log.startStreaming(path, TrafficLog::StreamFormat::Text, &error));
    QVERIFY(error.isEmpty());
    QVERIFY(log.isStreaming());

    log.append(makeEntry(LogKind::Connected, {}, 1, session));
    log.append(makeEntry(LogKind::Rx, "hello\r\n", 1, session));
    QTRY_COMPARE(batches.count(), 1);

    // Flushed by the batch, while still streaming.
    const QList<QByteArray> lines = readBytes(path).split('\n');
    QCOMPARE(lines.size(), 4); // three lines and the empty rest after the last newline
    QCOMPARE(lines.at(0), QByteArray("earlier line"));
    QVERIFY2(
        lines.at(1).endsWith("[tcp-server] CONNECTED 127.0.0.1:5001"), lines.at(1).constData());
    QVERIFY2(lines.at(2).endsWith(
                 "[tcp-server] RX 127.0.0.1:5001 7 B \"hello\\r\\n\" | 68 65 6c 6c 6f 0d 0a"),
        lines.at(2).constData());
    QVERIFY(lines.at(3).isEmpty());

    log.stopStreaming();
    QVERIFY(!log.isStreaming());
    log.append(makeEntry(LogKind::Rx, "after", 1, session));
    QTRY_COMPARE(batches.count(), 2);
    QCOMPARE(readBytes(path).count('\n'), 3);
    QCOMPARE(errors.count(), 0);
}

void TestTrafficLog::streamSplitCharacters()
{
    if (!TextCodec::isAvailable(u"GB2312"))
        QSKIP("GB2312 is not available in this build of Qt");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"traffic.jsonl"_s);

    TrafficLog log;
    const int session = log.registerSession(u"gb"_s);
    log.setSessionEncoding(session, u"GB2312"_s);
    QString error;
    QVERIFY2(
        log.startStreaming(path, TrafficLog::StreamFormat::JsonLines, &error), qPrintable(error));

    // 中 is D6 D0 and 文 is CE C4 in GB2312. Each character arrives in two
    // pieces, interleaved with the other peer and the other direction.
    log.append(makeEntry(LogKind::Rx, "\xd6", 1, session));
    log.append(makeEntry(LogKind::Tx, "\xce", 1, session));
    log.append(makeEntry(LogKind::Rx, "\xce", 2, session));
    log.append(makeEntry(LogKind::Rx, "\xd0!", 1, session));
    log.append(makeEntry(LogKind::Tx, "\xc4", 1, session));
    log.append(makeEntry(LogKind::Rx, "\xc4", 2, session));
    log.stopStreaming();

    const QList<QJsonObject> objects = parseJsonLines(readBytes(path));
    QCOMPARE(objects.size(), 6);
    const QStringList expected { QString(), QString(), QString(), u"中!"_s, u"文"_s, u"文"_s };
    for (qsizetype i = 0; i < objects.size(); ++i)
        QCOMPARE(objects.at(i).value(u"text"_s).toString(), expected.at(i));
    QCOMPARE(objects.at(3).value(u"hex"_s).toString(), u"d0 21"_s);
    QCOMPARE(objects.at(3).value(u"bytes"_s).toInt(), 2);
}

void TestTrafficLog::streamUnwritablePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"no/such/dir/traffic.log"_s);

    QFile probe(path);
    QVERIFY(!probe.open(QIODevice::WriteOnly | QIODevice::Append));
    const QString expected = u"cannot write log to "_s + QDir::toNativeSeparators(path) + u": "_s
        + probe.errorString();

    TrafficLog log;
    QString error;
    QVERIFY(!log.startStreaming(path, TrafficLog::StreamFormat::Text, &error));
    QCOMPARE(error, expected);
    QVERIFY(!probe.errorString().isEmpty());
    QVERIFY(!log.isStreaming());
    QVERIFY(!log.startStreaming(path, TrafficLog::StreamFormat::JsonLines, nullptr));
}

void TestTrafficLog::streamWriteError()
{
    // /dev/full opens fine and fails every write: the error comes from the
    // flush of the first batch.
    const QString path = u"/dev/full"_s;
    if (!QFile::exists(path))
        QSKIP("no /dev/full here");

    TrafficLog log;
    QSignalSpy errors(&log, &TrafficLog::streamError);
    QSignalSpy batches(&log, &TrafficLog::batchReady);
    QString error;
    if (!log.startStreaming(path, TrafficLog::StreamFormat::Text, &error))
        QSKIP(qPrintable(u"cannot open /dev/full: "_s + error));

    log.append(makeEntry(LogKind::Rx, "lost"));
    QTRY_COMPARE(errors.count(), 1);
    QVERIFY(!log.isStreaming());
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.startsWith(u"cannot write log to /dev/full: "_s), qPrintable(message));
    QVERIFY(message.size() > u"cannot write log to /dev/full: "_s.size());

    // Once: later entries neither write nor complain.
    log.append(makeEntry(LogKind::Rx, "more"));
    QTRY_COMPARE(batches.count(), 2);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(log.size(), 2);
}

void TestTrafficLog::saveTo()
{
    if (!TextCodec::isAvailable(u"GB2312"))
        QSKIP("GB2312 is not available in this build of Qt");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    TrafficLog log;
    log.setCap(4);
    const int session = log.registerSession(u"gb"_s);
    log.setSessionEncoding(session, u"GB2312"_s);
    log.append(makeEntry(LogKind::Info, "dropped by the cap", 0, session));
    log.append(makeEntry(LogKind::Listening, "0.0.0.0:5000", 0, session));
    log.append(makeEntry(LogKind::Rx, "\xd6", 1, session));
    log.append(makeEntry(LogKind::Rx, "\xce\xc4", 2, session));
    log.append(makeEntry(LogKind::Rx, "\xd0", 1, session));
    QCOMPARE(log.size(), 4);

    const QString jsonPath = dir.filePath(u"saved.jsonl"_s);
    QString error = u"stale"_s;
    QVERIFY2(log.saveTo(jsonPath, TrafficLog::StreamFormat::JsonLines, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    const QList<QJsonObject> objects = parseJsonLines(readBytes(jsonPath));
    QCOMPARE(objects.size(), 4);
    QCOMPARE(objects.at(0).value(u"event"_s).toString(), u"listening"_s);
    QCOMPARE(objects.at(0).value(u"message"_s).toString(), u"0.0.0.0:5000"_s);
    QCOMPARE(objects.at(1).value(u"text"_s).toString(), QString());
    QCOMPARE(objects.at(2).value(u"text"_s).toString(), u"文"_s);
    QCOMPARE(objects.at(3).value(u"text"_s).toString(), u"中"_s);

    // Saving again starts from fresh decoders and gives the same result.
    const QString textPath = dir.filePath(u"saved.log"_s);
    QVERIFY(log.saveTo(textPath, TrafficLog::StreamFormat::Text, &error));
    QVERIFY(log.saveTo(textPath, TrafficLog::StreamFormat::Text, &error)); // replaces, not appends
    const QList<QByteArray> lines = readBytes(textPath).split('\n');
    QCOMPARE(lines.size(), 5);
    QVERIFY2(lines.at(0).endsWith("[gb] LISTENING - 0.0.0.0:5000"), lines.at(0).constData());
    QVERIFY2(
        lines.at(3).endsWith("[gb] RX 127.0.0.1:5001 1 B \"中\" | d0"), lines.at(3).constData());
}

void TestTrafficLog::saveToUnwritablePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"missing/saved.log"_s);
    TrafficLog log;
    log.append(makeEntry(LogKind::Rx, "x"));
    QString error;
    QVERIFY(!log.saveTo(path, TrafficLog::StreamFormat::Text, &error));
    const QString prefix = u"cannot write log to "_s + QDir::toNativeSeparators(path) + u": "_s;
    QVERIFY2(error.startsWith(prefix), qPrintable(error));
    QVERIFY(error.size() > prefix.size());
    QVERIFY(!QFile::exists(path));
}

void TestTrafficLog::formatForPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<LogFormat>("format");
    QTest::newRow("csv") << u"a.csv"_s << LogFormat::Csv;
    QTest::newRow("CSV") << u"/tmp/A.CSV"_s << LogFormat::Csv;
    QTest::newRow("Csv") << u"log.Csv"_s << LogFormat::Csv;
    QTest::newRow("jsonl") << u"a.jsonl"_s << LogFormat::JsonLines;
    QTest::newRow("JSONL") << u"a.JSONL"_s << LogFormat::JsonLines;
    QTest::newRow("Json") << u"a.Json"_s << LogFormat::JsonLines;
    QTest::newRow("txt") << u"a.txt"_s << LogFormat::Text;
    QTest::newRow("LOG") << u"a.LOG"_s << LogFormat::Text;
    QTest::newRow("none") << u"csv"_s << LogFormat::Text;
    QTest::newRow("csv folder") << u"x.csv/traffic"_s << LogFormat::Text;
    QTest::newRow("csv then txt") << u"a.csv.txt"_s << LogFormat::Text;
}

void TestTrafficLog::formatForPath()
{
    QFETCH(QString, path);
    QFETCH(LogFormat, format);
    QCOMPARE(logFormatForPath(path), format);
}

void TestTrafficLog::streamAndSaveSplitGb2312ByExtension_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("CSV") << u"traffic.CSV"_s;
    QTest::newRow("JSONL") << u"traffic.JSONL"_s;
    QTest::newRow("Log") << u"traffic.Log"_s;
}

// 中 is D6 D0 and 文 is CE C4 in GB2312; each arrives in two reads, the two
// peers' reads interleaved. The file streamed while they come and the file
// saved after both show each character whole, in the format the file's
// extension names whatever its case.
void TestTrafficLog::streamAndSaveSplitGb2312ByExtension()
{
    if (!TextCodec::isAvailable(u"GB2312"))
        QSKIP("GB2312 is not available in this build of Qt");
    QFETCH(QString, name);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString streamed = dir.filePath(u"streamed-"_s + name);
    const QString saved = dir.filePath(u"saved-"_s + name);

    TrafficLog log;
    const int session = log.registerSession(u"gb"_s);
    log.setSessionEncoding(session, u"GB2312"_s);
    QString error;
    QVERIFY2(log.startStreaming(streamed, &error), qPrintable(error));
    log.append(makeEntry(LogKind::Rx, "\xd6", 1, session));
    log.append(makeEntry(LogKind::Rx, "\xce", 2, session));
    log.append(makeEntry(LogKind::Rx, "\xd0", 1, session));
    log.append(makeEntry(LogKind::Rx, "\xc4", 2, session));
    log.stopStreaming();
    QVERIFY2(log.saveTo(saved, logFormatForPath(saved), &error), qPrintable(error));

    const QStringList texts { QString(), QString(), u"中"_s, u"文"_s };
    for (const QString &path : { streamed, saved }) {
        const QByteArray contents = readBytes(path);
        QList<QByteArray> lines = contents.split('\n');
        QCOMPARE(lines.takeLast(), QByteArray());
        const QString lower = name.toLower();
        if (lower.endsWith(u".csv"_s)) {
            QCOMPARE(lines.size(), 5);
            QCOMPARE(lines.at(0), QByteArray("time,session,direction,peer,port,bytes,text,hex"));
            for (qsizetype i = 0; i < texts.size(); ++i) {
                const QStringList fields = QString::fromUtf8(lines.at(i + 1)).split(u',');
                QCOMPARE(fields.size(), 8);
                QCOMPARE(fields.mid(1, 3), (QStringList { u"gb"_s, u"rx"_s, u"127.0.0.1"_s }));
                QCOMPARE(fields.at(4), QString::number(5000 + (i % 2 ? 2 : 1)));
                QCOMPARE(fields.at(6), texts.at(i));
            }
        } else if (lower.endsWith(u".jsonl"_s)) {
            const QList<QJsonObject> objects = parseJsonLines(contents);
            QCOMPARE(objects.size(), 4);
            for (qsizetype i = 0; i < texts.size(); ++i)
                QCOMPARE(objects.at(i).value(u"text"_s).toString(), texts.at(i));
        } else {
            QCOMPARE(lines.size(), 4);
            QVERIFY2(lines.at(2).endsWith("[gb] RX 127.0.0.1:5001 1 B \"中\" | d0"),
                lines.at(2).constData());
            QVERIFY2(lines.at(3).endsWith("[gb] RX 127.0.0.1:5002 1 B \"文\" | c4"),
                lines.at(3).constData());
            QVERIFY2(lines.at(0).endsWith("[gb] RX 127.0.0.1:5001 1 B \"\" | d6"),
                lines.at(0).constData());
        }
    }
}

void TestTrafficLog::streamCsvAppendsWithoutASecondHeader()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"traffic.csv"_s);
    TrafficLog log;
    const int session = log.registerSession(u"s"_s);
    QString error;
    for (const QByteArray &data : { QByteArray("one"), QByteArray("two") }) {
        QVERIFY2(log.startStreaming(path, &error), qPrintable(error));
        log.append(makeEntry(LogKind::Rx, data, 1, session));
        log.stopStreaming();
    }
    const QList<QByteArray> lines = readBytes(path).split('\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0), QByteArray("time,session,direction,peer,port,bytes,text,hex"));
    QVERIFY2(lines.at(1).endsWith(",s,rx,127.0.0.1,5001,3,one,6f 6e 65"), lines.at(1).constData());
    QVERIFY2(lines.at(2).endsWith(",s,rx,127.0.0.1,5001,3,two,74 77 6f"), lines.at(2).constData());
}

QTEST_GUILESS_MAIN(TestTrafficLog)
#include "tst_trafficlog.moc"
