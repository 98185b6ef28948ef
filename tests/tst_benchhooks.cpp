// The window's hooks for benchmarks, on the real socklab binary (offscreen):
// SOCKLAB_STARTUP_REPORT says when the window was first exposed and when the
// command line's server listened, SOCKLAB_STALL_REPORT the longest stall.

#include "testsupport.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <ctime>

using namespace Qt::StringLiterals;

namespace {

double monotonicMs()
{
    timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

struct Milestone
{
    QByteArray name;
    double sinceStartMs = -1;
    double monotonicMs = -1;
};

QList<Milestone> readReport(const QString &path)
{
    QList<Milestone> milestones;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return milestones;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> fields = line.split(' ');
        Milestone milestone { fields.value(0) };
        bool sinceOk = false;
        bool monotonicOk = false;
        milestone.sinceStartMs = fields.value(1).toDouble(&sinceOk);
        milestone.monotonicMs = fields.value(2).toDouble(&monotonicOk);
        if (fields.size() != 3 || !sinceOk || !monotonicOk)
            milestone.name = "malformed: " + line;
        milestones.append(milestone);
    }
    return milestones;
}

} // namespace

class TestBenchHooks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startupAndStallReports();
};

void TestBenchHooks::startupAndStallReports()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString startupPath = dir.filePath(u"startup"_s);
    const QString stallPath = dir.filePath(u"stall"_s);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"SOCKLAB_STARTUP_REPORT"_s, startupPath);
    environment.insert(u"SOCKLAB_STALL_REPORT"_s, stallPath);
    environment.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
    peers::Process app;
    app.process().setProcessEnvironment(environment);
    const double before = monotonicMs();
    QVERIFY(app.start(
        QStringLiteral(SOCKLAB_GUI_PATH), { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s }));

    QList<Milestone> milestones;
    const auto has = [&milestones](const QByteArray &name) {
        return std::count_if(milestones.cbegin(), milestones.cend(),
            [&name](const Milestone &m) { return m.name == name; });
    };
    QVERIFY2(peers::waitUntil(
                 [&] {
                     milestones = readReport(startupPath);
                     return has("window-exposed") > 0 && has("listening") > 0;
                 },
                 30'000),
        app.errors().constData());
    // It listened when it said so.
    const std::optional<quint16> port = peers::listeningTcpPort(app.pid());
    QVERIFY(port);
    QTcpSocket client;
    client.connectToHost(u"127.0.0.1"_s, *port);
    QVERIFY(
        peers::waitUntil([&client] { return client.state() == QAbstractSocket::ConnectedState; }));

    // Each milestone once, timed after our start and before now, on both clocks.
    QTest::qWait(300);
    milestones = readReport(startupPath);
    QCOMPARE(milestones.size(), 2);
    const double after = monotonicMs();
    for (const Milestone &milestone : std::as_const(milestones)) {
        QVERIFY2(milestone.name == "window-exposed" || milestone.name == "listening",
            milestone.name.constData());
        QVERIFY(milestone.monotonicMs >= before && milestone.monotonicMs <= after);
        QVERIFY(milestone.sinceStartMs >= 0 && milestone.sinceStartMs <= after - before + 20);
    }

    // SIGTERM closes the window as a user would; the stall report follows.
    app.signal(SIGTERM);
    QVERIFY(app.waitForFinished(15'000));
    QCOMPARE(app.exitCode(), 0);
    QFile stall(stallPath);
    QVERIFY(stall.open(QIODevice::ReadOnly));
    bool ok = false;
    const int longest = stall.readAll().trimmed().toInt(&ok);
    QVERIFY(ok);
    QVERIFY(longest >= 0);
}

QTEST_GUILESS_MAIN(TestBenchHooks)
#include "tst_benchhooks.moc"
