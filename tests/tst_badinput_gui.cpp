// Bad input as the window meets it (offscreen, driven by keys and clicks on
// children found by object name, dialogs answered as a user would): the
// message shown where the user looks, and nothing lost — the tab still
// works against a real peer, the old file is whole, the settings file keeps
// its previous content when it cannot be written. The net/ and socklab-cli
// rows of the same table are in tst_badinput.
//
// Full and read-only disks are tmpfs mounts in a private mount namespace of
// the test's own (tests/mounts.h); where it cannot be had, those rows skip.

#include "mainwindow.h"
#include "mounts.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpserversession.h"
#include "net/udp/udpsession.h"
#include "sendbox.h"
#include "sessiontab.h"
#include "tcpservertab.h"
#include "testsupport.h"
#include "tftptab.h"
#include "udptab.h"
#include "widgettest.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <functional>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using peers::startPeer;
using testfiles::entries;
using testfiles::readBytes;
using testfiles::writeBytes;
using widgettest::choose;
using widgettest::click;
using widgettest::typeInto;

namespace {

// Bad inputs tried, for the figure in docs/reliability.md.
int g_tried = 0;

const QString NotIPv4
    = u"'999.1.1.1' is not an IPv4 address (write four numbers 0-255, like 192.168.1.10)"_s;

QByteArray pattern(qsizetype size, int seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + i / 509 + seed) & 0xff);
    return bytes;
}

ino_t inodeOf(const QString &path)
{
    struct stat info
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? info.st_ino : 0;
}

// Fills the file system of folder to the last byte.
bool fill(const QString &folder)
{
    QFile filler(folder + u"/filler"_s);
    if (!filler.open(QIODevice::WriteOnly))
        return false;
    const QByteArray chunk(4096, 'f');
    while (filler.write(chunk) == chunk.size() && filler.flush()) { }
    return true;
}

// Answers the next modal dialog from inside its own event loop, as a user
// would: answer() gets the modal widget and says whether it dealt with it.
// A dialog still open after many tries is rejected, so a test fails rather
// than hangs.
class DialogAnswer
{
public:
    explicit DialogAnswer(std::function<bool(QWidget *)> answer)
        : m_answer(std::move(answer))
    {
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            QWidget *modal = QApplication::activeModalWidget();
            if (!modal)
                return;
            if (++m_tries > 100) {
                if (auto *dialog = qobject_cast<QDialog *>(modal))
                    dialog->reject();
                return;
            }
            if (m_answer(modal))
                m_answered = true;
        });
        m_timer.start(20);
    }
    bool answered() const { return m_answered; }

private:
    std::function<bool(QWidget *)> m_answer;
    QTimer m_timer;
    int m_tries = 0;
    bool m_answered = false;
};

// Types the whole path into the file dialog's name box, then OK.
std::function<bool(QWidget *)> chooseFile(const QString &path)
{
    return [path](QWidget *modal) {
        auto *dialog = qobject_cast<QFileDialog *>(modal);
        auto *name = dialog ? dialog->findChild<QLineEdit *>(u"fileNameEdit"_s) : nullptr;
        if (!name)
            return false;
        name->setText(path);
        static_cast<QDialog *>(dialog)->accept(); // the file dialog checks the choice
        return true;
    };
}

std::function<bool(QWidget *)> pressButton(QMessageBox::StandardButton which, QString *text)
{
    return [which, text](QWidget *modal) {
        auto *box = qobject_cast<QMessageBox *>(modal);
        if (!box || !box->button(which))
            return false;
        *text = box->text();
        box->button(which)->click();
        return true;
    };
}

} // namespace

class TestBadInputGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void clientTabBadHost_data();
    void clientTabBadHost();
    void udpTabBadTargetAndPorts();
    void portInUse_data();
    void portInUse();
    void sendBoxBadInput_data();
    void sendBoxBadInput();
    void sendBoxUnreadableFile();
    void tftpTabBadInput_data();
    void tftpTabBadInput();
    void tftpTabRemoteNameStaysInFolder();
    void streamingToFullDiskIsReported();
    void settingsReplacedByRename();
    void settingsFailureKeepsOldFile_data();
    void settingsFailureKeepsOldFile();
    void settingsWithUnknownEncoding();

