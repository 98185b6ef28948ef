#include "net/log/logtextquery.h"

#include "net/log/logpreview.h"
#include "net/log/trafficlog.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

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

LogTextQuery::LogTextQuery(const QString &text)
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

bool LogTextQuery::matchesHex(QByteArrayView shown) const
{
    for (const std::vector<HexByte> &bytes : m_hex) {
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
    return false;
}

LogTextQuery::Encoding LogTextQuery::encodingOf(const LogEntry &entry, const TrafficLog &log)
{
    if (!entry.isData())
        return Encoding::Utf8; // events
    if (m_encodingRevision != log.encodingRevision()) {
        m_encodingRevision = log.encodingRevision();
        m_sessionEncodings.clear();
    }
    const auto session = size_t(std::max(entry.session, 0));
    if (session >= m_sessionEncodings.size())
        m_sessionEncodings.resize(session + 1, Encoding::Unknown);
    Encoding &known = m_sessionEncodings[session];
    if (known == Encoding::Unknown) {
        const QString name = log.sessionEncoding(entry.session);
        known = name == u"UTF-8"_s ? Encoding::Utf8
            : name == u"Latin-1"_s ? Encoding::Latin1
                                   : Encoding::Other;
    }
    return known;
}

bool LogTextQuery::matches(const LogEntry &e, const QString *joined, const TrafficLog &log)
{
    if (isEmpty())
        return true;

    // The peer: the same few for many entries, known by session and peer id.
    const quint64 peerKey = (quint64(quint32(e.session)) << 44) ^ e.peerId;
    auto peer = m_peers.find(peerKey);
    if (peer == m_peers.end() || !(peer->peer == e.peer))
        peer = m_peers.insert(peerKey, { e.peer, m_matcher.indexIn(e.peer.toString()) >= 0 });
    if (peer->matches)
        return true;

    if (e.isData()
        && matchesHex(QByteArrayView(e.data).first(std::min(e.data.size(), LogPreview::HexBytes))))
        return true;

    // The text, mostly from the bytes: most entries are ruled out, or found,
    // without decoding them.
    if (e.isData() && joined)
        return m_matcher.indexIn(*joined) >= 0;
    const ByteScan &scan = scanFor(encodingOf(e, log));
    if (scan.impossible)
        return false;
    if (!scan.needle.isEmpty()) {
        const QByteArrayView bytes = e.isData()
            ? QByteArrayView(e.data).first(std::min(e.data.size(), LogPreview::Bytes))
            : QByteArrayView(e.data); // an event's text is never cut
        const qsizetype at = findFolded(bytes, scan.needle);
        if (at < 0 && !(m_foldsFromNonAscii && hasNonAscii(bytes)))
            return false;
        if (at >= 0 && scan.exact && (!e.isData() || at + scan.needle.size() <= LogPreview::Chars))
            return true;
    }
    return m_matcher.indexIn(LogPreview::text(e, nullptr, log.sessionEncoding(e.session))) >= 0;
}

const LogTextQuery::ByteScan &LogTextQuery::scanFor(Encoding encoding) const
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
