#include "net/text/streamdecoder.h"

#include "net/text/codectable.h"
#include "net/text/textcodec.h"

using namespace TextCodec::Internal;

namespace {

bool inRange(uchar byte, uchar low, uchar high)
{
    return byte >= low && byte <= high;
}

// The byte ranges below are ICU's, measured rather than taken from the
// standards: ICU takes any byte in these ranges after a lead byte as the
// second half of one (possibly unassigned) character, and otherwise rejects
// the lead alone and reads on from the next byte.
bool isLeadByte(Kind kind, uchar byte)
{
    if (kind == Kind::Gb2312)
        return inRange(byte, 0xa1, 0xfe);
    return inRange(byte, 0x81, 0xfe);
}

bool isPairedByte(Kind kind, uchar byte)
{
    switch (kind) {
    case Kind::Gb2312:
        return inRange(byte, 0xa0, 0xff);
    case Kind::Gb18030:
        return inRange(byte, 0x40, 0x7e) || inRange(byte, 0x80, 0xff);
    case Kind::Gbk:
    case Kind::Big5:
        return inRange(byte, 0x40, 0x7e) || inRange(byte, 0x80, 0xfe);
    case Kind::Utf8:
    case Kind::Latin1:
        break;
    }
    return false;
}

// Length of the longest prefix of bytes that ends on a character boundary.
// What remains is the start of a valid multi-byte character still missing
// bytes. Invalid sequences are not held back: the decoder turns them into
// U+FFFD now.
qsizetype completeLength(QByteArrayView bytes, Kind kind)
{
    const qsizetype size = bytes.size();
    const auto at = [bytes](qsizetype i) { return static_cast<uchar>(bytes[i]); };

    qsizetype i = 0;
    while (i < size) {
        const uchar lead = at(i);
        if (kind == Kind::Utf8) {
            qsizetype need = 0;
            uchar low = 0x80;
            uchar high = 0xbf;
            if (inRange(lead, 0xc2, 0xdf)) {
                need = 1;
            } else if (lead == 0xe0) {
                need = 2;
                low = 0xa0;
            } else if (lead == 0xed) {
                need = 2;
                high = 0x9f;
            } else if (inRange(lead, 0xe1, 0xef)) {
                need = 2;
            } else if (lead == 0xf0) {
                need = 3;
                low = 0x90;
            } else if (inRange(lead, 0xf1, 0xf3)) {
                need = 3;
            } else if (lead == 0xf4) {
                need = 3;
                high = 0x8f;
            }
            qsizetype j = 1;
            while (j <= need && i + j < size) {
                if (!inRange(at(i + j), j == 1 ? low : 0x80, j == 1 ? high : 0xbf))
                    break;
                ++j;
            }
            if (j > need)
                i += need + 1;
            else if (i + j == size)
                return i;
            else
                ++i;
            continue;
        }

        if (kind == Kind::Latin1 || !isLeadByte(kind, lead)) {
            ++i;
            continue;
        }
        if (i + 1 == size)
            return i;
        const uchar second = at(i + 1);
        if (kind == Kind::Gb18030 && inRange(second, 0x30, 0x39)) {
            // Four-byte form: lead, digit, 0x81-0xfe, digit. When it breaks
            // off, ICU rejects the lead alone and reads on from the digit.
            if (i + 2 == size)
                return i;
            if (!inRange(at(i + 2), 0x81, 0xfe)) {
                ++i;
                continue;
            }
            if (i + 3 == size)
                return i;
            i += inRange(at(i + 3), 0x30, 0x39) ? 4 : 1;
            continue;
        }
        i += isPairedByte(kind, second) ? 2 : 1;
    }
    return size;
}

} // namespace

StreamDecoder::StreamDecoder(QStringView encoding)
    : m_encoding(TextCodec::canonicalName(encoding).value_or(encoding.toString()))
{
    if (const Codec *codec = usableCodec(encoding))
        m_decoder = makeDecoder(*codec);
}

// The decoder itself is stateless. Qt 6.4's stateful decoders lose data when
// a sequence left pending by one read turns out invalid with the next: the
// UTF-8 decoder swallows the byte that ended it, and the ICU path reserves
// output for the new bytes only, dropping what does not fit. So the
// incomplete tail is kept here and decoded together with the next read.
QString StreamDecoder::decode(QByteArrayView chunk)
{
    const Codec *codec = codecByCanonicalName(m_encoding);
    if (!codec || !m_decoder.isValid())
        return {};

    QByteArray joined;
    QByteArrayView bytes = chunk;
    if (!m_pending.isEmpty()) {
        joined = m_pending;
        joined.append(chunk);
        bytes = joined;
    }
    const qsizetype complete = completeLength(bytes, codec->kind);
    QString text = decodeComplete(m_decoder, codec->kind, bytes.first(complete));
    m_pending = bytes.sliced(complete).toByteArray();
    return text;
}

bool StreamDecoder::skipSelfContained(QByteArrayView chunk)
{
    const Codec *codec = codecByCanonicalName(m_encoding);
    if (!codec || !m_decoder.isValid() || !m_pending.isEmpty())
        return false;
    return completeLength(chunk, codec->kind) == chunk.size();
}
