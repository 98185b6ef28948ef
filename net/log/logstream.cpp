#include "net/log/logstream.h"

#include "net/core/logging.h"
#include "net/log/trafficlog.h"

namespace {

// When a write fills the disk, Qt writes the part that fits and gives no
// reason ("Unknown error"); writing the rest again either succeeds (space came
// back) or fails at once with the system's reason ("No space left on device").
// flush() does the same with what QFile holds in its buffer.
bool flushAll(QFile &file)
{
    return file.flush() || file.flush();
}

bool writeAll(QFile &file, QByteArrayView bytes)
{
    qint64 done = 0;
    bool retried = false;
    while (done < bytes.size()) {
        // write() flushes a full buffer first, and fails as flush() does.
        const qint64 written = file.write(bytes.data() + done, bytes.size() - done);
        if (written > 0) {
            done += written;
            retried = false;
        } else if (retried || !flushAll(file)) {
            return false;
        } else {
            retried = true;
        }
    }
    return true;
}

} // namespace

LogStream::LogStream(const TrafficLog *log, std::unique_ptr<QFile> file, LogFormat format)
    : m_file(std::move(file))
    , m_writer(log, format)
    , m_decoders(log)
{ }

// What is still buffered is flushed by QFile's destructor; a failure there
// has nobody left to tell.
LogStream::~LogStream() = default;

std::unique_ptr<LogStream> LogStream::open(
    const TrafficLog *log, const QString &path, LogFormat format, QString *error)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = LogWriter::cannotWrite(path, file->errorString());
        qCDebug(lcNetLog) << "cannot stream the log to" << path << file->errorString();
        return nullptr;
    }
    std::unique_ptr<LogStream> stream(new LogStream(log, std::move(file), format));
    if (stream->m_file->size() == 0 && !writeAll(*stream->m_file, stream->m_writer.header())) {
        if (error)
            *error = stream->errorText();
        return nullptr;
    }
    qCDebug(lcNetLog) << "streaming the log to" << path << "as" << int(format);
    if (error)
        error->clear();
    return stream;
}

bool LogStream::write(const LogEntry &entry)
{
    // QFile buffers; the batch timer flushes.
    return writeAll(*m_file, m_writer.line(entry, m_decoders.decode(entry)));
}

bool LogStream::flush()
{
    return flushAll(*m_file);
}

QString LogStream::errorText() const
{
    return LogWriter::cannotWrite(m_file->fileName(), m_file->errorString());
}