private:
    template<typename T> T *child(QWidget *parent, const char *name)
    {
        return parent->findChild<T *>(QString::fromLatin1(name));
    }
    // A TCP server tab listening on 127.0.0.1, port 0, with socat connected.
    SessionTab *serverWithClient(peers::Process &socat);
    // Points QSettings at folder (made if need be); the settings file's path.
    QString useSettingsIn(const QString &folder);
    QString freshFolder(const QString &name);

    QTemporaryDir m_dir;
    QString m_config;
    QString m_lookupProblem;
    int m_folders = 0;
    std::unique_ptr<MainWindow> m_window;
};

void TestBadInputGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_config = m_dir.filePath(u"config"_s);
    QCoreApplication::setOrganizationName(u"SocklabTests"_s);
    QCoreApplication::setApplicationName(u"tst_badinput_gui"_s);
    useSettingsIn(m_config);
    m_lookupProblem = mounts::keepLookupsOnLoopback(m_dir.filePath(u"resolv.conf"_s));
    if (!mounts::available())
        qWarning("mount rows skip: %s", qPrintable(mounts::problem()));
    ::signal(SIGPIPE, SIG_IGN);
    widgettest::OffscreenNoiseFilter::install();
}

void TestBadInputGui::cleanupTestCase()
{
    qInfo("bad inputs tried: %d", g_tried);
    widgettest::OffscreenNoiseFilter::uninstall();
}

void TestBadInputGui::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestBadInputGui::cleanup()
{
    m_window.reset();
    useSettingsIn(m_config);
}

QString TestBadInputGui::useSettingsIn(const QString &folder)
{
    QDir().mkpath(folder);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder);
    return QSettings().fileName();
}

QString TestBadInputGui::freshFolder(const QString &name)
{
    const QString path = m_dir.filePath(u"%1-%2"_s.arg(name).arg(++m_folders));
    return QDir().mkpath(path) ? path : QString();
}

SessionTab *TestBadInputGui::serverWithClient(peers::Process &socat)
{
    SessionTab *tab = m_window->openSession(Session::Kind::TcpServer);
    typeInto(child<QComboBox>(tab, "listenAddress"), u"127.0.0.1"_s);
    typeInto(child<QSpinBox>(tab, "listenPort"), u"0"_s);
    click(child<QPushButton>(tab, "startStopButton"));
    if (!peers::waitUntil([&] { return tab->session()->state() == Session::State::Active; }))
        return nullptr;
    const quint16 port = qobject_cast<TcpServerTab *>(tab)->server()->serverPort();
    if (!socat.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(port) }))
        return nullptr;
    if (!peers::waitUntil(
            [&] { return qobject_cast<TcpServerTab *>(tab)->server()->peerCount() == 1; }))
        return nullptr;
    return tab;
}

// ---- Hosts and ports -------------------------------------------------------

void TestBadInputGui::clientTabBadHost_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("lookup");
    QTest::newRow("999.1.1.1") << u"999.1.1.1"_s << NotIPv4 << false;
    QTest::newRow("[::1") << u"[::1"_s << u"missing ']' in '[::1'"_s << false;
    QTest::newRow("no.such.host.invalid")
        << u"no.such.host.invalid"_s << u"host 'no.such.host.invalid' not found"_s << true;
}

