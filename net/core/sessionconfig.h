#pragma once

#include "net/core/responder.h"
#include "net/core/session.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

// Everything that describes one session and what it sends, whoever asked for
// it: socklab-cli's options, the window's command line or a tab's fields. A
// SessionConfig is checked where it is made; SessionFactory applies it.
struct SessionConfig
{
    enum class PayloadKind { None, Text, Hex, File };

    Session::Kind kind = Session::Kind::TcpServer;

    // tcp-server --listen, tcp-client --local, udp --bind
    QHostAddress localAddress = QHostAddress::Any;
    quint16 localPort = 0;
    bool hasLocal = false;
    // tcp-client --connect, udp --to (empty: no target)
    QString remoteHost;
    quint16 remotePort = 0;

    int maxClients = 0; // 0: no limit
    int connectTimeoutMs = 10'000;
    bool reconnect = false;
    bool replyToSender = false;
    QList<QHostAddress> groups;
    QString multicastInterface; // empty: the system's choice
    int ttl = 1;

    QString encoding = QStringLiteral("UTF-8"); // canonical; ignored when hex
    bool hex = false; // show received data and read payloads as hex
    bool escapes = false;

    Responder responder;

    PayloadKind payloadKind = PayloadKind::None;
    QByteArray payload; // the encoded --send / --send-hex
    QString payloadText; // as the user wrote it (read with hex, escapes, encoding)
    QString sendFile;
    qint64 chunkSize = 0; // 0: the session's largest chunk
    int intervalMs = 0; // 0: send once
    int count = 1; // with an interval: 0 repeats until stopped
    bool closeAfterSend = false;
    int lingerMs = 500;
    int durationMs = 0; // 0: no limit

    QString logFile;
    bool logJson = false;
};
