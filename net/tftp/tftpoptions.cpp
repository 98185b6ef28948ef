#include "net/tftp/tftpoptions.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tftp {

namespace {

Option numberOption(const char *name, qint64 value)
{
    return Option { QByteArray(name), QByteArray::number(value) };
}

int windowWithin(qint64 window, qint64 blockSize)
{
    return int(std::min<qint64>(window, std::max<qint64>(1, MaxWindowBytes / blockSize)));
}

} // namespace

Options requestOptions(const OptionWishes &wishes, bool write, Mode mode, qint64 fileSize)
{
    Options options;
    if (wishes.blockSize > 0)
        options.append(numberOption("blksize", wishes.blockSize));
    if (wishes.transferSize && mode == Mode::Octet) {
        if (!write)
            options.append(numberOption("tsize", 0));
        else if (fileSize >= 0)
            options.append(numberOption("tsize", fileSize));
    }
    if (wishes.timeout > 0)
        options.append(numberOption("timeout", wishes.timeout));
    if (wishes.windowSize > 0) {
        int window = wishes.windowSize;
        if (write)
            window
                = windowWithin(window, wishes.blockSize > 0 ? wishes.blockSize : DefaultBlockSize);
        options.append(numberOption("windowsize", window));
    }
    return options;
}

std::optional<qint64> parseOptionNumber(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > 18)
        return std::nullopt;
    qint64 number = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return std::nullopt;
        number = number * 10 + (c - '0');
    }
    return number;
}

OptionAckCheck checkOptionAck(const Options &asked, const Options &acknowledged, bool write)
{
    OptionAckCheck check;
    auto refuse = [&check](const QString &message) {
        check.error = message;
        check.parameters = {};
        return check;
    };
    Parameters &p = check.parameters;
    QList<QByteArray> seen;
    for (const Option &option : acknowledged) {
        const QString name = printable(option.name);
        const Option *request = findOption(asked, option.name);
        if (!request)
            return refuse(
                u"the server acknowledged option '%1', which was not requested"_s.arg(name));
        if (seen.contains(option.name))
            return refuse(u"the server acknowledged option '%1' twice"_s.arg(name));
        seen.append(option.name);
        const std::optional<qint64> value = parseOptionNumber(option.value);
        const std::optional<qint64> askedValue = parseOptionNumber(request->value);
        if (!value || !askedValue)
            return refuse(u"the server answered option '%1' with '%2', not a number"_s.arg(
                name, printable(option.value)));
        if (option.name == "blksize") {
            if (*value < MinBlockSize || *value > *askedValue)
                return refuse(
                    u"the server answered blksize %1, outside %2..%3 (asked %3)"_s.arg(*value)
                        .arg(MinBlockSize)
                        .arg(*askedValue));
            p.blockSize = int(*value);
        } else if (option.name == "windowsize") {
            if (*value < MinWindowSize || *value > *askedValue)
                return refuse(
                    u"the server answered windowsize %1, outside 1..%2 (asked %2)"_s.arg(*value)
                        .arg(*askedValue));
            p.windowSize = int(*value);
        } else if (option.name == "timeout") {
            if (*value != *askedValue)
                return refuse(u"the server answered timeout %1, not the %2 asked"_s.arg(*value).arg(
                    *askedValue));
            p.timeout = int(*value);
        } else if (option.name == "tsize") {
            if (write && *value != *askedValue)
                return refuse(u"the server answered tsize %1, not the %2 sent"_s.arg(*value).arg(
                    *askedValue));
            p.transferSize = *value;
        }
    }
    return check;
}

OptionGrant grantOptions(
    const Options &requested, bool write, Mode mode, qint64 fileSize, const OptionCaps &caps)
{
    OptionGrant grant;
    Parameters &p = grant.parameters;
    const qint64 maxBlock = std::clamp(caps.maxBlockSize, MinBlockSize, MaxBlockSize);
    const qint64 maxWindow = std::clamp(caps.maxWindowSize, MinWindowSize, MaxWindowSize);
    QList<QByteArray> seen;
    const Option *window = nullptr; // granted last: its cap depends on the block size
    for (const Option &option : requested) {
        if (seen.contains(option.name))
            continue;
        seen.append(option.name);
        const std::optional<qint64> value = parseOptionNumber(option.value);
        if (!value)
            continue;
        if (option.name == "blksize") {
            if (*value < MinBlockSize)
                continue;
            p.blockSize = int(std::min(*value, maxBlock));
            grant.acknowledged.append(numberOption("blksize", p.blockSize));
        } else if (option.name == "timeout") {
            if (!caps.timeout || *value < MinTimeout || *value > MaxTimeout)
                continue;
            p.timeout = int(*value);
            grant.acknowledged.append(numberOption("timeout", p.timeout));
        } else if (option.name == "tsize") {
            if (!caps.transferSize || mode != Mode::Octet)
                continue;
            const qint64 size = write ? *value : fileSize;
            if (size < 0)
                continue;
            p.transferSize = size;
            grant.acknowledged.append(numberOption("tsize", size));
        } else if (option.name == "windowsize") {
            if (*value < MinWindowSize || *value > MaxWindowSize)
                continue;
            window = &option;
            grant.acknowledged.append(option); // its value is set below
        }
    }
    if (window) {
        qint64 granted = std::min(*parseOptionNumber(window->value), maxWindow);
        // The server sends DATA for a read request and keeps its window.
        if (!write)
            granted = windowWithin(granted, p.blockSize);
        p.windowSize = int(granted);
        for (Option &option : grant.acknowledged) {
            if (option.name == "windowsize")
                option.value = QByteArray::number(p.windowSize);
        }
    }
    return grant;
}

} // namespace Tftp
