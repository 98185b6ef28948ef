// The socklab window, driven as a user would (keys and clicks on children
// found by object name) under QT_QPA_PLATFORM=offscreen, against real peers
// on loopback: socat clients and the Python peers in tests/peers/gui_*.py.
// Every port is chosen by the kernel and read back.

#include "testsupport.h"
#include "widgettest.h"

#include "addresscombo.h"
#include "logview.h"
#include "mainwindow.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpserversession.h"
#include "net/udp/udpsession.h"
#include "peerlistmodel.h"
#include "sendbox.h"
#include "sessiontab.h"
#include "tcpclienttab.h"
#include "tcpservertab.h"
#include "trafficlogmodel.h"
#include "udptab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;
using widgettest::choose;
using widgettest::click;
using widgettest::typeInto;

// Runs a helper that verifies with QVERIFY/QCOMPARE and stops the test when it failed.
#define RUN_STEP(step)                                                                             \
    do {                                                                                           \
        step;                                                                                      \
        if (QTest::currentTestFailed())                                                            \
            return;                                                                                \
    } while (false)

namespace {

// The children of a session tab a test drives, found by object name.
struct Ui
{
    SessionTab *tab = nullptr;
    QPushButton *startStop = nullptr;
    QLabel *state = nullptr;
    QLabel *error = nullptr;
    QComboBox *encoding = nullptr;
    QComboBox *responderMode = nullptr;
    QLineEdit *reply = nullptr;
    QPlainTextEdit *sendEdit = nullptr;
    QComboBox *sendMode = nullptr;
    QComboBox *sendLineEnding = nullptr;
    QPushButton *sendButton = nullptr;
    QLabel *sendError = nullptr;
    QToolButton *repeat = nullptr;
    QSpinBox *repeatInterval = nullptr;
    QSpinBox *repeatCount = nullptr;
    QLabel *repeatState = nullptr;
    QTableView *logTable = nullptr;
    QComboBox *logShow = nullptr;
    // TCP server
    AddressCombo *listenAddress = nullptr;
    QSpinBox *listenPort = nullptr;
    QTableView *peerTable = nullptr;
    QLabel *peerCount = nullptr;
    QRadioButton *sendToSelected = nullptr;
    QRadioButton *sendToAll = nullptr;
    QPushButton *disconnectSelected = nullptr;
    // TCP client
    QLineEdit *remoteHost = nullptr;
    QSpinBox *remotePort = nullptr;
    // UDP
    AddressCombo *bindAddress = nullptr;
    QSpinBox *bindPort = nullptr;
    QLineEdit *targetHost = nullptr;
    QSpinBox *targetPort = nullptr;

