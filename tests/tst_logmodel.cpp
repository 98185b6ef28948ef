// TrafficLogModel over a real TrafficLog, and LogFilterModel on top of it,
// each watched by QAbstractItemModelTester: batches, the cap, clear(), floods
// between batches, decoding split characters, re-decoding, filters and pause.

#include "logfiltermodel.h"
#include "logview.h"
#include "net/log/trafficlog.h"
#include "trafficlogmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

LogEntry entry(int session, LogKind kind, quint64 peerId, const QByteArray &data)
{
    LogEntry e;
    e.msecsSinceEpoch = 1'700'000'000'000;
    e.session = session;
    e.kind = kind;
    e.peerId = peerId;
    if (peerId != 0)
        e.peer = { QHostAddress(QHostAddress::LocalHost), quint16(40'000 + peerId) };
    e.data = data;
    return e;
}

LogEntry rx(int session, quint64 peerId, const QByteArray &data)
{
    return entry(session, LogKind::Rx, peerId, data);
}

LogEntry tx(int session, quint64 peerId, const QByteArray &data)
{
    return entry(session, LogKind::Tx, peerId, data);
}

// The payloads of n distinct entries: "#0", "#1", ...
QByteArray numbered(qsizetype n)
{
    return "#" + QByteArray::number(n);
}

QList<QByteArray> fileLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

class TestLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void appendsInBatches();
    void capOverflowRemovesRowsFromTheTop();
    void clearEmptiesTheModel();
    void floodLargerThanCapResetsCleanly();
    void droppedRowsNeverCrashData();
    void splitGb2312DecodedWholeWhileAnotherPeerInterleaves();
    void splitAcrossBatchesDecodedWhole();
    void redecodeSessionAfterEncodingChange();
    void filters_data();
    void filters();
    void filterFollowsNewRows();
    void pauseHoldsBackNewRowsAndResumeShowsThem();
    void pauseSurvivesCapOverflow();
    void hideExistingClearsOnlyThisView();
    void fullTextKeepsSplitCharactersWhole();
    void textFilterMatchesWhatTheRowsShow();
    void textFilterFromBytesAgreesWithTheText();
    void cellsCutEscapesWhole();
    void savedFilesShowSplitGb2312Whole();

private:
    // Appends the entries and waits for the batch that brings them to the model.
    bool appendAndFlush(const QList<LogEntry> &entries);
    bool flush();
    QStringList texts() const; // TextColumn of every row
    QList<quint64> filteredSequences() const;

    std::unique_ptr<TrafficLog> m_log;
    std::unique_ptr<TrafficLogModel> m_model;
    std::unique_ptr<LogFilterModel> m_filter;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_filterTester;
    int m_s1 = 0;
    int m_s2 = 0;
};

void TestLogModel::init()
{
    m_log = std::make_unique<TrafficLog>();
    m_s1 = m_log->registerSession(u"tcp-server-1"_s);
    m_s2 = m_log->registerSession(u"udp-2"_s);
    m_model = std::make_unique<TrafficLogModel>(m_log.get());
    m_modelTester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_filter = std::make_unique<LogFilterModel>();
    m_filter->setSourceModel(m_model.get());
    m_filterTester = std::make_unique<QAbstractItemModelTester>(
        m_filter.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestLogModel::cleanup()
{
    m_filterTester.reset();
    m_modelTester.reset();
    m_filter.reset();
    m_model.reset();
    m_log.reset();
}

bool TestLogModel::flush()
{
    QSignalSpy batch(m_log.get(), &TrafficLog::batchReady);
    // The model is connected before the spy, so it has synced when this returns.
    return batch.wait(5000);
}

bool TestLogModel::appendAndFlush(const QList<LogEntry> &entries)
{
    for (const LogEntry &e : entries)
        m_log->append(e);
    return flush();
}

QStringList TestLogModel::texts() const
{
    QStringList list;
    for (int row = 0; row < m_model->rowCount(); ++row)
        list << m_model->index(row, TrafficLogModel::TextColumn).data().toString();
    return list;
}

QList<quint64> TestLogModel::filteredSequences() const
{
    QList<quint64> list;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        list << m_filter->index(row, 0).data(TrafficLogModel::SequenceRole).toULongLong();
    return list;
}

void TestLogModel::appendsInBatches()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 5; ++i)
        m_log->append(rx(m_s1, 1, numbered(i)));
    // Nothing shows before the batch timer fires.
    QCOMPARE(m_model->rowCount(), 0);
    QVERIFY(flush());
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(inserted.size(), 1); // one beginInsertRows for the whole batch
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 4);

    QVERIFY(appendAndFlush(
        { tx(m_s1, 1, "a"), rx(m_s2, 2, "b"), entry(m_s1, LogKind::Info, 0, "note") }));
    QCOMPARE(m_model->rowCount(), 8);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 5);
    QCOMPARE(inserted.at(1).at(2).toInt(), 7);
    QCOMPARE(m_filter->rowCount(), 8);

    QCOMPARE(m_model->index(0, TrafficLogModel::TextColumn).data().toString(), u"#0"_s);
    QCOMPARE(m_model->index(5, TrafficLogModel::DirectionColumn).data().toString(), u"TX"_s);
    QCOMPARE(m_model->index(6, TrafficLogModel::SessionColumn).data().toString(), u"udp-2"_s);
    QCOMPARE(
        m_model->index(6, TrafficLogModel::PeerColumn).data().toString(), u"127.0.0.1:40002"_s);
    QCOMPARE(m_model->index(6, TrafficLogModel::HexColumn).data().toString(), u"62"_s);
    QCOMPARE(m_model->index(6, TrafficLogModel::BytesColumn).data().toLongLong(), 1);
    QCOMPARE(m_model->index(7, TrafficLogModel::TextColumn).data().toString(), u"note"_s);
    QVERIFY(!m_model->index(7, TrafficLogModel::HexColumn).data().isValid());
    for (int row = 0; row < 8; ++row)
        QCOMPARE(
            m_model->index(row, 0).data(TrafficLogModel::SequenceRole).toULongLong(), quint64(row));
}