void TestBadInputGui::clientTabBadHost()
{
    QFETCH(QString, host);
    QFETCH(QString, message);
    QFETCH(bool, lookup);
    if (lookup && !m_lookupProblem.isEmpty())
        QSKIP(qPrintable(u"no loopback-only resolver: "_s + m_lookupProblem));
    ++g_tried;
    SessionTab *tab = m_window->openSession(Session::Kind::TcpClient);
    auto *error = child<QLabel>(tab, "errorLabel");
    auto *start = child<QPushButton>(tab, "startStopButton");
    typeInto(child<QLineEdit>(tab, "remoteHost"), host);
    typeInto(child<QSpinBox>(tab, "remotePort"), u"80"_s);
    QVERIFY(start->isEnabled());
    click(start);
    QTRY_COMPARE_WITH_TIMEOUT(error->text(), message, 20'000);
    QVERIFY(error->isVisible());
    QTRY_COMPARE(tab->session()->state(), Session::State::Idle);

    // The same tab, pointed at a real server, connects and talks.
    peers::Process echo;
    const auto port = startPeer(echo, u"gui_echo_server.py"_s, {});
    QVERIFY(port);
    typeInto(child<QLineEdit>(tab, "remoteHost"), u"127.0.0.1"_s);
    typeInto(child<QSpinBox>(tab, "remotePort"), QString::number(*port));
    click(start);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    QVERIFY(error->isHidden());
    auto *edit = child<QPlainTextEdit>(tab, "sendEdit");
    typeInto(edit, u"ping"_s);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(echo.waitForLine("echo "), std::optional<QByteArray>("70696e67"));
}

void TestBadInputGui::udpTabBadTargetAndPorts()
{
    g_tried += 4;
    auto *tab = qobject_cast<UdpTab *>(m_window->openSession(Session::Kind::Udp));
    QVERIFY(tab);
    typeInto(child<QComboBox>(tab, "bindAddress"), u"127.0.0.1"_s);
    typeInto(child<QSpinBox>(tab, "bindPort"), u"0"_s);
    click(child<QPushButton>(tab, "startStopButton"));
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);

    auto *error = child<QLabel>(tab, "errorLabel");
    auto *targetHost = child<QLineEdit>(tab, "targetHost");
    auto *targetPort = child<QSpinBox>(tab, "targetPort");
    typeInto(targetHost, u"999.1.1.1"_s);
    QTest::keyClick(targetHost, Qt::Key_Return);
    QTRY_COMPARE(error->text(), NotIPv4);
    QVERIFY(error->isVisible());
    QCOMPARE(tab->session()->state(), Session::State::Active); // still bound

    // The spin boxes take no port 0 and nothing past 65535.
    const int before = targetPort->value();
    typeInto(targetPort, u"0"_s);
    QTest::keyClick(targetPort, Qt::Key_Tab);
    QCOMPARE(targetPort->value(), before);
    typeInto(targetPort, u"65536"_s);
    QVERIFY(targetPort->value() <= 65535);
    typeInto(targetPort, u"-1"_s);
    QVERIFY(targetPort->value() >= 1);
    QCOMPARE(tab->session()->counters().txPackets, 0u);

    // A real receiver as the target: the tab sends there.
    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, {});
    QVERIFY(port);
    typeInto(targetHost, u"127.0.0.1"_s);
    QTest::keyClick(targetHost, Qt::Key_Return);
    typeInto(targetPort, QString::number(*port));
    QTest::keyClick(targetPort, Qt::Key_Tab);
    QCOMPARE(tab->udp()->target().port, *port);
    auto *edit = child<QPlainTextEdit>(tab, "sendEdit");
    typeInto(edit, u"ping"_s);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    const auto line = receiver.waitForLine("rx ");
    QVERIFY(line);
    QVERIFY2(line->endsWith(" 70696e67"), line->constData());
}

void TestBadInputGui::portInUse_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("TCP server tab") << true;
    QTest::newRow("UDP tab") << false;
}

