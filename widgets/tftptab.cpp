#include "tftptab.h"

#include "net/tftp/tftptransfer.h"
#include "sessiontab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QString formatDuration(qint64 seconds)
{
    if (seconds < 60)
        return QCoreApplication::translate("TftpTab", "%1 s").arg(seconds);
    return QCoreApplication::translate("TftpTab", "%1 min %2 s")
        .arg(seconds / 60)
        .arg(seconds % 60);
}

} // namespace

TftpTab::TftpTab(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"tftpTab"_s);
    m_host = new QLineEdit(u"127.0.0.1"_s, this);
    m_host->setObjectName(u"tftpHost"_s);
    m_host->setPlaceholderText(tr("server name or address"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(u"tftpPort"_s);
    m_port->setRange(1, 65535);
    m_port->setValue(69);
    m_remote = new QLineEdit(this);
    m_remote->setObjectName(u"tftpRemote"_s);
    m_remote->setPlaceholderText(tr("e.g. firmware.bin (upload: empty means the local name)"));
    m_local = new QLineEdit(this);
    m_local->setObjectName(u"tftpLocal"_s);
    m_local->setPlaceholderText(tr("download: a folder or a file; upload: the file to send"));
    auto *browse = new QToolButton(this);
    browse->setObjectName(u"tftpBrowse"_s);
    browse->setText(tr("Browse…"));
    browse->setPopupMode(QToolButton::InstantPopup);
    auto *browseMenu = new QMenu(browse);
    browseMenu->addAction(tr("File…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Local file"), m_local->text(),
            {}, nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_local->setText(path);
    });
    browseMenu->addAction(tr("Folder…"), this, [this] {
        const QString path
            = QFileDialog::getExistingDirectory(this, tr("Download into"), m_local->text());
        if (!path.isEmpty())
            m_local->setText(path);
    });
    browse->setMenu(browseMenu);
    auto *localRow = new QHBoxLayout;
    localRow->addWidget(m_local, 1);
    localRow->addWidget(browse);

    m_mode = new QComboBox(this);
    m_mode->setObjectName(u"tftpMode"_s);
    m_mode->addItem(tr("octet (binary)"), int(Tftp::Mode::Octet));
    m_mode->addItem(tr("netascii (text, CR LF)"), int(Tftp::Mode::Netascii));

    m_plain = new QCheckBox(tr("Plain RFC 1350 (ask for no options)"), this);
    m_plain->setObjectName(u"tftpPlain"_s);
    m_blockSize = new QSpinBox(this);
    m_blockSize->setObjectName(u"tftpBlockSize"_s);
    m_blockSize->setRange(Tftp::MinBlockSize - 1, Tftp::MaxBlockSize);
    m_blockSize->setSpecialValueText(tr("do not ask (512)"));
    m_blockSize->setValue(1468);
    m_blockSize->setToolTip(
        tr("blksize (RFC 2348): larger blocks are much faster; 1468 fits an Ethernet frame"));
    m_windowSize = new QSpinBox(this);
    m_windowSize->setObjectName(u"tftpWindowSize"_s);
    m_windowSize->setRange(0, Tftp::MaxWindowSize);
    m_windowSize->setSpecialValueText(tr("do not ask (1)"));
    m_windowSize->setToolTip(
        tr("windowsize (RFC 7440): blocks sent before an ACK; not every server supports it"));
    m_tsize = new QCheckBox(tr("Ask for the size (tsize)"), this);
    m_tsize->setObjectName(u"tftpTsize"_s);
    m_tsize->setChecked(true);
    m_serverTimeout = new QSpinBox(this);
    m_serverTimeout->setObjectName(u"tftpServerTimeout"_s);
    m_serverTimeout->setRange(0, Tftp::MaxTimeout);
    m_serverTimeout->setSpecialValueText(tr("do not ask"));
    m_serverTimeout->setSuffix(tr(" s"));
    m_timeoutMs = new QSpinBox(this);
    m_timeoutMs->setObjectName(u"tftpTimeout"_s);
    m_timeoutMs->setRange(50, 60'000);
    m_timeoutMs->setValue(1000);
    m_timeoutMs->setSuffix(tr(" ms"));
    m_retries = new QSpinBox(this);
    m_retries->setObjectName(u"tftpRetries"_s);
    m_retries->setRange(0, 100);
    m_retries->setValue(5);
    m_overwrite = new QCheckBox(tr("Replace an existing local file"), this);
    m_overwrite->setObjectName(u"tftpOverwrite"_s);

    auto *where = new QGroupBox(tr("Transfer"), this);
    auto *whereForm = new QFormLayout(where);
    whereForm->addRow(tr("Server:"), m_host);
    whereForm->addRow(tr("Port:"), m_port);
    whereForm->addRow(tr("Remote file:"), m_remote);
    whereForm->addRow(tr("Local file or folder:"), localRow);
    whereForm->addRow(tr("Mode:"), m_mode);
    whereForm->addRow(m_overwrite);

    auto *options = new QGroupBox(tr("Options"), this);
    auto *optionsForm = new QFormLayout(options);
    optionsForm->addRow(m_plain);
    optionsForm->addRow(tr("Block size:"), m_blockSize);
    optionsForm->addRow(tr("Window size:"), m_windowSize);
    optionsForm->addRow(m_tsize);
    optionsForm->addRow(tr("Server timeout:"), m_serverTimeout);
    optionsForm->addRow(tr("Retransmit after:"), m_timeoutMs);
    optionsForm->addRow(tr("Retries:"), m_retries);

    m_download = new QPushButton(tr("&Download"), this);
    m_download->setObjectName(u"tftpDownload"_s);
    m_upload = new QPushButton(tr("&Upload"), this);
    m_upload->setObjectName(u"tftpUpload"_s);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(u"tftpCancel"_s);
    m_cancel->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_download);
    buttons->addWidget(m_upload);
    buttons->addWidget(m_cancel);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"tftpProgress"_s);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(u"tftpProgressText"_s);
    m_result = new QLabel(this);
    m_result->setObjectName(u"tftpResult"_s);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_history = new QTreeWidget(this);
    m_history->setObjectName(u"tftpHistory"_s);
    m_history->setRootIsDecorated(false);
    m_history->setHeaderLabels({ tr("Time"), tr("Direction"), tr("Server"), tr("Remote file"),
        tr("Local file"), tr("Bytes"), tr("Speed"), tr("Result") });
    m_history->header()->setStretchLastSection(true);

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(where);
    sideLayout->addWidget(options);
    sideLayout->addStretch(1);
    side->setMinimumWidth(360);
    side->setMaximumWidth(480);

    auto *right = new QVBoxLayout;
    right->addLayout(buttons);
    right->addWidget(m_progress);
    right->addWidget(m_progressText);
    right->addWidget(m_result);
    right->addWidget(new QLabel(tr("Transfers:"), this));
    right->addWidget(m_history, 1);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(side);
    layout->addLayout(right, 1);

    connect(m_download, &QPushButton::clicked, this, [this] { startTransfer(true); });
    connect(m_upload, &QPushButton::clicked, this, [this] { startTransfer(false); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_transfer)
            m_transfer->cancel();
    });
    connect(m_plain, &QCheckBox::toggled, this, &TftpTab::updateOptionsEnabled);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &TftpTab::updateOptionsEnabled);
    updateOptionsEnabled();
}