    // The names that were not found, empty when all were.
    QStringList bind(SessionTab *sessionTab)
    {
        tab = sessionTab;
        QStringList missing;
        auto find = [&]<typename T>(T *&out, const QString &name) {
            out = tab->findChild<T *>(name);
            if (!out)
                missing << name;
        };
        find(startStop, u"startStopButton"_s);
        find(state, u"stateLabel"_s);
        find(error, u"errorLabel"_s);
        find(encoding, u"encodingCombo"_s);
        find(responderMode, u"responderMode"_s);
        find(reply, u"replyEdit"_s);
        find(sendEdit, u"sendEdit"_s);
        find(sendMode, u"sendMode"_s);
        find(sendLineEnding, u"sendLineEnding"_s);
        find(sendButton, u"sendButton"_s);
        find(sendError, u"sendError"_s);
        find(repeat, u"repeatButton"_s);
        find(repeatInterval, u"repeatInterval"_s);
        find(repeatCount, u"repeatCount"_s);
        find(repeatState, u"repeatState"_s);
        find(logTable, u"logTable"_s);
        find(logShow, u"logShow"_s);
        switch (tab->session()->kind()) {
        case Session::Kind::TcpServer:
            find(listenAddress, u"listenAddress"_s);
            find(listenPort, u"listenPort"_s);
            find(peerTable, u"peerTable"_s);
            find(peerCount, u"peerCount"_s);
            find(sendToSelected, u"sendToSelected"_s);
            find(sendToAll, u"sendToAll"_s);
            find(disconnectSelected, u"disconnectSelected"_s);
            break;
        case Session::Kind::TcpClient:
            find(remoteHost, u"remoteHost"_s);
            find(remotePort, u"remotePort"_s);
            break;
        case Session::Kind::Udp:
            find(bindAddress, u"bindAddress"_s);
            find(bindPort, u"bindPort"_s);
            find(targetHost, u"targetHost"_s);
            find(targetPort, u"targetPort"_s);
            break;
        }
        return missing;
    }
};

void pressCtrlReturn(QWidget *widget)
{
    QTest::keyClick(widget, Qt::Key_Return, Qt::ControlModifier);
}

// One row of a log view, as the view's model presents it.
struct LogRow
{
    LogKind kind = LogKind::Info;
    quint64 peerId = 0;
    QString peer;
    QString text;
    QString hex;
    QByteArray raw;
};

QList<LogRow> logRows(const QAbstractItemModel *model)
{
    QList<LogRow> rows;
    for (int row = 0; row < model->rowCount(); ++row) {
        auto cell = [&](int column, int role = Qt::DisplayRole) {
            return model->index(row, column).data(role);
        };
        rows.append({ LogKind(cell(0, TrafficLogModel::KindRole).toInt()),
            cell(0, TrafficLogModel::PeerIdRole).toULongLong(),
            cell(TrafficLogModel::PeerColumn).toString(),
            cell(TrafficLogModel::TextColumn).toString(),
            cell(TrafficLogModel::HexColumn).toString(),
            cell(0, TrafficLogModel::RawDataRole).toByteArray() });
    }
    return rows;
}

QList<LogRow> logRows(const QAbstractItemModel *model, LogKind kind)
{
    QList<LogRow> rows = logRows(model);
    rows.removeIf([kind](const LogRow &row) { return row.kind != kind; });
    return rows;
}

QList<QByteArray> payloads(const QAbstractItemModel *model, LogKind kind)
{
    QList<QByteArray> list;
    for (const LogRow &row : logRows(model, kind))
        list << row.raw;
    return list;
}

QList<quint64> peerIds(const QAbstractItemModel *model, LogKind kind)
{
    QList<quint64> list;
    for (const LogRow &row : logRows(model, kind))
        list << row.peerId;
    return list;
}

// Splits one CSV line (RFC 4180 quoting).
QStringList csvFields(QStringView line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

// What a tab's named input widgets hold, for comparing two windows.
QMap<QString, QString> fieldValues(const QWidget *tab)
{
    QMap<QString, QString> values;
    const QList<QWidget *> children = tab->findChildren<QWidget *>();
    for (const QWidget *child : children) {
        const QString name = child->objectName();
        if (name.isEmpty() || name.startsWith(u"qt_"_s))
            continue;
        QString value;
        if (const auto *address = qobject_cast<const AddressCombo *>(child))
            value = address->addressText();
        else if (const auto *combo = qobject_cast<const QComboBox *>(child))
            value = QString::number(combo->currentIndex()) + u' ' + combo->currentText();
        else if (const auto *spin = qobject_cast<const QSpinBox *>(child))
            value = QString::number(spin->value());
        else if (const auto *line = qobject_cast<const QLineEdit *>(child))
            value = line->text();
        else if (const auto *button = qobject_cast<const QAbstractButton *>(child))
            value = button->isCheckable() ? (button->isChecked() ? u"checked"_s : u"unchecked"_s)
                                          : QString();
        else if (const auto *edit = qobject_cast<const QPlainTextEdit *>(child))
            value = edit->toPlainText();
        else
            continue;
        values.insert(name, value + (child->isEnabled() ? QString() : u" (disabled)"_s));
    }
    return values;
}

} // namespace

class TestGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void tcpServerListensOnKernelPort();
    void tcpServerSendsToSelectedThenAllAndDisconnects();
    void sendToSelectedAfterThePeerLeft();
    void closingServerTabDropsItsClients();
    void gb2312SplitAcrossSegmentsShowsWholeAndSaves();
    void secondServerOnSamePortShowsInUse();
    void oddHexDigitShowsColumnAndSendsNothing();
    void periodicSendStopsAfterCount();
    void emptyBoxNeverRepeats_data();
    void emptyBoxNeverRepeats();
    void tcpClientGetsEcho();
    void udpExchangesDatagrams();
    void settingsRoundTrip();

private:
    // Opens a TCP server tab and makes it listen on 127.0.0.1, port 0.
    void startServer(Ui &ui);
    // Starts a socat client of the server in ui and waits for its row.
    void connectSocat(Ui &ui, peers::Process &socat);
    quint16 serverPort(const Ui &ui) const;

    QTemporaryDir m_config;
    std::unique_ptr<MainWindow> m_window;
};

void TestGui::initTestCase()
{
    // Never the user's settings: QSettings lives in a directory of our own.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_config.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_config.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_config.path());
    QCoreApplication::setOrganizationName(u"SocklabTests"_s);
    QCoreApplication::setApplicationName(u"tst_gui"_s);
    QVERIFY2(
        QSettings().fileName().startsWith(m_config.path()), qPrintable(QSettings().fileName()));
    // As the application does: a peer gone away is an error, not a signal.
    ::signal(SIGPIPE, SIG_IGN);
    widgettest::OffscreenNoiseFilter::install();
}

void TestGui::cleanupTestCase()
{
    widgettest::OffscreenNoiseFilter::uninstall();
}

void TestGui::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestGui::cleanup()
{
    m_window.reset();
}

quint16 TestGui::serverPort(const Ui &ui) const
{
    return qobject_cast<TcpServerTab *>(ui.tab)->server()->serverPort();
}

