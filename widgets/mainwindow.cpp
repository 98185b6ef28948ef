#include "mainwindow.h"

#include "logview.h"
#include "net/core/sessionfactory.h"
#include "net/log/trafficlog.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "net/udp/udpsession.h"
#include "sessiontab.h"
#include "tcpclienttab.h"
#include "tcpservertab.h"
#include "tftptab.h"
#include "trafficlogmodel.h"
#include "udptab.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

using namespace Qt::StringLiterals;

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_log(new TrafficLog(this))
    , m_model(new TrafficLogModel(m_log, this))
{
    setWindowTitle(tr("Socklab"));
    // From a pixmap: QIcon(fileName) asks every image plugin what it reads,
    // loading them all at start-up.
    setWindowIcon(QIcon(QPixmap(u":/icons/socklab.png"_s)));
    setObjectName(u"mainWindow"_s);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"sessionTabs"_s);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);

    m_allTraffic = new LogView(m_model, 0, this);
    m_allTraffic->setObjectName(u"allTraffic"_s);
    auto *dock = new QDockWidget(tr("All traffic"), this);
    dock->setObjectName(u"allTrafficDock"_s);
    dock->setWidget(m_allTraffic);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();
    connect(m_allTraffic, &LogView::status, this,
        [this](const QString &message) { statusBar()->showMessage(message, 8000); });

    m_totals = new QLabel(this);
    m_totals->setObjectName(u"totalsLabel"_s);
    auto *reset = new QPushButton(tr("Reset counters"), this);
    reset->setObjectName(u"resetTotals"_s);
    reset->setFlat(true);
    statusBar()->addPermanentWidget(m_totals);
    statusBar()->addPermanentWidget(reset);
    connect(reset, &QPushButton::clicked, this, [this] {
        for (SessionTab *tab : sessionTabs())
            tab->session()->resetCounters();
        m_lastRx = m_lastTx = 0;
        updateTotals();
    });
    auto *timer = new QTimer(this);
    timer->setInterval(1000);
    connect(timer, &QTimer::timeout, this, &MainWindow::updateTotals);
    timer->start();

    createMenus();
    // The log stops streaming on a write error (disk full, file gone): say so
    // where the user looks, and show the menu item as off.
    connect(m_log, &TrafficLog::streamError, this, [this](const QString &message) {
        if (auto *stream = findChild<QAction *>(u"streamLog"_s)) {
            const QSignalBlocker blocker(stream);
            stream->setChecked(false);
        }
        statusBar()->showMessage(tr("Streaming stopped: %1").arg(message));
    });
    updateTotals();
    resize(1280, 800);
}

MainWindow::~MainWindow()
{
    // Tabs (and their sessions) go first: they log into m_log on the way out.
    while (m_tabs->count() > 0) {
        QWidget *tab = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete tab;
    }
}