void TestLogModel::capOverflowRemovesRowsFromTheTop()
{
    m_log->setCap(10);
    QList<LogEntry> first;
    for (int i = 0; i < 10; ++i)
        first << rx(m_s1, 1, numbered(i));
    QVERIFY(appendAndFlush(first));
    QCOMPARE(m_model->rowCount(), 10);

    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QVERIFY(appendAndFlush(
        { rx(m_s1, 1, numbered(10)), rx(m_s1, 1, numbered(11)), rx(m_s1, 1, numbered(12)) }));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(removed.at(0).at(2).toInt(), 2);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 7);
    QCOMPARE(inserted.at(0).at(2).toInt(), 9);
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_filter->rowCount(), 10);
    QCOMPARE(m_model->index(0, 0).data(TrafficLogModel::SequenceRole).toULongLong(), 3u);
    QStringList expected;
    for (int i = 3; i < 13; ++i)
        expected << QString::fromLatin1(numbered(i));
    QCOMPARE(texts(), expected);
}

void TestLogModel::clearEmptiesTheModel()
{
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "one"), rx(m_s1, 1, "two") }));
    QCOMPARE(m_model->rowCount(), 2);

    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    m_log->clear();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_filter->rowCount(), 0);

    // Sequence numbers go on after a clear; the model follows.
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "three") }));
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_model->index(0, 0).data(TrafficLogModel::SequenceRole).toULongLong(), 2u);
    QCOMPARE(texts(), QStringList { u"three"_s });
    QCOMPARE(m_filter->rowCount(), 1);
}

void TestLogModel::floodLargerThanCapResetsCleanly()
{
    m_log->setCap(10);
    QVERIFY(appendAndFlush(
        { rx(m_s1, 1, numbered(0)), rx(m_s1, 1, numbered(1)), rx(m_s1, 1, numbered(2)) }));
    QCOMPARE(m_model->rowCount(), 3);

    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    // 25 entries between two batches: everything the model shows is gone.
    for (int i = 3; i < 28; ++i)
        m_log->append(rx(m_s1, 1, numbered(i)));
    QCOMPARE(m_model->rowCount(), 3); // until the batch
    QVERIFY(flush());
    QCOMPARE(reset.size(), 1);
    QCOMPARE(removed.size(), 0);
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_filter->rowCount(), 10);
    QCOMPARE(m_model->index(0, 0).data(TrafficLogModel::SequenceRole).toULongLong(), 18u);
    QCOMPARE(m_model->index(9, TrafficLogModel::TextColumn).data().toString(), u"#27"_s);

    // And batches carry on normally afterwards.
    QVERIFY(appendAndFlush({ rx(m_s1, 1, numbered(28)) }));
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_model->index(9, TrafficLogModel::TextColumn).data().toString(), u"#28"_s);
}

