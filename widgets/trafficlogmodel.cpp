#include "trafficlogmodel.h"

#include "textcodec.h"
#include "trafficlog.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QFontDatabase>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype MaxDecoders = 4096;
constexpr qsizetype HexPreviewBytes = 512;
// What a table cell shows at most: shaping long strings for every repaint is
// where a busy view spends its time; the detail pane shows an entry whole.
constexpr qsizetype CellChars = 160;
constexpr qsizetype CellHexBytes = 48;
constexpr qsizetype PreviewBytes = 4 * TrafficLogModel::PreviewChars;

QString decoderKey(const LogEntry &entry)
{
    return u"%1/%2/%3"_s.arg(entry.session).arg(entry.peerId).arg(int(entry.kind));
}

// One line per row, cut to what a cell shows.
QString visible(const QString &text)
{
    if (text.size() <= CellChars)
        return escapeForLine(text);
    return escapeForLine(QStringView(text).first(CellChars)) + u'…';
}

} // namespace

TrafficLogModel::TrafficLogModel(TrafficLog *log, QObject *parent)
    : QAbstractTableModel(parent)
    , m_log(log)
{
    connect(log, &TrafficLog::batchReady, this, &TrafficLogModel::sync);
    connect(log, &TrafficLog::cleared, this, &TrafficLogModel::resetFromLog);
    resetFromLog();
}

TrafficLogModel::~TrafficLogModel() = default;

int TrafficLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_text.size());
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
    return m_text.at(size_t(row));
}

QString TrafficLogModel::fullText(int row) const
{
    const LogEntry *e = entry(row);
    if (!e)
        return {};
    const QString &kept = m_text.at(size_t(row));
    if (!e->isData() || (e->data.size() <= PreviewBytes && kept.size() <= PreviewChars))
        return kept;
    return TextCodec::decode(e->data, m_log->sessionEncoding(e->session));
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
            return e.isData() ? visible(m_text.at(size_t(index.row())))
                              : m_text.at(size_t(index.row()));
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
        return QString(e.peer.toString() + u' ' + m_text.at(size_t(index.row())) + u' '
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

QString TrafficLogModel::decode(const LogEntry &entry)
{
    if (!entry.isData())
        return QString::fromUtf8(entry.data);
    auto &decoder = m_decoders[decoderKey(entry)];
    if (!decoder) {
        if (m_decoders.size() > MaxDecoders) {
            m_decoders.clear();
            return decode(entry);
        }
        decoder = std::make_shared<StreamDecoder>(m_log->sessionEncoding(entry.session));
    }
    QString text;
    if (entry.data.size() > PreviewBytes) {
        // A bulk read (a flood, a file): show its start; decoding megabytes
        // for a one-line cell would cost more than the read itself.
        text = TextCodec::decode(
            QByteArrayView(entry.data).first(PreviewBytes), decoder->encoding());
        decoder->reset();
    } else {
        text = decoder->decode(entry.data);
    }
    if (text.size() > PreviewChars) {
        text.truncate(PreviewChars);
        text += u'…';
    }
    return text;
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

    if (m_text.empty()) {
        // Nothing shown, nothing to drop: the batch is inserted like any other
        // (a reset here would make every first batch, and the first after each
        // clear, a modelReset instead of rowsInserted).
        m_first = logFirst;
    } else if (logFirst >= m_first + m_text.size()) {
        // Everything we show is gone (a flood, or a smaller cap): start over.
        resetFromLog();
        return;
    }
    const quint64 ourEnd = m_first + m_text.size();
    if (logFirst > m_first) {
        const auto dropped = int(logFirst - m_first);
        beginRemoveRows({}, 0, dropped - 1);
        m_text.erase(m_text.begin(), m_text.begin() + dropped);
        m_first = logFirst;
        endRemoveRows();
    }
    if (logEnd > ourEnd) {
        const auto added = int(logEnd - ourEnd);
        const int firstRow = int(m_text.size());
        beginInsertRows({}, firstRow, firstRow + added - 1);
        const qsizetype base = qsizetype(ourEnd - logFirst);
        for (int i = 0; i < added; ++i)
            m_text.push_back(decode(m_log->at(base + i)));
        endInsertRows();
    }
}

void TrafficLogModel::resetFromLog()
{
    m_utcOffsetMs = qint64(QDateTime::currentDateTime().offsetFromUtc()) * 1000;
    beginResetModel();
    m_text.clear();
    m_decoders.clear();
    m_first = m_log->firstSequence();
    for (qsizetype i = 0; i < m_log->size(); ++i)
        m_text.push_back(decode(m_log->at(i)));
    endResetModel();
}

void TrafficLogModel::redecodeSession(int session)
{
    // Restart the decoders of this session and decode its rows again in order.
    for (auto it = m_decoders.begin(); it != m_decoders.end();) {
        if (it.key().startsWith(QString::number(session) + u'/'))
            it = m_decoders.erase(it);
        else
            ++it;
    }
    for (size_t row = 0; row < m_text.size(); ++row) {
        const LogEntry *e = entry(int(row));
        if (e && e->session == session && e->isData())
            m_text[row] = decode(*e);
    }
    if (!m_text.empty())
        Q_EMIT dataChanged(index(0, TextColumn), index(rowCount() - 1, TextColumn));
}
