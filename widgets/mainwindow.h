#pragma once

#include "net/core/session.h"

#include <QMainWindow>

class LogView;
class QLabel;
class QTabWidget;
class SessionTab;
class TrafficLog;
class TftpTab;
class TrafficLogModel;

// Assembles the panels: session tabs, the all-traffic log, menus and the
// status bar with the totals. The panels do the work.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    SessionTab *openSession(Session::Kind kind);
    TftpTab *openTftp();
    QTabWidget *tabs() const { return m_tabs; }
    TrafficLog *trafficLog() const { return m_log; }
    TrafficLogModel *logModel() const { return m_model; }
    QList<SessionTab *> sessionTabs() const;
    // Streams every event to path (JSON lines when json, else text), as Log >
    // Stream to file does; false with the reason in the status bar and *error.
    bool streamLogTo(const QString &path, bool json, QString *error = nullptr);

    // Settings are kept with QSettings; tests point them at a temporary file.
    // With openDefault, a window without saved sessions opens a TCP server tab.
    void restoreState(bool openDefault = true);
    // False, with the reason in error, when the settings could not be written;
    // the file keeps its previous content whole (QSettings writes a temporary
    // file and renames it over the old one).
    bool saveState(QString *error = nullptr) const;

Q_SIGNALS:
    // The user chose another language; the application rebuilds the window.
    void languageChangeRequested(const QString &locale);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void closeTab(int index);
    void updateTotals();
    void setLogCap();
    void toggleStreaming(bool on);
    void showAbout();

    TrafficLog *m_log; // child
    TrafficLogModel *m_model; // child
    QTabWidget *m_tabs = nullptr;
    LogView *m_allTraffic = nullptr;
    QLabel *m_totals = nullptr;
    quint64 m_lastRx = 0;
    quint64 m_lastTx = 0;
    quint64 m_rxBase = 0; // totals reset: what was counted before
    quint64 m_txBase = 0;
};