TftpTab::~TftpTab()
{
    // A transfer in flight is cancelled: the server is told, a partial file goes.
    if (m_transfer) {
        m_transfer->disconnect(this);
        m_transfer->cancel();
    }
}

void TftpTab::updateOptionsEnabled()
{
    const bool options = !m_plain->isChecked();
    m_blockSize->setEnabled(options);
    m_windowSize->setEnabled(options);
    // A netascii transfer's size on the wire is not the file's: tsize would mislead.
    m_tsize->setEnabled(options && Tftp::Mode(m_mode->currentData().toInt()) == Tftp::Mode::Octet);
    m_serverTimeout->setEnabled(options);
}

TftpRequest TftpTab::request(bool download, QString *error) const
{
    TftpRequest request;
    request.direction
        = download ? TftpRequest::Direction::Download : TftpRequest::Direction::Upload;
    QString host = m_host->text().trimmed();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    request.host = host;
    request.port = quint16(m_port->value());
    request.remoteName = m_remote->text().trimmed();
    request.localPath = m_local->text().trimmed();
    request.mode = Tftp::Mode(m_mode->currentData().toInt());
    if (!m_plain->isChecked()) {
        request.blockSize = m_blockSize->value() >= Tftp::MinBlockSize ? m_blockSize->value() : 0;
        request.windowSize = m_windowSize->value();
        request.transferSize = m_tsize->isEnabled() && m_tsize->isChecked();
        request.timeoutOption = m_serverTimeout->value();
    }
    request.timeoutMs = m_timeoutMs->value();
    request.retries = m_retries->value();
    request.overwrite = m_overwrite->isChecked();

    QString problem;
    if (host.isEmpty())
        problem = tr("enter the server's name or address");
    else if (download && request.remoteName.isEmpty())
        problem = tr("enter the name of the remote file to download");
    else if (!download && request.localPath.isEmpty())
        problem = tr("choose the local file to upload");
    else if (!download && !QFileInfo(request.localPath).isFile())
        problem = tr("%1 is not a file that can be uploaded").arg(request.localPath);
    if (error)
        *error = problem;
    return request;
}