void TestGui::startServer(Ui &ui)
{
    SessionTab *tab = m_window->openSession(Session::Kind::TcpServer);
    QVERIFY(qobject_cast<TcpServerTab *>(tab));
    const QStringList missing = ui.bind(tab);
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
    QCOMPARE(m_window->tabs()->currentWidget(), tab);

    typeInto(ui.listenAddress, u"127.0.0.1"_s);
    typeInto(ui.listenPort, u"0"_s);
    QCOMPARE(ui.listenAddress->addressText(), u"127.0.0.1"_s);
    QCOMPARE(ui.listenPort->value(), 0);
    QVERIFY(ui.startStop->isEnabled());
    click(ui.startStop);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    QVERIFY(serverPort(ui) != 0);
}

void TestGui::connectSocat(Ui &ui, peers::Process &socat)
{
    const int before = ui.peerTable->model()->rowCount();
    QVERIFY(socat.start(u"socat"_s, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(serverPort(ui)) }));
    QTRY_COMPARE(ui.peerTable->model()->rowCount(), before + 1);
}

void TestGui::tcpServerListensOnKernelPort()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    const quint16 port = serverPort(ui);
    QCOMPARE(ui.state->text(), u"● Listening on 127.0.0.1:%1"_s.arg(port));
    QCOMPARE(ui.startStop->text(), u"Stop"_s);
    QVERIFY(!ui.listenPort->isEnabled());
    QVERIFY(!ui.listenAddress->isEnabled());
    QVERIFY(ui.error->isHidden());
    QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->indexOf(ui.tab)),
        u"TCP Server :%1"_s.arg(port));
    QCOMPARE(ui.peerCount->text(), u"0 client(s) connected"_s);

    // The log view of the tab says where it listens.
    QTRY_COMPARE(logRows(ui.logTable->model(), LogKind::Listening).size(), 1);
    QCOMPARE(
        logRows(ui.logTable->model(), LogKind::Listening).at(0).peer, u"127.0.0.1:%1"_s.arg(port));

    click(ui.startStop);
    QTRY_COMPARE(ui.tab->session()->state(), Session::State::Idle);
    QCOMPARE(ui.state->text(), u"● Stopped"_s);
    QCOMPARE(ui.startStop->text(), u"Listen"_s);
    QVERIFY(ui.listenPort->isEnabled());
}

void TestGui::tcpServerSendsToSelectedThenAllAndDisconnects()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process first;
    peers::Process second;
    // One after the other, so the rows come in this order.
    RUN_STEP(connectSocat(ui, first));
    RUN_STEP(connectSocat(ui, second));
    QTRY_COMPARE(ui.peerCount->text(), u"2 client(s) connected"_s);

    QAbstractItemModel *peers = ui.peerTable->model();
    const quint64 firstId = peers->index(0, 0).data(PeerListModel::PeerIdRole).toULongLong();
    const quint64 secondId = peers->index(1, 0).data(PeerListModel::PeerIdRole).toULongLong();
    QVERIFY(firstId != secondId);
    QCOMPARE(peers->index(1, PeerListModel::AddressColumn).data().toString(), u"127.0.0.1"_s);

    // Select the second client's row with the mouse: sending switches to "selected".
    QVERIFY(ui.sendToAll->isChecked());
    const QModelIndex secondRow = peers->index(1, PeerListModel::AddressColumn);
    ui.peerTable->scrollTo(secondRow);
    const QPoint where = ui.peerTable->visualRect(secondRow).center();
    QVERIFY(ui.peerTable->viewport()->rect().contains(where));
    QTest::mouseClick(ui.peerTable->viewport(), Qt::LeftButton, Qt::NoModifier, where);
    QCOMPARE(ui.peerTable->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(ui.peerTable->selectionModel()->selectedRows().at(0).row(), 1);
    QVERIFY(ui.sendToSelected->isChecked());

    typeInto(ui.sendEdit, u"to the second"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY2(ui.sendError->isHidden(), qPrintable(ui.sendError->text()));
    QVERIFY2(peers::waitUntil([&] { return second.output() == "to the second"; }),
        second.output().constData());

    click(ui.sendToAll);
    QVERIFY(ui.sendToAll->isChecked());
    QVERIFY(!ui.sendToSelected->isChecked());
    typeInto(ui.sendEdit, u"to all"_s);
    pressCtrlReturn(ui.sendEdit);
    // TCP keeps order: had the first client been sent the earlier text, it
    // would come before this.
    QVERIFY2(
        peers::waitUntil([&] { return first.output() == "to all"; }), first.output().constData());
    QVERIFY2(peers::waitUntil([&] { return second.output() == "to the secondto all"; }),
        second.output().constData());
    QTRY_COMPARE(peerIds(ui.logTable->model(), LogKind::Tx),
        (QList<quint64> { secondId, firstId, secondId }));

    // The selection is still the second client: disconnect it.
    QCOMPARE(ui.peerTable->selectionModel()->selectedRows().size(), 1);
    click(ui.disconnectSelected);
    QVERIFY(second.waitForFinished());
    QTRY_COMPARE(peers->rowCount(), 1);
    QCOMPARE(peers->index(0, 0).data(PeerListModel::PeerIdRole).toULongLong(), firstId);
    QCOMPARE(ui.peerCount->text(), u"1 client(s) connected"_s);
    QCOMPARE(first.process().state(), QProcess::Running);
    QTRY_COMPARE(peerIds(ui.logTable->model(), LogKind::Disconnected), QList<quint64> { secondId });
}

void TestGui::sendToSelectedAfterThePeerLeft()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process socat;
    RUN_STEP(connectSocat(ui, socat));
    QAbstractItemModel *peers = ui.peerTable->model();
    const QModelIndex row = peers->index(0, PeerListModel::AddressColumn);
    QTest::mouseClick(ui.peerTable->viewport(), Qt::LeftButton, Qt::NoModifier,
        ui.peerTable->visualRect(row).center());
    QVERIFY(ui.sendToSelected->isChecked());

    // The selected client leaves: its row and the selection go, the choice stays.
    socat.stop();
    QTRY_COMPARE(peers->rowCount(), 0);
    QVERIFY(ui.peerTable->selectionModel()->selectedRows().isEmpty());
    QVERIFY(ui.sendToSelected->isChecked());

    typeInto(ui.sendEdit, u"anyone?"_s);
    pressCtrlReturn(ui.sendEdit);
    QCOMPARE(ui.tab->session()->counters().txPackets, 0u);
    // The reason shows under the send box, where the user just pressed Send.
    QVERIFY(!ui.sendError->isHidden());
    QVERIFY2(
        ui.sendError->text().contains(u"no client selected"_s), qPrintable(ui.sendError->text()));
}

