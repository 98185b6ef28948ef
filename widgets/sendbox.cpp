#include "sendbox.h"

#include "net/core/session.h"
#include "net/send/filesender.h"
#include "net/send/periodicsender.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"
#include "sessiontab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

SendBox::SendBox(Session *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_periodic(new PeriodicSender(session, this))
    , m_fileSender(new FileSender(session, this))
{
    m_edit = new QPlainTextEdit(this);
    m_edit->setObjectName(u"sendEdit"_s);
    m_edit->setPlaceholderText(tr("Text to send (Ctrl+Enter sends)"));
    m_edit->setTabChangesFocus(true);
    m_edit->installEventFilter(this);

    m_mode = new QComboBox(this);
    m_mode->setObjectName(u"sendMode"_s);
    m_mode->addItem(tr("Text"), int(Mode::Text));
    m_mode->addItem(tr("Hex"), int(Mode::Hex));
    m_escapes = new QCheckBox(tr("Parse escapes"), this);
    m_escapes->setObjectName(u"sendEscapes"_s);
    m_escapes->setToolTip(tr("Read \\r \\n \\t \\\\ \\0 and \\xNN in the text"));
    m_lineEnding = new QComboBox(this);
    m_lineEnding->setObjectName(u"sendLineEnding"_s);
    m_lineEnding->addItem(tr("No line end"), int(LineEnding::None));
    m_lineEnding->addItem(u"CR"_s, int(LineEnding::Cr));
    m_lineEnding->addItem(u"LF"_s, int(LineEnding::Lf));
    m_lineEnding->addItem(u"CR LF"_s, int(LineEnding::CrLf));
    m_sendButton = new QPushButton(tr("Send"), this);
    m_sendButton->setObjectName(u"sendButton"_s);
    m_sendButton->setDefault(true);
    m_error = new QLabel(this);
    m_error->setObjectName(u"sendError"_s);
    m_error->setStyleSheet(u"color: #b71c1c;"_s);
    m_error->setWordWrap(true);
    m_error->hide();

    m_repeat = new QToolButton(this);
    m_repeat->setObjectName(u"repeatButton"_s);
    m_repeat->setText(tr("Repeat"));
    m_repeat->setCheckable(true);
    m_interval = new QSpinBox(this);
    m_interval->setObjectName(u"repeatInterval"_s);
    m_interval->setRange(1, 24 * 3600 * 1000);
    m_interval->setValue(1000);
    m_interval->setSuffix(tr(" ms"));
    m_count = new QSpinBox(this);
    m_count->setObjectName(u"repeatCount"_s);
    m_count->setRange(0, 1'000'000'000);
    m_count->setSpecialValueText(tr("until stopped"));
    m_count->setPrefix(tr("× "));
    m_repeatState = new QLabel(this);
    m_repeatState->setObjectName(u"repeatState"_s);

    m_fileButton = new QPushButton(tr("Send file…"), this);
    m_fileButton->setObjectName(u"sendFileButton"_s);
    m_fileProgress = new QProgressBar(this);
    m_fileProgress->setObjectName(u"sendFileProgress"_s);
    m_fileProgress->setVisible(false);
    m_fileCancel = new QToolButton(this);
    m_fileCancel->setObjectName(u"sendFileCancel"_s);
    m_fileCancel->setText(tr("Cancel"));
    m_fileCancel->setVisible(false);

    m_history = new QComboBox(this);
    m_history->setObjectName(u"sendHistory"_s);
    m_history->setPlaceholderText(tr("History"));
    m_history->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_history->setMinimumContentsLength(12);
    m_quick = new QComboBox(this);
    m_quick->setObjectName(u"quickCommands"_s);
    m_quick->setPlaceholderText(tr("Quick commands"));
    m_quick->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_quick->setMinimumContentsLength(12);
    auto *quickSend = new QToolButton(this);
    quickSend->setObjectName(u"quickSend"_s);
    quickSend->setText(tr("Send"));
    quickSend->setToolTip(tr("Send the chosen quick command"));
    auto *quickSave = new QToolButton(this);
    quickSave->setObjectName(u"quickSave"_s);
    quickSave->setText(tr("Save…"));
    quickSave->setToolTip(tr("Save the text above as a quick command"));
    auto *quickRemove = new QToolButton(this);
    quickRemove->setObjectName(u"quickRemove"_s);
    quickRemove->setText(tr("Remove"));

    auto *options = new QHBoxLayout;
    options->addWidget(m_mode);
    options->addWidget(m_escapes);
    options->addWidget(m_lineEnding);
    options->addStretch(1);
    options->addWidget(m_sendButton);

    auto *repeat = new QHBoxLayout;
    repeat->addWidget(m_repeat);
    repeat->addWidget(new QLabel(tr("every"), this));
    repeat->addWidget(m_interval);
    repeat->addWidget(m_count);
    repeat->addWidget(m_repeatState, 1);
    repeat->addWidget(m_fileButton);
    repeat->addWidget(m_fileProgress, 1);
    repeat->addWidget(m_fileCancel);

    auto *savedRow = new QHBoxLayout;
    savedRow->addWidget(m_history, 1);
    savedRow->addWidget(m_quick, 1);
    savedRow->addWidget(quickSend);
    savedRow->addWidget(quickSave);
    savedRow->addWidget(quickRemove);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_error);
    layout->addLayout(options);
    layout->addLayout(repeat);
    layout->addLayout(savedRow);

    connect(m_sendButton, &QPushButton::clicked, this, &SendBox::sendNow);
    connect(m_repeat, &QToolButton::toggled, this, &SendBox::toggleRepeat);
    connect(m_periodic, &PeriodicSender::tick, this, [this](int sent) {
        m_repeatState->setText(m_periodic->count() > 0
                ? tr("sent %1 of %2").arg(sent).arg(m_periodic->count())
                : tr("sent %1").arg(sent));
    });
    connect(m_periodic, &PeriodicSender::finished, this, [this](const SendResult &result) {
        m_repeat->setChecked(false);
        updateEnabled();
        Q_EMIT repeatFinished(result);
    });
    connect(m_fileButton, &QPushButton::clicked, this, &SendBox::chooseFile);
    connect(m_fileCancel, &QToolButton::clicked, m_fileSender, &FileSender::cancel);
    connect(m_fileSender, &FileSender::progress, this, [this](qint64 sent, qint64 total) {
        // Percent, so files over 2 GiB fit the bar's int range.
        m_fileProgress->setValue(total > 0 ? int(sent * 100 / total) : 100);
        m_fileProgress->setFormat(tr("%1 of %2 bytes").arg(sent).arg(total));
    });
    connect(m_fileSender, &FileSender::finished, this, [this](const SendResult &result) {
        m_fileProgress->setVisible(false);
        m_fileCancel->setVisible(false);
        m_fileButton->setEnabled(true);
        if (result.ok())
            Q_EMIT status(tr("File sent: %1").arg(formatBytes(quint64(result.bytes))));
        else if (!m_send || result.status != SendResult::Status::SendFailed)
            showError(result.message); // (a send refused by m_send has shown its reason)
        Q_EMIT fileFinished(result);
    });
    connect(m_history, &QComboBox::activated, this, [this](int index) {
        m_mode->setCurrentIndex(m_mode->findData(m_history->itemData(index).toInt()));
        m_edit->setPlainText(m_history->itemText(index));
    });
    connect(quickSend, &QToolButton::clicked, this, [this] {
        if (m_quick->currentIndex() < 0)
            return;
        const QStringList saved = m_quick->currentData().toStringList();
        if (saved.size() == 2) {
            m_mode->setCurrentIndex(m_mode->findData(saved.at(0).toInt()));
            m_edit->setPlainText(saved.at(1));
            sendNow();
        }
    });
    connect(quickSave, &QToolButton::clicked, this, &SendBox::saveQuickCommand);
    connect(quickRemove, &QToolButton::clicked, this, [this] {
        if (m_quick->currentIndex() >= 0)
            m_quick->removeItem(m_quick->currentIndex());
    });
    connect(m_edit, &QPlainTextEdit::textChanged, m_error, &QLabel::hide);
    if (session)
        connect(session, &Session::stateChanged, this, &SendBox::updateEnabled);
    updateEnabled();
}

SendBox::~SendBox() = default;

void SendBox::setSendFunction(SendFunction send)
{
    m_send = std::move(send);
    // Repeats and files go where a typed send goes (to the selected clients
    // of a server when that is chosen), not to the whole session.
    const auto viaBox = [this](const QByteArray &bytes) { return sendForSenders(bytes); };
    m_periodic->setSendFunction(viaBox);
    m_fileSender->setSendFunction(viaBox);
}

bool SendBox::sendForSenders(const QByteArray &bytes)
{
    const QString problem = m_send(bytes);
    if (!problem.isEmpty())
        showError(problem);
    return problem.isEmpty();
}

void SendBox::setContent(const QString &text, Mode mode, bool escapes)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
    m_escapes->setChecked(escapes);
    m_lineEnding->setCurrentIndex(m_lineEnding->findData(int(LineEnding::None)));
    m_edit->setPlainText(text);
}