bool TftpTab::startTransfer(bool download)
{
    if (m_transfer && m_transfer->isRunning())
        return false;
    QString problem;
    TftpRequest request = this->request(download, &problem);
    if (!problem.isEmpty()) {
        m_result->setStyleSheet(u"color: #b71c1c;"_s);
        m_result->setText(problem);
        return false;
    }
    m_transfer = new TftpTransfer(std::move(request), this);
    connect(m_transfer, &TftpTransfer::progress, this, &TftpTab::onProgress);
    connect(m_transfer, &TftpTransfer::finished, this, &TftpTab::onFinished);
    m_result->setStyleSheet({});
    m_result->setText(download ? tr("Downloading…") : tr("Uploading…"));
    m_progress->setRange(0, 0); // busy until a size is known
    m_progressText->clear();
    m_clock.start();
    setRunning(true);
    m_transfer->start();
    return true;
}

void TftpTab::setRunning(bool running)
{
    m_download->setEnabled(!running);
    m_upload->setEnabled(!running);
    m_cancel->setEnabled(running);
}

void TftpTab::onProgress(qint64 done, qint64 total)
{
    const double seconds = std::max(0.001, double(m_clock.elapsed()) / 1000.0);
    const double rate = double(done) / seconds;
    QString text = formatBytes(quint64(done));
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(done * 1000 / total));
        text = tr("%1 of %2").arg(formatBytes(quint64(done)), formatBytes(quint64(total)));
        if (rate > 0 && done < total)
            text += u" · "_s
                + tr("%1 left").arg(formatDuration(qint64(double(total - done) / rate)));
    }
    text += u" · "_s + tr("%1/s").arg(formatBytes(quint64(rate)));
    m_progressText->setText(text);
}