void TestLogModel::droppedRowsNeverCrashData()
{
    m_log->setCap(10);
    QList<LogEntry> first;
    for (int i = 0; i < 10; ++i)
        first << rx(m_s1, 1, numbered(i));
    QVERIFY(appendAndFlush(first));
    m_filter->setText(u"#"_s);
    QCOMPARE(m_filter->rowCount(), 10);

    // Four more before the next batch: the log drops the model's first four rows.
    for (int i = 10; i < 14; ++i)
        m_log->append(rx(m_s1, 1, numbered(i)));
    QCOMPARE(m_model->rowCount(), 10);
    const QList<int> roles { Qt::DisplayRole, Qt::ToolTipRole, Qt::TextAlignmentRole,
        Qt::ForegroundRole, Qt::FontRole, TrafficLogModel::KindRole, TrafficLogModel::SessionRole,
        TrafficLogModel::PeerIdRole, TrafficLogModel::SequenceRole, TrafficLogModel::RawDataRole,
        TrafficLogModel::FilterTextRole };
    for (int row = 0; row < 10; ++row) {
        const LogEntry *e = m_model->entry(row);
        QCOMPARE(e == nullptr, row < 4);
        if (e)
            QCOMPARE(e->data, numbered(row));
        for (int column = 0; column < TrafficLogModel::ColumnCount; ++column) {
            for (const int role : roles) {
                const QVariant value = m_model->index(row, column).data(role);
                if (row < 4)
                    QVERIFY(!value.isValid());
                (void)m_filter->index(row, column).data(role);
            }
        }
    }
    QCOMPARE(m_model->index(4, TrafficLogModel::TextColumn).data().toString(), u"#4"_s);
    // Past the end: nothing, and no crash either.
    QVERIFY(!m_model->index(10, 0).data().isValid());

    // Re-filtering while rows are dropped must not crash or show them.
    m_filter->setText(u"#1"_s);
    m_filter->setKinds(LogFilterModel::Kinds::Received);
    QVERIFY(flush());
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_model->entry(0)->data, numbered(4));
    QCOMPARE(m_filter->rowCount(), 4); // #10 .. #13
    QCOMPARE(filteredSequences(), (QList<quint64> { 10, 11, 12, 13 }));
}

void TestLogModel::splitGb2312DecodedWholeWhileAnotherPeerInterleaves()
{
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    // 你 = c4 e3, 好 = ba c3. Peer 1 splits 你 between two reads, peer 2 splits
    // 好, and peer 1 sends in the other direction in between.
    QVERIFY(appendAndFlush({
        rx(m_s1, 1, "\xc4"),
        rx(m_s1, 2, "\xba"),
        tx(m_s1, 1, "ok"),
        rx(m_s1, 2,
            "\xc3"
            "A"),
        rx(m_s1, 1, "\xe3\xba\xc3"),
    }));
    QCOMPARE(texts(), (QStringList { QString(), QString(), u"ok"_s, u"好A"_s, u"你好"_s }));
    QCOMPARE(m_model->text(4), u"你好"_s);
    QCOMPARE(m_model->index(4, TrafficLogModel::HexColumn).data().toString(), u"e3 ba c3"_s);
    // No replacement character anywhere.
    QVERIFY(!texts().join(QString()).contains(QChar(QChar::ReplacementCharacter)));
}

void TestLogModel::splitAcrossBatchesDecodedWhole()
{
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    m_log->setSessionEncoding(m_s2, u"UTF-8"_s);
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "\xc4"), rx(m_s2, 1, "\xe4\xbd") }));
    QCOMPARE(texts(), (QStringList { QString(), QString() }));
    // Same peer id in another session is another decoder.
    QVERIFY(appendAndFlush({ rx(m_s2, 1, "\xa0"), rx(m_s1, 1, "\xe3") }));
    QCOMPARE(texts(), (QStringList { QString(), QString(), u"你"_s, u"你"_s }));
}