void SendBox::setRepeat(int intervalMs, int count)
{
    m_interval->setValue(intervalMs);
    m_count->setValue(count);
}

void SendBox::setFileChunkSize(qint64 bytes)
{
    m_fileSender->setChunkSize(bytes);
}

bool SendBox::startRepeating()
{
    {
        const QSignalBlocker blocker(m_repeat);
        m_repeat->setChecked(true);
    }
    return beginRepeat();
}

bool SendBox::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)
            && key->modifiers().testFlag(Qt::ControlModifier)) {
            sendNow();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

BytesResult SendBox::payload() const
{
    const QString text = m_edit->toPlainText();
    BytesResult result;
    if (Mode(m_mode->currentData().toInt()) == Mode::Hex)
        result = Hex::parse(text);
    else if (m_escapes->isChecked())
        result = Escapes::encode(text, m_encoding);
    else
        result = TextCodec::encode(text, m_encoding);
    if (!result.ok())
        return result;
    switch (LineEnding(m_lineEnding->currentData().toInt())) {
    case LineEnding::None:
        break;
    case LineEnding::Cr:
        result.bytes += '\r';
        break;
    case LineEnding::Lf:
        result.bytes += '\n';
        break;
    case LineEnding::CrLf:
        result.bytes += "\r\n";
        break;
    }
    if (result.bytes.isEmpty())
        return BytesResult::failure(tr("nothing to send: the box is empty"), 0);
    return result;
}

void SendBox::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

bool SendBox::sendNow()
{
    const BytesResult bytes = payload();
    if (!bytes.ok()) {
        showError(bytes.error);
        return false;
    }
    QString problem;
    if (m_send)
        problem = m_send(bytes.bytes);
    else if (!m_session)
        problem = tr("nowhere to send");
    else if (!m_session->send(bytes.bytes))
        problem = m_session->errorString();
    if (!problem.isEmpty()) {
        showError(problem);
        return false;
    }
    m_error->hide();
    addToHistory(m_edit->toPlainText());
    return true;
}

bool SendBox::isRepeating() const
{
    return m_periodic->isRunning();
}

void SendBox::toggleRepeat(bool on)
{
    if (!on) {
        m_periodic->stop();
        m_repeat->setText(tr("Repeat"));
        updateEnabled();
        return;
    }
    beginRepeat();
}

bool SendBox::beginRepeat()
{
    const BytesResult bytes = payload();
    QString error = bytes.error;
    if (bytes.ok()
        && m_periodic->start(bytes.bytes, m_interval->value(), m_count->value(), &error)) {
        // A count of one has finished already.
        if (m_periodic->isRunning())
            m_repeat->setText(tr("Stop"));
        m_error->hide();
        addToHistory(m_edit->toPlainText());
        updateEnabled();
        return true;
    }
    // Never an endless loop on an empty or invalid box.
    const QSignalBlocker blocker(m_repeat);
    m_repeat->setChecked(false);
    showError(error);
    return false;
}

void SendBox::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Send file"));
    if (!path.isEmpty())
        sendFile(path);
}

