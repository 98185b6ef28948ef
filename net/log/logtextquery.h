#pragma once

#include "net/core/endpoint.h"

#include <QHash>
#include <QStringMatcher>

#include <array>
#include <vector>

class TrafficLog;
struct LogEntry;

// A text search prepared once for many log entries: an entry matches when its
// peer, its text as a row shows it (LogPreview::text(), before escaping for a
// cell) or the hex of its first LogPreview::HexBytes bytes contains the text,
// ignoring case. Matching an entry mostly scans its raw bytes in its
// session's encoding: text is decoded only for entries that may match.
class LogTextQuery final
{
public:
    explicit LogTextQuery(const QString &text);
    bool isEmpty() const { return m_matcher.pattern().isEmpty(); }

    // joined: the entry's text when it is not its bytes decoded alone (see
    // LogDecoders::decodeIfJoined()), else null. Learns on the way which
    // peers match and the encodings of the log's sessions.
    bool matches(const LogEntry &entry, const QString *joined, const TrafficLog &log);

private:
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

    // How the entries of one encoding are searched without decoding them.
    struct ByteScan
    {
        // The text in the entries' bytes, ASCII letters in lower case;
        // entries without it cannot match. Empty: every entry is decoded.
        QByteArray needle;
        // A hit within the first LogPreview::Chars bytes is a match: no
        // character holds an ASCII byte, none takes less than a byte.
        bool exact = false;
        bool impossible = false; // the encoding cannot hold the text
    };
    enum class Encoding : quint8 { Unknown, Utf8, Latin1, Other };

    const ByteScan &scanFor(Encoding encoding) const;
    bool matchesHex(QByteArrayView shown) const;
    Encoding encodingOf(const LogEntry &entry, const TrafficLog &log);

    QStringMatcher m_matcher;
    ByteScan m_utf8; // also for events (UTF-8 text)
    ByteScan m_latin1;
    ByteScan m_other; // ASCII-compatible multi-byte encodings
    bool m_foldsFromNonAscii = false; // 'k' and 's' also match the Kelvin sign and long s
    std::vector<Encoding> m_sessionEncodings; // by session id, learnt as entries come
    quint64 m_encodingRevision = 0; // of the log, when m_sessionEncodings was learnt
    // The bytes the text stands for in "41 42 43", for each of the three
    // places it may start at in a byte's "xx "; empty where it cannot.
    std::array<std::vector<HexByte>, 3> m_hex;
    QHash<quint64, PeerMatch> m_peers; // by session and peer id
};
