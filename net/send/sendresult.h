#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <functional>

// Sends bytes where the caller says (the session's send(), the selected peers
// of a server ...); false when they could not go, the session saying why.
using SendFunction = std::function<bool(const QByteArray &)>;

// How a file or periodic send ended, as a TFTP transfer reports its result.
struct SendResult
{
    enum class Status {
        Done, // everything was sent (a periodic send: its count reached)
        Stopped, // stop() or cancel() before the end
        SessionEnded, // the session stopped or went away meanwhile
        SendFailed, // a send was refused (nowhere to send, the peer gone ...)
        ReadError, // the file could not be read
    };

    Status status = Status::Done;
    QString message; // one line; empty when Done
    qint64 bytes = 0; // bytes handed to the session
    int sends = 0; // sends made (chunks of a file, repetitions of a payload)

    bool ok() const { return status == Status::Done; }
};
Q_DECLARE_METATYPE(SendResult)
