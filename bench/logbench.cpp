// A log holding a million rows: fills the traffic log (cap raised to
// --rows), builds the table model over it and the window's receive area
// (LogView, with its filter and table, on the offscreen platform unless a
// display is given), then types a filter text into the search box and times
// how long until the filtered view holds exactly the matching rows, and the
// same for clearing the filter. Prints one JSON object: rows, fill time,
// resident memory (VmRSS) with everything built, filter and clear times in
// milliseconds, and the number of rows matched (about 1%).
//
//   socklab-logbench [--rows N] [--runs N]

#include "logfiltermodel.h"
#include "logview.h"
#include "net/log/trafficlog.h"
#include "trafficlogmodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QTableView>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 TimeoutMs = 60'000;

// One row in a hundred carries the text the benchmark filters by.
QByteArray payload(qsizetype row, bool &matches)
{
    matches = row % 100 == 42;
    const int temperature = matches ? 99 : int(row % 40);
    return "GET /sensor/" + QByteArray::number(row % 5000)
        + " temp=" + QByteArray::number(temperature) + "." + QByteArray::number(row % 10) + "C\r\n";
}

qsizetype fill(TrafficLog &log, qsizetype rows)
{
    const int session = log.registerSession(u"tcp-server"_s);
    const qint64 start = 1'700'000'000'000;
    qsizetype matching = 0;
    for (qsizetype row = 0; row < rows; ++row) {
        bool matches = false;
        QByteArray data = payload(row, matches);
        matching += matches ? 1 : 0;
        const Endpoint peer { QHostAddress(QHostAddress::LocalHost), quint16(40000 + row % 1000) };
        log.append({ start + row, session, row % 2 ? LogKind::Tx : LogKind::Rx,
            quint64(row % 1000 + 1), peer, std::move(data) });
    }
    return matching;
}

double residentMiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

// Types text into the search box; milliseconds until the view shows `expected` rows.
double timeFilter(QLineEdit *search, LogFilterModel *filter, const QString &text, int expected)
{
    QElapsedTimer clock;
    clock.start();
    search->setText(text);
    while (filter->rowCount() != expected && clock.elapsed() < TimeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QCoreApplication::processEvents(); // and the repaint that follows
    if (filter->rowCount() != expected) {
        std::fprintf(stderr, "logbench: the filter shows %d rows, expected %d\n",
            filter->rowCount(), expected);
        return -1;
    }
    return double(clock.nsecsElapsed()) / 1e6;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? -1 : values[values.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1"); // as the window does
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const qsizetype rows = args.contains(u"--rows"_s)
        ? args.value(args.indexOf(u"--rows"_s) + 1).toLongLong()
        : 1'000'000;
    const int runs
        = args.contains(u"--runs"_s) ? args.value(args.indexOf(u"--runs"_s) + 1).toInt() : 3;

    QElapsedTimer clock;
    clock.start();
    TrafficLog log;
    log.setCap(rows);
    log.setByteCap(qint64(rows) * 1024);
    const qsizetype matching = fill(log, rows);
    TrafficLogModel model(&log);
    LogView view(&model, 0);
    view.resize(1200, 800);
    view.show();
    QCoreApplication::processEvents();
    const double fillMs = double(clock.nsecsElapsed()) / 1e6;
    if (model.rowCount() != rows) {
        std::fprintf(stderr, "logbench: the model holds %d rows, not %lld\n", model.rowCount(),
            static_cast<long long>(rows));
        return 1;
    }
    const double rss = residentMiB();

    auto *search = view.findChild<QLineEdit *>(u"logSearch"_s);
    std::vector<double> filterMs, clearMs;
    for (int run = 0; run < runs; ++run) {
        filterMs.push_back(timeFilter(search, view.filter(), u"temp=99."_s, int(matching)));
        clearMs.push_back(timeFilter(search, view.filter(), QString(), int(rows)));
    }
    std::printf("{\"rows\": %lld, \"fill_ms\": %.0f, \"rss_mib\": %.1f, \"filter_ms\": %.1f, "
                "\"clear_ms\": %.1f, \"matched\": %lld}\n",
        static_cast<long long>(rows), fillMs, rss, median(filterMs), median(clearMs),
        static_cast<long long>(matching));
    return 0;
}
