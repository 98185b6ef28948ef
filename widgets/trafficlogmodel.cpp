#include "trafficlogmodel.h"

#include "net/log/logwriter.h"
#include "net/log/trafficlog.h"
#include "net/text/hex.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QFontDatabase>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// What a table cell shows at most: shaping long strings for every repaint is
// where a busy view spends its time; the detail pane shows an entry whole.
constexpr qsizetype CellChars = 160;
constexpr qsizetype CellHexBytes = 48;
constexpr qsizetype PreviewBytes = LogPreview::Bytes;

// One line per row, cut to what a cell shows. Escapes count: a run of NUL
// bytes (four characters each as \x00) is cut as short as plain text.
QString visible(const QString &text)
{
    QString line = escapeForLine(QStringView(text).first(std::min(text.size(), CellChars)));
    if (line.size() <= CellChars && text.size() <= CellChars)
        return line;
    qsizetype cut = 0; // before the first escape or character that does not fit whole
    while (cut < line.size()) {
        qsizetype length = 1;
        if (line[cut] == u'\\' && cut + 1 < line.size())
            length = line[cut + 1] == u'x' ? 4 : line[cut + 1] == u'u' ? 6 : 2;
        else if (line[cut].isHighSurrogate())
            length = 2;
        if (cut + length > CellChars)
            break;
        cut += length;
    }
    line.truncate(cut);
    return line + u'…';
}

} // namespace

TrafficLogModel::TrafficLogModel(TrafficLog *log, QObject *parent)
    : QAbstractTableModel(parent)
    , m_log(log)
    , m_decoders(log)
{
    connect(log, &TrafficLog::batchReady, this, &TrafficLogModel::sync);
    connect(log, &TrafficLog::cleared, this, &TrafficLogModel::resetFromLog);
    resetFromLog();
}

TrafficLogModel::~TrafficLogModel() = default;

int TrafficLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int TrafficLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const LogEntry *TrafficLogModel::entry(int row) const
{
    const quint64 sequence = m_first + quint64(row);
    if (sequence < m_log->firstSequence() || sequence >= m_log->totalAppended())
        return nullptr;
    return &m_log->at(qsizetype(sequence - m_log->firstSequence()));
}

QString TrafficLogModel::text(int row) const
{
    const LogEntry *e = entry(row);
    return e ? preview(*e, sequence(row)) : QString();
}

QString TrafficLogModel::fullText(int row) const
{
    const LogEntry *e = entry(row);
    if (!e)
        return {};
    if (!e->isData())
        return QString::fromUtf8(e->data);
    const QString *joined = joinedText(sequence(row));
    if (joined && e->data.size() <= PreviewBytes && joined->size() <= PreviewChars)
        return *joined;
    return TextCodec::decode(e->data, encodingOf(*e));
}

QString TrafficLogModel::directionText(const LogEntry &entry)
{
    switch (entry.kind) {
    case LogKind::Rx:
        return tr("RX");
    case LogKind::Tx:
        return tr("TX");
    case LogKind::Listening:
        return tr("listening");
    case LogKind::Connected:
        return tr("connected");
    case LogKind::Disconnected:
        return tr("disconnected");
    case LogKind::Error:
        return tr("error");
    case LogKind::Info:
        return tr("info");
    }
    return {};
}

QVariant TrafficLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const LogEntry *found = entry(index.row());
    if (!found)
        return {};
    const LogEntry &e = *found;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return timeOfDay(e.msecsSinceEpoch);
        case SessionColumn:
            return m_log->sessionName(e.session);
        case DirectionColumn:
            return directionText(e);
        case PeerColumn:
            return e.peer.isNull() ? QString() : e.peer.toString();
        case BytesColumn:
            return e.isData() ? QVariant(e.data.size()) : QVariant();
        case TextColumn:
            return e.isData() ? visible(preview(e, sequence(index.row())))
                              : QString::fromUtf8(e.data);
        case HexColumn:
            if (!e.isData())
                return {};
            if (e.data.size() > CellHexBytes)
                return QString(Hex::format(QByteArrayView(e.data).first(CellHexBytes)) + u" …"_s);
            return Hex::format(e.data);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == BytesColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        switch (e.kind) {
        case LogKind::Rx:
            return QBrush(QColor(0x1b, 0x5e, 0x20));
        case LogKind::Tx:
            return QBrush(QColor(0x0d, 0x47, 0xa1));
        case LogKind::Error:
            return QBrush(QColor(0xb7, 0x1c, 0x1c));
        default:
            return QBrush(QColor(0x61, 0x61, 0x61));
        }
    case Qt::FontRole:
        if (index.column() == HexColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case KindRole:
        return int(e.kind);
    case SessionRole:
        return e.session;
    case PeerIdRole:
        return e.peerId;
    case SequenceRole:
        return m_first + quint64(index.row());
    case RawDataRole:
        return e.data;
    case FilterTextRole:
        return QString(e.peer.toString() + u' ' + preview(e, sequence(index.row())) + u' '
            + (e.isData() ? Hex::format(QByteArrayView(e.data).first(
                   std::min<qsizetype>(e.data.size(), HexPreviewBytes)))
                          : QString()));
    default:
        return {};
    }
}

QVariant TrafficLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SessionColumn:
        return tr("Session");
    case DirectionColumn:
        return tr("Direction");
    case PeerColumn:
        return tr("Peer");
    case BytesColumn:
        return tr("Bytes");
    case TextColumn:
        return tr("Text");
    case HexColumn:
        return tr("Hex");
    default:
        return {};
    }
}

