// The window's command line (socklab tcp-client --connect ... --send ...)
// against real peers: every session option socklab-cli has is honoured in the
// tab or refused by name; and "Send file..." goes where the send box's target
// says. Offscreen, settings in a directory of the test's own.

#include "testsupport.h"

#include "logview.h"
#include "mainwindow.h"
#include "net/cli/clioptions.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpserversession.h"
#include "peerlistmodel.h"
#include "sendbox.h"
#include "sessiontab.h"
#include "startupsession.h"
#include "tcpservertab.h"
#include "udptab.h"

#include "net/udp/udpsession.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QtMessageHandler previousMessageHandler = nullptr;

void dropOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && message == u"This plugin does not support propagateSizeHints()"_s)
        return;
    previousMessageHandler(type, context, message);
}

// A TCP peer that prints what it receives and exits at our FIN: socat on a
// port of the kernel's choice.
struct TcpSink
{
    peers::Process socat;
    quint16 port = 0;

    bool start()
    {
        if (!socat.start(u"socat"_s, { u"-u"_s, u"TCP-LISTEN:0,bind=127.0.0.1"_s, u"STDOUT"_s }))
            return false;
        const auto found = peers::listeningTcpPort(socat.pid());
        port = found.value_or(0);
        return found.has_value();
    }
};

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestStartup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void refusesOptionsWithoutUse_data();
    void refusesOptionsWithoutUse();
    void refusesThroughTheRealWindow();
    void clientSendsEscapedTextOnce();
    void clientRepeatsThenClosesAfterSend();
    void serverGreetsEachClientAndRepliesBytesUnchanged();
    void serverRepeatsToWhoeverIsConnected();
    void hexReplyStaysBytes();
    void udpSendsFileWithMulticastSettingsAndDuration();
    void logFileGetsJsonLines();
    void sendFileGoesToTheSelectedClientOnly();

private:
    // Parses arguments as the window does and opens the session.
    SessionTab *open(const QStringList &arguments);

    QTemporaryDir m_config;
    QTemporaryDir m_scratch;
    std::unique_ptr<MainWindow> m_window;
};

void TestStartup::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_config.isValid());
    QVERIFY(m_scratch.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_config.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_config.path());
    QCoreApplication::setOrganizationName(u"SocklabTests"_s);
    QCoreApplication::setApplicationName(u"tst_startup"_s);
    ::signal(SIGPIPE, SIG_IGN);
    previousMessageHandler = qInstallMessageHandler(dropOffscreenNoise);
}

void TestStartup::cleanupTestCase()
{
    qInstallMessageHandler(previousMessageHandler);
}

void TestStartup::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestStartup::cleanup()
{
    m_window.reset();
}

SessionTab *TestStartup::open(const QStringList &arguments)
{
    const CliParse parsed = parseCli(QStringList { u"socklab"_s } + arguments, Front::Window);
    if (parsed.outcome != CliParse::Outcome::Run) {
        qWarning("%s", qPrintable(parsed.message));
        return nullptr;
    }
    return StartupSession::open(*m_window, parsed.options.session);
}

void TestStartup::refusesOptionsWithoutUse_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("start");
    const QStringList client { u"tcp-client"_s, u"-c"_s, u"127.0.0.1:9"_s };
    QTest::newRow("json") << client + QStringList { u"--json"_s } << u"--json: "_s;
    QTest::newRow("quiet") << client + QStringList { u"-q"_s } << u"--quiet: "_s;
    QTest::newRow("stdin") << QStringList { u"udp"_s, u"--bind"_s, u":0"_s, u"--stdin"_s }
                           << u"--stdin: "_s;
}

void TestStartup::refusesOptionsWithoutUse()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, start);
    const CliParse window = parseCli(QStringList { u"socklab"_s } + arguments, Front::Window);
    QCOMPARE(window.outcome, CliParse::Outcome::UsageError);
    QVERIFY2(window.message.startsWith(start), qPrintable(window.message));
    QVERIFY(!window.message.contains(u'\n'));
    // socklab-cli takes them.
    const CliParse cli = parseCli(QStringList { u"socklab-cli"_s } + arguments);
    QCOMPARE(cli.outcome, CliParse::Outcome::Run);
}