void TestLogModel::redecodeSessionAfterEncodingChange()
{
    // Received while the session still said UTF-8.
    QVERIFY(appendAndFlush(
        { rx(m_s1, 1, "\xc4"), rx(m_s1, 1, "\xe3\xba\xc3"), rx(m_s2, 1, "h\xc3\xa9") }));
    QVERIFY(texts().at(1).contains(QChar(QChar::ReplacementCharacter)));
    QCOMPARE(texts().at(2), u"hé"_s);

    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    m_model->redecodeSession(m_s1);
    QCOMPARE(changed.size(), 1);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QVERIFY(topLeft.column() <= TrafficLogModel::TextColumn
        && bottomRight.column() >= TrafficLogModel::TextColumn);
    QCOMPARE(topLeft.row(), 0);
    QCOMPARE(bottomRight.row(), 2);
    QCOMPARE(texts(), (QStringList { QString(), u"你好"_s, u"hé"_s }));

    // New entries continue with the new encoding and the re-primed decoders.
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "\xba"), rx(m_s1, 1, "\xc3") }));
    QCOMPARE(texts().mid(3), (QStringList { QString(), u"好"_s }));
}

void TestLogModel::filters_data()
{
    QTest::addColumn<int>("session");
    QTest::addColumn<LogFilterModel::Kinds>("kinds");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<quint64>>("expected"); // sequence numbers

    using K = LogFilterModel::Kinds;
    // The rows (see filters()): 0 s1 connected, 1 s1 rx hello, 2 s1 tx world,
    // 3 s2 rx hello, 4 s2 error boom, 5 s2 tx bytes 00 ff
    QTest::newRow("everything") << 0 << K::All << QString() << QList<quint64> { 0, 1, 2, 3, 4, 5 };
    QTest::newRow("session 1") << 1 << K::All << QString() << QList<quint64> { 0, 1, 2 };
    QTest::newRow("session 2") << 2 << K::All << QString() << QList<quint64> { 3, 4, 5 };
    QTest::newRow("received") << 0 << K::Received << QString() << QList<quint64> { 1, 3 };
    QTest::newRow("sent") << 0 << K::Sent << QString() << QList<quint64> { 2, 5 };
    QTest::newRow("data") << 0 << K::Data << QString() << QList<quint64> { 1, 2, 3, 5 };
    QTest::newRow("events") << 0 << K::Events << QString() << QList<quint64> { 0, 4 };
    QTest::newRow("text, any case") << 0 << K::All << u"HELLO"_s << QList<quint64> { 1, 3 };
    QTest::newRow("text in session 2") << 2 << K::All << u"hello"_s << QList<quint64> { 3 };
    QTest::newRow("hex") << 0 << K::All << u"00 ff"_s << QList<quint64> { 5 };
    QTest::newRow("peer") << 0 << K::All << u"127.0.0.1:40007"_s << QList<quint64> { 2 };
    QTest::newRow("event text") << 0 << K::Events << u"boom"_s << QList<quint64> { 4 };
    QTest::newRow("no match") << 1 << K::Sent << u"hello"_s << QList<quint64> {};
}

void TestLogModel::filters()
{
    QFETCH(int, session);
    QFETCH(LogFilterModel::Kinds, kinds);
    QFETCH(QString, text);
    QFETCH(QList<quint64>, expected);

    QVERIFY(appendAndFlush({
        entry(m_s1, LogKind::Connected, 1, {}),
        rx(m_s1, 1, "hello"),
        tx(m_s1, 7, "world"),
        rx(m_s2, 3, "Hello there"),
        entry(m_s2, LogKind::Error, 0, "boom"),
        tx(m_s2, 3, QByteArray("\x00\xff", 2)),
    }));
    QCOMPARE(m_filter->rowCount(), 6);

    m_filter->setSession(session == 1 ? m_s1 : session == 2 ? m_s2 : 0);
    m_filter->setKinds(kinds);
    m_filter->setText(text);
    QCOMPARE(filteredSequences(), expected);

    // Back to everything.
    m_filter->setSession(0);
    m_filter->setKinds(LogFilterModel::Kinds::All);
    m_filter->setText({});
    QCOMPARE(m_filter->rowCount(), 6);
}

