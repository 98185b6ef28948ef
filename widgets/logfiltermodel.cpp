#include "logfiltermodel.h"

#include "net/log/trafficlog.h"
#include "trafficlogmodel.h"

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void LogFilterModel::setSession(int session)
{
    m_session = session;
    refilter();
}

void LogFilterModel::setKinds(Kinds kinds)
{
    m_kinds = kinds;
    refilter();
}

void LogFilterModel::setSourceModel(QAbstractItemModel *model)
{
    m_model = qobject_cast<const TrafficLogModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void LogFilterModel::setText(const QString &text)
{
    m_query = text.isEmpty() ? nullptr : std::make_unique<TrafficLogModel::TextQuery>(text);
    refilter();
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
    refilter();
}

void LogFilterModel::hideExisting()
{
    const int rows = sourceModel() ? sourceModel()->rowCount() : 0;
    if (rows == 0)
        return;
    m_shownFrom
        = sourceModel()->index(rows - 1, 0).data(TrafficLogModel::SequenceRole).toULongLong() + 1;
    refilter();
}

void LogFilterModel::refilter()
{
    // One pass over every row and a layout change: invalidateRowsFilter()
    // removes and inserts the rows range by range, which for a filter that
    // keeps every hundredth row of a million takes seconds.
    invalidate();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_model || sourceParent.isValid())
        return !sourceParent.isValid();
    // Straight from the entry: a QVariant per role and row is what makes
    // filtering a million rows slow.
    const LogEntry *entry = m_model->entry(sourceRow);
    if (!entry)
        return false; // dropped by the log; the next batch removes the row
    const quint64 sequence = m_model->sequence(sourceRow);
    if (sequence < m_shownFrom || (m_paused && sequence >= m_shownBefore))
        return false;
    if (m_session != 0 && entry->session != m_session)
        return false;
    const LogKind kind = entry->kind;
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
    return !m_query || m_model->matches(sourceRow, *m_query);
}
