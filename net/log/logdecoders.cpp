#include "net/log/logdecoders.h"

#include "net/core/logging.h"
#include "net/log/trafficlog.h"

#include <QHashFunctions>

using namespace Qt::StringLiterals;

namespace {

// Peers come and go; the decoders of departed ones are not worth keeping
// forever. Dropping them all at once only risks one split character.
constexpr size_t MaxDecoders = 4096;

StreamDecoder makeDecoder(const QString &encoding)
{
    StreamDecoder decoder(encoding);
    if (decoder.isValid())
        return decoder;
    qCWarning(lcNetLog) << "cannot decode" << encoding << "in this build; decoding as UTF-8";
    return StreamDecoder(u"UTF-8");
}

} // namespace

size_t LogDecoders::KeyHash::operator()(const Key &key) const noexcept
{
    return qHashMulti(0, key.session, key.peerId, key.tx);
}

LogDecoders::LogDecoders(const TrafficLog *log)
    : m_log(log)
    , m_encodingRevision(log->encodingRevision())
{ }

LogDecoders::~LogDecoders() = default;

LogDecoders::Key LogDecoders::keyOf(const LogEntry &entry)
{
    return { entry.session, entry.peerId, entry.kind == LogKind::Tx };
}

void LogDecoders::followEncodings()
{
    m_encodingRevision = m_log->encodingRevision();
    for (auto &[key, slot] : m_decoders) {
        const QString encoding = m_log->sessionEncoding(key.session);
        if (slot.encoding != encoding)
            slot = { encoding, makeDecoder(encoding) };
    }
}

StreamDecoder &LogDecoders::decoderFor(const LogEntry &entry)
{
    // One integer compare per entry: the encodings are looked at again only
    // after one of them changed.
    if (m_encodingRevision != m_log->encodingRevision())
        followEncodings();
    const Key key = keyOf(entry);
    auto found = m_decoders.find(key);
    if (found == m_decoders.end()) {
        if (m_decoders.size() >= MaxDecoders) {
            qCDebug(lcNetLog) << "forgetting" << m_decoders.size() << "peer decoders";
            m_decoders.clear();
        }
        const QString encoding = m_log->sessionEncoding(entry.session);
        found = m_decoders.emplace(key, Slot { encoding, makeDecoder(encoding) }).first;
    }
    return found->second.decoder;
}

QString LogDecoders::decode(const LogEntry &entry)
{
    if (!entry.isData())
        return QString::fromUtf8(entry.data);
    return decoderFor(entry).decode(entry.data);
}

std::optional<QString> LogDecoders::decodeIfJoined(const LogEntry &entry)
{
    if (!entry.isData())
        return std::nullopt;
    StreamDecoder &decoder = decoderFor(entry);
    if (decoder.skipSelfContained(entry.data))
        return std::nullopt;
    return decoder.decode(entry.data);
}

void LogDecoders::reset(const LogEntry &entry)
{
    if (entry.isData())
        decoderFor(entry).reset();
}

void LogDecoders::resetSession(int session)
{
    std::erase_if(
        m_decoders, [session](const auto &item) { return item.first.session == session; });
}

void LogDecoders::clear()
{
    m_decoders.clear();
}