void TestLogModel::filterFollowsNewRows()
{
    m_filter->setSession(m_s2);
    m_filter->setKinds(LogFilterModel::Kinds::Received);
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "a"), rx(m_s2, 1, "b"), tx(m_s2, 1, "c") }));
    QCOMPARE(filteredSequences(), (QList<quint64> { 1 }));
    QVERIFY(appendAndFlush({ rx(m_s2, 2, "d"), rx(m_s1, 2, "e") }));
    QCOMPARE(filteredSequences(), (QList<quint64> { 1, 3 }));
}

void TestLogModel::pauseHoldsBackNewRowsAndResumeShowsThem()
{
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "a"), rx(m_s1, 1, "b"), rx(m_s1, 1, "c") }));
    m_filter->setPaused(true);
    QVERIFY(m_filter->isPaused());
    QCOMPARE(m_filter->rowCount(), 3);

    QVERIFY(appendAndFlush({ rx(m_s1, 1, "d"), rx(m_s1, 1, "e") }));
    QCOMPARE(m_model->rowCount(), 5); // logged, counted ...
    QCOMPARE(m_filter->rowCount(), 3); // ... but not shown
    // Changing other filters while paused still holds the new rows back.
    m_filter->setText(u"e"_s);
    QCOMPARE(m_filter->rowCount(), 0);
    m_filter->setText({});
    QCOMPARE(filteredSequences(), (QList<quint64> { 0, 1, 2 }));

    m_filter->setPaused(false);
    QCOMPARE(filteredSequences(), (QList<quint64> { 0, 1, 2, 3, 4 }));

    // Pausing an empty view holds back everything that comes after.
    m_log->clear();
    QCOMPARE(m_filter->rowCount(), 0);
    m_filter->setPaused(true);
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "f") }));
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_filter->rowCount(), 0);
    m_filter->setPaused(false);
    QCOMPARE(filteredSequences(), (QList<quint64> { 5 }));
}

void TestLogModel::pauseSurvivesCapOverflow()
{
    m_log->setCap(5);
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "a"), rx(m_s1, 1, "b"), rx(m_s1, 1, "c") }));
    m_filter->setPaused(true);
    // Three more: two old rows fall off the top, three new ones are held back.
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "d"), rx(m_s1, 1, "e"), rx(m_s1, 1, "f") }));
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(filteredSequences(), (QList<quint64> { 1, 2 }));
    m_filter->setPaused(false);
    QCOMPARE(filteredSequences(), (QList<quint64> { 1, 2, 3, 4, 5 }));
}

void TestLogModel::hideExistingClearsOnlyThisView()
{
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "a"), rx(m_s1, 1, "b") }));
    m_filter->hideExisting();
    QCOMPARE(m_filter->rowCount(), 0);
    QCOMPARE(m_model->rowCount(), 2); // the log and other views keep them
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "c") }));
    QCOMPARE(filteredSequences(), (QList<quint64> { 2 }));
}

void TestLogModel::fullTextKeepsSplitCharactersWhole()
{
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    // 你好 is c4 e3 ba c3: the first read ends inside 好.
    QVERIFY(appendAndFlush({ rx(m_s1, 1, "\xc4\xe3\xba"), rx(m_s1, 1, "\xc3!") }));
    QCOMPARE(m_model->fullText(0), u"你"_s);
    QCOMPARE(m_model->fullText(1), u"好!"_s);
    // A bulk read longer than the preview is decoded again, whole.
    const QByteArray big = QByteArray(5000, 'x') + "\xc4\xe3";
    QVERIFY(appendAndFlush({ rx(m_s1, 2, big) }));
    const QString full = m_model->fullText(2);
    QCOMPARE(full.size(), 5001);
    QVERIFY(full.endsWith(u"x你"_s));
}