void TftpTab::onFinished(const TftpResult &result)
{
    setRunning(false);
    m_progress->setRange(0, 1000);
    m_progress->setValue(result.ok() ? 1000 : 0);
    const bool download
        = m_transfer && m_transfer->request().direction == TftpRequest::Direction::Download;
    const double seconds = std::max(0.001, double(result.elapsedMs) / 1000.0);
    const QString speed = tr("%1/s").arg(formatBytes(quint64(double(result.bytes) / seconds)));
    QString summary;
    if (result.ok()) {
        summary = (download ? tr("Downloaded %1 to %2") : tr("Uploaded %1 from %2"))
                      .arg(formatBytes(quint64(result.bytes)), result.localPath);
        summary += u" · "_s
            + tr("%1 in %2 ms, block size %3, window %4")
                  .arg(speed)
                  .arg(result.elapsedMs)
                  .arg(result.blockSize)
                  .arg(result.windowSize);
        if (result.fellBackToPlain)
            summary += u" · "_s + tr("the server ignored the options");
        m_result->setStyleSheet(u"color: #1b5e20;"_s);
    } else {
        summary = result.errorString;
        m_result->setStyleSheet(u"color: #b71c1c;"_s);
    }
    m_result->setText(summary);

    auto *item = new QTreeWidgetItem(m_history);
    item->setText(0, QDateTime::currentDateTime().toString(u"HH:mm:ss"_s));
    item->setText(1, download ? tr("download") : tr("upload"));
    const QString host = m_transfer->request().host;
    item->setText(2,
        (host.contains(u':') ? u"[%1]:%2"_s : u"%1:%2"_s)
            .arg(host)
            .arg(m_transfer->request().port));
    item->setText(3, result.remoteName);
    item->setText(4, result.localPath);
    item->setText(5, QString::number(result.bytes));
    item->setText(6, result.ok() ? speed : QString());
    item->setText(7, result.ok() ? tr("OK") : result.errorString);
    item->setForeground(7, result.ok() ? QColor(0x1b, 0x5e, 0x20) : QColor(0xb7, 0x1c, 0x1c));
    m_history->scrollToItem(item);
    for (int column = 0; column < m_history->columnCount() - 1; ++column)
        m_history->resizeColumnToContents(column);
    Q_EMIT status(summary);
    Q_EMIT transferFinished(result);
    m_transfer->deleteLater();
}

void TftpTab::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(u"tftp"_s);
    settings.setValue(u"host"_s, m_host->text());
    settings.setValue(u"port"_s, m_port->value());
    settings.setValue(u"remote"_s, m_remote->text());
    settings.setValue(u"local"_s, m_local->text());
    settings.setValue(u"mode"_s, m_mode->currentData().toInt());
    settings.setValue(u"plain"_s, m_plain->isChecked());
    settings.setValue(u"blockSize"_s, m_blockSize->value());
    settings.setValue(u"windowSize"_s, m_windowSize->value());
    settings.setValue(u"tsize"_s, m_tsize->isChecked());
    settings.setValue(u"serverTimeout"_s, m_serverTimeout->value());
    settings.setValue(u"timeoutMs"_s, m_timeoutMs->value());
    settings.setValue(u"retries"_s, m_retries->value());
    settings.setValue(u"overwrite"_s, m_overwrite->isChecked());
    settings.endGroup();
}

void TftpTab::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(u"tftp"_s);
    m_host->setText(settings.value(u"host"_s, u"127.0.0.1"_s).toString());
    m_port->setValue(settings.value(u"port"_s, 69).toInt());
    m_remote->setText(settings.value(u"remote"_s).toString());
    m_local->setText(settings.value(u"local"_s, QDir::homePath()).toString());
    if (const int index
        = m_mode->findData(settings.value(u"mode"_s, int(Tftp::Mode::Octet)).toInt());
        index >= 0)
        m_mode->setCurrentIndex(index);
    m_plain->setChecked(settings.value(u"plain"_s, false).toBool());
    m_blockSize->setValue(settings.value(u"blockSize"_s, 1468).toInt());
    m_windowSize->setValue(settings.value(u"windowSize"_s, 0).toInt());
    m_tsize->setChecked(settings.value(u"tsize"_s, true).toBool());
    m_serverTimeout->setValue(settings.value(u"serverTimeout"_s, 0).toInt());
    m_timeoutMs->setValue(settings.value(u"timeoutMs"_s, 1000).toInt());
    m_retries->setValue(settings.value(u"retries"_s, 5).toInt());
    m_overwrite->setChecked(settings.value(u"overwrite"_s, false).toBool());
    settings.endGroup();
}