void TestStartup::refusesThroughTheRealWindow()
{
    QProcess window;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    environment.insert(u"XDG_CONFIG_HOME"_s, m_config.path());
    window.setProcessEnvironment(environment);
    window.start(QStringLiteral(SOCKLAB_GUI_PATH),
        { u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--json"_s });
    QVERIFY(window.waitForFinished(20'000));
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 2);
    const QStringList lines = QString::fromUtf8(window.readAllStandardError()).split(u'\n');
    QStringList ours;
    for (const QString &line : lines) {
        if (line.startsWith(u"socklab: "_s))
            ours.append(line);
    }
    QCOMPARE(ours.size(), 1);
    QVERIFY2(ours.first().startsWith(u"socklab: --json: "_s), qPrintable(ours.first()));
}

void TestStartup::clientSendsEscapedTextOnce()
{
    TcpSink sink;
    QVERIFY(sink.start());
    SessionTab *tab = open({ u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(sink.port),
        u"--escapes"_s, u"--send"_s, u"a\\tb\\r\\n"_s, u"--timeout"_s, u"5000"_s });
    QVERIFY(tab);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    QVERIFY2(peers::waitUntil([&] { return sink.socat.output() == "a\tb\r\n"; }),
        sink.socat.output().constData());
    // The send box holds what was sent, as the user would have typed it.
    QCOMPARE(tab->findChild<QPlainTextEdit *>(u"sendEdit"_s)->toPlainText(), u"a\\tb\\r\\n"_s);
}

void TestStartup::clientRepeatsThenClosesAfterSend()
{
    TcpSink sink;
    QVERIFY(sink.start());
    SessionTab *tab = open({ u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(sink.port),
        u"--send-hex"_s, u"41 42"_s, u"--interval"_s, u"20"_s, u"--count"_s, u"3"_s,
        u"--close-after-send"_s, u"--linger"_s, u"50"_s });
    QVERIFY(tab);
    // Three sends, then our close: socat sees its end and exits.
    QVERIFY2(sink.socat.waitForFinished(), sink.socat.output().constData());
    QCOMPARE(sink.socat.output(), QByteArray("ABABAB"));
    QTRY_COMPARE(tab->session()->state(), Session::State::Idle);
    QCOMPARE(
        tab->findChild<QComboBox *>(u"sendMode"_s)->currentData().toInt(), int(SendBox::Mode::Hex));
}

void TestStartup::serverGreetsEachClientAndRepliesBytesUnchanged()
{
    SessionTab *tab = open({ u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--send"_s,
        u"hello "_s, u"--reply"_s, u"C:\\temp"_s });
    QVERIFY(tab);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    const quint16 port = static_cast<TcpServerTab *>(tab)->server()->serverPort();
    peers::Process first;
    peers::Process second;
    QVERIFY(first.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }));
    QVERIFY(peers::waitUntil([&] { return first.output() == "hello "; }));
    QVERIFY(second.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }));
    QVERIFY(peers::waitUntil([&] { return second.output() == "hello "; }));
    second.write("x");
    // The reply's backslash stays a backslash: not C:<TAB>emp.
    QVERIFY2(peers::waitUntil([&] { return second.output() == "hello C:\\temp"; }),
        second.output().constData());
    QCOMPARE(first.output(), QByteArray("hello "));
}

void TestStartup::serverRepeatsToWhoeverIsConnected()
{
    // Repeating before any client has come is no error: the client that
    // comes later gets the ticks from then on.
    SessionTab *tab = open({ u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--send-hex"_s,
        u"21"_s, u"--interval"_s, u"20"_s });
    QVERIFY(tab);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    const quint16 port = static_cast<TcpServerTab *>(tab)->server()->serverPort();
    // (socat takes longer to start than a tick: some go out to nobody.)
    peers::Process client;
    QVERIFY(client.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }));
    QVERIFY2(
        peers::waitUntil([&] { return client.output().size() >= 3; }), client.output().constData());
    QCOMPARE(client.output(), QByteArray(client.output().size(), '!'));
}

void TestStartup::hexReplyStaysBytes()
{
    SessionTab *tab = open({ u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"-e"_s, u"hex"_s,
        u"--reply"_s, u"41 ff 00 5c 0d"_s });
    QVERIFY(tab);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    // -e hex: the log shows hex and the send box reads hex.
    QCOMPARE(tab->logView()->findChild<QComboBox *>(u"logShow"_s)->currentData().toInt(),
        int(LogView::Show::Hex));
    const quint16 port = static_cast<UdpTab *>(tab)->udp()->localEndpoint().port;
    peers::Process peer;
    QVERIFY(peer.start(u"socat"_s, { u"-"_s, u"UDP:127.0.0.1:%1"_s.arg(port) }));
    peer.write("x");
    // Bytes as given, no U+FFFD (ef bf bd) for the byte that is not UTF-8.
    const QByteArray expected = QByteArray::fromHex("41ff005c0d");
    QVERIFY2(peers::waitUntil([&] { return peer.output() == expected; }),
        peer.output().toHex(' ').constData());
}

