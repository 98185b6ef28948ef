#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// An automatic answer a session gives to whatever a peer sends.
struct Responder
{
    enum class Mode { Off, Echo, FixedReply, TimeServer };

    Mode mode = Mode::Off;
    QByteArray fixedReply; // for FixedReply

    // The reply to one received chunk, or nothing. For TimeServer the request,
    // decoded with encoding, is a strftime format (empty: "%Y-%m-%d %X"); a
    // trailing line ending is kept off the format and put back on the reply.
    std::optional<QByteArray> respond(const QByteArray &request, const QString &encoding) const;
};

// strftime of the local time, as UTF-8 text; empty format means "%Y-%m-%d %X".
QString formatLocalTime(const QString &format);
