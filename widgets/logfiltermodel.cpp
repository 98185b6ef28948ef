#include "logfiltermodel.h"

#include "trafficlog.h"
#include "trafficlogmodel.h"

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void LogFilterModel::setSession(int session)
{
    m_session = session;
    invalidateRowsFilter();
}

void LogFilterModel::setKinds(Kinds kinds)
{
    m_kinds = kinds;
    invalidateRowsFilter();
}

void LogFilterModel::setText(const QString &text)
{
    m_text = text;
    invalidateRowsFilter();
}

void LogFilterModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (paused) {
        const int rows = sourceModel() ? sourceModel()->rowCount() : 0;
        m_shownBefore = rows > 0
            ? sourceModel()->index(rows - 1, 0).data(TrafficLogModel::SequenceRole).toULongLong()
                + 1
            : 0;
    }
    invalidateRowsFilter();
}

void LogFilterModel::hideExisting()
{
    const int rows = sourceModel() ? sourceModel()->rowCount() : 0;
    if (rows == 0)
        return;
    m_shownFrom
        = sourceModel()->index(rows - 1, 0).data(TrafficLogModel::SequenceRole).toULongLong() + 1;
    invalidateRowsFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const quint64 sequence = index.data(TrafficLogModel::SequenceRole).toULongLong();
    if (sequence < m_shownFrom || (m_paused && sequence >= m_shownBefore))
        return false;
    if (m_session != 0 && index.data(TrafficLogModel::SessionRole).toInt() != m_session)
        return false;
    const auto kind = LogKind(index.data(TrafficLogModel::KindRole).toInt());
    switch (m_kinds) {
    case Kinds::All:
        break;
    case Kinds::Received:
        if (kind != LogKind::Rx)
            return false;
        break;
    case Kinds::Sent:
        if (kind != LogKind::Tx)
            return false;
        break;
    case Kinds::Data:
        if (kind != LogKind::Rx && kind != LogKind::Tx)
            return false;
        break;
    case Kinds::Events:
        if (kind == LogKind::Rx || kind == LogKind::Tx)
            return false;
        break;
    }
    if (!m_text.isEmpty()
        && !index.data(TrafficLogModel::FilterTextRole)
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
        return false;
    return true;
}