void TestStartup::udpSendsFileWithMulticastSettingsAndDuration()
{
    const QString path = m_scratch.filePath(u"five.bin"_s);
    QByteArray content;
    for (int i = 0; i < 5000; ++i)
        content.append(char('a' + i % 26));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(content), qint64(content.size()));
    }
    peers::Process receiver;
    QVERIFY(receiver.startScript(u"udp_receiver.py"_s, { u"--idle"_s, u"1"_s, u"--quiet"_s }));
    const auto portLine = receiver.waitForLine("port ");
    QVERIFY(portLine);

    SessionTab *tab = open({ u"udp"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--to"_s,
        u"127.0.0.1:"_s + QString::fromLatin1(*portLine), u"--send-file"_s, path, u"--chunk"_s,
        u"1000"_s, u"--ttl"_s, u"5"_s, u"--multicast-if"_s, u"lo"_s, u"--duration"_s, u"1500"_s });
    QVERIFY(tab);
    const auto total = receiver.waitForLine("total ");
    QVERIFY(total);
    QVERIFY2(total->startsWith("5000 5 "), total->constData());
    QCOMPARE(tab->findChild<QSpinBox *>(u"multicastTtl"_s)->value(), 5);
    QCOMPARE(
        tab->findChild<QComboBox *>(u"multicastInterface"_s)->currentData().toString(), u"lo"_s);
    // --duration stops the session; the window stays.
    QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), Session::State::Idle, 10'000);
    QVERIFY(m_window->isVisible());
}

void TestStartup::logFileGetsJsonLines()
{
    TcpSink sink;
    QVERIFY(sink.start());
    const QString path = m_scratch.filePath(u"events.jsonl"_s);
    SessionTab *tab = open({ u"tcp-client"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(sink.port),
        u"--send"_s, u"ping"_s, u"--log-file"_s, path, u"--log-json"_s });
    QVERIFY(tab);
    QVERIFY(peers::waitUntil([&] { return sink.socat.output() == "ping"; }));
    auto sentLogged = [&] {
        const QList<QByteArray> lines = readFile(path).split('\n');
        for (const QByteArray &line : lines) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (object.value(u"text"_s).toString() == u"ping"_s)
                return true;
        }
        return false;
    };
    QVERIFY2(peers::waitUntil(sentLogged), readFile(path).constData());
    m_window->trafficLog()->stopStreaming();
}

void TestStartup::sendFileGoesToTheSelectedClientOnly()
{
    SessionTab *tab = open({ u"tcp-server"_s, u"--listen"_s, u"127.0.0.1:0"_s });
    QVERIFY(tab);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    auto *server = static_cast<TcpServerTab *>(tab);
    const quint16 port = server->server()->serverPort();
    QTableView *table = server->peerTable();
    peers::Process first;
    peers::Process second;
    QVERIFY(first.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }));
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QVERIFY(second.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }));
    QTRY_COMPARE(table->model()->rowCount(), 2);

    // Select the second client: the target becomes "Send to selected".
    const QModelIndex secondRow = table->model()->index(1, PeerListModel::AddressColumn);
    table->scrollTo(secondRow);
    QTest::mouseClick(
        table->viewport(), Qt::LeftButton, Qt::NoModifier, table->visualRect(secondRow).center());
    auto *toSelected = tab->findChild<QRadioButton *>(u"sendToSelected"_s);
    QVERIFY(toSelected->isChecked());

    const QString path = m_scratch.filePath(u"selected.bin"_s);
    QByteArray content;
    for (int i = 0; i < 200'000; ++i)
        content.append(char('0' + i % 10));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(content), qint64(content.size()));
    }
    // Answer the file dialog "Send file..." opens as the user would.
    QTimer answer;
    // (Typed into its file name field, as the user would; again at each tick
    // until it has gone, in case it was not ready.)
    connect(&answer, &QTimer::timeout, this, [&path] {
        const QWidgetList windows = QApplication::topLevelWidgets();
        for (QWidget *window : windows) {
            auto *dialog = qobject_cast<QFileDialog *>(window);
            if (!dialog || !dialog->isVisible())
                continue;
            if (auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s)) {
                name->setText(path);
                QTest::keyClick(name, Qt::Key_Return);
            }
        }
    });
    answer.start(20);
    QTest::mouseClick(tab->findChild<QPushButton *>(u"sendFileButton"_s), Qt::LeftButton);
    QVERIFY2(peers::waitUntil([&] { return second.output().size() >= content.size(); }, 30'000),
        QByteArray::number(second.output().size()).constData());
    QCOMPARE(second.output(), content);

    // Then a typed send to all: TCP keeps order, so had the first client been
    // sent the file, its bytes would come before this.
    QTest::mouseClick(tab->findChild<QRadioButton *>(u"sendToAll"_s), Qt::LeftButton);
    auto *edit = tab->findChild<QPlainTextEdit *>(u"sendEdit"_s);
    edit->setFocus();
    QTest::keyClicks(edit, u"end"_s);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY2(peers::waitUntil([&] { return second.output().endsWith("end"); }),
        second.output().right(20).constData());
    QVERIFY2(peers::waitUntil([&] { return first.output().size() >= 3; }),
        first.output().left(20).constData());
    QCOMPARE(first.output(), QByteArray("end"));
}

QTEST_MAIN(TestStartup)
#include "tst_startup.moc"
