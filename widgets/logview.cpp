#include "logview.h"

#include "logfiltermodel.h"
#include "net/text/textcodec.h"
#include "net/log/trafficlog.h"
#include "trafficlogmodel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QString csvField(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n')
        && !value.contains(u'\r'))
        return value;
    QString quoted = value;
    quoted.replace(u"\""_s, u"\"\""_s);
    return u'"' + quoted + u'"';
}

} // namespace

LogView::LogView(TrafficLogModel *model, int session, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new LogFilterModel(this))
    , m_session(session)
{
    m_filter->setSourceModel(model);
    m_filter->setSession(session);

    m_search = new QLineEdit(this);
    m_search->setObjectName(u"logSearch"_s);
    m_search->setPlaceholderText(tr("Filter by peer, text or hex"));
    // The clear button's icon comes from the icon theme, a search that costs
    // more than the rest of the view at start-up; the button shows only with
    // text, so it is enabled with the first text.
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (!text.isEmpty())
            m_search->setClearButtonEnabled(true);
    });

    m_kinds = new QComboBox(this);
    m_kinds->setObjectName(u"logKinds"_s);
    m_kinds->addItem(tr("All"), int(LogFilterModel::Kinds::All));
    m_kinds->addItem(tr("Received"), int(LogFilterModel::Kinds::Received));
    m_kinds->addItem(tr("Sent"), int(LogFilterModel::Kinds::Sent));
    m_kinds->addItem(tr("Data"), int(LogFilterModel::Kinds::Data));
    m_kinds->addItem(tr("Events"), int(LogFilterModel::Kinds::Events));

    m_show = new QComboBox(this);
    m_show->setObjectName(u"logShow"_s);
    m_show->addItem(tr("Text + hex"), int(Show::TextAndHex));
    m_show->addItem(tr("Text"), int(Show::Text));
    m_show->addItem(tr("Hex"), int(Show::Hex));

    m_timestamps = new QCheckBox(tr("Timestamps"), this);
    m_timestamps->setObjectName(u"logTimestamps"_s);
    m_timestamps->setChecked(true);
    m_pause = new QToolButton(this);
    m_pause->setObjectName(u"logPause"_s);
    m_pause->setText(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the display; traffic is still logged and counted"));
    m_autoScroll = new QCheckBox(tr("Auto-scroll"), this);
    m_autoScroll->setObjectName(u"logAutoScroll"_s);
    m_autoScroll->setChecked(true);
    m_wrap = new QCheckBox(tr("Wrap"), this);
    m_wrap->setObjectName(u"logWrap"_s);
    m_wrap->setToolTip(tr("Wrap long lines in the detail pane"));

    auto *clear = new QToolButton(this);
    clear->setObjectName(u"logClear"_s);
    clear->setText(tr("Clear"));
    auto *save = new QToolButton(this);
    save->setObjectName(u"logSave"_s);
    save->setText(tr("Save…"));
    m_count = new QLabel(this);
    m_count->setObjectName(u"logCount"_s);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_kinds);
    bar->addWidget(m_show);
    bar->addWidget(m_timestamps);
    bar->addWidget(m_autoScroll);
    bar->addWidget(m_wrap);
    bar->addWidget(m_pause);
    bar->addWidget(clear);
    bar->addWidget(save);
    bar->addWidget(m_count);

    m_table = new QTableView(this);
    m_table->setObjectName(u"logTable"_s);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->verticalHeader()->hide();
    // Uniform rows: the view never measures content to lay out a million rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setColumnWidth(
        TrafficLogModel::TimeColumn, m_table->fontMetrics().horizontalAdvance(u"00:00:00.000__"_s));
    m_table->setColumnWidth(TrafficLogModel::SessionColumn, 110);
    m_table->setColumnWidth(TrafficLogModel::DirectionColumn, 90);
    m_table->setColumnWidth(TrafficLogModel::PeerColumn,
        m_table->fontMetrics().horizontalAdvance(u"[0000:0000::1]:65535_"_s));
    m_table->setColumnWidth(TrafficLogModel::BytesColumn, 60);
    m_table->setColumnWidth(TrafficLogModel::TextColumn, 320);

    // Copy the selected rows (the visible columns, tab-separated) with Ctrl+C
    // or from the context menu.
    auto *copy = new QAction(tr("Copy"), m_table);
    copy->setObjectName(u"logCopy"_s);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &LogView::copySelection);
    m_table->addAction(copy);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(u"logDetail"_s);
    m_detail->setReadOnly(true);
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select a row to see all of it"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    m_scrollTimer = new QTimer(this);
    m_scrollTimer->setInterval(100);
    connect(m_scrollTimer, &QTimer::timeout, this, &LogView::scrollIfWanted);
    m_scrollTimer->start();

    connect(m_search, &QLineEdit::textChanged, m_filter, &LogFilterModel::setText);
    connect(m_kinds, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setKinds(LogFilterModel::Kinds(m_kinds->currentData().toInt())); });
    connect(m_show, &QComboBox::currentIndexChanged, this, &LogView::applyColumns);
    connect(m_timestamps, &QCheckBox::toggled, this, &LogView::applyColumns);
    connect(m_pause, &QToolButton::toggled, this, [this](bool paused) {
        m_filter->setPaused(paused);
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    });
    connect(m_wrap, &QCheckBox::toggled, this, [this](bool on) {
        m_detail->setLineWrapMode(on ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    });
    // The all-traffic view clears the log; a session's view only clears itself.
    clear->setToolTip(
        session == 0 ? tr("Clear the traffic log of every session") : tr("Clear this view"));
    connect(clear, &QToolButton::clicked, this, [this] {
        if (m_session == 0)
            m_model->log()->clear();
        else
            m_filter->hideExisting();
        m_detail->clear();
    });
    connect(save, &QToolButton::clicked, this, &LogView::saveWithDialog);
    // New rows are followed at once, in the same turn of the event loop as the
    // batch that brought them: the view then lays out and paints once per
    // batch, where a scroll on the timer would add a second paint (under a
    // flood, painting is what the window spends most of its own time on).
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_autoScroll->isChecked() && !m_filter->isPaused())
            m_table->scrollToBottom();
    });
    // A new filter (or resuming) is a layout change: the rows it shows are new too.
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, [this] { m_rowsArrived = true; });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &LogView::updateDetail);
    applyColumns();
}

