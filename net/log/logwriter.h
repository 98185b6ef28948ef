#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

class TrafficLog;
struct LogEntry;

// The formats a log file is written in.
enum class LogFormat : quint8 {
    Text, // one line per entry: time [session] KIND peer ...
    Csv, // a header row, then one row per entry
    JsonLines, // one JSON object per line
};

// The format a file's name asks for, ignoring case: ".csv" CSV, ".jsonl" and
// ".json" JSON lines, anything else text.
LogFormat logFormatForPath(QStringView path);

// Text made safe for one line: \r \n \t \\ and other control characters
// escaped (C1 controls and Unicode line separators too), \" as well when
// quoted, so that one entry is always one line and can be read back.
QString escapeForLine(QStringView text, bool quoted = false);

// Writes log entries in one format: the only place an entry becomes a line of
// a file, for saving and for streaming alike. The text of a data entry comes
// from the caller's LogDecoders (it depends on the reads before it).
class LogWriter final
{
public:
    LogWriter(const TrafficLog *log, LogFormat format);

    LogFormat format() const { return m_format; }
    // What a new file starts with (CSV's column names), with its newline;
    // empty for the other formats.
    QByteArray header() const;
    // One entry in the writer's format, with its newline.
    QByteArray line(const LogEntry &entry, const QString &text) const;

    QString formatText(const LogEntry &entry, const QString &text) const;
    QByteArray formatJson(const LogEntry &entry, const QString &text) const;
    QString formatCsv(const LogEntry &entry, const QString &text) const;

    // Writes the kept entries of the log to path, replacing it only once all
    // is written. Entries are decoded afresh and in order, every one of them,
    // so a character split across two reads shows whole even when only some
    // entries are wanted (by their index in the log; all when not given).
    // False and a message naming the file and the reason.
    using Wanted = std::function<bool(qsizetype index)>;
    static bool save(const TrafficLog &log, const QString &path, LogFormat format, QString *error,
        const Wanted &wanted = {});

    // "cannot write log to PATH: REASON"
    static QString cannotWrite(const QString &path, const QString &reason);

private:
    const TrafficLog *m_log;
    LogFormat m_format;
};
