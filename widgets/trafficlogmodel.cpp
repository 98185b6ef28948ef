#include "trafficlogmodel.h"

#include "net/text/textcodec.h"
#include "net/log/trafficlog.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QFontDatabase>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype MaxDecoders = 4096;
// What a table cell shows at most: shaping long strings for every repaint is
// where a busy view spends its time; the detail pane shows an entry whole.
constexpr qsizetype CellChars = 160;
constexpr qsizetype CellHexBytes = 48;
constexpr qsizetype PreviewBytes = 4 * TrafficLogModel::PreviewChars;

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

// Cut to what a row shows and a filter searches.
void limitPreview(QString &text)
{
    if (text.size() > TrafficLogModel::PreviewChars) {
        text.truncate(TrafficLogModel::PreviewChars);
        text += u'…';
    }
}

uchar foldAscii(uchar byte)
{
    return byte >= 'A' && byte <= 'Z' ? uchar(byte + ('a' - 'A')) : byte;
}

// Where bytes hold needle (ASCII letters in lower case), ignoring the case of
// ASCII letters; -1 when they do not.
qsizetype findFolded(QByteArrayView bytes, QByteArrayView needle)
{
    const qsizetype last = bytes.size() - needle.size();
    const auto first = uchar(needle[0]);
    for (qsizetype i = 0; i <= last; ++i) {
        if (foldAscii(uchar(bytes[i])) != first)
            continue;
        qsizetype k = 1;
        while (k < needle.size() && foldAscii(uchar(bytes[i + k])) == uchar(needle[k]))
            ++k;
        if (k == needle.size())
            return i;
    }
    return -1;
}

// A character that only matches itself when case is ignored: case folding
// leaves it alone and turns no other character into it (CJK, digits, most
// punctuation; not é, not ß, which ẞ folds to).
bool isCaseless(QChar c)
{
    static const std::vector<bool> foldTargets = [] {
        std::vector<bool> targets(0x10000);
        for (char32_t u = 0; u < 0x10000; ++u) {
            const char32_t folded = QChar::toCaseFolded(u);
            if (folded != u && folded < 0x10000)
                targets[folded] = true;
        }
        return targets;
    }();
    return !c.isSurrogate() && c.toCaseFolded() == c && !foldTargets[c.unicode()];
}

bool hasNonAscii(QByteArrayView bytes)
{
    return std::any_of(bytes.begin(), bytes.end(), [](char c) { return uchar(c) >= 0x80; });
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    return -1;
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
    auto &decoder = m_decoders[{ entry.session, entry.peerId, quint8(entry.kind) }];
    if (!decoder) {
        if (m_decoders.size() > MaxDecoders) {
            m_decoders.clear();
            return decode(entry);
        }
        decoder = std::make_shared<StreamDecoder>(m_log->sessionEncoding(entry.session));
    }
    if (entry.data.size() > PreviewBytes) {
        // A bulk read (a flood, a file) shows its start, decoded alone:
        // decoding megabytes for a one-line cell would cost more than the read.
        decoder->reset();
        return std::nullopt;
    }
    if (decoder->skipSelfContained(entry.data))
        return std::nullopt;
    QString text = decoder->decode(entry.data);
    limitPreview(text);
    return text;
}

QString TrafficLogModel::preview(const LogEntry &entry, quint64 sequence) const
{
    if (!entry.isData())
        return QString::fromUtf8(entry.data);
    if (const QString *joined = joinedText(sequence))
        return *joined;
    QString text = TextCodec::decode(
        QByteArrayView(entry.data).first(std::min(entry.data.size(), PreviewBytes)),
        m_log->sessionEncoding(entry.session));
    limitPreview(text);
    return text;
}

const QString *TrafficLogModel::joinedText(quint64 sequence) const
{
    const auto it = std::lower_bound(m_joined.begin(), m_joined.end(), sequence,
        [](const std::pair<quint64, QString> &item, quint64 value) { return item.first < value; });
    return it != m_joined.end() && it->first == sequence ? &it->second : nullptr;
}