void TestBadInputGui::portInUse()
{
    QFETCH(bool, tcp);
    ++g_tried;
    peers::Process holder;
    const auto port = startPeer(holder, u"port_holder.py"_s, { tcp ? u"--tcp"_s : u"--udp"_s });
    QVERIFY(port);
    SessionTab *tab = m_window->openSession(tcp ? Session::Kind::TcpServer : Session::Kind::Udp);
    typeInto(child<QComboBox>(tab, tcp ? "listenAddress" : "bindAddress"), u"127.0.0.1"_s);
    typeInto(child<QSpinBox>(tab, tcp ? "listenPort" : "bindPort"), QString::number(*port));
    auto *start = child<QPushButton>(tab, "startStopButton");
    click(start);
    auto *error = child<QLabel>(tab, "errorLabel");
    const QString message = (tcp ? u"port %1 is already in use (127.0.0.1:%1)"_s
                                 : u"UDP port %1 is already in use (127.0.0.1:%1)"_s)
                                .arg(*port);
    QTRY_COMPARE(error->text(), message);
    QVERIFY(error->isVisible());
    QCOMPARE(tab->session()->state(), Session::State::Idle);
    QVERIFY(start->isEnabled());
    // Once the other program lets go, the same button takes the port.
    holder.closeWrite();
    QVERIFY(holder.waitForLine("released"));
    QVERIFY(holder.waitForFinished());
    click(start);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    QVERIFY(error->isHidden());
}

// ---- The send box ----------------------------------------------------------

void TestBadInputGui::sendBoxBadInput_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const int hex = int(SendBox::Mode::Hex);
    const int text = int(SendBox::Mode::Text);
    QTest::newRow("odd hex") << hex << u"UTF-8"_s << u"41 42 4"_s
                             << u"odd number of hex digits: '4' at column 7 has no partner"_s;
    QTest::newRow("non-hex digit")
        << hex << u"UTF-8"_s << u"41 4G"_s << u"'G' at column 5 is not a hex digit"_s;
    QTest::newRow("euro in Latin-1")
        << text << u"Latin-1"_s << u"5€"_s
        << u"character '€' (U+20AC) at position 2 cannot be encoded in Latin-1"_s;
    QTest::newRow("Chinese in Latin-1")
        << text << u"Latin-1"_s << u"你好"_s
        << u"character '你' (U+4F60) at position 1 cannot be encoded in Latin-1"_s;
    QTest::newRow("emoji in GB2312")
        << text << u"GB2312"_s << u"a😀"_s
        << u"character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"_s;
}

void TestBadInputGui::sendBoxBadInput()
{
    QFETCH(int, mode);
    QFETCH(QString, encoding);
    QFETCH(QString, text);
    QFETCH(QString, message);
    ++g_tried;
    peers::Process socat;
    SessionTab *tab = serverWithClient(socat);
    QVERIFY(tab);
    QVERIFY(choose(child<QComboBox>(tab, "encodingCombo"), encoding));
    QVERIFY(choose(child<QComboBox>(tab, "sendMode"), mode));
    QVERIFY(choose(child<QComboBox>(tab, "sendLineEnding"), int(SendBox::LineEnding::None)));
    auto *edit = child<QPlainTextEdit>(tab, "sendEdit");
    auto *error = child<QLabel>(tab, "sendError");
    edit->setPlainText(text); // as pasted: typing cannot make every character
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(error->text(), message);
    QVERIFY(error->isVisible());
    click(child<QPushButton>(tab, "sendButton"));
    QCOMPARE(error->text(), message);
    QCOMPARE(tab->session()->counters().txBytes, 0u);
    // Nothing lost: the text stays to be fixed, the client is still there,
    // and the fixed text arrives.
    QCOMPARE(edit->toPlainText(), text);
    QCOMPARE(tab->session()->state(), Session::State::Active);
    edit->setPlainText(mode == int(SendBox::Mode::Hex) ? u"6f6b"_s : u"ok"_s);
    QVERIFY(error->isHidden());
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY2(peers::waitUntil([&] { return socat.output() == "ok"; }), socat.output().constData());
}

