#pragma once

#include "net/tftp/tftptransfer.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;

// The TFTP panel: server, remote file, local file or folder, mode and
// options; Download and Upload with a progress bar (bytes, speed, time left)
// and Cancel; the transfers of this run with their results.
class TftpTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TftpTab)

public:
    explicit TftpTab(QWidget *parent = nullptr);
    ~TftpTab() override;

    QString title() const { return tr("TFTP"); }
    TftpTransfer *transfer() const { return m_transfer; }
    // The request the fields describe; an error text when they are not valid.
    TftpRequest request(bool download, QString *error) const;
    bool startTransfer(bool download);

    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    void status(const QString &message);
    void transferFinished(const TftpResult &result);

private:
    void onProgress(qint64 done, qint64 total);
    void onFinished(const TftpResult &result);
    void setRunning(bool running);
    void updateOptionsEnabled();

    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_remote = nullptr;
    QLineEdit *m_local = nullptr;
    QComboBox *m_mode = nullptr;
    QCheckBox *m_plain = nullptr;
    QSpinBox *m_blockSize = nullptr;
    QSpinBox *m_windowSize = nullptr;
    QCheckBox *m_tsize = nullptr;
    QSpinBox *m_serverTimeout = nullptr;
    QSpinBox *m_timeoutMs = nullptr;
    QSpinBox *m_retries = nullptr;
    QCheckBox *m_overwrite = nullptr;
    QPushButton *m_download = nullptr;
    QPushButton *m_upload = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressText = nullptr;
    QLabel *m_result = nullptr;
    QTreeWidget *m_history = nullptr;
    QPointer<TftpTransfer> m_transfer;
    QElapsedTimer m_clock;
};