TrafficLogModel::TextQuery::TextQuery(const QString &text)
    : m_matcher(text, Qt::CaseInsensitive)
{
    // Folded one character at a time, as the matcher folds: ASCII letters in
    // lower case, and 'İ' stays 'İ' (toLower() would make it two).
    QString folded = text;
    for (QChar &c : folded)
        c = c.toCaseFolded();
    // Outside ASCII only the Kelvin sign and the long s fold to ASCII (k, s).
    m_foldsFromNonAscii = folded.contains(u'k') || folded.contains(u's');
    const bool ascii
        = std::all_of(folded.begin(), folded.end(), [](QChar c) { return c.unicode() < 0x80; });
    const bool caseless = std::all_of(
        folded.begin(), folded.end(), [](QChar c) { return c.unicode() < 0x80 || isCaseless(c); });
    if (ascii) {
        // ASCII is itself in every encoding offered, but in the multi-byte
        // ones it is also the second byte of some characters.
        m_utf8 = m_latin1 = { folded.toLatin1(), true, false };
        m_other = { folded.toLatin1(), false, false };
    } else if (caseless && !folded.contains(u'…')
        && !folded.contains(QChar::ReplacementCharacter)) {
        // The bytes of the text in UTF-8 and Latin-1 are the only way to
        // write it there (other encodings may have two ways), but for '…',
        // which ends a cut text, and U+FFFD, which stands for invalid bytes.
        m_utf8 = { folded.toUtf8(), true, false };
        const bool latin1 = std::all_of(
            folded.begin(), folded.end(), [](QChar c) { return c.unicode() <= 0xff; });
        m_latin1
            = latin1 ? ByteScan { folded.toLatin1(), true, false } : ByteScan { {}, false, true };
    }

    // Hex text is digits in pairs with one space between: "xx xx xx". Each
    // character of the text pins a nibble, or is the space after a byte
    // (which then must not be the last).
    const bool hexLike = !folded.isEmpty()
        && std::all_of(
            folded.begin(), folded.end(), [](QChar c) { return c == u' ' || hexValue(c) >= 0; });
    for (qsizetype start = 0; hexLike && start < 3; ++start) {
        std::vector<HexByte> bytes;
        bool fits = true;
        for (qsizetype k = 0; k < folded.size() && fits; ++k) {
            const auto at = size_t((start + k) / 3);
            const qsizetype place = (start + k) % 3;
            bytes.resize(std::max(bytes.size(), at + (place == 2 ? 2 : 1)));
            const int nibble = hexValue(folded[k]);
            if (place == 2) {
                fits = nibble < 0;
            } else if (nibble < 0) {
                fits = false;
            } else {
                bytes[at].mask |= place == 0 ? 0xf0 : 0x0f;
                bytes[at].value |= uchar(place == 0 ? nibble << 4 : nibble);
            }
        }
        if (fits)
            m_hex[size_t(start)] = std::move(bytes);
    }
}

bool TrafficLogModel::matches(int row, TextQuery &query) const
{
    const LogEntry *found = entry(row);
    if (!found)
        return false;
    const LogEntry &e = *found;
    if (query.isEmpty())
        return true;

    // The peer: the same few for many rows, known by session and peer id.
    const quint64 peerKey = (quint64(quint32(e.session)) << 44) ^ e.peerId;
    auto peer = query.m_peers.find(peerKey);
    if (peer == query.m_peers.end() || !(peer->peer == e.peer)) {
        peer = query.m_peers.insert(
            peerKey, { e.peer, query.m_matcher.indexIn(e.peer.toString()) >= 0 });
    }
    if (peer->matches)
        return true;

    if (e.isData()) {
        const QByteArrayView shown
            = QByteArrayView(e.data).first(std::min(e.data.size(), HexPreviewBytes));
        for (const std::vector<TextQuery::HexByte> &bytes : query.m_hex) {
            if (bytes.empty())
                continue;
            const auto fit = [&](qsizetype at) {
                for (size_t j = 0; j < bytes.size(); ++j) {
                    if ((uchar(shown[at + qsizetype(j)]) & bytes[j].mask) != bytes[j].value)
                        return false;
                }
                return true;
            };
            for (qsizetype at = 0; at + qsizetype(bytes.size()) <= shown.size(); ++at) {
                if (fit(at))
                    return true;
            }
        }
    }

    // The text, mostly from the bytes: most rows are ruled out, or found,
    // without decoding them.
    const quint64 seq = sequence(row);
    if (e.isData()) {
        if (const QString *joined = joinedText(seq))
            return query.m_matcher.indexIn(*joined) >= 0;
    }
    TextQuery::Encoding encoding = TextQuery::Encoding::Utf8; // events
    if (e.isData()) {
        const auto session = size_t(std::max(e.session, 0));
        if (session >= query.m_sessionEncodings.size())
            query.m_sessionEncodings.resize(session + 1, TextQuery::Encoding::Unknown);
        TextQuery::Encoding &known = query.m_sessionEncodings[session];
        if (known == TextQuery::Encoding::Unknown) {
            const QString name = m_log->sessionEncoding(e.session);
            known = name == u"UTF-8"_s ? TextQuery::Encoding::Utf8
                : name == u"Latin-1"_s ? TextQuery::Encoding::Latin1
                                       : TextQuery::Encoding::Other;
        }
        encoding = known;
    }
    const TextQuery::ByteScan &scan = query.scanFor(encoding);
    if (scan.impossible)
        return false;
    if (!scan.needle.isEmpty()) {
        const QByteArrayView bytes = e.isData()
            ? QByteArrayView(e.data).first(std::min(e.data.size(), PreviewBytes))
            : QByteArrayView(e.data); // an event's text is never cut
        const qsizetype at = findFolded(bytes, scan.needle);
        if (at < 0 && !(query.m_foldsFromNonAscii && hasNonAscii(bytes)))
            return false;
        if (at >= 0 && scan.exact && (!e.isData() || at + scan.needle.size() <= PreviewChars))
            return true;
    }
    return query.m_matcher.indexIn(preview(e, seq)) >= 0;
}

const TrafficLogModel::TextQuery::ByteScan &TrafficLogModel::TextQuery::scanFor(
    Encoding encoding) const
{
    switch (encoding) {
    case Encoding::Utf8:
        return m_utf8;
    case Encoding::Latin1:
        return m_latin1;
    case Encoding::Unknown:
    case Encoding::Other:
        break;
    }
    return m_other;
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
    for (auto it = m_decoders.begin(); it != m_decoders.end();) {
        if (it.key().session == session)
            it = m_decoders.erase(it);
        else
            ++it;
    }
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
