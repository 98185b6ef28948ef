// PeerListModel in the TCP server tab, wrapped in QAbstractItemModelTester,
// as real clients (tests/peers/tcp_client.py, tcp_many_clients.py) connect
// and leave on loopback: every insert, removal and dataChanged of every batch
// (one per 50 ms) is checked against the rows the model reports, and the rows
// against the server's own list of peers.

#include "net/core/responder.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpserversession.h"
#include "peerlistmodel.h"
#include "tcpservertab.h"
#include "testsupport.h"
#include "trafficlogmodel.h"
#include "widgettest.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using widgettest::click;

namespace {

// The peer ids in the model's rows, top to bottom.
QList<quint64> rowIds(const QAbstractItemModel *model)
{
    QList<quint64> ids;
    for (int row = 0; row < model->rowCount(); ++row)
        ids << model->index(row, 0).data(PeerListModel::PeerIdRole).toULongLong();
    return ids;
}

QList<quint64> serverIds(const TcpServerSession &server)
{
    QList<quint64> ids;
    for (const PeerInfo &peer : server.peers())
        ids << peer.id;
    return ids;
}

// tcp_client.py, connected, with its local port.
struct Client
{
    peers::Process process;
    quint16 localPort = 0;

    bool connect(quint16 port)
    {
        if (!process.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(port) }))
            return false;
        localPort = peers::toPort(process.waitForLine("local ")).value_or(0);
        return localPort != 0;
    }
    void send(const char *verb) { process.write(peers::command(verb)); }
};

} // namespace

class TestPeerListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void clientsComeAndGoOneByOne();
    void burstArrivesAndLeavesInBatches();
    void comeAndGoWithinOneBatch();
    void disconnectSelectedRows();
    void countersRefresh();
    void serverStopsWithClients();

private:
    quint16 port() const { return m_server->serverPort(); }
    // Waits until the rows show exactly the server's peers, count of them.
    bool rowsMatchServer(int count);

    std::unique_ptr<TrafficLog> m_log;
    std::unique_ptr<TrafficLogModel> m_logModel;
    TcpServerSession *m_server = nullptr; // owned by m_tab
    std::unique_ptr<TcpServerTab> m_tab;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    QAbstractItemModel *m_model = nullptr;
};

void TestPeerListModel::initTestCase()
{
    widgettest::OffscreenNoiseFilter::install();
    ::signal(SIGPIPE, SIG_IGN);
}

void TestPeerListModel::cleanupTestCase()
{
    widgettest::OffscreenNoiseFilter::uninstall();
}

void TestPeerListModel::init()
{
    m_log = std::make_unique<TrafficLog>();
    m_logModel = std::make_unique<TrafficLogModel>(m_log.get());
    m_server = new TcpServerSession(u"tcp-server-1"_s);
    m_server->setLog(m_log.get());
    m_tab = std::make_unique<TcpServerTab>(m_server, m_logModel.get());
    m_model = m_tab->peerTable()->model();
    QVERIFY(qobject_cast<PeerListModel *>(m_model));
    // Before any row exists, so that it sees every change from the first.
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_tab->show();
    m_tab->setListen(u"127.0.0.1"_s, 0);
    auto *startStop = m_tab->findChild<QPushButton *>(u"startStopButton"_s);
    QVERIFY(startStop);
    click(startStop);
    QTRY_COMPARE(m_server->state(), Session::State::Active);
    QVERIFY(port() != 0);
}

void TestPeerListModel::cleanup()
{
    // The tester goes before the model it watches; the tab takes its session.
    m_tester.reset();
    m_tab.reset();
    m_server = nullptr;
    m_logModel.reset();
    m_log.reset();
    m_model = nullptr;
}

bool TestPeerListModel::rowsMatchServer(int count)
{
    return peers::waitUntil(
        [&] { return m_server->peerCount() == count && rowIds(m_model) == serverIds(*m_server); });
}

void TestPeerListModel::clientsComeAndGoOneByOne()
{
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<Client>());
        QVERIFY(clients.back()->connect(port()));
        QVERIFY2(rowsMatchServer(i + 1), qPrintable(u"client %1"_s.arg(i)));
        const int last = m_model->rowCount() - 1;
        QCOMPARE(
            m_model->index(last, PeerListModel::AddressColumn).data().toString(), u"127.0.0.1"_s);
        QCOMPARE(m_model->index(last, PeerListModel::PortColumn).data().toUInt(),
            uint(clients.back()->localPort));
    }
    // The second leaves (a FIN), then the last (a reset), then the first.
    const QList<quint64> ids = rowIds(m_model);
    clients.at(1)->send("close");
    QVERIFY(rowsMatchServer(3));
    QCOMPARE(rowIds(m_model), (QList<quint64> { ids.at(0), ids.at(2), ids.at(3) }));
    clients.at(3)->send("reset");
    QVERIFY(rowsMatchServer(2));
    QCOMPARE(rowIds(m_model), (QList<quint64> { ids.at(0), ids.at(2) }));
    clients.at(0)->send("close");
    QVERIFY(rowsMatchServer(1));
    QCOMPARE(rowIds(m_model), QList<quint64> { ids.at(2) });
    clients.at(2)->send("close");
    QVERIFY(rowsMatchServer(0));
}

