#pragma once

#include <QByteArray>
#include <QString>
#include <QStringDecoder>

// A stateful decoder for one peer and one direction: a multi-byte character
// split across two reads comes out whole with the second read.
class StreamDecoder
{
public:
    explicit StreamDecoder(QStringView encoding = u"UTF-8");

    bool isValid() const { return m_decoder.isValid(); }
    QString encoding() const { return m_encoding; }
    QString decode(QByteArrayView chunk);
    // Takes a chunk that needs no state: nothing is pending from the reads
    // before and it ends on a character boundary, so it decodes alone, with
    // TextCodec::decode(), to what decode() would give. A caller that keeps
    // the bytes can then decode later, or never. False, with nothing changed,
    // for any other chunk (call decode()).
    bool skipSelfContained(QByteArrayView chunk);
    void reset()
    {
        m_decoder.resetState();
        m_pending.clear();
    }

private:
    QString m_encoding;
    QStringDecoder m_decoder;
    QByteArray m_pending; // the start of a character whose remaining bytes are still to come
};
