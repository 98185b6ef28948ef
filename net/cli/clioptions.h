#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include "net/core/session.h"

// Everything the command line asked for, checked: a CliOptions either comes
// with an empty error or is not used.
struct CliOptions
{
    enum class Output { Human, Json, Quiet };
    enum class PayloadKind { None, Text, Hex, File };

    Session::Kind kind = Session::Kind::TcpServer;

    // tcp-server --listen, udp --bind
    QHostAddress localAddress = QHostAddress::Any;
    quint16 localPort = 0;
    bool hasLocal = false;
    // tcp-client --connect, udp --to
    QString remoteHost;
    quint16 remotePort = 0;

    int maxClients = 0;
    int connectTimeoutMs = 10'000;
    bool reconnect = false;
    bool replyToSender = false;
    QList<QHostAddress> groups;
    QString multicastInterface;
    int ttl = 1;

    QString encoding = QStringLiteral("UTF-8"); // canonical; ignored when hex
    bool hex = false; // show received data and read --send/stdin as hex
    bool escapes = false;

    PayloadKind payloadKind = PayloadKind::None;
    QByteArray payload; // encoded --send / --send-hex
    QString sendFile;
    qint64 chunkSize = 0;
    int intervalMs = 0;
    int count = 1;
    bool stdinLines = false;

    Responder responder;
    Output output = Output::Human;
    QString logFile;
    bool logJson = false;

    bool closeAfterSend = false;
    int lingerMs = 500;
    int durationMs = 0;
};

struct CliParse
{
    enum class Outcome { Run, Help, Version, UsageError };
    Outcome outcome = Outcome::UsageError;
    CliOptions options;
    QString message; // the help text, or the one-line usage error
};

CliParse parseCli(const QStringList &arguments);
QString cliHelp(const QString &command = {});