void TestPeerListModel::burstArrivesAndLeavesInBatches()
{
    constexpr int Count = 120;
    m_server->setResponder({ Responder::Mode::Echo, {} });
    QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
    peers::Process many;
    QVERIFY(many.startScript(u"tcp_many_clients.py"_s,
        { u"127.0.0.1"_s, QString::number(port()), u"--count"_s, QString::number(Count) }));
    QCOMPARE(many.waitForLine("echoed "), std::optional<QByteArray>(QByteArray::number(Count)));
    QVERIFY(rowsMatchServer(Count));
    // A burst is a few batches, not one insert per client.
    QVERIFY2(inserted.size() < Count / 4, qPrintable(QString::number(inserted.size())));

    // A few leave by themselves, scattered (from the tab: the model sees the
    // same disconnects), then all the rest at once.
    const QList<quint64> ids = rowIds(m_model);
    for (int row = 3; row < Count; row += 17)
        m_server->disconnectPeer(ids.at(row));
    QList<quint64> left;
    for (int row = 0; row < Count; ++row) {
        if ((row - 3) % 17 != 0 || row < 3)
            left << ids.at(row);
    }
    QVERIFY(rowsMatchServer(int(left.size())));
    QCOMPARE(rowIds(m_model), left);
    many.write("close\n");
    QVERIFY(many.waitForLine("closed"));
    QVERIFY(rowsMatchServer(0));
    QVERIFY2(removed.size() < Count / 4, qPrintable(QString::number(removed.size())));
}

void TestPeerListModel::comeAndGoWithinOneBatch()
{
    // Clients that connect and reset at once, while others stay: those gone
    // before their batch was shown never make a row, and the rows still
    // match the server whatever the timing.
    Client stays;
    QVERIFY(stays.connect(port()));
    std::vector<std::unique_ptr<Client>> brief;
    for (int i = 0; i < 10; ++i) {
        brief.push_back(std::make_unique<Client>());
        QVERIFY(brief.back()->connect(port()));
        brief.back()->send("reset");
    }
    for (const auto &client : brief)
        QVERIFY(client->process.waitForFinished());
    QVERIFY(rowsMatchServer(1));
    stays.send("close");
    QVERIFY(rowsMatchServer(0));
}

void TestPeerListModel::disconnectSelectedRows()
{
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<Client>());
        QVERIFY(clients.back()->connect(port()));
    }
    QVERIFY(rowsMatchServer(5));
    const QList<quint64> ids = rowIds(m_model);
    // Rows 1 and 3 and 4: two runs of removals in one batch.
    QItemSelectionModel *selection = m_tab->peerTable()->selectionModel();
    for (const int row : { 1, 3, 4 })
        selection->select(
            m_model->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    auto *disconnect = m_tab->findChild<QPushButton *>(u"disconnectSelected"_s);
    QVERIFY(disconnect);
    click(disconnect);
    QVERIFY(rowsMatchServer(2));
    QCOMPARE(rowIds(m_model), (QList<quint64> { ids.at(0), ids.at(2) }));
    for (const std::size_t i : { 1u, 3u, 4u })
        QCOMPARE(clients.at(i)->process.waitForLine("eof"), std::optional<QByteArray>(""));
}

void TestPeerListModel::countersRefresh()
{
    m_server->setResponder({ Responder::Mode::Echo, {} });
    Client client;
    QVERIFY(client.connect(port()));
    QVERIFY(rowsMatchServer(1));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    client.process.write("send " + QByteArray("twelve bytes").toHex() + '\n');
    QCOMPARE(
        client.process.waitForLine("got "), std::optional<QByteArray>("twelve bytes"_ba.toHex()));
    // The tab refreshes the counters every second.
    QTRY_COMPARE_WITH_TIMEOUT(
        m_model->index(0, PeerListModel::RxColumn).data().toString(), u"12 B"_s, 5000);
    QCOMPARE(m_model->index(0, PeerListModel::TxColumn).data().toString(), u"12 B"_s);
    QVERIFY(!changed.isEmpty());
    client.send("close");
    QVERIFY(rowsMatchServer(0));
}

void TestPeerListModel::serverStopsWithClients()
{
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<Client>());
        QVERIFY(clients.back()->connect(port()));
    }
    QVERIFY(rowsMatchServer(3));
    auto *startStop = m_tab->findChild<QPushButton *>(u"startStopButton"_s);
    click(startStop);
    QTRY_COMPARE(m_server->state(), Session::State::Idle);
    QTRY_COMPARE(m_model->rowCount(), 0);
    for (const auto &client : clients)
        QVERIFY(client->process.waitForLine("eof"));

    // Listening again: new clients, new rows.
    click(startStop);
    QTRY_COMPARE(m_server->state(), Session::State::Active);
    Client again;
    QVERIFY(again.connect(port()));
    QVERIFY(rowsMatchServer(1));
    again.send("close");
    QVERIFY(rowsMatchServer(0));
}

QTEST_MAIN(TestPeerListModel)

#include "tst_peerlistmodel.moc"