void TestLogModel::textFilterMatchesWhatTheRowsShow()
{
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    m_log->setSessionEncoding(m_s2, u"GBK"_s);
    QVERIFY(appendAndFlush({
        rx(m_s1, 1, "\xc4"), // 0: the start of 你, shown with the next read
        rx(m_s1, 1, "\xe3ok"), // 1: 你ok
        rx(m_s2, 2, "\x81\x40"), // 2: 丂 in GBK, whose second byte is an ASCII '@'
        rx(m_s2, 2, QByteArray("\x00\xff\x10", 3)), // 3: hex 00 ff 10
        rx(m_s2, 3, "\xe2\x84\xaa"), // 4: the Kelvin sign (UTF-8 bytes, GBK session)
    }));
    QCOMPARE(m_model->text(1), u"你ok"_s);
    const auto matching = [this](const QString &text) {
        m_filter->setText(text);
        return filteredSequences();
    };
    QCOMPARE(matching(u"你"_s), (QList<quint64> { 1 }));
    QCOMPARE(matching(u"你OK"_s), (QList<quint64> { 1 }));
    QCOMPARE(matching(u"OK"_s), (QList<quint64> { 1 }));
    // The '@' byte is half of a character: no row shows an '@'.
    QCOMPARE(matching(u"@"_s), (QList<quint64> {}));
    QCOMPARE(matching(u"丂"_s), (QList<quint64> { 2 }));
    // Hex as the Hex column shows it, from any place in "81 41", "00 ff 10".
    QCOMPARE(matching(u"81 40"_s), (QList<quint64> { 2 }));
    QCOMPARE(matching(u"1 4"_s), (QList<quint64> { 2 }));
    QCOMPARE(matching(u"0 F"_s), (QList<quint64> { 3 }));
    QCOMPARE(matching(u"f 1"_s), (QList<quint64> { 3 }));
    QCOMPARE(matching(u"ff 10 "_s), (QList<quint64> {})); // no space after the last byte
    QCOMPARE(matching(u"00ff"_s), (QList<quint64> {}));
    QCOMPARE(matching(u"e3"_s), (QList<quint64> { 1 }));
    // The peer, as the Peer column shows it.
    QCOMPARE(matching(u"127.0.0.1:40003"_s), (QList<quint64> { 4 }));
    QCOMPARE(matching(u"40001"_s), (QList<quint64> { 0, 1 }));

    // After an encoding change the rows of the other session keep their text.
    m_log->setSessionEncoding(m_s2, u"UTF-8"_s);
    m_model->redecodeSession(m_s2);
    QCOMPARE(m_model->text(4), QString(QChar(0x212a)));
    QCOMPARE(matching(u"k"_s), (QList<quint64> { 1, 4 })); // Kelvin folds to k
    QCOMPARE(matching(u"你ok"_s), (QList<quint64> { 1 }));
    QCOMPARE(matching({}), (QList<quint64> { 0, 1, 2, 3, 4 }));
}

void TestLogModel::textFilterFromBytesAgreesWithTheText()
{
    // s1 is UTF-8, s2 Latin-1: their rows are searched in their bytes.
    m_log->setSessionEncoding(m_s2, u"Latin-1"_s);
    const QByteArray longRow = QByteArray(1000, 'a') + "zz" + QByteArray(1000, 'a') + "yy";
    QVERIFY(appendAndFlush({
        rx(m_s1, 1, "\xe4\xbd\xa0\xe5\xa5\xbd"), // 0: 你好
        rx(m_s1, 1,
            "\xe4"
            "TEMP=5"), // 1: an invalid byte, then ASCII
        rx(m_s1, 1, "\xe1\xba\x9e"), // 2: ẞ, which folds to ß
        rx(m_s2, 2, "\xc9t\xe9"), // 3: Été in Latin-1
        rx(m_s1, 1, longRow), // 4: yy lies beyond what the row shows
        entry(m_s1, LogKind::Info, 0, QByteArray(1500, '-') + "yy"), // 5: events are whole
        rx(m_s1, 1, "\xc4\xb0"), // 6: İ, which no other character folds to
    }));
    const auto matching = [this](const QString &text) {
        m_filter->setText(text);
        return filteredSequences();
    };
    QCOMPARE(matching(u"你好"_s), (QList<quint64> { 0 }));
    QCOMPARE(matching(u"temp="_s), (QList<quint64> { 1 }));
    QCOMPARE(matching(u"\xfffdT"_s), (QList<quint64> { 1 }));
    QCOMPARE(matching(u"ß"_s), (QList<quint64> { 2 }));
    QCOMPARE(matching(u"été"_s), (QList<quint64> { 3 }));
    QCOMPARE(matching(u"ÉTÉ"_s), (QList<quint64> { 3 }));
    QCOMPARE(matching(u"你"_s), (QList<quint64> { 0 })); // not in Latin-1 text
    QCOMPARE(matching(u"zz"_s), (QList<quint64> { 4 }));
    QCOMPARE(matching(u"yy"_s), (QList<quint64> { 5 }));
    QCOMPARE(matching(u"a…"_s), (QList<quint64> { 4 })); // the cut row ends in …
    QCOMPARE(matching(u"İ"_s), (QList<quint64> { 6 }));
}

