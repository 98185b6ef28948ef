#pragma once

#include "net/log/logdecoders.h"
#include "net/log/logpreview.h"
#include "net/log/logtextquery.h"

#include <QAbstractTableModel>

#include <deque>
#include <optional>

class TrafficLog;
struct LogEntry;

// A table over the traffic log. New entries are taken in batches (one
// beginInsertRows per batch, on the log's batch timer); the oldest rows are
// removed as the log drops them. Entries pass, in arrival order, through one
// stateful decoder per session, peer and direction (LogDecoders), so a
// multi-byte character split across two reads shows whole. Only such rows keep their decoded text
// (a few); the text of every other row is its own bytes decoded alone, made in
// data() like every other string, for the rows a view asks about. A row costs
// the model nothing but its share of the rare joined texts.
class TrafficLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficLogModel)

public:
    enum Column {
        TimeColumn,
        SessionColumn,
        DirectionColumn,
        PeerColumn,
        BytesColumn,
        TextColumn,
        HexColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        KindRole = Qt::UserRole + 1, // LogKind as int
        SessionRole, // session id
        PeerIdRole,
        SequenceRole, // the entry's sequence number in the log
        RawDataRole, // QByteArray
        FilterTextRole, // peer, text and hex in one string (see LogTextQuery for filtering)
    };

    // Characters of decoded text a row shows (and a text filter searches);
    // longer entries show their start (the full bytes stay in the log).
    static constexpr qsizetype PreviewChars = LogPreview::Chars;
    // The bytes at the start of an entry whose hex a text filter searches.
    static constexpr qsizetype HexPreviewBytes = LogPreview::HexBytes;
    using TextQuery = LogTextQuery;

    explicit TrafficLogModel(TrafficLog *log, QObject *parent = nullptr);
    ~TrafficLogModel() override;

    TrafficLog *log() const { return m_log; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Takes whatever the log has gained or dropped since the last batch.
    void sync();
    // Decodes the kept entries of a session again, after its encoding changed.
    void redecodeSession(int session);

    // The log entry of a row; null when the log has already dropped it (a
    // flood between two batches), until the next sync() removes the row.
    const LogEntry *entry(int row) const;
    quint64 sequence(int row) const { return m_first + quint64(row); }
    // The text of a row as the Text column shows it before escaping: the
    // decoded start of a data entry, or an event's message.
    QString text(int row) const;
    // Whether the row, still in the log, matches the query (which caches
    // what it learns on the way).
    bool matches(int row, TextQuery &query) const;
    // The whole text of a row for a detail view: the decoded text as logged
    // (split characters whole) when it was kept whole, else decoded again.
    QString fullText(int row) const;
    static QString directionText(const LogEntry &entry);

private:
    // Passes a new entry through its decoder; its text when that is not what
    // its own bytes decode to alone (see preview()).
    std::optional<QString> decode(const LogEntry &entry);
    QString preview(const LogEntry &entry, quint64 sequence) const;
    QString encodingOf(const LogEntry &entry) const;
    const QString *joinedText(quint64 sequence) const;
    QString timeOfDay(qint64 msecsSinceEpoch) const;
    void resetFromLog();

    TrafficLog *m_log;
    int m_rows = 0;
    quint64 m_first = 0; // sequence number of row 0
    // The rows whose text is not their own bytes decoded alone (a character
    // split across reads joins the row that completes it; the start of one
    // stays out of the row that ends with it), by sequence number, ascending.
    std::deque<std::pair<quint64, QString>> m_joined;
    qint64 m_utcOffsetMs = 0;
    LogDecoders m_decoders;
};
