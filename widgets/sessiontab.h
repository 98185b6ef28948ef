#pragma once

#include "net/core/responder.h"

#include <QWidget>

#include <optional>

class LogView;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSplitter;
class QTimer;
class SendBox;
class QHostAddress;
class Session;
class TrafficLogModel;
struct SessionConfig;

// What every session tab has: its connection settings (given by the
// subclass), a start/stop button that always shows the real state, errors in
// words beside it, the text encoding, responders, counters, the receive area
// (a log view of this session) and the send box.
class SessionTab : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionTab)

public:
    ~SessionTab() override;

    Session *session() const { return m_session; }
    virtual QString title() const = 0;
    SendBox *sendBox() const { return m_sendBox; }
    LogView *logView() const { return m_logView; }

    // Reads the settings, checks them and starts (through SessionFactory);
    // false with the problem shown inline when they are not valid.
    bool startSession();
    void stopSession();

    // The tab's fields as a session's settings, or nothing with the problem
    // in *error. What is sent is the send box's, not part of it.
    std::optional<SessionConfig> sessionConfig(QString *error) const;
    // Fills the fields from config as the user would (the window's command
    // line): connection, encoding (hex: the hex view and a hex send box),
    // the responder with its reply bytes unchanged, and the send box's text.
    void applyConfig(const SessionConfig &config);

    void setEncoding(const QString &canonical);
    // Sets the responder as the user would; reply is text for a fixed reply.
    void setResponder(Responder::Mode mode, const QString &reply = {});
    QString encoding() const;

    virtual void saveSettings(QSettings &settings) const;
    virtual void restoreSettings(QSettings &settings);

Q_SIGNALS:
    void titleChanged();
    void status(const QString &message);

protected:
    // The tab takes ownership of session.
    SessionTab(Session *session, TrafficLogModel *model, QWidget *parent);

    // Builds the tab; subclasses call it at the end of their constructor.
    void build(QWidget *connectionSettings, QWidget *aboveLog = nullptr);
    // Writes the connection fields into config; an error text when invalid.
    virtual QString fillConfig(SessionConfig &config) const = 0;
    // Shows config's connection settings in the fields.
    virtual void showConfig(const SessionConfig &config) = 0;
    // What the settings lack, for the inline hint as the user types (empty if fine).
    virtual QString validate() const = 0;
    virtual QString startText() const = 0; // "Listen", "Connect", "Bind"
    virtual QString stopText() const = 0;
    virtual QString activeText() const = 0; // "Listening on 127.0.0.1:9000"
    // Subclasses call this when a setting field changed.
    void settingsEdited();
    // Widgets that must not change while the session runs.
    virtual void setSettingsEnabled(bool enabled) = 0;
    void showError(const QString &message);

private:
    void onStateChanged();
    void applyResponder();
    void updateCounters();

    Session *m_session; // owned (child)
    TrafficLogModel *m_model;
    QPushButton *m_startStop = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_error = nullptr;
    QComboBox *m_encoding = nullptr;
    QComboBox *m_responderMode = nullptr;
    QLineEdit *m_reply = nullptr;
    QLabel *m_counters = nullptr;
    LogView *m_logView = nullptr;
    SendBox *m_sendBox = nullptr;
    QTimer *m_counterTimer = nullptr;
    quint64 m_lastRx = 0;
    quint64 m_lastTx = 0;
};

// "1.5 KiB", "3.2 MiB": sizes as people read them.
QString formatBytes(quint64 bytes);
// What an AddressCombo shows for a listen address: "any", "0.0.0.0", "::" or the address.
QString addressComboText(const QHostAddress &address);
