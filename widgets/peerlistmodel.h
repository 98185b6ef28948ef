#pragma once

#include "net/tcp/tcpserversession.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSet>
#include <QTimer>

// The clients of a TCP server tab: address, port, connected since, bytes
// received and sent. Rows follow connects and disconnects in batches (one
// insert and one pass of removals per batch, a few times a second at most),
// so thousands of clients arriving or leaving at once cost the view a few
// updates, not one each; counters are refreshed by refresh() (a timer in
// the tab).
class PeerListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeerListModel)

public:
    enum Column { AddressColumn, PortColumn, SinceColumn, RxColumn, TxColumn, ColumnCount };
    static constexpr int PeerIdRole = Qt::UserRole + 1;

    explicit PeerListModel(TcpServerSession *server, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void refresh();
    quint64 peerId(int row) const { return m_peers.at(row).id; }
    // Shows the connects and disconnects not shown yet (the batch timer does).
    void flush();

private:
    void removeGone();

    TcpServerSession *m_server;
    QList<PeerInfo> m_peers;
    QList<quint64> m_arrived; // connected, not shown yet, in order
    QSet<quint64> m_gone; // shown, disconnected since
    QTimer m_batch;
};
