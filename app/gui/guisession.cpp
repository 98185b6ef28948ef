#include "guisession.h"

#include "net/cli/clioptions.h"
#include "mainwindow.h"
#include "sendbox.h"
#include "sessiontab.h"
#include "tcpclienttab.h"
#include "tcpservertab.h"
#include "net/text/textcodec.h"
#include "udptab.h"

#include <QTabWidget>

using namespace Qt::StringLiterals;

namespace {

QString addressText(const QHostAddress &address)
{
    if (address == QHostAddress::Any)
        return u"any"_s;
    if (address == QHostAddress::AnyIPv4)
        return u"0.0.0.0"_s;
    if (address == QHostAddress::AnyIPv6)
        return u"::"_s;
    return address.toString();
}

} // namespace

void openStartupSession(MainWindow &window, const CliOptions &options)
{
    SessionTab *tab = window.openSession(options.kind);
    switch (options.kind) {
    case Session::Kind::TcpServer: {
        auto *server = static_cast<TcpServerTab *>(tab);
        server->setListen(addressText(options.localAddress), options.localPort);
        server->setMaxClients(options.maxClients);
        break;
    }
    case Session::Kind::TcpClient: {
        auto *client = static_cast<TcpClientTab *>(tab);
        client->setRemote(options.remoteHost, options.remotePort);
        if (options.hasLocal)
            client->setLocal(addressText(options.localAddress), options.localPort);
        client->setConnectTimeout(options.connectTimeoutMs);
        client->setAutoReconnect(options.reconnect);
        break;
    }
    case Session::Kind::Udp: {
        auto *udp = static_cast<UdpTab *>(tab);
        udp->setBind(addressText(options.localAddress), options.localPort);
        if (!options.remoteHost.isEmpty())
            udp->setTarget(options.remoteHost, options.remotePort);
        udp->setReplyToSender(options.replyToSender);
        for (const QHostAddress &group : options.groups)
            udp->addGroup(group.toString());
        break;
    }
    }
    tab->setEncoding(options.encoding);
    QString reply;
    if (options.responder.mode == Responder::Mode::FixedReply)
        reply = TextCodec::decode(options.responder.fixedReply, options.encoding);
    tab->setResponder(options.responder.mode, reply);
    tab->startSession();
}
