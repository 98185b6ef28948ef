#include "net/log/logwriter.h"

#include "net/core/logging.h"
#include "net/log/logdecoders.h"
#include "net/log/trafficlog.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSaveFile>

#include <cstdlib>
#include <iterator>

using namespace Qt::StringLiterals;

namespace {

void appendHex(QString &out, char16_t unit, int digits)
{
    static constexpr char16_t HexDigits[] = u"0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out += QChar(HexDigits[(unit >> shift) & 0xf]);
}

QString localTimeText(qint64 msecsSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
}

// ISO 8601 local time with milliseconds and always a numeric offset: Qt 6.4
// leaves the offset off local times and writes UTC as "Z", which some readers
// (Python before 3.11) refuse.
QString isoTimeText(qint64 msecsSinceEpoch)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch);
    const int offset = time.offsetFromUtc();
    const int minutes = std::abs(offset) / 60;
    return time.toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz"_s) + (offset < 0 ? u'-' : u'+')
        + u"%1:%2"_s.arg(minutes / 60, 2, 10, QChar(u'0')).arg(minutes % 60, 2, 10, QChar(u'0'));
}

QString csvField(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n')
        && !value.contains(u'\r'))
        return value;
    QString quoted = value;
    quoted.replace(u"\""_s, u"\"\""_s);
    return u'"' + quoted + u'"';
}

} // namespace

LogFormat logFormatForPath(QStringView path)
{
    if (path.endsWith(u".csv", Qt::CaseInsensitive))
        return LogFormat::Csv;
    if (path.endsWith(u".jsonl", Qt::CaseInsensitive)
        || path.endsWith(u".json", Qt::CaseInsensitive))
        return LogFormat::JsonLines;
    return LogFormat::Text;
}

QString escapeForLine(QStringView text, bool quoted)
{
    QString out;
    out.reserve(text.size() + 2);
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        switch (unit) {
        case u'\r':
            out += u"\\r"_s;
            break;
        case u'\n':
            out += u"\\n"_s;
            break;
        case u'\t':
            out += u"\\t"_s;
            break;
        case u'\\':
            out += u"\\\\"_s;
            break;
        case u'"':
            out += quoted ? u"\\\""_s : u"\""_s;
            break;
        default:
            if (unit < 0x20 || unit == 0x7f) {
                out += u"\\x"_s;
                appendHex(out, unit, 2);
            } else if ((unit >= 0x80 && unit < 0xa0) || unit == 0x2028 || unit == 0x2029) {
                // C1 controls and Unicode line separators end lines for some tools.
                out += u"\\u"_s;
                appendHex(out, unit, 4);
            } else {
                out += c;
            }
        }
    }
    return out;
}

LogWriter::LogWriter(const TrafficLog *log, LogFormat format)
    : m_log(log)
    , m_format(format)
{ }

QByteArray LogWriter::header() const
{
    if (m_format == LogFormat::Csv)
        return "time,session,direction,peer,port,bytes,text,hex\n";
    return {};
}

QByteArray LogWriter::line(const LogEntry &entry, const QString &text) const
{
    QByteArray out;
    switch (m_format) {
    case LogFormat::Text:
        out = formatText(entry, text).toUtf8();
        break;
    case LogFormat::Csv:
        out = formatCsv(entry, text).toUtf8();
        break;
    case LogFormat::JsonLines:
        out = formatJson(entry, text);
        break;
    }
    out += '\n';
    return out;
}

QString LogWriter::formatText(const LogEntry &entry, const QString &text) const
{
    QString line = localTimeText(entry.msecsSinceEpoch) + u" ["_s
        + escapeForLine(m_log->sessionName(entry.session), false) + u"] "_s
        + logKindName(entry.kind).toUpper() + u' '
        + (entry.peer.isNull() ? u"-"_s : entry.peer.toString());
    if (entry.isData()) {
        line += u' ' + QString::number(entry.data.size()) + u" B \""_s + escapeForLine(text, true)
            + u"\" |"_s;
        if (!entry.data.isEmpty())
            line += u' ' + Hex::format(entry.data);
    } else if (!entry.data.isEmpty()) {
        line += u' ' + escapeForLine(QString::fromUtf8(entry.data), false);
    }
    return line;
}

QByteArray LogWriter::formatJson(const LogEntry &entry, const QString &text) const
{
    QJsonObject object {
        { u"time"_s, isoTimeText(entry.msecsSinceEpoch) },
        { u"session"_s, m_log->sessionName(entry.session) },
        { u"event"_s, logKindName(entry.kind) },
        { u"peer"_s,
            entry.peer.isNull() ? QJsonValue() : QJsonValue(entry.peer.address.toString()) },
        { u"port"_s, entry.peer.isNull() ? QJsonValue() : QJsonValue(int(entry.peer.port)) },
    };
    if (entry.isData()) {
        object.insert(u"bytes"_s, qint64(entry.data.size()));
        object.insert(u"text"_s, text);
        object.insert(u"hex"_s, Hex::format(entry.data));
    } else {
        object.insert(u"message"_s, QString::fromUtf8(entry.data));
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The text as decoded, quoted when it holds a separator, a quote or a line
// break (RFC 4180): spreadsheets read it back as it was.
QString LogWriter::formatCsv(const LogEntry &entry, const QString &text) const
{
    const QString fields[] {
        QDateTime::fromMSecsSinceEpoch(entry.msecsSinceEpoch).toString(Qt::ISODateWithMs),
        m_log->sessionName(entry.session),
        logKindName(entry.kind),
        entry.peer.isNull() ? QString() : plainAddress(entry.peer.address).toString(),
        entry.peer.isNull() ? QString() : QString::number(entry.peer.port),
        entry.isData() ? QString::number(entry.data.size()) : QString(),
        entry.isData() ? text : QString::fromUtf8(entry.data),
        entry.isData() ? Hex::format(entry.data) : QString(),
    };
    QString row = csvField(fields[0]);
    for (size_t i = 1; i < std::size(fields); ++i)
        row += u',' + csvField(fields[i]);
    return row;
}

QString LogWriter::cannotWrite(const QString &path, const QString &reason)
{
    // Translated in the window (the CLI loads no translation).
    return QCoreApplication::translate("LogWriter", "cannot write log to %1: %2")
        .arg(QDir::toNativeSeparators(path), reason);
}

bool LogWriter::save(const TrafficLog &log, const QString &path, LogFormat format, QString *error,
    const Wanted &wanted)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = cannotWrite(path, file.errorString());
        qCDebug(lcNetLog) << "cannot save the log to" << path << file.errorString();
        return false;
    }

    const LogWriter writer(&log, format);
    LogDecoders decoders(&log); // fresh: the saved log starts at its oldest entry
    bool written = file.write(writer.header()) == writer.header().size();
    for (qsizetype i = 0; written && i < log.size(); ++i) {
        const LogEntry &entry = log.at(i);
        if (wanted && !wanted(i)) {
            // Passed through all the same: it may hold the start of a
            // character a wanted entry ends.
            if (entry.isData())
                decoders.decodeIfJoined(entry);
            continue;
        }
        const QByteArray line = writer.line(entry, decoders.decode(entry));
        written = file.write(line) == line.size(); // else commit() says why
    }
    if (!file.commit()) {
        if (error)
            *error = cannotWrite(path, file.errorString());
        qCDebug(lcNetLog) << "cannot save the log to" << path << file.errorString();
        return false;
    }
    if (error)
        error->clear();
    return true;
}