void TestLogModel::cellsCutEscapesWhole()
{
    QVERIFY(appendAndFlush({ rx(m_s1, 1, QByteArray(100, '\0')), rx(m_s1, 1, "a\r\n") }));
    const QString zeros = m_model->index(0, TrafficLogModel::TextColumn).data().toString();
    // 100 NUL bytes are 400 characters escaped; the cell keeps 40 whole escapes.
    QCOMPARE(zeros, QString(u"\\x00"_s.repeated(40) + u'…'));
    QCOMPARE(m_model->index(1, TrafficLogModel::TextColumn).data().toString(), u"a\\r\\n"_s);
    QCOMPARE(m_model->text(0), QString(100, QChar(0)));
}

// 中 is d6 d0 and 文 is ce c4 in GB2312; two peers each split one across two
// reads, interleaved. The rows show them whole, and so do the files a view
// saves, in the format named by the extension in any case, also when a filter
// hides the row that holds the first half.
void TestLogModel::savedFilesShowSplitGb2312Whole()
{
    m_log->setSessionEncoding(m_s1, u"GB2312"_s);
    QVERIFY(appendAndFlush({
        rx(m_s1, 1, "\xd6"),
        rx(m_s1, 2, "\xce"),
        rx(m_s1, 1, "\xd0"),
        rx(m_s1, 2, "\xc4"),
    }));
    QCOMPARE(texts(), (QStringList { QString(), QString(), u"中"_s, u"文"_s }));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LogView view(m_model.get(), 0);
    QString error;

    const QString csv = dir.filePath(u"saved.CSV"_s);
    QVERIFY2(view.saveTo(csv, &error), qPrintable(error));
    const QList<QByteArray> csvLines = fileLines(csv);
    QCOMPARE(csvLines.size(), 5);
    QCOMPARE(csvLines.at(0), QByteArray("time,session,direction,peer,port,bytes,text,hex"));
    QVERIFY2(csvLines.at(3).endsWith(",tcp-server-1,rx,127.0.0.1,40001,1,中,d0"),
        csvLines.at(3).constData());
    QVERIFY2(csvLines.at(4).endsWith(",tcp-server-1,rx,127.0.0.1,40002,1,文,c4"),
        csvLines.at(4).constData());

    const QString jsonl = dir.filePath(u"saved.JSONL"_s);
    QVERIFY2(view.saveTo(jsonl, &error), qPrintable(error));
    QStringList jsonTexts;
    for (const QByteArray &line : fileLines(jsonl))
        jsonTexts << QJsonDocument::fromJson(line).object().value(u"text"_s).toString(u"?"_s);
    QCOMPARE(jsonTexts, (QStringList { QString(), QString(), u"中"_s, u"文"_s }));

    // Only the rows with 中 and 文 shown: the hidden halves still count.
    auto *search = view.findChild<QLineEdit *>(u"logSearch"_s);
    QVERIFY(search);
    search->setText(u"40001"_s);
    QCOMPARE(view.filter()->rowCount(), 2);
    const QString text = dir.filePath(u"peer1.txt"_s);
    QVERIFY2(view.saveTo(text, &error), qPrintable(error));
    QList<QByteArray> textLines = fileLines(text);
    QCOMPARE(textLines.size(), 2);
    QVERIFY2(textLines.at(1).endsWith("[tcp-server-1] RX 127.0.0.1:40001 1 B \"中\" | d0"),
        textLines.at(1).constData());
    search->setText(u"c4"_s);
    QCOMPARE(view.filter()->rowCount(), 1);
    QVERIFY2(view.saveTo(text, &error), qPrintable(error));
    textLines = fileLines(text);
    QCOMPARE(textLines.size(), 1);
    QVERIFY2(textLines.at(0).endsWith("[tcp-server-1] RX 127.0.0.1:40002 1 B \"文\" | c4"),
        textLines.at(0).constData());
}

QTEST_MAIN(TestLogModel)
#include "tst_logmodel.moc"