bool SendBox::sendFile(const QString &path)
{
    QString error;
    if (!m_fileSender->start(path, &error)) {
        showError(error);
        return false;
    }
    m_fileProgress->setRange(0, 100);
    m_fileProgress->setValue(0);
    m_fileProgress->setVisible(true);
    m_fileCancel->setVisible(true);
    m_fileButton->setEnabled(false);
    return true;
}

void SendBox::addToHistory(const QString &text)
{
    const int mode = m_mode->currentData().toInt();
    for (int i = 0; i < m_history->count(); ++i) {
        if (m_history->itemText(i) == text && m_history->itemData(i).toInt() == mode) {
            m_history->removeItem(i);
            break;
        }
    }
    m_history->insertItem(0, text, mode);
    while (m_history->count() > HistorySize)
        m_history->removeItem(m_history->count() - 1);
    m_history->setCurrentIndex(-1);
}

void SendBox::saveQuickCommand()
{
    const QString text = m_edit->toPlainText();
    if (text.isEmpty()) {
        showError(tr("nothing to save: the box is empty"));
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Quick command"), tr("Name:"), QLineEdit::Normal, text.left(20), &ok);
    if (!ok || name.isEmpty())
        return;
    m_quick->addItem(name, QStringList { QString::number(m_mode->currentData().toInt()), text });
    m_quick->setCurrentIndex(m_quick->count() - 1);
}

void SendBox::updateEnabled()
{
    const bool active = m_session && m_session->state() == Session::State::Active;
    m_sendButton->setEnabled(active);
    m_fileButton->setEnabled(active && !m_fileSender->isRunning());
    m_repeat->setEnabled(active || m_periodic->isRunning());
    if (!m_periodic->isRunning()) {
        m_repeat->setText(tr("Repeat"));
        const QSignalBlocker blocker(m_repeat);
        m_repeat->setChecked(false);
    }
}

void SendBox::saveSettings(QSettings &settings) const
{
    settings.setValue(u"mode"_s, m_mode->currentData().toInt());
    settings.setValue(u"escapes"_s, m_escapes->isChecked());
    settings.setValue(u"lineEnding"_s, m_lineEnding->currentData().toInt());
    settings.setValue(u"interval"_s, m_interval->value());
    settings.setValue(u"count"_s, m_count->value());
    settings.setValue(u"text"_s, m_edit->toPlainText());
    QVariantList history;
    for (int i = 0; i < m_history->count(); ++i)
        history << QVariant(QStringList {
            QString::number(m_history->itemData(i).toInt()), m_history->itemText(i) });
    settings.setValue(u"history"_s, history);
    QVariantList quick;
    for (int i = 0; i < m_quick->count(); ++i)
        quick << QVariant(
            QStringList { m_quick->itemText(i) } + m_quick->itemData(i).toStringList());
    settings.setValue(u"quickCommands"_s, quick);
}

void SendBox::restoreSettings(const QSettings &settings)
{
    auto select = [](QComboBox *box, const QVariant &value) {
        if (const int index = box->findData(value.toInt()); index >= 0)
            box->setCurrentIndex(index);
    };
    select(m_mode, settings.value(u"mode"_s, int(Mode::Text)));
    m_escapes->setChecked(settings.value(u"escapes"_s, false).toBool());
    select(m_lineEnding, settings.value(u"lineEnding"_s, int(LineEnding::None)));
    m_interval->setValue(settings.value(u"interval"_s, 1000).toInt());
    m_count->setValue(settings.value(u"count"_s, 0).toInt());
    m_edit->setPlainText(settings.value(u"text"_s).toString());
    m_history->clear();
    for (const QVariant &item : settings.value(u"history"_s).toList()) {
        const QStringList fields = item.toStringList();
        if (fields.size() == 2)
            m_history->addItem(fields.at(1), fields.at(0).toInt());
    }
    m_history->setCurrentIndex(-1);
    m_quick->clear();
    for (const QVariant &item : settings.value(u"quickCommands"_s).toList()) {
        const QStringList fields = item.toStringList();
        if (fields.size() == 3)
            m_quick->addItem(fields.at(0), QStringList { fields.at(1), fields.at(2) });
    }
}