void TestGui::closingServerTabDropsItsClients()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process first;
    peers::Process second;
    RUN_STEP(connectSocat(ui, first));
    RUN_STEP(connectSocat(ui, second));
    const int sessionId = ui.tab->session()->logId();

    // The tab's close button, as a user closes it.
    QTabWidget *tabs = m_window->tabs();
    QWidget *close = tabs->tabBar()->tabButton(tabs->indexOf(ui.tab), QTabBar::RightSide);
    QVERIFY(close);
    QPointer<SessionTab> tab = ui.tab;
    click(close);
    QVERIFY(tab.isNull());
    QCOMPARE(tabs->count(), 0);
    QVERIFY(first.waitForFinished());
    QVERIFY(second.waitForFinished());

    // The log still tells what became of the clients and the listener.
    const TrafficLog *log = m_window->trafficLog();
    QStringList events;
    for (qsizetype i = 0; i < log->size(); ++i) {
        const LogEntry &e = log->at(i);
        if (e.session == sessionId && (e.kind == LogKind::Disconnected || e.kind == LogKind::Info))
            events << logKindName(e.kind) + u' ' + QString::fromUtf8(e.data);
    }
    QCOMPARE(events,
        (QStringList { u"disconnected server stopped"_s, u"disconnected server stopped"_s,
            u"info stopped listening"_s }));
}

