#pragma once

#include "trafficlogmodel.h"

#include <QSortFilterProxyModel>

#include <memory>

// What a log view shows: one session or all, data and/or events, rows whose
// peer or text contains a string, and, while paused, nothing newer than the
// moment of pausing.
class LogFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFilterModel)

public:
    enum class Kinds { All, Received, Sent, Data, Events };
    Q_ENUM(Kinds)

    explicit LogFilterModel(QObject *parent = nullptr);

    // The source must be a TrafficLogModel (rows of anything else all show).
    void setSourceModel(QAbstractItemModel *model) override;

    void setSession(int session); // 0: every session
    void setKinds(Kinds kinds);
    void setText(const QString &text);
    void setPaused(bool paused);
    // Hides every row that exists now (a session tab's Clear: the shared log
    // and the other views keep them).
    void hideExisting();
    bool isPaused() const { return m_paused; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void refilter();

    const TrafficLogModel *m_model = nullptr;
    int m_session = 0;
    Kinds m_kinds = Kinds::All;
    // Rebuilt with the text; it learns which peers match as rows are asked about.
    mutable std::unique_ptr<TrafficLogModel::TextQuery> m_query;
    bool m_paused = false;
    quint64 m_shownBefore = 0; // while paused, sequence numbers from this on are held back
    quint64 m_shownFrom = 0; // rows before this sequence number were cleared from view
};