void LogView::setShow(Show show)
{
    m_show->setCurrentIndex(m_show->findData(int(show)));
}

void LogView::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

void LogView::applyColumns()
{
    const auto show = Show(m_show->currentData().toInt());
    m_table->setColumnHidden(TrafficLogModel::TimeColumn, !m_timestamps->isChecked());
    m_table->setColumnHidden(TrafficLogModel::SessionColumn, m_session != 0);
    m_table->setColumnHidden(TrafficLogModel::TextColumn, show == Show::Hex);
    m_table->setColumnHidden(TrafficLogModel::HexColumn, show == Show::Text);
}

void LogView::scrollIfWanted()
{
    const int rows = m_filter->rowCount();
    m_count->setText(tr("%n row(s)", nullptr, rows));
    if (m_rowsArrived && m_autoScroll->isChecked() && !m_filter->isPaused())
        m_table->scrollToBottom();
    m_rowsArrived = false;
}

void LogView::updateDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const QModelIndex source = m_filter->mapToSource(current);
    const LogEntry *entry = m_model->entry(source.row());
    if (!entry) {
        m_detail->clear();
        return;
    }
    QString text = QDateTime::fromMSecsSinceEpoch(entry->msecsSinceEpoch)
                       .toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s)
        + u"  "_s + TrafficLogModel::directionText(*entry) + u"  "_s + entry->peer.toString()
        + u'\n';
    if (entry->isData()) {
        text += tr("%n byte(s)", nullptr, int(entry->data.size())) + u"\n\n"_s;
        text += m_model->fullText(source.row());
        text += u"\n\n"_s + Hex::format(entry->data);
    } else {
        text += QString::fromUtf8(entry->data);
    }
    m_detail->setPlainText(text);
}

void LogView::copySelection() const
{
    QStringList lines;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        QStringList cells;
        for (int column = 0; column < TrafficLogModel::ColumnCount; ++column) {
            if (!m_table->isColumnHidden(column))
                cells << m_filter->index(row.row(), column).data().toString();
        }
        lines << cells.join(u'\t');
    }
    QApplication::clipboard()->setText(lines.join(u'\n'));
}

bool LogView::saveTo(const QString &path, QString *error) const
{
    enum class Format { Text, Csv, Json };
    const Format format = path.endsWith(u".csv"_s, Qt::CaseInsensitive) ? Format::Csv
        : (path.endsWith(u".jsonl"_s, Qt::CaseInsensitive)
              || path.endsWith(u".json"_s, Qt::CaseInsensitive))
        ? Format::Json
        : Format::Text;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (format == Format::Csv)
        file.write("time,session,direction,peer,port,bytes,text,hex\n");
    // Decode afresh, in order, so text split across entries comes out whole.
    QHash<QString, std::shared_ptr<StreamDecoder>> decoders;
    const TrafficLog *log = m_model->log();
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const QModelIndex source = m_filter->mapToSource(m_filter->index(row, 0));
        const LogEntry *entry = m_model->entry(source.row());
        if (!entry)
            continue;
        QString text;
        if (entry->isData()) {
            auto &decoder = decoders
                [u"%1/%2/%3"_s.arg(entry->session).arg(entry->peerId).arg(int(entry->kind))];
            if (!decoder)
                decoder = std::make_shared<StreamDecoder>(log->sessionEncoding(entry->session));
            text = decoder->decode(entry->data);
        } else {
            text = QString::fromUtf8(entry->data);
        }
        switch (format) {
        case Format::Text:
            file.write(log->formatText(*entry, text).toUtf8() + '\n');
            break;
        case Format::Json:
            file.write(log->formatJson(*entry, text) + '\n');
            break;
        case Format::Csv: {
            const QStringList fields {
                QDateTime::fromMSecsSinceEpoch(entry->msecsSinceEpoch).toString(Qt::ISODateWithMs),
                log->sessionName(entry->session),
                logKindName(entry->kind),
                entry->peer.isNull() ? QString() : plainAddress(entry->peer.address).toString(),
                entry->peer.isNull() ? QString() : QString::number(entry->peer.port),
                entry->isData() ? QString::number(entry->data.size()) : QString(),
                text,
                entry->isData() ? Hex::format(entry->data) : QString(),
            };
            QStringList quoted;
            for (const QString &field : fields)
                quoted << csvField(field);
            file.write(quoted.join(u',').toUtf8() + '\n');
            break;
        }
        }
    }
    if (!file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void LogView::saveWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save log"), u"socklab-log.txt"_s,
        tr("Text (*.txt *.log);;CSV (*.csv);;JSON lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QString error;
    if (saveTo(path, &error))
        Q_EMIT status(tr("Saved %n row(s) to %1", nullptr, m_filter->rowCount()).arg(path));
    else
        Q_EMIT status(error);
}