void TestBadInputGui::sendBoxUnreadableFile()
{
    ++g_tried;
    peers::Process socat;
    SessionTab *tab = serverWithClient(socat);
    QVERIFY(tab);
    auto *error = child<QLabel>(tab, "sendError");
    auto *button = child<QPushButton>(tab, "sendFileButton");
    // Root reads any file that exists; this one opens and then cannot be read.
    {
        DialogAnswer answer(chooseFile(u"/proc/self/mem"_s));
        click(button);
        QVERIFY(answer.answered());
    }
    QTRY_COMPARE(error->text(), u"cannot read /proc/self/mem: Input/output error"_s);
    QVERIFY(error->isVisible());
    QCOMPARE(tab->session()->counters().txBytes, 0u);
    // The next file goes through the same box whole.
    const QString path = m_dir.filePath(u"send.bin"_s);
    const QByteArray content = pattern(100'000, 1);
    QVERIFY(writeBytes(path, content));
    {
        DialogAnswer answer(chooseFile(path));
        click(button);
        QVERIFY(answer.answered());
    }
    QVERIFY2(peers::waitUntil([&] { return socat.output().size() >= content.size(); }),
        qPrintable(QString::number(socat.output().size())));
    QCOMPARE(socat.output(), content);
}

// ---- The TFTP tab ----------------------------------------------------------

void TestBadInputGui::tftpTabBadInput_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("read-only folder") << u"ro"_s;
    QTest::newRow("a file as the folder") << u"file"_s;
    QTest::newRow("full disk") << u"full"_s;
    QTest::newRow("server 999.1.1.1") << u"host"_s;
}