std::optional<QString> TrafficLogModel::decode(const LogEntry &entry)
{
    if (!entry.isData())
        return std::nullopt;
    if (entry.data.size() > PreviewBytes) {
        // A bulk read (a flood, a file) shows its start, decoded alone:
        // decoding megabytes for a one-line cell would cost more than the read.
        m_decoders.reset(entry);
        return std::nullopt;
    }
    std::optional<QString> text = m_decoders.decodeIfJoined(entry);
    if (text)
        LogPreview::limit(*text);
    return text;
}

QString TrafficLogModel::encodingOf(const LogEntry &entry) const
{
    return m_log->sessionEncoding(entry.session);
}

QString TrafficLogModel::preview(const LogEntry &entry, quint64 sequence) const
{
    return LogPreview::text(
        entry, entry.isData() ? joinedText(sequence) : nullptr, encodingOf(entry));
}

const QString *TrafficLogModel::joinedText(quint64 sequence) const
{
    const auto it = std::lower_bound(m_joined.begin(), m_joined.end(), sequence,
        [](const std::pair<quint64, QString> &item, quint64 value) { return item.first < value; });
    return it != m_joined.end() && it->first == sequence ? &it->second : nullptr;
}

bool TrafficLogModel::matches(int row, TextQuery &query) const
{
    const LogEntry *e = entry(row);
    if (!e)
        return false;
    return query.matches(*e, e->isData() ? joinedText(sequence(row)) : nullptr, *m_log);
}

QString TrafficLogModel::timeOfDay(qint64 msecsSinceEpoch) const
{
    // Local time without a time-zone lookup per row; the offset is refreshed
    // every batch, which is soon enough for a change of daylight saving time.
    constexpr qint64 day = 24 * 3600 * 1000;
    const qint64 local = ((msecsSinceEpoch + m_utcOffsetMs) % day + day) % day;
    const int ms = int(local % 1000);
    const int s = int(local / 1000 % 60);
    const int m = int(local / 60'000 % 60);
    const int h = int(local / 3'600'000);
    const QChar zero(u'0');
    return u"%1:%2:%3.%4"_s.arg(h, 2, 10, zero)
        .arg(m, 2, 10, zero)
        .arg(s, 2, 10, zero)
        .arg(ms, 3, 10, zero);
}

void TrafficLogModel::sync()
{
    m_utcOffsetMs = qint64(QDateTime::currentDateTime().offsetFromUtc()) * 1000;
    const quint64 logFirst = m_log->firstSequence();
    const quint64 logEnd = m_log->totalAppended();

    if (m_rows == 0) {
        // Nothing shown, nothing to drop: the batch is inserted like any other
        // (a reset here would make every first batch, and the first after each
        // clear, a modelReset instead of rowsInserted).
        m_first = logFirst;
    } else if (logFirst >= m_first + quint64(m_rows)) {
        // Everything we show is gone (a flood, or a smaller cap): start over.
        resetFromLog();
        return;
    }
    const quint64 ourEnd = m_first + quint64(m_rows);
    if (logFirst > m_first) {
        const auto dropped = int(logFirst - m_first);
        beginRemoveRows({}, 0, dropped - 1);
        m_rows -= dropped;
        m_first = logFirst;
        while (!m_joined.empty() && m_joined.front().first < logFirst)
            m_joined.pop_front();
        endRemoveRows();
    }
    if (logEnd > ourEnd) {
        const auto added = int(logEnd - ourEnd);
        beginInsertRows({}, m_rows, m_rows + added - 1);
        const qsizetype base = qsizetype(ourEnd - logFirst);
        for (int i = 0; i < added; ++i) {
            if (std::optional<QString> text = decode(m_log->at(base + i)))
                m_joined.emplace_back(ourEnd + quint64(i), std::move(*text));
        }
        m_rows += added;
        endInsertRows();
    }
}

void TrafficLogModel::resetFromLog()
{
    m_utcOffsetMs = qint64(QDateTime::currentDateTime().offsetFromUtc()) * 1000;
    beginResetModel();
    m_joined.clear();
    m_decoders.clear();
    m_first = m_log->firstSequence();
    m_rows = int(m_log->size());
    for (int row = 0; row < m_rows; ++row) {
        if (std::optional<QString> text = decode(m_log->at(row)))
            m_joined.emplace_back(sequence(row), std::move(*text));
    }
    endResetModel();
}

void TrafficLogModel::redecodeSession(int session)
{
    // Restart the decoders of this session and pass its rows through again in
    // order; the joined texts of other sessions stay.
    m_decoders.resetSession(session);
    std::deque<std::pair<quint64, QString>> joined;
    auto old = m_joined.begin();
    for (int row = 0; row < m_rows; ++row) {
        const quint64 seq = sequence(row);
        while (old != m_joined.end() && old->first < seq)
            ++old;
        const bool hadJoined = old != m_joined.end() && old->first == seq;
        const LogEntry *e = entry(row);
        if (e && e->session == session) {
            if (std::optional<QString> text = decode(*e))
                joined.emplace_back(seq, std::move(*text));
        } else if (hadJoined) {
            joined.push_back(std::move(*old));
        }
    }
    m_joined = std::move(joined);
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, TextColumn), index(rowCount() - 1, TextColumn));
}
