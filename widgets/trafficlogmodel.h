#pragma once

#include "net/core/endpoint.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringMatcher>

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

class StreamDecoder;
class TrafficLog;
struct LogEntry;

// A table over the traffic log. New entries are taken in batches (one
// beginInsertRows per batch, on the log's batch timer); the oldest rows are
// removed as the log drops them. Entries pass, in arrival order, through one
// stateful decoder per session, peer and direction, so a multi-byte character
// split across two reads shows whole. Only such rows keep their decoded text
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
        FilterTextRole, // peer, text and hex in one string (see TextQuery for filtering)
    };

    // Characters of decoded text a row shows (and a text filter searches);
    // longer entries show their start (the full bytes stay in the log).
    static constexpr qsizetype PreviewChars = 1024;

    // A text filter prepared once for many rows: a row matches when its peer,
    // its text (as logged, before escaping for a cell) or the hex of its first
    // HexPreviewBytes bytes contains the text, ignoring case. Matching a row
    // mostly scans its bytes: text is decoded only for rows that may match.
    class TextQuery
    {
    public:
        explicit TextQuery(const QString &text);
        bool isEmpty() const { return m_matcher.pattern().isEmpty(); }

    private:
        friend class TrafficLogModel;
        struct HexByte
        {
            uchar mask = 0; // the nibbles the text gives for this byte (0: it must exist)
            uchar value = 0;
        };
        struct PeerMatch
        {
            Endpoint peer;
            bool matches = false;
        };

        // How the rows of one encoding are searched without decoding them.
        struct ByteScan
        {
            // The text in the rows' bytes, ASCII letters in lower case; rows
            // without it cannot match. Empty: every row is decoded.
            QByteArray needle;
            // A hit within the first PreviewChars bytes is a match: no
            // character holds an ASCII byte, none takes less than a byte.
            bool exact = false;
            bool impossible = false; // the encoding cannot hold the text
        };
        enum class Encoding : quint8 { Unknown, Utf8, Latin1, Other };

        const ByteScan &scanFor(Encoding encoding) const;

        QStringMatcher m_matcher;
        ByteScan m_utf8; // also for events (UTF-8 text)
        ByteScan m_latin1;
        ByteScan m_other; // ASCII-compatible multi-byte encodings
        bool m_foldsFromNonAscii = false; // 'k' and 's' also match the Kelvin sign and long s
        std::vector<Encoding> m_sessionEncodings; // by session id, learnt as rows come
        // The bytes the text stands for in "41 42 43", for each of the three
        // places it may start at in a byte's "xx "; empty where it cannot.
        std::array<std::vector<HexByte>, 3> m_hex;
        QHash<quint64, PeerMatch> m_peers; // by session and peer id
    };

    // The bytes at the start of an entry whose hex a text filter searches.
    static constexpr qsizetype HexPreviewBytes = 512;

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
    struct DecoderKey
    {
        int session = 0;
        quint64 peerId = 0;
        quint8 kind = 0;
        friend bool operator==(const DecoderKey &, const DecoderKey &) = default;
        friend size_t qHash(const DecoderKey &key, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, key.session, key.peerId, key.kind);
        }
    };
    QHash<DecoderKey, std::shared_ptr<StreamDecoder>> m_decoders;
};