void TestBadInputGui::tftpTabBadInput()
{
    QFETCH(QString, how);
    const QString folder = freshFolder(u"tftp"_s);
    mounts::Tmpfs tmpfs;
    QString local = folder;
    QString host = u"127.0.0.1"_s;
    QString message;
    const QByteArray old = pattern(16 * 1024, 2);
    if (how == u"ro"_s) {
        if (!tmpfs.mount(folder, "ro"))
            QSKIP(qPrintable(tmpfs.error()));
        message = u"cannot create a file in %1: Read-only file system"_s.arg(folder);
    } else if (how == u"file"_s) {
        QVERIFY(writeBytes(folder + u"/notes.txt"_s, old));
        local = folder + u"/notes.txt/fw.bin"_s;
        message = u"%1/notes.txt is not a folder"_s.arg(folder);
    } else if (how == u"full"_s) {
        if (!tmpfs.mount(folder, "size=256k"))
            QSKIP(qPrintable(tmpfs.error()));
        QVERIFY(writeBytes(folder + u"/fw.bin"_s, old));
        message = u"cannot write %1/fw.bin: No space left on device"_s.arg(folder);
    } else {
        host = u"999.1.1.1"_s;
        message = NotIPv4;
    }
    ++g_tried;
    const QStringList before = entries(folder);
    const QString served = m_dir.filePath(u"served.bin"_s);
    QVERIFY(writeBytes(served, pattern(2 * 1024 * 1024, 3)));
    peers::Process server;
    const auto port = startPeer(server, u"tftp_evil.py"_s,
        { u"--scenario"_s, u"normal"_s, u"--file"_s, served, u"--deadline"_s, u"30"_s });
    QVERIFY(port);

    TftpTab *tab = m_window->openTftp();
    typeInto(child<QLineEdit>(tab, "tftpHost"), host);
    typeInto(child<QSpinBox>(tab, "tftpPort"), QString::number(*port));
    typeInto(child<QLineEdit>(tab, "tftpRemote"), u"fw.bin"_s);
    typeInto(child<QLineEdit>(tab, "tftpLocal"), local);
    typeInto(child<QSpinBox>(tab, "tftpBlockSize"), u"65464"_s);
    auto *overwrite = child<QCheckBox>(tab, "tftpOverwrite");
    if (!overwrite->isChecked())
        click(overwrite);
    QSignalSpy finished(tab, &TftpTab::transferFinished);
    click(child<QPushButton>(tab, "tftpDownload"));
    QVERIFY(finished.wait(30'000));
    QCOMPARE(child<QLabel>(tab, "tftpResult")->text(), message);
    // The old file whole, nothing else left in the folder.
    QCOMPARE(entries(folder), before);
    if (how == u"full"_s)
        QCOMPARE(readBytes(folder + u"/fw.bin"_s), old);
    if (how == u"file"_s)
        QCOMPARE(readBytes(folder + u"/notes.txt"_s), old);
    // The tab is ready for the next try.
    QVERIFY(child<QPushButton>(tab, "tftpDownload")->isEnabled());
}

void TestBadInputGui::tftpTabRemoteNameStaysInFolder()
{
    ++g_tried;
    const QString parent = freshFolder(u"names"_s);
    const QString folder = parent + u"/in"_s;
    QVERIFY(QDir().mkpath(folder));
    const QString served = m_dir.filePath(u"small.bin"_s);
    QVERIFY(writeBytes(served, pattern(3000, 4)));
    peers::Process server;
    const auto port = startPeer(server, u"tftp_evil.py"_s,
        { u"--scenario"_s, u"normal"_s, u"--file"_s, served, u"--deadline"_s, u"20"_s });
    QVERIFY(port);
    TftpTab *tab = m_window->openTftp();
    typeInto(child<QLineEdit>(tab, "tftpHost"), u"127.0.0.1"_s);
    typeInto(child<QSpinBox>(tab, "tftpPort"), QString::number(*port));
    typeInto(child<QLineEdit>(tab, "tftpRemote"), u"../../etc/passwd"_s);
    typeInto(child<QLineEdit>(tab, "tftpLocal"), folder);
    QSignalSpy finished(tab, &TftpTab::transferFinished);
    click(child<QPushButton>(tab, "tftpDownload"));
    QVERIFY(finished.wait(20'000));
    const auto result = finished.first().first().value<TftpResult>();
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    // The server was asked for exactly what was typed (and the tab's options).
    const QByteArray request = server.waitForLine("request ").value_or("(none)");
    QVERIFY2(request.startsWith("rrq ../../etc/passwd octet "), request.constData());
    QCOMPARE(entries(folder), QStringList { u"passwd"_s });
    QCOMPARE(entries(parent), QStringList { u"in"_s });
    QCOMPARE(readBytes(folder + u"/passwd"_s), readBytes(served));
}

// ---- The log streamed to a full disk ----------------------------------------

void TestBadInputGui::streamingToFullDiskIsReported()
{
    const QString folder = freshFolder(u"stream"_s);
    mounts::Tmpfs small;
    if (!small.mount(folder, "size=64k"))
        QSKIP(qPrintable(small.error()));
    ++g_tried;
    peers::Process socat;
    SessionTab *tab = serverWithClient(socat);
    QVERIFY(tab);
    auto *stream = m_window->findChild<QAction *>(u"streamLog"_s);
    QVERIFY(stream);
    const QString path = folder + u"/stream.txt"_s;
    {
        DialogAnswer answer(chooseFile(path));
        stream->trigger();
        QVERIFY(answer.answered());
    }
    QVERIFY(stream->isChecked());
    QVERIFY(m_window->trafficLog()->isStreaming());
    const QString message
        = u"Streaming stopped: cannot write log to %1: No space left on device"_s.arg(path);
    const QByteArray chunk(8 * 1024, 'q'); // some 33 KiB of log each (text and hex)
    for (int i = 0; i < 20 && m_window->statusBar()->currentMessage() != message; ++i) {
        socat.write(chunk);
        peers::waitUntil([&] { return m_window->statusBar()->currentMessage() == message; }, 300);
    }
    QCOMPARE(m_window->statusBar()->currentMessage(), message);
    QVERIFY(!stream->isChecked());
    QVERIFY(!m_window->trafficLog()->isStreaming());
    // The session goes on: data still arrives and is logged.
    const quint64 received = tab->session()->counters().rxBytes;
    socat.write("still here");
    QTRY_COMPARE(tab->session()->counters().rxBytes, received + 10);
}

// ---- Settings --------------------------------------------------------------

void TestBadInputGui::settingsReplacedByRename()
{
    const QString folder = freshFolder(u"settings"_s);
    const QString file = useSettingsIn(folder);
    m_window->openSession(Session::Kind::TcpServer);
    QString error;
    QVERIFY2(m_window->saveState(&error), qPrintable(error));
    const ino_t first = inodeOf(file);
    QVERIFY(first != 0);
    m_window->openSession(Session::Kind::Udp);
    QVERIFY2(m_window->saveState(&error), qPrintable(error));
    // A new file took the name (QSaveFile: temporary, then rename): a crash
    // while writing leaves the old file whole, never a truncated one.
    QVERIFY(inodeOf(file) != first);
    QCOMPARE(entries(QFileInfo(file).path()), QStringList { QFileInfo(file).fileName() });
    QVERIFY(readBytes(file).contains("kind=udp"));
}

void TestBadInputGui::settingsFailureKeepsOldFile_data()
{
    QTest::addColumn<bool>("full");
    QTest::newRow("read-only folder") << false;
    QTest::newRow("full disk") << true;
}

void TestBadInputGui::settingsFailureKeepsOldFile()
{
    QFETCH(bool, full);
    const QString folder = freshFolder(u"settings"_s);
    mounts::Tmpfs tmpfs;
    if (!tmpfs.mount(folder, "size=64k"))
        QSKIP(qPrintable(tmpfs.error()));
    ++g_tried;
    const QString file = useSettingsIn(folder);
    m_window->openSession(Session::Kind::TcpServer);
    QString error;
    QVERIFY2(m_window->saveState(&error), qPrintable(error));
    const QByteArray old = readBytes(file);
    QVERIFY(old.contains("kind=tcp-server"));
    const QStringList before = entries(QFileInfo(file).path());

    if (full)
        QVERIFY(fill(folder));
    else
        QVERIFY2(tmpfs.remountReadOnly(), qPrintable(tmpfs.error()));
    m_window->openSession(Session::Kind::Udp);
    QVERIFY(!m_window->saveState(&error));
    const QString message
        = u"The settings could not be saved to %1 (the folder is not writable "
          "or the disk is full); the file keeps the previous settings."_s.arg(file);
    QCOMPARE(error, message);
    QCOMPARE(readBytes(file), old);
    QCOMPARE(entries(QFileInfo(file).path()), before);

    // Closing the window asks; Cancel keeps it open (and says why in the
    // status bar), Close closes it.
    QString asked;
    {
        DialogAnswer answer(pressButton(QMessageBox::Cancel, &asked));
        m_window->close();
        QVERIFY(answer.answered());
    }
    QCOMPARE(asked, message + u"\n\nClose anyway?"_s);
    QVERIFY(m_window->isVisible());
    QCOMPARE(m_window->statusBar()->currentMessage(), message);
    {
        DialogAnswer answer(pressButton(QMessageBox::Close, &asked));
        m_window->close();
        QVERIFY(answer.answered());
    }
    QVERIFY(!m_window->isVisible());
    QCOMPARE(readBytes(file), old);
}

void TestBadInputGui::settingsWithUnknownEncoding()
{
    // A settings file edited by hand: an encoding this build does not know.
    ++g_tried;
    const QString folder = freshFolder(u"settings"_s);
    const QString file = useSettingsIn(folder);
    QVERIFY(QDir().mkpath(QFileInfo(file).path()));
    QVERIFY(writeBytes(file, "[sessions]\n1\\kind=tcp-server\n1\\encoding=klingon\nsize=1\n"));
    MainWindow window;
    window.restoreState(false);
    QCOMPARE(window.sessionTabs().size(), 1);
    QCOMPARE(window.sessionTabs().first()->encoding(), u"UTF-8"_s);
    QCOMPARE(window.sessionTabs().first()->session()->encoding(), u"UTF-8"_s);
}

int main(int argc, char *argv[])
{
    mounts::enterPrivateNamespace(); // before any thread
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TestBadInputGui test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_badinput_gui.moc"
