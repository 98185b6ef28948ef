#pragma once

#include "net/send/sendresult.h"
#include "net/text/bytesresult.h"
#include "net/text/textcodec.h"

#include <QWidget>

#include <functional>

class FileSender;
class PeriodicSender;
class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QToolButton;
class Session;

// The send area of a session tab: text or hex, escapes, a line ending, send
// with Ctrl+Enter, periodic send with a visible running state, send a file
// with progress, a history and saved quick commands.
class SendBox final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SendBox)

public:
    // Sends the bytes; returns an empty string, or why nothing was sent.
    using SendFunction = std::function<QString(const QByteArray &)>;
    enum class Mode { Text, Hex };
    Q_ENUM(Mode)
    enum class LineEnding { None, Cr, Lf, CrLf };
    Q_ENUM(LineEnding)

    static constexpr int HistorySize = 50;

    SendBox(Session *session, QWidget *parent = nullptr);
    ~SendBox() override;

    // Where Send, Repeat and Send file go; by default the session's send().
    void setSendFunction(SendFunction send);
    void setEncoding(const QString &encoding) { m_encoding = encoding; }

    // The box as the user would fill it: the text (hex digits in Hex mode).
    void setContent(const QString &text, Mode mode, bool escapes);
    void setRepeat(int intervalMs, int count);
    void setFileChunkSize(qint64 bytes);
    // Repeats the box's payload as Repeat does; false with the error shown.
    bool startRepeating();
    // Streams a file to the send box's target; false with the error shown.
    bool sendFile(const QString &path);

    // The bytes the box holds now, or an error saying where it is wrong.
    BytesResult payload() const;
    bool sendNow();
    bool isRepeating() const;

    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

Q_SIGNALS:
    void status(const QString &message);
    // A repeat or a file send ended.
    void repeatFinished(const SendResult &result);
    void fileFinished(const SendResult &result);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void toggleRepeat(bool on);
    bool beginRepeat();
    void chooseFile();
    void addToHistory(const QString &text);
    void saveQuickCommand();
    void updateEnabled();
    void showError(const QString &message);

    // Sends through m_send, showing its problem, for the senders.
    bool sendForSenders(const QByteArray &bytes);

    Session *m_session;
    SendFunction m_send;
    QString m_encoding = QStringLiteral("UTF-8");
    PeriodicSender *m_periodic = nullptr; // child
    FileSender *m_fileSender = nullptr; // child
    QPlainTextEdit *m_edit = nullptr;
    QComboBox *m_mode = nullptr;
    QCheckBox *m_escapes = nullptr;
    QComboBox *m_lineEnding = nullptr;
    QPushButton *m_sendButton = nullptr;
    QLabel *m_error = nullptr;
    QToolButton *m_repeat = nullptr;
    QSpinBox *m_interval = nullptr;
    QSpinBox *m_count = nullptr;
    QLabel *m_repeatState = nullptr;
    QPushButton *m_fileButton = nullptr;
    QProgressBar *m_fileProgress = nullptr;
    QToolButton *m_fileCancel = nullptr;
    QComboBox *m_history = nullptr;
    QComboBox *m_quick = nullptr;
};
