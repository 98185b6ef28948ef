#pragma once

#include <QAbstractTableModel>
#include <QHash>

#include <deque>
#include <memory>

class StreamDecoder;
class TrafficLog;
struct LogEntry;

// A table over the traffic log. New entries are taken in batches (one
// beginInsertRows per batch, on the log's batch timer); the oldest rows are
// removed as the log drops them. Text is decoded once per entry, in arrival
// order, with one stateful decoder per session, peer and direction, so a
// multi-byte character split across two reads shows whole; every other string
// is built in data(), for the rows a view asks about.
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
        FilterTextRole, // peer, text and hex in one string, for text filters
    };

    // Characters of decoded text kept per entry for display; longer entries
    // show their start (the full bytes stay in the log).
    static constexpr qsizetype PreviewChars = 1024;

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
    QString text(int row) const;
    // The whole text of a row for a detail view: the decoded text as logged
    // (split characters whole) when it was kept whole, else decoded again.
    QString fullText(int row) const;
    static QString directionText(const LogEntry &entry);

private:
    QString decode(const LogEntry &entry);
    QString timeOfDay(qint64 msecsSinceEpoch) const;
    void resetFromLog();

    TrafficLog *m_log;
    std::deque<QString> m_text; // decoded preview, one per row
    quint64 m_first = 0; // sequence number of row 0
    qint64 m_utcOffsetMs = 0;
    QHash<QString, std::shared_ptr<StreamDecoder>> m_decoders;
};