void TestGui::gb2312SplitAcrossSegmentsShowsWholeAndSaves()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    QVERIFY(choose(ui.encoding, u"GB2312"_s));
    QCOMPARE(ui.tab->session()->encoding(), u"GB2312"_s);

    peers::Process client;
    QVERIFY(client.startScript(
        u"gui_tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(serverPort(ui)) }));
    const auto local = client.waitForLine("local ");
    QVERIFY2(local, client.errors().constData());
    const QString clientPort = QString::fromLatin1(*local);

    // 你好 in GB2312 is c4 e3 ba c3; 你 is split between two segments. The
    // second goes only once the server has logged the first on its own, so
    // the two are certainly two reads.
    const QAbstractItemModel *log = ui.logTable->model();
    client.write("send c4\n");
    QTRY_COMPARE(payloads(log, LogKind::Rx), QList<QByteArray> { "\xc4" });
    client.write("send e3bac3\n");
    QTRY_COMPARE(payloads(log, LogKind::Rx), (QList<QByteArray> { "\xc4", "\xe3\xba\xc3" }));

    const QList<LogRow> rx = logRows(log, LogKind::Rx);
    QCOMPARE(rx.at(0).text, QString()); // half a character: nothing yet, no U+FFFD
    QCOMPARE(rx.at(1).text, u"你好"_s);
    QCOMPARE(rx.at(1).peer, u"127.0.0.1:"_s + clientPort);

    // Hex only: the text column goes, the hex column shows the bytes.
    QVERIFY(!ui.logTable->isColumnHidden(TrafficLogModel::TextColumn));
    QVERIFY(choose(ui.logShow, int(LogView::Show::Hex)));
    QVERIFY(ui.logTable->isColumnHidden(TrafficLogModel::TextColumn));
    QVERIFY(!ui.logTable->isColumnHidden(TrafficLogModel::HexColumn));
    QCOMPARE(logRows(log, LogKind::Rx).at(0).hex, u"c4"_s);
    QCOMPARE(logRows(log, LogKind::Rx).at(1).hex, u"e3 ba c3"_s);

    // Saved logs decode afresh and in order: 你好 whole in every format.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LogView *view = ui.tab->logView();
    QString error;

    const QString text = dir.filePath(u"log.txt"_s);
    QVERIFY2(view->saveTo(text, &error), qPrintable(error));
    const QStringList textLines = readLines(text);
    QCOMPARE(textLines.size(), log->rowCount());
    QCOMPARE(textLines.filter(u"RX 127.0.0.1:%1 1 B \"\" | c4"_s.arg(clientPort)).size(), 1);
    QCOMPARE(
        textLines.filter(u"RX 127.0.0.1:%1 3 B \"你好\" | e3 ba c3"_s.arg(clientPort)).size(), 1);

    const QString csv = dir.filePath(u"log.csv"_s);
    QVERIFY2(view->saveTo(csv, &error), qPrintable(error));
    const QStringList csvLines = readLines(csv);
    QCOMPARE(csvLines.size(), log->rowCount() + 1);
    QCOMPARE(csvLines.at(0), u"time,session,direction,peer,port,bytes,text,hex"_s);
    QList<QStringList> csvRx;
    for (const QString &line : csvLines.mid(1)) {
        const QStringList fields = csvFields(line);
        QCOMPARE(fields.size(), 8);
        QCOMPARE(fields.at(1), ui.tab->session()->name());
        if (fields.at(2) == u"rx"_s)
            csvRx << fields;
    }
    QCOMPARE(csvRx.size(), 2);
    QCOMPARE(csvRx.at(0).mid(3),
        (QStringList { u"127.0.0.1"_s, clientPort, u"1"_s, QString(), u"c4"_s }));
    QCOMPARE(csvRx.at(1).mid(3),
        (QStringList { u"127.0.0.1"_s, clientPort, u"3"_s, u"你好"_s, u"e3 ba c3"_s }));

    const QString jsonl = dir.filePath(u"log.jsonl"_s);
    QVERIFY2(view->saveTo(jsonl, &error), qPrintable(error));
    const QStringList jsonLines = readLines(jsonl);
    QCOMPARE(jsonLines.size(), log->rowCount());
    QStringList rxTexts;
    for (const QString &line : jsonLines) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line.toUtf8(), &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(line));
        QVERIFY(document.isObject());
        const QJsonObject object = document.object();
        QVERIFY2(object.value(u"event"_s).isString(), qPrintable(line));
        if (object.value(u"event"_s).toString() == u"rx"_s) {
            QVERIFY(object.value(u"text"_s).isString());
            QCOMPARE(object.value(u"peer"_s).toString(), u"127.0.0.1"_s);
            QCOMPARE(object.value(u"port"_s).toInt(), clientPort.toInt());
            rxTexts << object.value(u"text"_s).toString();
        }
    }
    QCOMPARE(rxTexts, (QStringList { QString(), u"你好"_s }));
}

void TestGui::secondServerOnSamePortShowsInUse()
{
    Ui first;
    RUN_STEP(startServer(first));
    const quint16 port = serverPort(first);

    Ui second;
    const QStringList missing = second.bind(m_window->openSession(Session::Kind::TcpServer));
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
    typeInto(second.listenAddress, u"127.0.0.1"_s);
    typeInto(second.listenPort, QString::number(port));
    QCOMPARE(second.listenPort->value(), int(port));
    click(second.startStop);

    QTRY_VERIFY(!second.error->isHidden());
    QVERIFY2(second.error->text().contains(u"already in use"_s), qPrintable(second.error->text()));
    QCOMPARE(second.tab->session()->state(), Session::State::Idle);
    QCOMPARE(second.state->text(), u"● Stopped"_s);
    QCOMPARE(second.startStop->text(), u"Listen"_s);
    QVERIFY(second.listenPort->isEnabled());
    // The first one is not disturbed.
    QCOMPARE(first.tab->session()->state(), Session::State::Active);
    QCOMPARE(serverPort(first), port);
}

void TestGui::oddHexDigitShowsColumnAndSendsNothing()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process socat;
    RUN_STEP(connectSocat(ui, socat));

    QVERIFY(choose(ui.sendMode, int(SendBox::Mode::Hex)));
    typeInto(ui.sendEdit, u"41 42 4"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY(!ui.sendError->isHidden());
    QVERIFY2(ui.sendError->text().contains(u"column 7"_s), qPrintable(ui.sendError->text()));
    QCOMPARE(ui.tab->session()->counters().txBytes, 0u);
    // The button refuses it just the same.
    click(ui.sendButton);
    QVERIFY(!ui.sendError->isHidden());
    QCOMPARE(ui.tab->session()->counters().txPackets, 0u);

    // Fixing the text hides the error; what arrives is exactly the fixed bytes.
    typeInto(ui.sendEdit, u"41 42"_s);
    QVERIFY(ui.sendError->isHidden());
    click(ui.sendButton);
    QVERIFY(ui.sendError->isHidden());
    QVERIFY2(peers::waitUntil([&] { return socat.output() == "AB"; }), socat.output().constData());
    QTRY_COMPARE(payloads(ui.logTable->model(), LogKind::Tx), QList<QByteArray> { "AB" });
}

