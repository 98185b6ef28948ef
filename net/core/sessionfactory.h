#pragma once

#include "net/core/session.h"
#include "net/send/sendresult.h"

class QObject;
struct SessionConfig;

// The one place a session is made and configured, for socklab-cli, the
// window's command line and the tabs alike.
namespace SessionFactory {

// A new, idle session of this kind; parent owns it (null: the caller does).
Session *create(Session::Kind kind, const QString &name, QObject *parent = nullptr);
// Made and configured from config.
Session *create(const SessionConfig &config, const QString &name, QObject *parent = nullptr);

// Pushes config's connection settings, encoding and responder into session
// (of config's kind). UDP groups are made to match config.groups: missing
// ones are joined, others left. The send plan (payload, interval, file ...)
// is not the session's: the caller's senders carry it out.
void configure(Session &session, const SessionConfig &config);

// How a send plan's repetitions go out (--interval): to the session's
// default destination, and for a server to whoever is connected at each
// tick, none being no error.
SendFunction repeatFunction(Session &session);

} // namespace SessionFactory
