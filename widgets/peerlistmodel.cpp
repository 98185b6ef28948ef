#include "peerlistmodel.h"

#include "sessiontab.h"

using namespace Qt::StringLiterals;

PeerListModel::PeerListModel(TcpServerSession *server, QObject *parent)
    : QAbstractTableModel(parent)
    , m_server(server)
{
    connect(server, &Session::peerConnected, this, [this](quint64 id) {
        const auto info = m_server->peer(id);
        if (!info)
            return;
        beginInsertRows({}, int(m_peers.size()), int(m_peers.size()));
        m_peers.append(*info);
        endInsertRows();
    });
    connect(server, &Session::peerDisconnected, this, [this](quint64 id) {
        for (qsizetype row = 0; row < m_peers.size(); ++row) {
            if (m_peers.at(row).id == id) {
                beginRemoveRows({}, int(row), int(row));
                m_peers.removeAt(row);
                endRemoveRows();
                return;
            }
        }
    });
}

int PeerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_peers.size());
}

int PeerListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PeerListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_peers.size())
        return {};
    const PeerInfo &peer = m_peers.at(index.row());
    if (role == PeerIdRole)
        return peer.id;
    if (role == Qt::TextAlignmentRole && index.column() >= PortColumn
        && index.column() != SinceColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case AddressColumn:
        return plainAddress(peer.endpoint.address).toString();
    case PortColumn:
        return peer.endpoint.port;
    case SinceColumn:
        return peer.connectedAt.toString(u"HH:mm:ss"_s);
    case RxColumn:
        return formatBytes(peer.counters.rxBytes);
    case TxColumn:
        return formatBytes(peer.counters.txBytes);
    default:
        return {};
    }
}

QVariant PeerListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case AddressColumn:
        return tr("Address");
    case PortColumn:
        return tr("Port");
    case SinceColumn:
        return tr("Connected since");
    case RxColumn:
        return tr("RX");
    case TxColumn:
        return tr("TX");
    default:
        return {};
    }
}

void PeerListModel::refresh()
{
    for (qsizetype row = 0; row < m_peers.size(); ++row) {
        if (const auto info = m_server->peer(m_peers.at(row).id))
            m_peers[row].counters = info->counters;
    }
    if (!m_peers.isEmpty())
        Q_EMIT dataChanged(index(0, RxColumn), index(rowCount() - 1, TxColumn));
}
