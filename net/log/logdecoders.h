#pragma once

#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <QString>

#include <optional>
#include <unordered_map>

class TrafficLog;
struct LogEntry;

// One stateful decoder per session, peer and direction, so a multi-byte
// character split across two reads comes out whole with the second. Each
// reader of the log that goes through it in order (the stream file, the
// table model, a save, the CLI) keeps a set of its own, since each is at its
// own place in the log. The encoding is the session's in the log, followed
// when it changes; one the build cannot decode falls back to UTF-8.
class LogDecoders final
{
    Q_DISABLE_COPY_MOVE(LogDecoders)

public:
    explicit LogDecoders(const TrafficLog *log);
    ~LogDecoders();

    // The text of the next entry: data through its decoder, an event's
    // message (UTF-8) as it is.
    QString decode(const LogEntry &entry);
    // Passes a data entry through its decoder without decoding what needs no
    // state: its text only when that may differ from its bytes decoded alone
    // (a character completed from the read before, or the start of one held
    // back for the next), else nothing. Events give nothing.
    std::optional<QString> decodeIfJoined(const LogEntry &entry);
    // The next read of this entry's peer and direction starts afresh.
    void reset(const LogEntry &entry);
    void resetSession(int session);
    void clear();
    qsizetype size() const { return qsizetype(m_decoders.size()); }

private:
    struct Key
    {
        int session = 0;
        quint64 peerId = 0;
        bool tx = false;
        friend bool operator==(const Key &, const Key &) = default;
    };
    struct KeyHash
    {
        size_t operator()(const Key &key) const noexcept;
    };
    struct Slot
    {
        QString encoding; // as the log names it (the decoder may be UTF-8 instead)
        StreamDecoder decoder;
    };

    static Key keyOf(const LogEntry &entry);
    StreamDecoder &decoderFor(const LogEntry &entry);
    void followEncodings();

    const TrafficLog *m_log;
    std::unordered_map<Key, Slot, KeyHash> m_decoders;
    quint64 m_encodingRevision = 0;
};
