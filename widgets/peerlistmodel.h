#pragma once

#include "tcpserversession.h"

#include <QAbstractTableModel>
#include <QList>

// The clients of a TCP server tab: address, port, connected since, bytes
// received and sent. Rows follow connects and disconnects at once; counters
// are refreshed by refresh() (a timer in the tab).
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

private:
    TcpServerSession *m_server;
    QList<PeerInfo> m_peers;
};