void MainWindow::createMenus()
{
    QMenu *session = menuBar()->addMenu(tr("&Session"));
    QAction *newServer = session->addAction(
        tr("New &TCP Server"), this, [this] { openSession(Session::Kind::TcpServer); });
    newServer->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    newServer->setObjectName(u"newTcpServer"_s);
    QAction *newClient = session->addAction(
        tr("New TCP &Client"), this, [this] { openSession(Session::Kind::TcpClient); });
    newClient->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    newClient->setObjectName(u"newTcpClient"_s);
    QAction *newUdp
        = session->addAction(tr("New &UDP"), this, [this] { openSession(Session::Kind::Udp); });
    newUdp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    newUdp->setObjectName(u"newUdp"_s);
    QAction *newTftp = session->addAction(tr("New TFT&P"), this, [this] { openTftp(); });
    newTftp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    newTftp->setObjectName(u"newTftp"_s);
    session->addSeparator();
    QAction *close = session->addAction(tr("Close session"), this, [this] {
        if (m_tabs->currentIndex() >= 0)
            closeTab(m_tabs->currentIndex());
    });
    close->setShortcut(QKeySequence::Close);
    session->addSeparator();
    QAction *quit = session->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *log = menuBar()->addMenu(tr("&Log"));
    log->addAction(tr("&Save all traffic…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save log"),
            u"socklab-log.txt"_s, tr("Text (*.txt *.log);;CSV (*.csv);;JSON lines (*.jsonl)"));
        if (path.isEmpty())
            return;
        QString error;
        statusBar()->showMessage(
            m_allTraffic->saveTo(path, &error) ? tr("Saved to %1").arg(path) : error, 8000);
    });
    QAction *stream = log->addAction(tr("S&tream to file…"));
    stream->setCheckable(true);
    stream->setObjectName(u"streamLog"_s);
    connect(stream, &QAction::toggled, this, &MainWindow::toggleStreaming);
    log->addAction(tr("Log size limit…"), this, &MainWindow::setLogCap);
    log->addAction(tr("&Clear"), m_log, &TrafficLog::clear);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *all = findChild<QDockWidget *>(u"allTrafficDock"_s)->toggleViewAction();
    all->setText(tr("&All traffic"));
    all->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    view->addAction(all);
    QMenu *language = view->addMenu(tr("&Language"));
    auto *languages = new QActionGroup(this);
    const QString current = QSettings().value(u"language"_s).toString();
    for (const auto &[code, name] : { std::pair { u""_s, tr("System default") },
             std::pair { u"en"_s, u"English"_s }, std::pair { u"zh_CN"_s, u"简体中文"_s } }) {
        QAction *action = language->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == current);
        action->setData(code);
        languages->addAction(action);
    }
    connect(languages, &QActionGroup::triggered, this,
        [this](QAction *action) { Q_EMIT languageChangeRequested(action->data().toString()); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Socklab"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

SessionTab *MainWindow::openSession(Session::Kind kind)
{
    SessionTab *tab = nullptr;
    const int number = m_tabs->count() + 1;
    // The tab takes the session as its child.
    Session *session = SessionFactory::create(
        kind, u"%1-%2"_s.arg(Session::kindName(kind)).arg(number), nullptr);
    session->setLog(m_log);
    switch (kind) {
    case Session::Kind::TcpServer:
        tab = new TcpServerTab(static_cast<TcpServerSession *>(session), m_model, m_tabs);
        break;
    case Session::Kind::TcpClient:
        tab = new TcpClientTab(static_cast<TcpClientSession *>(session), m_model, m_tabs);
        break;
    case Session::Kind::Udp:
        tab = new UdpTab(static_cast<UdpSession *>(session), m_model, m_tabs);
        break;
    }
    const int index = m_tabs->addTab(tab, tab->title());
    m_tabs->setCurrentIndex(index);
    connect(tab, &SessionTab::titleChanged, this, [this, tab] {
        if (const int at = m_tabs->indexOf(tab); at >= 0)
            m_tabs->setTabText(at, tab->title());
    });
    connect(tab, &SessionTab::status, this,
        [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    return tab;
}

TftpTab *MainWindow::openTftp()
{
    auto *tab = new TftpTab(m_tabs);
    const int index = m_tabs->addTab(tab, tab->title());
    m_tabs->setCurrentIndex(index);
    connect(tab, &TftpTab::status, this,
        [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    return tab;
}

QList<SessionTab *> MainWindow::sessionTabs() const
{
    QList<SessionTab *> list;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *tab = qobject_cast<SessionTab *>(m_tabs->widget(i)))
            list << tab;
    }
    return list;
}

void MainWindow::closeTab(int index)
{
    QWidget *tab = m_tabs->widget(index);
    m_tabs->removeTab(index);
    delete tab;
}

void MainWindow::updateTotals()
{
    Counters total;
    for (SessionTab *tab : sessionTabs()) {
        const Counters counters = tab->session()->counters();
        total.rxBytes += counters.rxBytes;
        total.txBytes += counters.txBytes;
        total.rxPackets += counters.rxPackets;
        total.txPackets += counters.txPackets;
    }
    const quint64 rxRate = total.rxBytes >= m_lastRx ? total.rxBytes - m_lastRx : 0;
    const quint64 txRate = total.txBytes >= m_lastTx ? total.txBytes - m_lastTx : 0;
    m_lastRx = total.rxBytes;
    m_lastTx = total.txBytes;
    m_totals->setText(tr("%n session(s)", nullptr, int(sessionTabs().size())) + u" · "_s
        + tr("RX %1 (%2 pkts, %3/s) · TX %4 (%5 pkts, %6/s)")
              .arg(formatBytes(total.rxBytes))
              .arg(total.rxPackets)
              .arg(formatBytes(rxRate))
              .arg(formatBytes(total.txBytes))
              .arg(total.txPackets)
              .arg(formatBytes(txRate))
        + u" · "_s + tr("log: %n row(s)", nullptr, int(m_log->size())));
}

void MainWindow::setLogCap()
{
    bool ok = false;
    const int cap = QInputDialog::getInt(this, tr("Traffic log"),
        tr("Keep at most this many rows:"), int(m_log->cap()), 1000, 10'000'000, 10'000, &ok);
    if (ok) {
        m_log->setCap(cap);
        QSettings().setValue(u"log/cap"_s, cap);
    }
}

void MainWindow::toggleStreaming(bool on)
{
    if (!on) {
        m_log->stopStreaming();
        statusBar()->showMessage(tr("Stopped streaming the log"), 5000);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Stream all traffic to file"),
        u"socklab-stream.jsonl"_s, tr("JSON lines (*.jsonl);;Text (*.txt *.log)"));
    if (path.isEmpty()) {
        auto *action = qobject_cast<QAction *>(sender());
        if (action) {
            const QSignalBlocker blocker(action);
            action->setChecked(false);
        }
        return;
    }
    // The extension chooses the format, whatever its case (see logFormatForPath()).
    streamLogTo(path, false);
}

bool MainWindow::streamLogTo(const QString &path, bool json, QString *error)
{
    QString problem;
    auto *action = findChild<QAction *>(u"streamLog"_s);
    const QSignalBlocker blocker(action);
    // --log-json asks for JSON lines; else the extension chooses.
    const bool started = json ? m_log->startStreaming(path, LogFormat::JsonLines, &problem)
                              : m_log->startStreaming(path, &problem);
    if (!started) {
        statusBar()->showMessage(problem, 10'000);
        action->setChecked(false);
        if (error)
            *error = problem;
        return false;
    }
    action->setChecked(true);
    statusBar()->showMessage(tr("Streaming every event to %1").arg(path), 5000);
    return true;
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Socklab"),
        tr("<h3>Socklab %1</h3>"
           "<p>A network debugging assistant: TCP server, TCP client and UDP sessions, "
           "with every byte shown as text in the encoding you choose and as hex.</p>"
           "<p>Built with Qt %2.</p>")
            .arg(QStringLiteral(SOCKLAB_VERSION), QString::fromLatin1(qVersion())));
}

bool MainWindow::saveState(QString *error) const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, QMainWindow::saveState());
    settings.remove(u"sessions"_s);
    settings.beginWriteArray(u"sessions"_s);
    for (int i = 0; i < m_tabs->count(); ++i) {
        settings.setArrayIndex(i);
        if (auto *tab = qobject_cast<SessionTab *>(m_tabs->widget(i))) {
            settings.setValue(u"kind"_s, Session::kindName(tab->session()->kind()));
            tab->saveSettings(settings);
        } else if (auto *tftp = qobject_cast<TftpTab *>(m_tabs->widget(i))) {
            settings.setValue(u"kind"_s, u"tftp"_s);
            tftp->saveSettings(); // in its own group: one set of TFTP settings
        }
    }
    settings.endArray();
    settings.sync();
    // The first error sticks: a FormatError from reading a damaged file is no
    // reason to think the write failed.
    if (settings.status() != QSettings::AccessError)
        return true;
    if (error) {
        *error = tr("The settings could not be saved to %1 (the folder is not writable or the "
                    "disk is full); the file keeps the previous settings.")
                     .arg(QDir::toNativeSeparators(settings.fileName()));
    }
    return false;
}

void MainWindow::restoreState(bool openDefault)
{
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    QMainWindow::restoreState(settings.value(u"window/state"_s).toByteArray());
    m_log->setCap(settings.value(u"log/cap"_s, int(TrafficLog::DefaultCap)).toInt());
    const int count = settings.beginReadArray(u"sessions"_s);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        const QString kind = settings.value(u"kind"_s).toString();
        SessionTab *tab = nullptr;
        if (kind == Session::kindName(Session::Kind::TcpServer))
            tab = openSession(Session::Kind::TcpServer);
        else if (kind == Session::kindName(Session::Kind::TcpClient))
            tab = openSession(Session::Kind::TcpClient);
        else if (kind == Session::kindName(Session::Kind::Udp))
            tab = openSession(Session::Kind::Udp);
        else if (kind == u"tftp"_s)
            openTftp()->restoreSettings();
        if (tab)
            tab->restoreSettings(settings);
    }
    settings.endArray();
    if (m_tabs->count() == 0 && openDefault)
        openSession(Session::Kind::TcpServer);
    m_tabs->setCurrentIndex(0);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QString error;
    if (!saveState(&error)) {
        // A question: closing now loses this session's settings.
        const auto answer = QMessageBox::warning(this, tr("Settings not saved"),
            error + u"\n\n"_s + tr("Close anyway?"), QMessageBox::Close | QMessageBox::Cancel,
            QMessageBox::Cancel);
        if (answer != QMessageBox::Close) {
            statusBar()->showMessage(error);
            event->ignore();
            return;
        }
    }
    event->accept();
}
