#pragma once

#include <QWidget>

class LogFilterModel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QTimer;
class QToolButton;
class TrafficLogModel;

// The receive area: the traffic log of one session (or all), with a filter,
// text/hex/both display, timestamps, pause, auto-scroll, a detail pane that
// shows the selected entry whole (wrapped or not), copy and save.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)

public:
    enum class Show { TextAndHex, Text, Hex };
    Q_ENUM(Show)

    // session 0 shows every session (with a session column).
    LogView(TrafficLogModel *model, int session, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    LogFilterModel *filter() const { return m_filter; }
    void setShow(Show show);
    void setPaused(bool paused);
    // Writes the rows shown (after filtering) to path in the format its
    // extension names, whatever its case (see logFormatForPath()), decoded
    // in order with the rows hidden between them. False with a reason.
    bool saveTo(const QString &path, QString *error) const;
    void copySelection() const;

Q_SIGNALS:
    void status(const QString &message);

private:
    void applyColumns();
    void updateDetail();
    void saveWithDialog();
    void scrollIfWanted();

    TrafficLogModel *m_model;
    LogFilterModel *m_filter; // child
    int m_session;
    QTableView *m_table = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_kinds = nullptr;
    QComboBox *m_show = nullptr;
    QCheckBox *m_timestamps = nullptr;
    QToolButton *m_pause = nullptr;
    QCheckBox *m_autoScroll = nullptr;
    QCheckBox *m_wrap = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QLabel *m_count = nullptr;
    QTimer *m_scrollTimer = nullptr;
    bool m_rowsArrived = false;
};