void TestGui::periodicSendStopsAfterCount()
{
    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process socat;
    RUN_STEP(connectSocat(ui, socat));

    typeInto(ui.repeatInterval, u"20"_s);
    typeInto(ui.repeatCount, u"3"_s);
    QCOMPARE(ui.repeatInterval->value(), 20);
    QCOMPARE(ui.repeatCount->value(), 3);
    typeInto(ui.sendEdit, u"x"_s);

    QSignalSpy toggled(ui.repeat, &QToolButton::toggled);
    QVERIFY(ui.repeat->isEnabled());
    click(ui.repeat);
    QCOMPARE(toggled.size(), 1);
    QCOMPARE(toggled.at(0).at(0).toBool(), true);
    QTRY_VERIFY(!ui.repeat->isChecked());
    QVERIFY(!ui.tab->sendBox()->isRepeating());
    QCOMPARE(ui.repeat->text(), u"Repeat"_s);
    QCOMPARE(ui.repeatState->text(), u"sent 3 of 3"_s);
    QCOMPARE(ui.tab->session()->counters().txPackets, 3u);
    QVERIFY2(peers::waitUntil([&] { return socat.output() == "xxx"; }), socat.output().constData());

    // Nothing more comes after the third: a manual send is next in the stream.
    typeInto(ui.sendEdit, u"y"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY2(
        peers::waitUntil([&] { return socat.output() == "xxxy"; }), socat.output().constData());
    QCOMPARE(ui.tab->session()->counters().txPackets, 4u);
}

void TestGui::emptyBoxNeverRepeats_data()
{
    QTest::addColumn<SendBox::Mode>("mode");
    QTest::addColumn<QString>("text");
    QTest::newRow("empty text") << SendBox::Mode::Text << QString();
    QTest::newRow("blank hex") << SendBox::Mode::Hex << u"   "_s;
}

void TestGui::emptyBoxNeverRepeats()
{
    QFETCH(SendBox::Mode, mode);
    QFETCH(QString, text);

    Ui ui;
    RUN_STEP(startServer(ui));
    peers::Process socat;
    RUN_STEP(connectSocat(ui, socat));

    QVERIFY(choose(ui.sendMode, int(mode)));
    typeInto(ui.repeatInterval, u"1"_s);
    typeInto(ui.sendEdit, text);
    QCOMPARE(ui.sendEdit->toPlainText(), text);
    QVERIFY(ui.repeat->isEnabled());
    click(ui.repeat);
    // Refused at once: not checked, not running, and the reason shown.
    QVERIFY(!ui.repeat->isChecked());
    QVERIFY(!ui.tab->sendBox()->isRepeating());
    QVERIFY(!ui.sendError->isHidden());
    QVERIFY2(ui.sendError->text().contains(u"nothing to send"_s), qPrintable(ui.sendError->text()));
    pressCtrlReturn(ui.sendEdit);
    QCOMPARE(ui.tab->session()->counters().txPackets, 0u);

    // Nothing went out: the first bytes the client sees are the next real send.
    QVERIFY(choose(ui.sendMode, int(SendBox::Mode::Text)));
    typeInto(ui.sendEdit, u"z"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY2(peers::waitUntil([&] { return socat.output() == "z"; }), socat.output().constData());
    QCOMPARE(ui.tab->session()->counters().txPackets, 1u);
}

void TestGui::tcpClientGetsEcho()
{
    peers::Process echo;
    QVERIFY(echo.startScript(u"gui_echo_server.py"_s, {}));
    const auto port = echo.waitForLine("port ");
    QVERIFY2(port, echo.errors().constData());

    Ui ui;
    const QStringList missing = ui.bind(m_window->openSession(Session::Kind::TcpClient));
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
    typeInto(ui.remoteHost, u"127.0.0.1"_s);
    typeInto(ui.remotePort, QString::fromLatin1(*port));
    QCOMPARE(ui.remotePort->value(), port->toInt());
    click(ui.startStop);
    QTRY_COMPARE(ui.tab->session()->state(), Session::State::Active);
    QVERIFY2(
        ui.state->text().startsWith(u"● Connected to 127.0.0.1:"_s + QString::fromLatin1(*port)),
        qPrintable(ui.state->text()));
    QCOMPARE(ui.startStop->text(), u"Disconnect"_s);

    typeInto(ui.sendEdit, u"ping"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY2(ui.sendError->isHidden(), qPrintable(ui.sendError->text()));
    QCOMPARE(echo.waitForLine("echo ").value_or("(none)"), QByteArray("70696e67"));
    QTRY_COMPARE(payloads(ui.logTable->model(), LogKind::Rx).join(), QByteArray("ping"));
    QCOMPARE(logRows(ui.logTable->model(), LogKind::Rx).at(0).text, u"ping"_s);
    QCOMPARE(logRows(ui.logTable->model(), LogKind::Rx).at(0).peer,
        u"127.0.0.1:"_s + QString::fromLatin1(*port));
    QCOMPARE(payloads(ui.logTable->model(), LogKind::Tx), QList<QByteArray> { "ping" });

    click(ui.startStop);
    QTRY_COMPARE(ui.tab->session()->state(), Session::State::Idle);
    QVERIFY(echo.waitForLine("closed"));
}

void TestGui::udpExchangesDatagrams()
{
    peers::Process peer;
    QVERIFY(peer.startScript(u"gui_udp_peer.py"_s, {}));
    const auto peerPortText = peer.waitForLine("port ");
    QVERIFY2(peerPortText, peer.errors().constData());
    const QString peerPort = QString::fromLatin1(*peerPortText);

    Ui ui;
    SessionTab *tab = m_window->openSession(Session::Kind::Udp);
    const QStringList missing = ui.bind(tab);
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
    typeInto(ui.bindAddress, u"127.0.0.1"_s);
    typeInto(ui.bindPort, u"0"_s);
    typeInto(ui.targetHost, u"127.0.0.1"_s);
    typeInto(ui.targetPort, peerPort);
    QCOMPARE(ui.bindPort->value(), 0);
    QCOMPARE(ui.targetPort->value(), peerPort.toInt());
    click(ui.startStop);
    QTRY_COMPARE(tab->session()->state(), Session::State::Active);
    const quint16 ourPort = qobject_cast<UdpTab *>(tab)->udp()->localEndpoint().port;
    QVERIFY(ourPort != 0);
    QCOMPARE(ui.state->text(), u"● Bound to 127.0.0.1:%1"_s.arg(ourPort));
    QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->indexOf(tab)), u"UDP :%1"_s.arg(ourPort));

    typeInto(ui.sendEdit, u"ping"_s);
    pressCtrlReturn(ui.sendEdit);
    QVERIFY2(ui.sendError->isHidden(), qPrintable(ui.sendError->text()));
    QCOMPARE(peer.waitForLine("rx ").value_or("(none)"),
        u"127.0.0.1 %1 70696e67"_s.arg(ourPort).toLatin1());

    // The answer, and a datagram the peer sends on its own, each with its source.
    peer.write("send " + QByteArray::number(ourPort) + " 68656c6c6f\n");
    const QAbstractItemModel *log = ui.logTable->model();
    QTRY_COMPARE(payloads(log, LogKind::Rx), (QList<QByteArray> { "pong:ping", "hello" }));
    const QList<LogRow> rx = logRows(log, LogKind::Rx);
    QCOMPARE(rx.at(0).peer, u"127.0.0.1:"_s + peerPort);
    QCOMPARE(rx.at(0).text, u"pong:ping"_s);
    QCOMPARE(rx.at(1).peer, u"127.0.0.1:"_s + peerPort);
    QCOMPARE(rx.at(1).text, u"hello"_s);
    const QList<LogRow> tx = logRows(log, LogKind::Tx);
    QCOMPARE(tx.size(), 1);
    QCOMPARE(tx.at(0).peer, u"127.0.0.1:"_s + peerPort);
    QCOMPARE(tx.at(0).text, u"ping"_s);
}

void TestGui::settingsRoundTrip()
{
    QSettings().clear();

    auto *server = qobject_cast<TcpServerTab *>(m_window->openSession(Session::Kind::TcpServer));
    QVERIFY(server);
    Ui s;
    QVERIFY(s.bind(server).isEmpty());
    typeInto(s.listenAddress, u"127.0.0.1"_s);
    typeInto(s.listenPort, u"12345"_s);
    server->setMaxClients(7);
    QVERIFY(choose(s.encoding, u"GB2312"_s));
    QVERIFY(choose(s.responderMode, int(Responder::Mode::FixedReply)));
    QVERIFY(s.reply->isEnabled());
    typeInto(s.reply, u"ok\\r\\n"_s);
    QVERIFY(choose(s.sendMode, int(SendBox::Mode::Hex)));
    QVERIFY(choose(s.sendLineEnding, int(SendBox::LineEnding::CrLf)));
    typeInto(s.sendEdit, u"68 65 6c"_s);
    typeInto(s.repeatInterval, u"250"_s);
    typeInto(s.repeatCount, u"5"_s);

    auto *client = qobject_cast<TcpClientTab *>(m_window->openSession(Session::Kind::TcpClient));
    QVERIFY(client);
    Ui c;
    QVERIFY(c.bind(client).isEmpty());
    typeInto(c.remoteHost, u"localhost"_s);
    typeInto(c.remotePort, u"7777"_s);
    client->setLocal(u"127.0.0.1"_s, 4321);
    client->setConnectTimeout(3000);
    client->setAutoReconnect(true);
    QVERIFY(choose(c.encoding, u"Big5"_s) || choose(c.encoding, u"GBK"_s));
    typeInto(c.sendEdit, u"hello\\n"_s);
    auto *escapes = client->findChild<QCheckBox *>(u"sendEscapes"_s);
    QVERIFY(escapes);
    click(escapes);
    QVERIFY(escapes->isChecked());

    auto *udp = qobject_cast<UdpTab *>(m_window->openSession(Session::Kind::Udp));
    QVERIFY(udp);
    Ui u;
    QVERIFY(u.bind(udp).isEmpty());
    typeInto(u.bindAddress, u"127.0.0.1"_s);
    typeInto(u.bindPort, u"9123"_s);
    typeInto(u.targetHost, u"127.0.0.2"_s);
    typeInto(u.targetPort, u"9124"_s);
    udp->setReplyToSender(true);
    QVERIFY(choose(u.responderMode, int(Responder::Mode::Echo)));
    auto *group = udp->findChild<QLineEdit *>(u"multicastGroup"_s);
    QVERIFY(group);
    typeInto(group, u"239.255.0.1"_s);

    const QList<SessionTab *> before = m_window->sessionTabs();
    QCOMPARE(before.size(), 3);
    m_window->saveState();

    MainWindow restored;
    restored.restoreState(false);
    const QList<SessionTab *> after = restored.sessionTabs();
    QCOMPARE(after.size(), before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        QCOMPARE(after.at(i)->session()->kind(), before.at(i)->session()->kind());
        QCOMPARE(after.at(i)->title(), before.at(i)->title());
        QCOMPARE(after.at(i)->session()->state(), Session::State::Idle);
        const QMap<QString, QString> expected = fieldValues(before.at(i));
        const QMap<QString, QString> actual = fieldValues(after.at(i));
        QCOMPARE(actual.keys(), expected.keys());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(actual.value(it.key()) == it.value(),
                qPrintable(u"%1: saved '%2', restored '%3'"_s.arg(
                    it.key(), it.value(), actual.value(it.key()))));
    }

    // Spot checks that the values are the ones set above, not defaults on both sides.
    const QMap<QString, QString> serverFields = fieldValues(after.at(0));
    QCOMPARE(serverFields.value(u"listenAddress"_s), u"127.0.0.1"_s);
    QCOMPARE(serverFields.value(u"listenPort"_s), u"12345"_s);
    QCOMPARE(serverFields.value(u"maxClients"_s), u"7"_s);
    QCOMPARE(serverFields.value(u"replyEdit"_s), u"ok\\r\\n"_s);
    QCOMPARE(serverFields.value(u"sendEdit"_s), u"68 65 6c"_s);
    QCOMPARE(serverFields.value(u"repeatInterval"_s), u"250"_s);
    QCOMPARE(serverFields.value(u"repeatCount"_s), u"5"_s);
    QCOMPARE(after.at(0)->encoding(), u"GB2312"_s);
    QCOMPARE(after.at(0)->session()->encoding(), u"GB2312"_s);
    QVERIFY(after.at(0)->session()->responder().mode == Responder::Mode::FixedReply);
    QCOMPARE(after.at(0)->session()->responder().fixedReply, QByteArray("ok\r\n"));
    const QMap<QString, QString> clientFields = fieldValues(after.at(1));
    QCOMPARE(clientFields.value(u"remoteHost"_s), u"localhost"_s);
    QCOMPARE(clientFields.value(u"remotePort"_s), u"7777"_s);
    QCOMPARE(clientFields.value(u"localPort"_s), u"4321"_s);
    QCOMPARE(clientFields.value(u"connectTimeout"_s), u"3000"_s);
    QCOMPARE(clientFields.value(u"autoReconnect"_s), u"checked"_s);
    QCOMPARE(clientFields.value(u"sendEscapes"_s), u"checked"_s);
    const QMap<QString, QString> udpFields = fieldValues(after.at(2));
    QCOMPARE(udpFields.value(u"bindPort"_s), u"9123"_s);
    QCOMPARE(udpFields.value(u"targetHost"_s), u"127.0.0.2"_s);
    QCOMPARE(udpFields.value(u"targetPort"_s), u"9124"_s);
    QCOMPARE(udpFields.value(u"replyToSender"_s), u"checked"_s);
    QCOMPARE(udpFields.value(u"multicastGroup"_s), u"239.255.0.1"_s);
    QVERIFY(after.at(2)->session()->responder().mode == Responder::Mode::Echo);
    const Endpoint target = qobject_cast<UdpTab *>(after.at(2))->udp()->target();
    QCOMPARE(target.address, QHostAddress(u"127.0.0.2"_s));
    QCOMPARE(target.port, 9124);
    QVERIFY(qobject_cast<UdpTab *>(after.at(2))->udp()->replyToSender());
}

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
