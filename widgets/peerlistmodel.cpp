#include "peerlistmodel.h"

#include "sessiontab.h"

using namespace Qt::StringLiterals;

namespace {
// Soon enough to look immediate; long enough to gather a burst of clients.
constexpr int BatchMs = 50;
} // namespace

PeerListModel::PeerListModel(TcpServerSession *server, QObject *parent)
    : QAbstractTableModel(parent)
    , m_server(server)
{
    m_batch.setSingleShot(true);
    m_batch.setInterval(BatchMs);
    connect(&m_batch, &QTimer::timeout, this, &PeerListModel::flush);
    connect(server, &Session::peerConnected, this, [this](quint64 id) {
        m_arrived.append(id);
        if (!m_batch.isActive())
            m_batch.start();
    });
    connect(server, &Session::peerDisconnected, this, [this](quint64 id) {
        // One that came and went within a batch is never shown.
        if (!m_arrived.removeOne(id))
            m_gone.insert(id);
        if (!m_batch.isActive())
            m_batch.start();
    });
}

void PeerListModel::flush()
{
    m_batch.stop();
    removeGone();
    QList<PeerInfo> arrived;
    arrived.reserve(m_arrived.size());
    for (const quint64 id : std::as_const(m_arrived)) {
        if (const auto info = m_server->peer(id))
            arrived.append(*info);
    }
    m_arrived.clear();
    if (arrived.isEmpty())
        return;
    beginInsertRows({}, int(m_peers.size()), int(m_peers.size() + arrived.size() - 1));
    m_peers.append(arrived);
    endInsertRows();
}

void PeerListModel::removeGone()
{
    // From the end, one beginRemoveRows per run of adjacent rows: the rows
    // before a run keep their numbers while it goes.
    qsizetype row = m_peers.size() - 1;
    while (!m_gone.isEmpty() && row >= 0) {
        if (!m_gone.contains(m_peers.at(row).id)) {
            --row;
            continue;
        }
        const qsizetype last = row;
        while (row >= 0 && m_gone.remove(m_peers.at(row).id))
            --row;
        beginRemoveRows({}, int(row + 1), int(last));
        m_peers.remove(row + 1, last - row);
        endRemoveRows();
    }
    m_gone.clear();
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
        return peer.connectedAt.toLocalTime().toString(u"HH:mm:ss"_s);
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
